// Pods with their addresses settled: given IPs as written, everyone else
// one synthesized address per configured pod family (spec §5, §6).

import type { FamilyPool } from './allocate.js';
import type { ParsedIP } from './ip.js';
import type { PodDraft, PodEntry } from './pods.js';
import type { Problem } from './problems.js';
import type { Pod } from './state.js';
import { compareKeys } from './order.js';
import { describeSource } from './model.js';

export interface SettledPods {
  /** Sorted by namespace/name. */
  readonly entries: readonly PodEntry[];
  readonly warnings: readonly Problem[];
}

export function settlePods(drafts: readonly PodDraft[], pool: FamilyPool): SettledPods {
  const sorted = [...drafts].sort(compareKeys);
  const warnings: Problem[] = [];
  // One "CIDR full" warning per manifest object and family, not one per replica.
  const warned = new Set<string>();
  const entries = sorted.map((draft): PodEntry => {
    const addresses = draft.givenIPs ?? synthesize(draft, pool, warned, warnings);
    const pod: { -readonly [K in keyof Pod]: Pod[K] } = {
      name: draft.name,
      namespace: draft.namespace,
      ips: addresses.map((ip) => ip.text),
      labels: draft.labels,
      ready: draft.ready,
      terminating: draft.terminating,
      source: draft.source,
    };
    // Optional fields only when set (plain assignments: spreads cost at 150,000 pods).
    if (draft.spec.hostname) pod.hostname = draft.spec.hostname;
    if (draft.spec.subdomain) pod.subdomain = draft.spec.subdomain;
    if (draft.owner) pod.owner = draft.owner;
    if (draft.address) pod.address = draft.address;
    const entry: { -readonly [K in keyof PodEntry]: PodEntry[K] } = { pod, addresses, spec: draft.spec };
    if (draft.phase !== undefined) entry.phase = draft.phase;
    return entry;
  });
  return { entries, warnings };
}

function synthesize(draft: PodDraft, pool: FamilyPool, warned: Set<string>, warnings: Problem[]): ParsedIP[] {
  const ips: ParsedIP[] = [];
  for (const family of pool.families) {
    const allocator = pool.allocator(family);
    const ip = allocator?.allocate(`${draft.namespace}/${draft.name}/${family}`);
    if (ip) {
      ips.push(ip);
      continue;
    }
    const key = `${describeSource(draft.source)}|${family}`;
    if (warned.has(key)) continue;
    warned.add(key);
    const what = draft.owner ? `pods of ${draft.owner}` : `pod ${draft.namespace}/${draft.name}`;
    const message = `pod CIDR ${allocator?.cidr.text ?? family} is full; ${what} get no ${family} address`;
    warnings.push({ level: 'warning', source: draft.source, message });
  }
  return ips;
}
