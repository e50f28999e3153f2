// The shared state of reading one Corefile's plugins: the values found, the
// problems (each naming file, line and directive), the warnings, and the
// directives not modelled, each listed once.

import type { Policy } from '../forward/index.js';
import type { PodMode } from '../cluster/index.js';
import type { Directive } from './parse.js';
import type { HostsTable } from './hosts.js';
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

export interface SettingsContext {
  /** `coredns.yaml:14` for a Corefile line: names the file and the line in it. */
  readonly where: (line: number) => string;
  /** A hosts file's text: a key of the ConfigMap (by base name) or a file; undefined when neither exists. */
  readonly hostsFile: (path: string) => string | undefined;
}

export class Reader {
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

export function normalizeZone(text: string): string {
  return text.toLowerCase().replace(/\.+$/, '');
}

export function integer(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

export function show(text: string): string {
  return JSON.stringify(text);
}
