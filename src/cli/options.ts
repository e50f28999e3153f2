// Flags shared by every command that reads manifests, and their conversion
// into a validated Config.

import { Option, type Command } from 'commander';
import { DEFAULTS, validateConfig, type ConfigField, type ConfigResult, type RawConfig } from '../config.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat } from '../log.js';
import { TOKEN_ENV } from '../admin/settings.js';
import { POD_MODES } from '../cluster/index.js';
import { POLICIES } from '../forward/settings.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** -f and the cluster-shape flags: what decides which records exist. */
export function addClusterOptions(command: Command): Command {
  return command
    .option('-f, --filename <path>', "manifest file, directory (recursive: .yaml, .yml, .json) or '-' for stdin; repeatable", collect)
    .option('--cluster-domain <domain>', 'the cluster DNS domain', DEFAULTS.clusterDomain)
    .option('--ttl <seconds>', 'TTL of every cluster record (0-3600); CoreDNS kubernetes `ttl` (kubeadm sets 30)', String(DEFAULTS.ttl))
    .addOption(
      new Option('--pods <mode>', 'answers for <dashed-ip>.<ns>.pod.<domain> names; CoreDNS kubernetes `pods`')
        .choices(POD_MODES)
        .default(DEFAULTS.podMode),
    )
    .option(
      '--service-cidr <cidr>',
      'range for service cluster IPs; give an IPv4 and an IPv6 range (repeat or comma-separate) for dual-stack',
      collect,
    )
    .option('--pod-cidr <cidr>', 'range for synthesized pod IPs; same families as --service-cidr', collect)
    .option('--nodes <count>', 'nodes a DaemonSet runs one pod on', String(DEFAULTS.nodes))
    .option('--max-manifest-bytes <bytes>', 'largest manifest file or stdin; bigger ones are refused (a cluster dump is read piece by piece)', String(DEFAULTS.maxManifestBytes))
    .option('--max-pods <count>', 'most pods the cluster may hold; a load, reload or API change past it is refused', String(DEFAULTS.maxPods))
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default(DEFAULTS.logLevel))
    .addOption(
      new Option('--log-format <format>', 'text: readable lines (the default on a terminal); json: one object a line (the default when stderr is piped)')
        .choices(LOG_FORMATS),
    );
}

/** Where names outside the cluster go (serve only). */
export function addForwardOptions(command: Command): Command {
  return command
    .option(
      '--upstream <addr[:port]>',
      "DNS server for names outside the cluster; repeatable; 'none' turns forwarding off (REFUSED) " +
        '(default: the nameservers of --resolv-conf). CoreDNS `forward .`; with an upstream, unknown reverse names ' +
        'fall through to it (`fallthrough in-addr.arpa ip6.arpa`) and non-IN classes are answered (docs/behaviour.md)',
      collect,
    )
    .option('--resolv-conf <file>', 'where the default upstreams come from', DEFAULTS.resolvConf)
    .addOption(new Option('--policy <policy>', 'order in which upstreams are tried').choices(POLICIES).default(DEFAULTS.policy))
    .option('--upstream-timeout <ms>', 'per-try upstream timeout, milliseconds', String(DEFAULTS.upstreamTimeoutMs))
    .option(
      '--stub-domain <suffix=addr[:port][,addr...]>',
      'send names under SUFFIX to their own servers (kube-dns stubDomains); repeatable',
      collect,
    )
    .option('--upstream-0x20', 'randomise the letter case of upstream questions (DNS 0x20); replies must echo it exactly')
    .option('--cache-size <entries>', 'forwarded answers kept in the cache', '10000')
    .option(
      '--cache-max-ttl <seconds>',
      'longest time a forwarded answer is cached, and the highest TTL in any answer, first reply included; CoreDNS `cache 30`',
      String((DEFAULTS.cache as { maxTtl: number }).maxTtl),
    )
    .option('--no-cache', 'do not cache forwarded answers (no `cache` plugin: TTLs are not capped)')
    .option(
      '--search-namespace <ns>',
      'answer short names (web, web.prod, web-0.nginx) from clients that are not pods as a pod in NS would resolve them ' +
        '(a CNAME to the cluster name, then its records); names not found are forwarded as usual',
    );
}

/** Reload, admin HTTP and query log (serve only). */
export function addLiveOptions(command: Command): Command {
  return command
    .option('--watch', 'reload when a manifest file changes (new files in -f directories included); SIGHUP always reloads')
    .option('--http <addr:port>', 'admin HTTP server: /health, /ready, /metrics and the /v1 control API (:PORT listens on loopback)')
    .option('--http-token <token>', 'require "Authorization: Bearer TOKEN" on every /v1 control API call')
    .option('--http-token-file <file>', `like --http-token, the token read from FILE (also: env ${TOKEN_ENV})`)
    .option('--http-host <name>', 'a Host name /v1 calls may use besides localhost and the listening address, e.g. a compose service name; repeatable', collect)
    .option('--log-queries', 'log one line per query (CoreDNS log plugin fields)');
}

/** Abuse resistance (serve only): who may forward, rate limits, TCP caps, shutdown. See README.md, "Security and limits". */
export function addGuardOptions(command: Command): Command {
  const tcp = DEFAULTS.tcp;
  return command
    .option(
      '--allow <cidr>',
      'clients whose names outside the cluster are forwarded; others get REFUSED for them; repeatable ' +
        '(default: loopback, 10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7, fe80::/10)',
      collect,
    )
    .option('--rate-limit <n/s>', 'UDP responses per second per client /24 (IPv4) or /56 (IPv6); past it, drop with slip (default: off)')
    .option('--rate-limit-slip <n>', 'every Nth rate-limited response is sent truncated (TC) so real clients retry over TCP; 0 = never', '2')
    .option('--tcp-max-connections <n>', 'open TCP connections; past it the longest-idle one is closed', String(tcp.maxConnections))
    .option('--tcp-max-per-client <n>', 'open TCP connections per client address; past it that client\'s longest-idle one is closed', String(tcp.maxPerClient))
    .option('--tcp-idle-timeout <ms>', 'close a TCP connection that completes no query for this long', String(tcp.idleTimeoutMs))
    .option('--tcp-max-inflight <n>', 'queries answered at once per TCP connection; more pipelined ones wait their turn', String(tcp.maxInFlight))
    .option('--tcp-max-message <bytes>', 'largest TCP query; a longer one closes the connection', String(tcp.maxMessageBytes))
    .option('--forward-max-inflight <n>', 'forwarded queries waiting on upstreams; more get SERVFAIL at once', String(DEFAULTS.forwardMaxInFlight))
    .option('--shutdown-grace <ms>', 'on SIGTERM/SIGINT, how long queries in flight may finish', String(DEFAULTS.shutdownGraceMs));
}

export interface ClusterFlags {
  filename?: string[];
  clusterDomain?: string;
  ttl?: string;
  pods?: string;
  serviceCidr?: string[];
  podCidr?: string[];
  nodes?: string;
  maxPods?: string;
  logLevel?: string;
  /** text | json (commander checks the choice); undefined: by whether stderr is a terminal. */
  logFormat?: LogFormat;
  bind?: string;
  port?: string;
  upstream?: string[];
  resolvConf?: string;
  policy?: string;
  upstreamTimeout?: string;
  stubDomain?: string[];
  upstream0x20?: boolean;
  cacheSize?: string;
  cacheMaxTtl?: string;
  /** commander's --no-cache: false when given. */
  cache?: boolean;
  watch?: boolean;
  http?: string;
  httpToken?: string;
  httpTokenFile?: string;
  httpHost?: string[];
  logQueries?: boolean;
  allow?: string[];
  rateLimit?: string;
  rateLimitSlip?: string;
  tcpMaxConnections?: string;
  tcpMaxPerClient?: string;
  tcpIdleTimeout?: string;
  tcpMaxInflight?: string;
  tcpMaxMessage?: string;
  forwardMaxInflight?: string;
  shutdownGrace?: string;
  searchNamespace?: string;
  workers?: string;
  udpIo?: string;
  maxManifestBytes?: string;
  corefile?: string;
}

/** How the CLI names each setting in a problem (config problems carry field paths). */
const FLAGS: { readonly [F in ConfigField]: string } = {
  clusterDomain: '--cluster-domain',
  ttl: '--ttl',
  podMode: '--pods',
  serviceCIDRs: '--service-cidr',
  podCIDRs: '--pod-cidr',
  nodes: '--nodes',
  maxPods: '--max-pods',
  maxManifestBytes: '--max-manifest-bytes',
  logLevel: '--log-level',
  bind: '--bind',
  port: '--port',
  workers: '--workers',
  udpIo: '--udp-io',
  shutdownGraceMs: '--shutdown-grace',
  'tcp.maxConnections': '--tcp-max-connections',
  'tcp.maxPerClient': '--tcp-max-per-client',
  'tcp.idleTimeoutMs': '--tcp-idle-timeout',
  'tcp.maxInFlight': '--tcp-max-inflight',
  'tcp.maxMessageBytes': '--tcp-max-message',
  // No flag sets it: the field path is its name.
  'tcp.maxQueuedBytes': 'tcp.maxQueuedBytes',
  upstreams: '--upstream',
  resolvConf: '--resolv-conf',
  policy: '--policy',
  upstreamTimeoutMs: '--upstream-timeout',
  stubDomains: '--stub-domain',
  'cache.maxEntries': '--cache-size',
  'cache.maxTtl': '--cache-max-ttl',
  forwardMaxInFlight: '--forward-max-inflight',
  searchNamespace: '--search-namespace',
  http: '--http',
  httpToken: '--http-token',
  httpTokenFile: '--http-token-file',
  httpTokenEnv: TOKEN_ENV,
  httpHosts: '--http-host',
  allow: '--allow',
  rateLimit: '--rate-limit',
  'rateLimit.slip': '--rate-limit-slip',
};

/** The flag (or environment variable) that sets `field`. */
export function flagOf(field: ConfigField): string {
  return FLAGS[field];
}

/** `overlay`: fields set elsewhere (a --corefile, already stripped of what flags give explicitly), over the flags. */
export function configFromFlags(flags: ClusterFlags, overlay: RawConfig = {}): ConfigResult {
  const raw: RawConfig = {
    manifests: flags.filename,
    clusterDomain: flags.clusterDomain,
    ttl: flags.ttl,
    podMode: flags.pods,
    serviceCIDRs: flags.serviceCidr,
    podCIDRs: flags.podCidr,
    nodes: flags.nodes,
    maxPods: flags.maxPods,
    logLevel: flags.logLevel,
    bind: flags.bind,
    port: flags.port,
    upstreams: flags.upstream,
    resolvConf: flags.resolvConf,
    policy: flags.policy,
    upstreamTimeoutMs: flags.upstreamTimeout,
    stubDomains: flags.stubDomain,
    upstream0x20: flags.upstream0x20 === true,
    cacheSize: flags.cacheSize,
    cacheMaxTtl: flags.cacheMaxTtl,
    noCache: flags.cache === false,
    watch: flags.watch === true,
    http: flags.http,
    httpToken: flags.httpToken,
    httpTokenFile: flags.httpTokenFile,
    httpTokenEnv: process.env[TOKEN_ENV],
    httpHosts: flags.httpHost,
    logQueries: flags.logQueries === true,
    allow: flags.allow,
    rateLimit: flags.rateLimit,
    // The slip default is a commander default: only meaningful with --rate-limit.
    rateLimitSlip: flags.rateLimit === undefined ? undefined : flags.rateLimitSlip,
    tcp: {
      maxConnections: flags.tcpMaxConnections,
      maxPerClient: flags.tcpMaxPerClient,
      idleTimeoutMs: flags.tcpIdleTimeout,
      maxInFlight: flags.tcpMaxInflight,
      maxMessageBytes: flags.tcpMaxMessage,
    },
    forwardMaxInFlight: flags.forwardMaxInflight,
    shutdownGraceMs: flags.shutdownGrace,
    searchNamespace: flags.searchNamespace,
    workers: flags.workers,
    udpIo: flags.udpIo,
    maxManifestBytes: flags.maxManifestBytes,
  };
  const result = validateConfig({ ...raw, ...overlay }, flagOf);
  if (result.ok && result.config.manifests.length === 0) {
    return { ok: false, problems: ["no manifests given: pass -f FILE, -f DIR or -f - (stdin); -f may repeat"] };
  }
  return result;
}
