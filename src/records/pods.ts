// Pod address names `<dashed-ip>.<ns>.pod.<zone>` (spec §3.5). In insecure
// mode they are infinite, so they are answered from the label itself; the
// index memoizes the encoded answers. Verified mode's set of pod IPs is built
// on the first pod name asked, not with the index.

import type { ResourceRecord } from '../dns/types.js';
import { endpointId, parsePodLabel } from '../dns/names.js';
import { type ClusterState, ipAt, ipCount, sameIPs } from '../cluster/index.js';
import { addressRecord } from './table.js';
import type { PodMode } from './types.js';

export class PodNames {
  /** Every pod IP per namespace, for verified mode; built on the first pod name asked. */
  private knownIPs: Map<string, Set<string>> | undefined;

  constructor(
    private readonly state: ClusterState,
    private readonly mode: PodMode,
    private readonly zone: string,
    private readonly ttl: number,
  ) {}

  private get known(): Map<string, Set<string>> {
    if (this.knownIPs) return this.knownIPs;
    const known = new Map<string, Set<string>>();
    if (this.mode === 'verified') {
      for (const pod of this.state.pods) {
        // CoreDNS drops terminating pods from its pod cache, so verified mode ignores them.
        const count = ipCount(pod.ips);
        if (pod.terminating || count === 0) continue;
        let ips = known.get(pod.namespace);
        if (!ips) known.set(pod.namespace, (ips = new Set()));
        for (let i = 0; i < count; i++) ips.add(ipAt(pod.ips, i)!);
      }
    }
    this.knownIPs = known;
    return known;
  }

  /**
   * The address record `name` holds, or undefined when the name does not
   * exist (mode disabled, namespace missing, label not an IP, or — verified
   * mode — no pod in the namespace has that IP). `name` is the full,
   * lower-case query name; the record's family decides A vs AAAA.
   */
  record(namespace: string, label: string, name: string): ResourceRecord | undefined {
    if (this.mode === 'disabled' || !this.state.namespaces.has(namespace)) return undefined;
    const ip = parsePodLabel(label);
    if (ip === undefined) return undefined;
    if (this.mode === 'verified' && !this.known.get(namespace)?.has(ip)) return undefined;
    return addressRecord(name, this.ttl, ip);
  }

  /** How many records listing() returns. */
  count(): number {
    if (this.mode !== 'verified') return 0;
    let count = 0;
    for (const ips of this.known.values()) count += ips.size;
    return count;
  }

  /** Whether `other` lists the same pod names: same mode and, in verified mode, the same pods' IPs in the same order. */
  listsSameAs(other: PodNames): boolean {
    if (this.mode !== other.mode) return false;
    if (this.mode !== 'verified') return true;
    const [mine, theirs] = [this.state.pods, other.state.pods];
    if (mine.length !== theirs.length) return false;
    return mine.every((pod, i) => {
      const them = theirs[i]!;
      return (
        pod.namespace === them.namespace &&
        pod.terminating === them.terminating &&
        sameIPs(pod.ips, them.ips)
      );
    });
  }

  /** Verified mode only: the records of pod IPs `other` does not know (same zone and TTL). */
  listingWithout(other: PodNames): ResourceRecord[] {
    if (this.mode !== 'verified') return [];
    const records: ResourceRecord[] = [];
    for (const [namespace, ips] of this.known) {
      const known = other.mode === 'verified' ? other.known.get(namespace) : undefined;
      for (const ip of ips) if (!known?.has(ip)) records.push(addressRecord(`${endpointId(ip)}.${namespace}.pod.${this.zone}`, this.ttl, ip));
    }
    return records;
  }

  /** Verified mode only: one record per known pod IP, under its dashed name, in pod order. */
  listing(): ResourceRecord[] {
    if (this.mode !== 'verified') return [];
    const records: ResourceRecord[] = [];
    const listed = new Set<string>();
    for (const pod of this.state.pods) {
      if (pod.terminating) continue;
      for (let i = 0; i < ipCount(pod.ips); i++) {
        const ip = ipAt(pod.ips, i)!;
        const key = `${pod.namespace}/${ip}`;
        if (listed.has(key)) continue;
        listed.add(key);
        records.push(addressRecord(`${endpointId(ip)}.${pod.namespace}.pod.${this.zone}`, this.ttl, ip));
      }
    }
    return records;
  }
}
