// Server configuration: the one typed shape every entry point (CLI, Node API)
// fills in, its defaults, and validation that reports every problem at once.

import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';
import type { LevelWithSilent } from 'pino';
import { LOG_LEVELS } from './log.js';
import { parseStubDomain, parseUpstream } from './forward/index.js';
import type { Policy, StubDomain, UpstreamAddress } from './forward/index.js';
import { DEFAULT_ALLOW, parseAllowList } from './guard/acl.js';
import { resolveToken, validateHttpHosts } from './admin/settings.js';
import { parseRate, RATE_LIMIT_DEFAULTS, type RateLimitSettings } from './guard/rrl.js';
import { TCP_DEFAULTS, type TcpLimits } from './server/tcp-limits.js';
import type { HostsTable, RewriteRule } from './corefile/index.js';

export type PodMode = 'insecure' | 'verified' | 'disabled';
export const POD_MODES: readonly PodMode[] = ['insecure', 'verified', 'disabled'];

export interface Config {
  /** Manifest paths: files, directories, or '-' for stdin. */
  readonly manifests: readonly string[];
  readonly bind: string;
  readonly port: number;
  /** Lower-case, no leading or trailing dot. */
  readonly clusterDomain: string;
  readonly ttl: number;
  readonly podMode: PodMode;
  /** One CIDR per family, primary family first. */
  readonly serviceCIDRs: readonly string[];
  readonly podCIDRs: readonly string[];
  /** Nodes a DaemonSet runs on. */
  readonly nodes: number;
  /** Most pods the cluster may hold (--max-pods): a load, reload or API change past it is refused whole. */
  readonly maxPods: number;
  readonly logLevel: LevelWithSilent;
  /**
   * Where names outside our zones go: explicit addresses, `'resolv-conf'`
   * (the nameservers of `resolvConf`, read at start), or `[]` for none
   * (REFUSED outside our zones).
   */
  readonly upstreams: readonly UpstreamAddress[] | 'resolv-conf';
  readonly resolvConf: string;
  readonly policy: Policy;
  /** Per-try upstream timeout. */
  readonly upstreamTimeoutMs: number;
  readonly stubDomains: readonly StubDomain[];
  /** DNS 0x20 (--upstream-0x20): random letter case in upstream questions, echoed exactly or the reply is dropped. */
  readonly upstream0x20: boolean;
  /** Forwarded-answer cache; false turns it off. */
  readonly cache: { readonly maxEntries: number; readonly maxTtl: number } | false;
  /** Reload when a manifest under `manifests` changes (--watch). */
  readonly watch: boolean;
  /** The admin HTTP server (--http): health, ready, metrics, control API; null = off. */
  readonly http: { readonly host: string; readonly port: number } | null;
  /** Bearer token every /v1 call must carry (--http-token, --http-token-file, CLUSTERDNS_HTTP_TOKEN); null = none. */
  readonly httpToken: string | null;
  /** Host names /v1 requests may give besides loopback and the listener's addresses (--http-host). */
  readonly httpHosts: readonly string[];
  /** One log line per query (--log-queries). */
  readonly logQueries: boolean;
  /** Clients whose names outside the cluster are forwarded (--allow); others get REFUSED for them. */
  readonly allow: readonly string[];
  /** Per-client-network UDP response rate limit (--rate-limit); null = off. */
  readonly rateLimit: RateLimitSettings | null;
  /** DNS-over-TCP caps (--tcp-*). */
  readonly tcp: TcpLimits;
  /** Forwarded queries waiting on upstreams at once; past it SERVFAIL at once (--forward-max-inflight). */
  readonly forwardMaxInFlight: number;
  /** How long a first SIGTERM/SIGINT waits for queries in flight (--shutdown-grace). */
  readonly shutdownGraceMs: number;
  /**
   * --search-namespace: short names outside the cluster domain are tried as
   * a pod of this namespace would try them before being forwarded; null = off.
   */
  readonly searchNamespace: string | null;
  /** Processes answering on the port (--workers), each with its own copy of the cluster; 1 = this process only. */
  readonly workers: number;
  /**
   * How UDP datagrams are read and answered (--udp-io): `batch` reads and
   * sends up to 64 at a time with recvmmsg/sendmmsg (src/native, Linux, built
   * at install), `dgram` one at a time with node:dgram, `auto` batch when
   * the native module is built, else dgram.
   */
  readonly udpIo: UdpIo;
  /** Largest manifest file or stdin in bytes (--max-manifest-bytes); bigger ones are refused. */
  readonly maxManifestBytes: number;
  /**
   * From --corefile (src/corefile/), beyond the flags' own fields:
   * `namespaces` served (null = all), `endpoint_pod_names`, whether unknown
   * reverse names go upstream (`fallthrough in-addr.arpa ip6.arpa`), `hosts`
   * entries, `rewrite name` rules.
   */
  readonly namespaces: readonly string[] | null;
  readonly endpointPodNames: boolean;
  readonly reverseFallthrough: boolean;
  readonly hosts: HostsTable | null;
  readonly rewrites: readonly RewriteRule[];
  /** Names under these zones skip `hosts` and `rewrites` (they belong to another Corefile server block). */
  readonly otherBlockZones: readonly string[];
}

export const UDP_IO_MODES = ['auto', 'batch', 'dgram'] as const;
export type UdpIo = (typeof UDP_IO_MODES)[number];

export const POLICIES: readonly Policy[] = ['sequential', 'random', 'round_robin'];

export const DEFAULTS: Config = {
  manifests: [],
  bind: '127.0.0.1',
  port: 53,
  clusterDomain: 'cluster.local',
  ttl: 5,
  podMode: 'insecure',
  serviceCIDRs: ['10.96.0.0/12'],
  podCIDRs: ['10.244.0.0/16'],
  nodes: 1,
  maxPods: 1_000_000,
  logLevel: 'info',
  upstreams: 'resolv-conf',
  resolvConf: '/etc/resolv.conf',
  policy: 'sequential',
  upstreamTimeoutMs: 2000,
  stubDomains: [],
  upstream0x20: false,
  // maxTtl 30: the kubeadm Corefile's `cache 30`, which caps every TTL answered (docs/behaviour.md).
  cache: { maxEntries: 10000, maxTtl: 30 },
  watch: false,
  http: null,
  httpToken: null,
  httpHosts: [],
  logQueries: false,
  allow: DEFAULT_ALLOW,
  rateLimit: null,
  tcp: TCP_DEFAULTS,
  forwardMaxInFlight: 1000,
  shutdownGraceMs: 1000,
  searchNamespace: null,
  workers: 1,
  udpIo: 'auto',
  maxManifestBytes: 1024 * 1024 * 1024,
  namespaces: null,
  endpointPodNames: false,
  reverseFallthrough: true,
  hosts: null,
  rewrites: [],
  otherBlockZones: [],
};

/** What a user may pass: every field optional, strings where flags give strings. */
export type RawConfig = { [K in keyof Config]?: unknown } & {
  /** Flag form of `cache`: entries, max TTL, and --no-cache. */
  cacheSize?: unknown;
  cacheMaxTtl?: unknown;
  noCache?: unknown;
  /** Flag forms of `rateLimit` and `tcp`. */
  rateLimitSlip?: unknown;
  tcpMaxConnections?: unknown;
  tcpMaxPerClient?: unknown;
  tcpIdleTimeoutMs?: unknown;
  tcpMaxInFlight?: unknown;
  tcpMaxMessage?: unknown;
  /** Token sources besides `httpToken`: --http-token-file and the CLUSTERDNS_HTTP_TOKEN the CLI passes in. */
  httpTokenFile?: unknown;
  httpTokenEnv?: unknown;
};

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Validate and normalize; every problem is reported, not just the first. */
export function validateConfig(raw: RawConfig): ConfigResult {
  const problems: string[] = [];
  const merged = { ...DEFAULTS, ...definedOnly(raw) };

  const port = toInteger(merged.port);
  if (port === undefined || port < 0 || port > 65535) {
    problems.push(`--port must be an integer from 0 to 65535, got ${show(merged.port)}`);
  }
  const ttl = toInteger(merged.ttl);
  if (ttl === undefined || ttl < 0 || ttl > 3600) {
    problems.push(`--ttl must be an integer from 0 to 3600 (seconds), got ${show(merged.ttl)}`);
  }
  const nodes = toInteger(merged.nodes);
  if (nodes === undefined || nodes < 1 || nodes > 5000) {
    problems.push(`--nodes must be an integer from 1 to 5000, got ${show(merged.nodes)}`);
  }
  const maxPods = integerIn('--max-pods', merged.maxPods, 1, 100_000_000, 'pods', problems);
  const bind = String(merged.bind);
  // isIP, not ipaddr.isValid: that accepts inet_aton shorthand (1.2.3), which cannot be bound.
  if (isIP(bind) === 0) {
    problems.push(`--bind must be an IPv4 or IPv6 address (e.g. 127.0.0.1, 0.0.0.0, ::1) or a host name such as localhost, got ${show(merged.bind)}`);
  }
  const clusterDomain = String(merged.clusterDomain).toLowerCase().replace(/^\.+|\.+$/g, '');
  if (!isDomainName(clusterDomain)) {
    problems.push(
      `--cluster-domain must be a DNS name of one or more labels (lower-case letters, digits, '-'), got ${show(merged.clusterDomain)}`,
    );
  }
  const podMode = String(merged.podMode) as PodMode;
  if (!POD_MODES.includes(podMode)) {
    problems.push(`--pods must be one of ${POD_MODES.join(', ')}, got ${show(merged.podMode)}`);
  }
  const logLevel = String(merged.logLevel) as LevelWithSilent;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${show(merged.logLevel)}`);
  }
  const serviceCIDRs = validateCIDRs('--service-cidr', merged.serviceCIDRs, problems);
  const podCIDRs = validateCIDRs('--pod-cidr', merged.podCIDRs, problems);
  if (serviceCIDRs && podCIDRs && familiesOf(serviceCIDRs).join() !== familiesOf(podCIDRs).join()) {
    problems.push(
      `--service-cidr and --pod-cidr must cover the same IP families in the same order ` +
        `(services: ${familiesOf(serviceCIDRs).join(',')}; pods: ${familiesOf(podCIDRs).join(',')})`,
    );
  }
  const manifests = toStringList(merged.manifests);
  const upstreams = validateUpstreams(raw.upstreams, problems);
  const policy = String(merged.policy) as Policy;
  if (!POLICIES.includes(policy)) {
    problems.push(`--policy must be one of ${POLICIES.join(', ')}, got ${show(merged.policy)}`);
  }
  const upstreamTimeoutMs = toInteger(merged.upstreamTimeoutMs);
  if (upstreamTimeoutMs === undefined || upstreamTimeoutMs < 10 || upstreamTimeoutMs > 60000) {
    problems.push(`--upstream-timeout must be an integer from 10 to 60000 (milliseconds), got ${show(merged.upstreamTimeoutMs)}`);
  }
  const stubDomains = toStubDomains(merged.stubDomains, problems);
  const cache = validateCache(raw, problems);
  const http = validateHttp(merged.http, problems);
  const httpToken = resolveToken({ token: merged.httpToken, tokenFile: raw.httpTokenFile, env: http === null ? undefined : raw.httpTokenEnv }, problems);
  const httpHosts = validateHttpHosts(raw.httpHosts, problems);
  for (const [flag, value] of [['--http-token', raw.httpToken], ['--http-token-file', raw.httpTokenFile], ['--http-host', raw.httpHosts]] as const) {
    if (value !== undefined && value !== null && http === null) problems.push(`${flag} needs --http ADDR:PORT`);
  }
  const allow = validateAllow(raw.allow, problems);
  const rateLimit = validateRateLimit(raw, problems);
  const tcp = validateTcp(raw, problems);
  const forwardMaxInFlight = integerIn('--forward-max-inflight', merged.forwardMaxInFlight, 1, 1_000_000, 'queries', problems);
  const shutdownGraceMs = integerIn('--shutdown-grace', merged.shutdownGraceMs, 0, 60_000, 'milliseconds', problems);
  const searchNamespace = validateSearchNamespace(merged.searchNamespace, problems);
  const workers = integerIn('--workers', merged.workers, 1, 64, 'processes', problems);
  // The admin API and its counters live in one process; with workers each would hold its own.
  if (workers > 1 && http !== null) problems.push('--workers above 1 cannot be combined with --http yet');
  const udpIo = String(merged.udpIo) as UdpIo;
  if (!UDP_IO_MODES.includes(udpIo)) problems.push(`--udp-io must be one of ${UDP_IO_MODES.join(', ')}, got ${show(merged.udpIo)}`);

  // --max-manifest-bytes: at least 1 MiB, at most 1 TiB.
  const maxManifestBytes = integerIn('--max-manifest-bytes', merged.maxManifestBytes, 1024 * 1024, 2 ** 40, 'bytes', problems);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      manifests,
      bind,
      port: port!,
      clusterDomain,
      ttl: ttl!,
      podMode,
      serviceCIDRs: serviceCIDRs!,
      podCIDRs: podCIDRs!,
      nodes: nodes!,
      maxPods,
      logLevel,
      upstreams,
      resolvConf: String(merged.resolvConf),
      policy,
      upstreamTimeoutMs: upstreamTimeoutMs!,
      stubDomains,
      upstream0x20: merged.upstream0x20 === true,
      cache,
      watch: merged.watch === true,
      http,
      httpToken,
      httpHosts,
      logQueries: merged.logQueries === true,
      allow,
      rateLimit,
      tcp,
      forwardMaxInFlight,
      shutdownGraceMs,
      searchNamespace,
      workers,
      udpIo,
      maxManifestBytes,
      // Built and checked by src/corefile/ (no flag sets them).
      namespaces: (merged.namespaces as Config['namespaces']) ?? null,
      endpointPodNames: merged.endpointPodNames === true,
      reverseFallthrough: merged.reverseFallthrough !== false,
      hosts: (merged.hosts as Config['hosts']) ?? null,
      rewrites: (merged.rewrites as Config['rewrites']) ?? [],
      otherBlockZones: (merged.otherBlockZones as Config['otherBlockZones']) ?? [],
    },
  };
}

/** A namespace name: a DNS-1123 label, as the API server requires. */
function validateSearchNamespace(value: unknown, problems: string[]): string | null {
  if (value === null || value === undefined || value === false) return null;
  const text = String(value);
  if (text.length > 63 || !DNS_LABEL.test(text)) {
    problems.push(
      `--search-namespace must be a namespace name: a DNS-1123 label of at most 63 lower-case letters, digits and '-', ` +
        `starting and ending with a letter or digit, got ${show(value)}`,
    );
    return null;
  }
  return text;
}

function validateAllow(value: unknown, problems: string[]): readonly string[] {
  if (value === undefined) return DEFAULTS.allow;
  const entries = toStringList(value).flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter(Boolean);
  const parsed = parseAllowList(entries);
  problems.push(...parsed.problems);
  return parsed.cidrs;
}

function validateRateLimit(raw: RawConfig, problems: string[]): Config['rateLimit'] {
  if (raw.rateLimit === undefined || raw.rateLimit === null || raw.rateLimit === false) {
    if (raw.rateLimitSlip !== undefined) problems.push('--rate-limit-slip needs --rate-limit N/s');
    return null;
  }
  const given = raw.rateLimit as Partial<RateLimitSettings> | string | number;
  const perSecond = typeof given === 'object' ? given.perSecond : parseRate(String(given));
  if (perSecond instanceof Error) problems.push(perSecond.message);
  const slip = integerIn('--rate-limit-slip', raw.rateLimitSlip ?? (typeof given === 'object' ? given.slip : undefined) ?? RATE_LIMIT_DEFAULTS.slip, 0, 10, '(0 = never send a truncated reply)', problems);
  return typeof perSecond === 'number' ? { perSecond, slip } : null;
}

function validateTcp(raw: RawConfig, problems: string[]): TcpLimits {
  const given = (typeof raw.tcp === 'object' && raw.tcp !== null ? raw.tcp : {}) as Partial<TcpLimits>;
  const pick = (flag: unknown, key: keyof TcpLimits): unknown => flag ?? given[key] ?? TCP_DEFAULTS[key];
  return {
    maxConnections: integerIn('--tcp-max-connections', pick(raw.tcpMaxConnections, 'maxConnections'), 1, 1_000_000, 'connections', problems),
    maxPerClient: integerIn('--tcp-max-per-client', pick(raw.tcpMaxPerClient, 'maxPerClient'), 1, 1_000_000, 'connections', problems),
    idleTimeoutMs: integerIn('--tcp-idle-timeout', pick(raw.tcpIdleTimeoutMs, 'idleTimeoutMs'), 100, 600_000, 'milliseconds', problems),
    maxInFlight: integerIn('--tcp-max-inflight', pick(raw.tcpMaxInFlight, 'maxInFlight'), 1, 65_535, 'queries per connection', problems),
    maxMessageBytes: integerIn('--tcp-max-message', pick(raw.tcpMaxMessage, 'maxMessageBytes'), 12, 65_535, 'bytes', problems),
    // No flag: pipelined queries past --tcp-max-inflight wait in up to this many bytes, then reading stops.
    maxQueuedBytes: integerIn('tcp.maxQueuedBytes', pick(undefined, 'maxQueuedBytes'), 512, 16_777_216, 'bytes', problems),
  };
}

/** An integer in [min, max], or a problem naming the flag (and 0 in its place). */
function integerIn(flag: string, value: unknown, min: number, max: number, unit: string, problems: string[]): number {
  const number = toInteger(value);
  if (number === undefined || number < min || number > max) {
    problems.push(`${flag} must be an integer from ${min} to ${max} ${unit}, got ${show(value)}`);
    return 0;
  }
  return number;
}

/** `ADDR:PORT`, `[v6]:PORT` or `:PORT` (loopback: the control API is not for the network by default). */
function validateHttp(value: unknown, problems: string[]): Config['http'] {
  if (value === null || value === undefined || value === false) return null;
  if (typeof value === 'object') return value as Config['http'];
  const text = String(value);
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  const host = match ? (match[1] ?? match[2] ?? '') || '127.0.0.1' : '';
  const port = match ? Number(match[3]) : NaN;
  if (!match || !ipaddr.isValid(host) || !(port >= 0 && port <= 65535)) {
    problems.push(`--http must be ADDR:PORT like 127.0.0.1:8080, [::1]:8080 or :8080 (loopback), got ${show(value)}`);
    return null;
  }
  return { host, port };
}

function validateUpstreams(value: unknown, problems: string[]): Config['upstreams'] {
  if (value === undefined || value === 'resolv-conf') return 'resolv-conf';
  const entries = toStringList(value).flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 1 && entries[0] === 'none') return [];
  const upstreams: UpstreamAddress[] = [];
  for (const entry of entries) {
    if (entry === 'none') {
      problems.push('--upstream none cannot be combined with upstream addresses');
      continue;
    }
    const parsed = parseUpstream(entry);
    if (parsed instanceof Error) problems.push(`--upstream: ${parsed.message}`);
    else upstreams.push(parsed);
  }
  return upstreams;
}

function toStubDomains(value: unknown, problems: string[]): StubDomain[] {
  const stubs: StubDomain[] = [];
  for (const entry of toStringList(value)) {
    const parsed = parseStubDomain(entry);
    if (parsed instanceof Error) problems.push(`--stub-domain: ${parsed.message}`);
    else stubs.push(parsed);
  }
  return stubs;
}

function validateCache(raw: RawConfig, problems: string[]): Config['cache'] {
  if (raw.cache === false || raw.noCache === true) return false;
  const defaults = DEFAULTS.cache as { maxEntries: number; maxTtl: number };
  const given = (typeof raw.cache === 'object' && raw.cache !== null ? raw.cache : {}) as Record<string, unknown>;
  const maxEntries = toInteger(raw.cacheSize ?? given['maxEntries'] ?? defaults.maxEntries);
  const maxTtl = toInteger(raw.cacheMaxTtl ?? given['maxTtl'] ?? defaults.maxTtl);
  if (maxEntries === undefined || maxEntries < 1 || maxEntries > 10_000_000) {
    problems.push(`--cache-size must be an integer from 1 to 10000000 (entries), got ${show(raw.cacheSize ?? given['maxEntries'])}`);
  }
  if (maxTtl === undefined || maxTtl < 1 || maxTtl > 604800) {
    problems.push(`--cache-max-ttl must be an integer from 1 to 604800 (seconds), got ${show(raw.cacheMaxTtl ?? given['maxTtl'])}`);
  }
  return { maxEntries: maxEntries ?? 0, maxTtl: maxTtl ?? 0 };
}

function validateCIDRs(flag: string, value: unknown, problems: string[]): string[] | undefined {
  // Flags may repeat or hold a comma-separated pair, as kube-apiserver's
  // --service-cluster-ip-range does for dual-stack.
  const entries = toStringList(value).flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0 || entries.length > 2) {
    problems.push(`${flag} takes one CIDR, or one IPv4 and one IPv6 CIDR for dual-stack, got ${entries.length}`);
    return undefined;
  }
  const normalized: string[] = [];
  let valid = true;
  for (const entry of entries) {
    try {
      const [address, prefix] = ipaddr.parseCIDR(entry);
      const hostBits = (address.kind() === 'ipv4' ? 32 : 128) - prefix;
      if (hostBits < 2) {
        problems.push(`${flag} ${entry} is too small to allocate addresses from`);
        valid = false;
        continue;
      }
      normalized.push(`${address.toString()}/${prefix}`);
    } catch {
      problems.push(`${flag} must be a CIDR like 10.96.0.0/12 or fd00:10:96::/112, got ${show(entry)}`);
      valid = false;
    }
  }
  if (valid && normalized.length === 2 && familyOf(normalized[0]!) === familyOf(normalized[1]!)) {
    problems.push(`${flag} got two ${familyOf(normalized[0]!)} CIDRs; dual-stack needs one IPv4 and one IPv6`);
    valid = false;
  }
  return valid ? normalized : undefined;
}

function familyOf(cidr: string): 'IPv4' | 'IPv6' {
  return cidr.includes(':') ? 'IPv6' : 'IPv4';
}

function familiesOf(cidrs: readonly string[]): string[] {
  return cidrs.map(familyOf);
}

function isDomainName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => DNS_LABEL.test(label));
}

function toInteger(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
}

function toStringList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function definedOnly(raw: RawConfig): Partial<Record<keyof Config, unknown>> {
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
