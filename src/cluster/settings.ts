// The cluster's shape as settings: which manifests, the cluster domain, the
// record TTL, pod answers, the address ranges, nodes and the pod cap; their
// defaults and validator. The one place the cluster domain is checked.

import ipaddr from 'ipaddr.js';
import type { IPFamily } from '../net/ip.js';
import { at, integerIn, listEntries, oneOf, problem, show, toStringList, type Problems } from '../settings.js';

/** `<dashed-ip>.<ns>.pod.<zone>` answers: CoreDNS kubernetes `pods`. */
export type PodMode = 'insecure' | 'verified' | 'disabled';
export const POD_MODES: readonly PodMode[] = ['insecure', 'verified', 'disabled'];

export interface ClusterSettings {
  /** Manifest paths: files, directories, or '-' for stdin. */
  readonly manifests: readonly string[];
  /** Largest manifest file or stdin in bytes; bigger ones are refused. */
  readonly maxManifestBytes: number;
  /** Lower-case, no leading or trailing dot. */
  readonly clusterDomain: string;
  readonly ttl: number;
  readonly podMode: PodMode;
  /** One CIDR per family, primary family first. */
  readonly serviceCIDRs: readonly string[];
  readonly podCIDRs: readonly string[];
  /** Nodes a DaemonSet runs on. */
  readonly nodes: number;
  /** Most pods the cluster may hold: a load, reload or API change past it is refused whole. */
  readonly maxPods: number;
}

export type ClusterField = Exclude<keyof ClusterSettings, 'manifests'>;

export const CLUSTER_DEFAULTS: ClusterSettings = {
  manifests: [],
  maxManifestBytes: 1024 * 1024 * 1024,
  clusterDomain: 'cluster.local',
  ttl: 5,
  podMode: 'insecure',
  serviceCIDRs: ['10.96.0.0/12'],
  podCIDRs: ['10.244.0.0/16'],
  nodes: 1,
  maxPods: 1_000_000,
};

export type RawClusterSettings = { [K in keyof ClusterSettings]?: unknown };

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A cluster domain as every command takes it: lower-cased, dots around it dropped; undefined when it is not a DNS name. */
export function parseClusterDomain(text: string): string | undefined {
  const name = text.toLowerCase().replace(/^\.+|\.+$/g, '');
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => DNS_LABEL.test(label)) ? name : undefined;
}

export function validateCluster(raw: RawClusterSettings, problems: Problems<ClusterField>): ClusterSettings {
  const given = { ...CLUSTER_DEFAULTS, ...Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined)) };
  const clusterDomain = parseClusterDomain(String(given.clusterDomain));
  if (clusterDomain === undefined) {
    problems.push(problem`${at('clusterDomain')} must be a DNS name of one or more labels (lower-case letters, digits, '-'), got ${show(given.clusterDomain)}`);
  }
  const serviceCIDRs = validateCIDRs('serviceCIDRs', given.serviceCIDRs, problems);
  const podCIDRs = validateCIDRs('podCIDRs', given.podCIDRs, problems);
  if (serviceCIDRs && podCIDRs && familiesOf(serviceCIDRs) !== familiesOf(podCIDRs)) {
    const families = `(services: ${familiesOf(serviceCIDRs)}; pods: ${familiesOf(podCIDRs)})`;
    problems.push(problem`${at('serviceCIDRs')} and ${at('podCIDRs')} must cover the same IP families in the same order ${families}`);
  }
  return {
    manifests: toStringList(given.manifests),
    maxManifestBytes: integerIn('maxManifestBytes', given.maxManifestBytes, 1024 * 1024, 2 ** 40, 'bytes', problems),
    clusterDomain: clusterDomain ?? '',
    ttl: integerIn('ttl', given.ttl, 0, 3600, '(seconds)', problems),
    podMode: oneOf('podMode', given.podMode, POD_MODES, problems),
    serviceCIDRs: serviceCIDRs ?? [],
    podCIDRs: podCIDRs ?? [],
    nodes: integerIn('nodes', given.nodes, 1, 5000, '', problems),
    maxPods: integerIn('maxPods', given.maxPods, 1, 100_000_000, 'pods', problems),
  };
}

/** One CIDR, or one per family for dual-stack (repeated or comma-separated, as kube-apiserver's --service-cluster-ip-range). */
function validateCIDRs(field: 'serviceCIDRs' | 'podCIDRs', value: unknown, problems: Problems<ClusterField>): string[] | undefined {
  const entries = listEntries(value);
  if (entries.length === 0 || entries.length > 2) {
    problems.push(problem`${at(field)} takes one CIDR, or one IPv4 and one IPv6 CIDR for dual-stack, got ${entries.length}`);
    return undefined;
  }
  const normalized: string[] = [];
  let valid = true;
  for (const entry of entries) {
    try {
      const [address, prefix] = ipaddr.parseCIDR(entry);
      const hostBits = (address.kind() === 'ipv4' ? 32 : 128) - prefix;
      if (hostBits < 2) {
        problems.push(problem`${at(field)} ${entry} is too small to allocate addresses from`);
        valid = false;
        continue;
      }
      normalized.push(`${address.toString()}/${prefix}`);
    } catch {
      problems.push(problem`${at(field)} must be a CIDR like 10.96.0.0/12 or fd00:10:96::/112, got ${show(entry)}`);
      valid = false;
    }
  }
  if (valid && normalized.length === 2 && familyOf(normalized[0]!) === familyOf(normalized[1]!)) {
    problems.push(problem`${at(field)} got two ${familyOf(normalized[0]!)} CIDRs; dual-stack needs one IPv4 and one IPv6`);
    valid = false;
  }
  return valid ? normalized : undefined;
}

function familyOf(cidr: string): IPFamily {
  return cidr.includes(':') ? 'IPv6' : 'IPv4';
}

function familiesOf(cidrs: readonly string[]): string {
  return cidrs.map(familyOf).join(',');
}
