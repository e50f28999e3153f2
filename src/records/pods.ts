// Pod address names `<dashed-ip>.<ns>.pod.<zone>` (spec §3.5). In insecure
// mode they are infinite, so they are answered from the label itself; the
// index memoizes the encoded answers.

import type { ResourceRecord } from '../dns/types.js';
import { endpointId, parsePodLabel } from '../dns/names.js';
import type { ClusterState } from '../cluster/state.js';
import { addressRecord } from './table.js';
import type { PodMode } from './types.js';

export class PodNames {
  /** `namespace/ip` of every pod IP, for verified mode. */
  private readonly known = new Set<string>();

  constructor(
    private readonly state: ClusterState,
    private readonly mode: PodMode,
    private readonly zone: string,
    private readonly ttl: number,
  ) {
    for (const pod of state.pods) {
      // CoreDNS drops terminating pods from its pod cache, so verified mode ignores them.
      if (pod.terminating) continue;
      for (const ip of pod.ips) this.known.add(`${pod.namespace}/${ip}`);
    }
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
    if (this.mode === 'verified' && !this.known.has(`${namespace}/${ip}`)) return undefined;
    return addressRecord(name, this.ttl, ip);
  }

  /** How many records listing() returns. */
  count(): number {
    return this.mode === 'verified' ? this.known.size : 0;
  }

  /** Verified mode only: one record per known pod IP, under its dashed name. */
  listing(): ResourceRecord[] {
    if (this.mode !== 'verified') return [];
    const records: ResourceRecord[] = [];
    for (const key of this.known) {
      const slash = key.indexOf('/');
      const namespace = key.slice(0, slash);
      const ip = key.slice(slash + 1);
      records.push(addressRecord(`${endpointId(ip)}.${namespace}.pod.${this.zone}`, this.ttl, ip));
    }
    return records;
  }
}
