// The kubernetes, cache and hosts plugins of a Corefile, read into settings
// (CoreDNS plugin/kubernetes/setup.go, plugin/cache/setup.go,
// plugin/hosts/setup.go: the same defaults and limits).

import { POD_MODES, type PodMode } from '../cluster/index.js';
import type { Directive, ServerBlock } from './parse.js';
import { addEntry, addHostsLines, HOSTS_DEFAULT_TTL } from './hosts.js';
import { integer, keyZone, normalizeZone, show, type Reader } from './settings-reader.js';

const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function readCache(reader: Reader, directive: Directive): void {
  const first = directive.args[0];
  if (first !== undefined && /^-?\d+$/.test(first)) {
    const ttl = Number(first);
    if (ttl <= 0) reader.problem(directive, `the cache TTL must be a positive number of seconds, got ${first}`);
    else reader.values.cacheMaxTtl = ttl;
  }
  if (directive.args.length > (first !== undefined && /^\d+$/.test(first) ? 1 : 0)) reader.ignore('cache ZONES');
  for (const option of directive.block ?? []) reader.ignore(`cache ${option.name}`);
}

export function readKubernetes(reader: Reader, directive: Directive, blockZones: readonly string[]): void {
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
export function readHosts(reader: Reader, directive: Directive, block: ServerBlock): void {
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
