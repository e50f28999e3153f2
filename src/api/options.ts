// The options of startClusterDns: the CLI's `serve` flags in camelCase, turned
// into the same validated Config the CLI builds. Library defaults differ from
// the CLI's on purpose: port 0, no forwarding, no logs.

import type { LevelWithSilent } from 'pino';
import { validateConfig, type Config, type ConfigField, type PodMode, type RawConfig } from '../config.js';
import type { Policy } from '../forward/index.js';
import { createLogger, silentLogger, type Logger } from '../log.js';
import { ClusterDnsError } from './errors.js';
import type { CorefileValues } from '../corefile/index.js';
import { manifestSources, type ManifestInput, type ManifestSources } from './sources.js';

export interface ClusterDnsOptions {
  /** Paths, manifest text and objects, or one of them; read in order. */
  readonly manifests: ManifestInput | readonly ManifestInput[];
  /** Address to listen on (`--bind`). Default `127.0.0.1`. */
  readonly bind?: string;
  /** UDP and TCP port (`--port`). Default 0: a free port, the same for both. */
  readonly port?: number;
  /** Default `cluster.local`. */
  readonly clusterDomain?: string;
  /** TTL of every cluster record, 0–3600. Default 5. */
  readonly ttl?: number;
  /** `<dashed-ip>.<ns>.pod.<zone>` answers (`--pods`). Default `insecure`. */
  readonly pods?: PodMode;
  /** Range(s) for synthesized cluster IPs; an IPv4 and an IPv6 one for dual-stack. Default `10.96.0.0/12`. */
  readonly serviceCIDR?: string | readonly string[];
  /** Range(s) for synthesized pod IPs. Default `10.244.0.0/16`. */
  readonly podCIDR?: string | readonly string[];
  /** Nodes a DaemonSet runs one pod on. Default 1. */
  readonly nodes?: number;
  /** Most pods the cluster may hold (`--max-pods`); a change past it is refused whole. Default 1,000,000. */
  readonly maxPods?: number;
  /**
   * Where names outside the cluster go: `['127.0.0.1:5353', ...]`, or
   * `'resolv-conf'` for the nameservers of `resolvConf`. Default `[]`: no
   * forwarding, such names get REFUSED (the CLI's `--upstream none`).
   */
  readonly upstreams?: readonly string[] | 'resolv-conf';
  /** Read when `upstreams` is `'resolv-conf'`. Default `/etc/resolv.conf`. */
  readonly resolvConf?: string;
  readonly policy?: Policy;
  /** Per-try upstream timeout in milliseconds. Default 2000. */
  readonly upstreamTimeoutMs?: number;
  /** `corp.example=10.0.0.1[:port][,addr...]` entries (`--stub-domain`). */
  readonly stubDomains?: readonly string[];
  /**
   * Forwarded-answer cache; `false` turns it off. Default 10000 entries,
   * 30 s (CoreDNS `cache 30`): `maxTtl` also caps every TTL answered.
   */
  readonly cache?: false | { readonly maxEntries?: number; readonly maxTtl?: number };
  /** Reload when a file or directory among `manifests` changes (`--watch`). Default false. */
  readonly watch?: boolean;
  /**
   * Answer short names (`web`, `web.prod`, `web-0.nginx`) as a pod in this
   * namespace would resolve them (`--search-namespace`). Default: off.
   */
  readonly searchNamespace?: string;
  /**
   * The admin HTTP server (`--http`), as `'127.0.0.1:0'` (a free port), `'[::1]:8080'` or `':8080'`
   * (loopback): /health, /ready and the /v1 control API (no /metrics). Default: off.
   */
  readonly http?: string;
  /** Bearer token every /v1 call needs (`--http-token`); on a non-loopback `http` without one, /v1 answers 403. */
  readonly httpToken?: string;
  /** The token read from this file (`--http-token-file`). The environment is not read. */
  readonly httpTokenFile?: string;
  /** Host names /v1 calls may give besides loopback names and the listening address (`--http-host`). */
  readonly httpHosts?: readonly string[];
  /** Clients allowed to have names forwarded and to use `http` (`--allow`); loopback always may use `http`. */
  readonly allow?: readonly string[];
  /**
   * Path of the cluster's Corefile, or of the YAML of kube-system's coredns
   * ConfigMap (docs/corefile.md). Its settings apply where these options are
   * not given; options given win.
   */
  readonly corefile?: string;
  /** Where logs go (a pino logger). Default: nowhere. */
  readonly logger?: Logger;
  /** Log JSON lines to stderr at this level, as the CLI does. Ignored when `logger` is given. */
  readonly logLevel?: LevelWithSilent;
}

export interface Prepared {
  readonly config: Config;
  readonly logger: Logger;
  readonly sources: ManifestSources;
}

const KNOWN = new Set([
  'manifests', 'bind', 'port', 'clusterDomain', 'ttl', 'pods', 'serviceCIDR', 'podCIDR', 'nodes', 'maxPods', 'upstreams', 'resolvConf',
  'policy', 'upstreamTimeoutMs', 'stubDomains', 'cache', 'watch', 'searchNamespace', 'logger', 'logLevel', 'corefile',
  'http', 'httpToken', 'httpTokenFile', 'httpHosts', 'allow',
]);

/** The option that wins over each setting a Corefile may give (none: only the file sets it). */
const COREFILE_OPTIONS: { readonly [K in keyof CorefileValues]-?: readonly (keyof ClusterDnsOptions)[] } = {
  clusterDomain: ['clusterDomain'],
  ttl: ['ttl'],
  podMode: ['pods'],
  reverseFallthrough: [],
  namespaces: [],
  endpointPodNames: [],
  upstreams: ['upstreams'],
  resolvConf: ['resolvConf', 'upstreams'],
  policy: ['policy'],
  forwardMaxInFlight: [],
  stubDomains: ['stubDomains'],
  cacheMaxTtl: ['cache'],
  noCache: ['cache'],
  hosts: [],
  rewrites: [],
  otherBlockZones: [],
};

/** A Corefile's settings under the options given: what goes over rawConfig's values. */
function corefileOverlay(options: ClusterDnsOptions, values: CorefileValues | undefined): RawConfig {
  if (!values) return {};
  const overlay: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values) as [keyof CorefileValues, unknown][]) {
    if (COREFILE_OPTIONS[field].every((option) => options[option] === undefined)) overlay[field] = value;
  }
  return overlay as RawConfig;
}

/**
 * How this API names each setting in a problem (config problems carry field
 * paths): the option key that sets it, where it is not the field path itself
 * (`port` is `port`, `cache.maxTtl` is `cache.maxTtl`). Settings no option sets
 * (a Corefile's `forward max_concurrent`) keep their field path too.
 */
const OPTION_KEYS: { readonly [F in ConfigField]?: keyof ClusterDnsOptions } = {
  podMode: 'pods',
  serviceCIDRs: 'serviceCIDR',
  podCIDRs: 'podCIDR',
};

function optionKey(field: ConfigField): string {
  return OPTION_KEYS[field] ?? field;
}

/** Validate everything at once; throws a ClusterDnsError('options') listing every problem. */
export function prepare(options: ClusterDnsOptions, corefile?: CorefileValues): Prepared {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null) throw new ClusterDnsError('options', 'startClusterDns needs an options object');
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) problems.push(`unknown option ${JSON.stringify(key)}`);
  const inputs = toInputs(options.manifests, problems);
  const sources = manifestSources(inputs);
  const result = validateConfig({ ...rawConfig(options, sources.paths), ...corefileOverlay(options, corefile) }, optionKey);
  if (!result.ok) problems.push(...result.problems);
  if (problems.length > 0 || !result.ok) throw new ClusterDnsError('options', 'invalid clusterdns options', problems);
  const logger = options.logger ?? (options.logLevel ? createLogger(options.logLevel) : silentLogger());
  return { config: result.config, logger, sources };
}

function rawConfig(options: ClusterDnsOptions, paths: readonly string[]): RawConfig {
  const cache = options.cache;
  return {
    manifests: paths,
    bind: options.bind,
    port: options.port ?? 0,
    clusterDomain: options.clusterDomain,
    ttl: options.ttl,
    podMode: options.pods,
    serviceCIDRs: options.serviceCIDR,
    podCIDRs: options.podCIDR,
    nodes: options.nodes,
    maxPods: options.maxPods,
    logLevel: options.logger ? undefined : (options.logLevel ?? 'silent'),
    upstreams: options.upstreams ?? [],
    resolvConf: options.resolvConf,
    policy: options.policy,
    upstreamTimeoutMs: options.upstreamTimeoutMs,
    stubDomains: options.stubDomains,
    cacheSize: cache ? cache.maxEntries : undefined,
    cacheMaxTtl: cache ? cache.maxTtl : undefined,
    noCache: cache === false,
    watch: options.watch === true,
    searchNamespace: options.searchNamespace,
    http: options.http,
    httpToken: options.httpToken,
    httpTokenFile: options.httpTokenFile,
    httpHosts: options.httpHosts,
    allow: options.allow,
  };
}

function toInputs(value: ClusterDnsOptions['manifests'] | undefined, problems: string[]): ManifestInput[] {
  const inputs = (Array.isArray(value) ? value : value === undefined ? [] : [value]) as ManifestInput[];
  if (inputs.length === 0) problems.push('manifests must name at least one path, manifest text or object');
  inputs.forEach((input, index) => {
    if (input === '-') problems.push(`manifests[${index}]: '-' (stdin) is for the CLI; pass the text itself`);
    else if (typeof input !== 'string' && (typeof input !== 'object' || input === null)) {
      problems.push(`manifests[${index}] must be a path, manifest text or an object, got ${input === null ? 'null' : typeof input}`);
    }
  });
  return inputs;
}
