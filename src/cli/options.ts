// Flags shared by every command that reads manifests, and their conversion
// into a validated Config.

import { Option, type Command } from 'commander';
import { DEFAULTS, POD_MODES, validateConfig, type ConfigResult, type RawConfig } from '../config.js';
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
  };
  const result = validateConfig(raw);
  if (result.ok && result.config.manifests.length === 0) {
    return { ok: false, problems: ["no manifests given: pass -f FILE, -f DIR or -f - (stdin); -f may repeat"] };
  }
  return result;
}
