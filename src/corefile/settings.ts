// What a parsed Corefile means to clusterdns: the settings of the plugins it
// models (kubernetes, forward, cache, hosts, rewrite name, extra server
// blocks as stub domains), every problem with its line and directive, and
// the directives it does not model (listed once at startup).

import { parseUpstream, endpointKey } from '../forward/index.js';
import type { Policy } from '../forward/index.js';
import type { PodMode } from '../config.js';
import type { Directive, ServerBlock } from './parse.js';
import { addEntry, addHostsLines, HOSTS_DEFAULT_TTL, type HostsTable } from './hosts.js';
import { parseRewrite } from './rewrite-syntax.js';
import type { RewriteRule } from './rewrite.js';

/** Config fields a Corefile sets (RawConfig spelling); absent = the Corefile does not say. */
export interface CorefileValues {
  clusterDomain?: string;
  ttl?: number;
  podMode?: PodMode;
  reverseFallthrough?: boolean;
  namespaces?: readonly string[];
  endpointPodNames?: boolean;
  /** `['none']` when the root block forwards nowhere (CoreDNS then answers SERVFAIL outside its zones). */
  upstreams?: readonly string[] | 'resolv-conf';
  resolvConf?: string;
  policy?: Policy;
  forwardMaxInFlight?: number;
  /** `suffix=addr,addr` entries, the --stub-domain form. */
  stubDomains?: readonly string[];
  cacheMaxTtl?: number;
  noCache?: boolean;
  hosts?: HostsTable;
  rewrites?: readonly RewriteRule[];
  /**
   * Zones of the other server blocks (stub domains, a block of its own for
   * the kubernetes plugin): CoreDNS answers names under them there, so the
   * root block's hosts and rewrite rules do not see them.
   */
  otherBlockZones?: readonly string[];
}

export interface CorefileSettings {
  readonly values: CorefileValues;
  /** Directives (and plugin options) not modelled, each once: `log`, `forward/health_check`. */
  readonly ignored: readonly string[];
  /** Things worth a warning that do not stop the start (an upstream over TLS, a missing hosts file). */
  readonly warnings: readonly string[];
}

export type SettingsResult = { ok: true; settings: CorefileSettings } | { ok: false; problems: string[] };

export interface SettingsContext {
  /** `coredns.yaml:14` for a Corefile line: names the file and the line in it. */
  readonly where: (line: number) => string;
  /** A hosts file's text: a key of the ConfigMap (by base name) or a file; undefined when neither exists. */
  readonly hostsFile: (path: string) => string | undefined;
}

/** Directives clusterdns always does what they ask (a loop check at start; A/AAAA rotation). */
const ALWAYS_ON = new Set(['loop', 'loadbalance']);
/** Plugins whose root-block settings clusterdns takes. */
const MODELLED = new Set(['kubernetes', 'forward', 'cache', 'hosts', 'rewrite']);
const POLICIES: readonly Policy[] = ['random', 'round_robin', 'sequential'];
const POD_MODES: readonly PodMode[] = ['disabled', 'insecure', 'verified'];
const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

class Reader {
  readonly values: CorefileValues = {};
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  private readonly ignoredSet = new Set<string>();
  readonly ignored: string[] = [];

  constructor(readonly context: SettingsContext) {}

  problem(directive: Directive, message: string): void {
    this.problems.push(`${this.context.where(directive.line)}: ${directive.name}: ${message}`);
  }

  /** A problem with an option inside a plugin's block: its own line, `plugin option:`. */
  optionProblem(directive: Directive, option: Directive, message: string): void {
    this.problems.push(`${this.context.where(option.line)}: ${directive.name} ${option.name}: ${message}`);
  }

  warn(directive: Directive, message: string): void {
    this.warnings.push(`${this.context.where(directive.line)}: ${directive.name}: ${message}`);
  }

  ignore(name: string): void {
    if (this.ignoredSet.has(name)) return;
    this.ignoredSet.add(name);
    this.ignored.push(name);
  }
}

/** The zone of a server block key: `dns://.:53` → '', `Example.org.:53` → 'example.org'; undefined for other transports. */
export function keyZone(key: string): { zone: string; port?: number } | undefined {
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(key);
  if (scheme && scheme[1]!.toLowerCase() !== 'dns') return undefined;
  const rest = scheme ? key.slice(scheme[0].length) : key;
  const match = /^(.*?)(?::(\d+))?$/.exec(rest)!;
  const zone = normalizeZone(match[1]!);
  return match[2] === undefined ? { zone } : { zone, port: Number(match[2]) };
}

function normalizeZone(text: string): string {
  return text.toLowerCase().replace(/\.+$/, '');
}

export function interpretCorefile(blocks: readonly ServerBlock[], topLevel: readonly Directive[], context: SettingsContext): SettingsResult {
  const reader = new Reader(context);
  for (const directive of topLevel) reader.ignore(directive.name);
  const served = blocks.filter((block) => !isSnippet(block));
  if (blocks.some(isSnippet)) reader.ignore('snippets');
  const root = served.find((block) => block.keys.some((key) => keyZone(key)?.zone === ''));
  let kubernetesSeen = false;
  for (const block of served) {
    const zones = block.keys.map(keyZone);
    if (zones.some((zone) => zone === undefined)) {
      reader.warnings.push(`${context.where(block.line)}: server block ${block.keys.join(' ')}: only plain DNS (dns:// or no scheme) is served; block ignored`);
      continue;
    }
    const kubernetes = block.directives.find((directive) => directive.name === 'kubernetes');
    if (kubernetes && !kubernetesSeen) {
      kubernetesSeen = true;
      readKubernetes(reader, kubernetes, zones.map((zone) => zone!.zone));
    } else if (kubernetes) {
      reader.warn(kubernetes, 'a second kubernetes plugin is not modelled (only the first one is)');
    }
    if (block !== root) {
      const own = zones.map((zone) => zone!.zone).filter((zone) => zone !== '');
      reader.values.otherBlockZones = [...(reader.values.otherBlockZones ?? []), ...own];
    }
    if (block === root) readRoot(reader, block, kubernetes);
    else if (!kubernetes) readStubBlock(reader, block, zones.map((zone) => zone!.zone));
    else {
      for (const directive of block.directives) {
        if (directive === kubernetes || ALWAYS_ON.has(directive.name)) continue;
        reader.ignore(MODELLED.has(directive.name) ? `${directive.name} outside the root block` : directive.name);
      }
    }
  }
  if (!root) {
    // No '.' block: CoreDNS answers nothing outside the zones it lists.
    reader.values.upstreams = ['none'];
  }
  if (reader.problems.length > 0) return { ok: false, problems: reader.problems };
  return { ok: true, settings: { values: reader.values, ignored: reader.ignored, warnings: reader.warnings } };
}

function isSnippet(block: ServerBlock): boolean {
  return block.keys.length === 1 && /^\(.*\)$/.test(block.keys[0]!);
}

function readRoot(reader: Reader, block: ServerBlock, kubernetes: Directive | undefined): void {
  let forward = false;
  let cache = false;
  for (const directive of block.directives) {
    switch (directive.name) {
      case 'kubernetes':
        if (directive !== kubernetes) reader.ignore('kubernetes');
        break;
      case 'forward':
        if (forward) reader.warn(directive, 'only the first forward of a server block is used');
        else forward = readForward(reader, directive, true);
        break;
      case 'cache':
        cache = true;
        readCache(reader, directive);
        break;
      case 'hosts':
        readHosts(reader, directive, block);
        break;
      case 'rewrite': {
        const rule = parseRewrite(directive);
        if (rule.kind === 'error') reader.problem(directive, rule.message);
        else if (rule.kind === 'ignored') reader.ignore(`rewrite ${rule.field}`);
        else reader.values.rewrites = [...(reader.values.rewrites ?? []), rule.rule];
        break;
      }
      default:
        if (!ALWAYS_ON.has(directive.name)) reader.ignore(directive.name);
    }
  }
  if (!forward) reader.values.upstreams = ['none'];
  if (!cache) reader.values.noCache = true;
}

/** `example.com:53 { forward . 1.2.3.4 }`: a stub domain for each of the block's zones. */
function readStubBlock(reader: Reader, block: ServerBlock, zones: readonly string[]): void {
  for (const directive of block.directives) {
    if (directive.name !== 'forward') {
      if (ALWAYS_ON.has(directive.name)) continue;
      // Listed once by name; plugins modelled in the root block are named apart, since here they are not.
      reader.ignore(MODELLED.has(directive.name) ? `${directive.name} outside the root block` : directive.name);
      continue;
    }
    const upstreams = forwardTargets(reader, directive);
    if (upstreams === undefined) continue;
    if (upstreams === 'resolv-conf') {
      reader.warn(directive, `a stub domain that forwards to a resolv.conf is not modelled; ${zones.join(' ')} goes to the main upstreams`);
      continue;
    }
    if (upstreams.length === 0) continue;
    const from = directive.args[0] === '.' ? zones : [normalizeZone(directive.args[0]!)];
    for (const zone of from) {
      if (zone === '') continue;
      reader.values.stubDomains = [...(reader.values.stubDomains ?? []), `${zone}=${upstreams.join(',')}`];
    }
  }
}

/** The root block's forward: `forward FROM TO... { policy ... }`. True when it was read. */
function readForward(reader: Reader, directive: Directive, root: boolean): boolean {
  const upstreams = forwardTargets(reader, directive);
  if (upstreams === undefined) return true;
  const from = normalizeZone(directive.args[0]!);
  if (root && from !== '') {
    // `forward example.com 1.2.3.4` in the root block forwards only that zone: a stub domain.
    if (upstreams !== 'resolv-conf' && upstreams.length > 0) reader.values.stubDomains = [...(reader.values.stubDomains ?? []), `${from}=${upstreams.join(',')}`];
    return false;
  }
  if (upstreams === 'resolv-conf') {
    reader.values.upstreams = 'resolv-conf';
    const file = directive.args.slice(1).find((arg) => arg.includes('/'));
    if (file) reader.values.resolvConf = file;
  } else {
    reader.values.upstreams = upstreams.length > 0 ? upstreams : ['none'];
  }
  // CoreDNS's forward picks upstreams at random unless told otherwise.
  reader.values.policy = 'random';
  for (const option of directive.block ?? []) {
    if (option.name === 'policy') {
      const policy = option.args[0] as Policy;
      if (option.args.length !== 1 || !POLICIES.includes(policy)) reader.optionProblem(directive, option, `must be one of ${POLICIES.join(', ')}, got ${show(option.args.join(' '))}`);
      else reader.values.policy = policy;
    } else if (option.name === 'max_concurrent') {
      const count = integer(option.args[0]);
      if (option.args.length !== 1 || count === undefined || count < 1) reader.optionProblem(directive, option, `must be a positive integer, got ${show(option.args.join(' '))}`);
      else reader.values.forwardMaxInFlight = count;
    } else {
      reader.ignore(`forward ${option.name}`);
    }
  }
  return true;
}

/** The addresses of `forward FROM TO...` as `host:port` text, 'resolv-conf' for a file, or undefined after a problem. */
function forwardTargets(reader: Reader, directive: Directive): string[] | 'resolv-conf' | undefined {
  if (directive.args.length < 2) {
    reader.problem(directive, 'expected forward FROM TO... (like forward . /etc/resolv.conf or forward . 8.8.8.8)');
    return undefined;
  }
  const addresses: string[] = [];
  for (const target of directive.args.slice(1)) {
    if (target.includes('/') && !target.includes('://')) return 'resolv-conf';
    if (/^[a-z0-9+.-]+:\/\//i.test(target) && !/^dns:\/\//i.test(target)) {
      reader.warn(directive, `${target}: only plain DNS upstreams are supported (not DNS over TLS, HTTPS or gRPC); skipped`);
      continue;
    }
    const parsed = parseUpstream(target);
    if (parsed instanceof Error) reader.problem(directive, parsed.message);
    else addresses.push(endpointKey(parsed));
  }
  return addresses;
}

function readCache(reader: Reader, directive: Directive): void {
  const first = directive.args[0];
  if (first !== undefined && /^-?\d+$/.test(first)) {
    const ttl = Number(first);
    if (ttl <= 0) reader.problem(directive, `the cache TTL must be a positive number of seconds, got ${first}`);
    else reader.values.cacheMaxTtl = ttl;
  }
  if (directive.args.length > (first !== undefined && /^\d+$/.test(first) ? 1 : 0)) reader.ignore('cache ZONES');
  for (const option of directive.block ?? []) reader.ignore(`cache ${option.name}`);
}

function readKubernetes(reader: Reader, directive: Directive, blockZones: readonly string[]): void {
  const zones = directive.args.length > 0 ? directive.args.map(normalizeZone) : blockZones;
  const forward = zones.filter((zone) => !REVERSE_ZONES.some((reverse) => zone === reverse || zone.endsWith(`.${reverse}`)));
  if (forward.length === 0) {
    reader.problem(directive, `needs a cluster domain among its zones (like kubernetes cluster.local in-addr.arpa ip6.arpa), got ${show(zones.join(' '))}`);
  } else {
    reader.values.clusterDomain = forward[0]!;
    if (forward.length > 1) reader.warn(directive, `clusterdns serves one cluster domain: ${forward[0]} (not ${forward.slice(1).join(', ')})`);
  }
  // CoreDNS's defaults where the Corefile is silent: pods disabled, TTL 5, no fallthrough.
  reader.values.podMode = 'disabled';
  reader.values.reverseFallthrough = false;
  for (const option of directive.block ?? []) readKubernetesOption(reader, directive, option);
}

function readKubernetesOption(reader: Reader, directive: Directive, option: Directive): void {
  const args = option.args;
  const bad = (message: string) => reader.optionProblem(directive, option, message);
  switch (option.name) {
    case 'pods':
      if (args.length !== 1 || !POD_MODES.includes(args[0] as PodMode)) bad(`must be one of ${POD_MODES.join(', ')}, got ${show(args.join(' '))}`);
      else reader.values.podMode = args[0] as PodMode;
      return;
    case 'ttl': {
      const ttl = integer(args[0]);
      if (args.length !== 1 || ttl === undefined || ttl < 0 || ttl > 3600) bad(`must be an integer from 0 to 3600 (seconds), got ${show(args.join(' '))}`);
      else reader.values.ttl = ttl;
      return;
    }
    case 'namespaces': {
      const invalid = args.filter((name) => !DNS_LABEL.test(name));
      if (args.length === 0) bad('needs at least one namespace');
      else if (invalid.length > 0) bad(`not namespace names: ${invalid.join(', ')}`);
      else reader.values.namespaces = args;
      return;
    }
    case 'endpoint_pod_names':
      if (args.length > 0) bad('takes no arguments');
      else reader.values.endpointPodNames = true;
      return;
    case 'fallthrough': {
      const zones = args.map(normalizeZone);
      // clusterdns models fallthrough for the reverse zones: unknown PTR names go upstream.
      reader.values.reverseFallthrough = zones.length === 0 || zones.some((zone) => REVERSE_ZONES.includes(zone));
      if (zones.length === 0 || zones.some((zone) => !REVERSE_ZONES.includes(zone))) reader.ignore('kubernetes fallthrough (for names other than in-addr.arpa and ip6.arpa)');
      return;
    }
    default:
      reader.ignore(`kubernetes ${option.name}`);
  }
}

/** `hosts [FILE [ZONES...]] { IP name...; ttl N; no_reverse; reload D; fallthrough [ZONES] }` */
function readHosts(reader: Reader, directive: Directive, block: ServerBlock): void {
  const names = new Map<string, string[]>();
  const addresses = new Map<string, string[]>();
  const file = directive.args[0] ?? '/etc/hosts';
  const text = reader.context.hostsFile(file);
  if (text === undefined) reader.warn(directive, `${file} is neither a key of the ConfigMap nor a readable file; only inline entries are served`);
  else addHostsLines(text, names, addresses);
  const zones = directive.args.length > 1 ? directive.args.slice(1).map(normalizeZone) : block.keys.map((key) => keyZone(key)?.zone ?? '');
  let ttl = HOSTS_DEFAULT_TTL;
  let noReverse = false;
  let fallthrough: readonly string[] | undefined;
  for (const option of directive.block ?? []) {
    switch (option.name) {
      case 'ttl': {
        const value = integer(option.args[0]);
        if (option.args.length !== 1 || value === undefined || value < 0 || value > 4294967295) reader.optionProblem(directive, option, `must be a number of seconds, got ${show(option.args.join(' '))}`);
        else ttl = value;
        break;
      }
      case 'no_reverse':
        noReverse = true;
        break;
      case 'fallthrough':
        fallthrough = option.args.map(normalizeZone);
        break;
      case 'reload':
        reader.ignore('hosts reload');
        break;
      default:
        if (!addEntry(option.name, option.args, names, addresses)) {
          reader.problems.push(
            `${reader.context.where(option.line)}: hosts: expected an entry "IP name..." or one of ttl, no_reverse, reload, fallthrough, got ${show([option.name, ...option.args].join(' '))}`,
          );
        }
    }
  }
  reader.values.hosts = { names, addresses, ttl, zones, noReverse, ...(fallthrough ? { fallthrough } : {}) };
}

function integer(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

function show(text: string): string {
  return JSON.stringify(text);
}
