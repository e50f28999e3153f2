// Flags shared by every command that reads manifests, and their conversion
// into a validated Config.

import { Option, type Command } from 'commander';
import { DEFAULTS, POD_MODES, POLICIES, validateConfig, type ConfigResult, type RawConfig } from '../config.js';
import { LOG_LEVELS } from '../log.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** -f and the cluster-shape flags: what decides which records exist. */
export function addClusterOptions(command: Command): Command {
  return command
    .option('-f, --filename <path>', "manifest file, directory (recursive: .yaml, .yml, .json) or '-' for stdin; repeatable", collect)
    .option('--cluster-domain <domain>', 'the cluster DNS domain', DEFAULTS.clusterDomain)
    .option('--ttl <seconds>', 'TTL of every cluster record (0-3600)', String(DEFAULTS.ttl))
    .addOption(
      new Option('--pods <mode>', 'answers for <dashed-ip>.<ns>.pod.<domain> names')
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
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default(DEFAULTS.logLevel));
}

/** Where names outside the cluster go (serve only). */
export function addForwardOptions(command: Command): Command {
  return command
    .option(
      '--upstream <addr[:port]>',
      "DNS server for names outside the cluster; repeatable; 'none' turns forwarding off (REFUSED) " +
        '(default: the nameservers of --resolv-conf)',
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
    .option('--cache-size <entries>', 'forwarded answers kept in the cache', '10000')
    .option('--cache-max-ttl <seconds>', 'longest time a forwarded answer is cached', '3600')
    .option('--no-cache', 'do not cache forwarded answers');
}

/** Reload, admin HTTP and query log (serve only). */
export function addLiveOptions(command: Command): Command {
  return command
    .option('--watch', 'reload when a manifest file changes (new files in -f directories included); SIGHUP always reloads')
    .option('--http <addr:port>', 'admin HTTP server: /health, /ready, /metrics and the /v1 control API (:PORT listens on loopback)')
    .option('--http-token <token>', 'require "Authorization: Bearer TOKEN" on every /v1 control API call')
    .option('--log-queries', 'log one line per query (CoreDNS log plugin fields)');
}

export interface ClusterFlags {
  filename?: string[];
  clusterDomain?: string;
  ttl?: string;
  pods?: string;
  serviceCidr?: string[];
  podCidr?: string[];
  nodes?: string;
  logLevel?: string;
  bind?: string;
  port?: string;
  upstream?: string[];
  resolvConf?: string;
  policy?: string;
  upstreamTimeout?: string;
  stubDomain?: string[];
  cacheSize?: string;
  cacheMaxTtl?: string;
  /** commander's --no-cache: false when given. */
  cache?: boolean;
  watch?: boolean;
  http?: string;
  httpToken?: string;
  logQueries?: boolean;
}

export function configFromFlags(flags: ClusterFlags): ConfigResult {
  const raw: RawConfig = {
    manifests: flags.filename,
    clusterDomain: flags.clusterDomain,
    ttl: flags.ttl,
    podMode: flags.pods,
    serviceCIDRs: flags.serviceCidr,
    podCIDRs: flags.podCidr,
    nodes: flags.nodes,
    logLevel: flags.logLevel,
    bind: flags.bind,
    port: flags.port,
    upstreams: flags.upstream,
    resolvConf: flags.resolvConf,
    policy: flags.policy,
    upstreamTimeoutMs: flags.upstreamTimeout,
    stubDomains: flags.stubDomain,
    cacheSize: flags.cacheSize,
    cacheMaxTtl: flags.cacheMaxTtl,
    noCache: flags.cache === false,
    watch: flags.watch === true,
    http: flags.http,
    httpToken: flags.httpToken,
    logQueries: flags.logQueries === true,
  };
  const result = validateConfig(raw);
  if (result.ok && result.config.manifests.length === 0) {
    return { ok: false, problems: ["no manifests given: pass -f FILE, -f DIR or -f - (stdin); -f may repeat"] };
  }
  return result;
}
