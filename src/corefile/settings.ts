// What a parsed Corefile means to clusterdns: the settings of the plugins it
// models (kubernetes, forward, cache, hosts, rewrite name, extra server
// blocks as stub domains), every problem with its line and directive, and
// the directives it does not model (listed once at startup).

import { parseUpstream, endpointKey } from '../forward/index.js';
import type { Policy } from '../forward/index.js';
import { POLICIES } from '../forward/settings.js';
import type { Directive, ServerBlock } from './parse.js';
import { parseRewrite } from './rewrite-syntax.js';
import { readCache, readHosts, readKubernetes } from './plugin-settings.js';
import { integer, keyZone, normalizeZone, Reader, show, type CorefileValues, type SettingsContext } from './settings-reader.js';

export type { CorefileValues, SettingsContext } from './settings-reader.js';
export { keyZone } from './settings-reader.js';

export interface CorefileSettings {
  readonly values: CorefileValues;
  /** Directives (and plugin options) not modelled, each once: `log`, `forward/health_check`. */
  readonly ignored: readonly string[];
  /** Things worth a warning that do not stop the start (an upstream over TLS, a missing hosts file). */
  readonly warnings: readonly string[];
}

export type SettingsResult = { ok: true; settings: CorefileSettings } | { ok: false; problems: string[] };

/** Directives clusterdns always does what they ask (a loop check at start; A/AAAA rotation). */
const ALWAYS_ON = new Set(['loop', 'loadbalance']);
/** Plugins whose root-block settings clusterdns takes. */
const MODELLED = new Set(['kubernetes', 'forward', 'cache', 'hosts', 'rewrite']);

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
  if (!kubernetesSeen) {
    reader.warnings.push(`${context.where(1)}: no kubernetes plugin: clusterdns still answers for the cluster domain of --cluster-domain, which this CoreDNS would not`);
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
