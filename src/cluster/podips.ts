// Pods with their addresses settled: given IPs as written, everyone else
// one synthesized address per configured pod family (spec §5, §6).

import type { FamilyPool, Probe } from './allocate.js';
import { sortKeyOf } from './ip.js';
import { settleIPs, type PodEntry } from './pods.js';
import type { Problem } from './problems.js';
import { compareKeys, type Keyed } from './order.js';
import { describeSource } from './model.js';

export interface SettledPods {
  /** Sorted by namespace/name. */
  readonly entries: readonly PodEntry[];
  readonly warnings: readonly Problem[];
}

/** A pod whose synthesized address of the `family`-th pod family is not its home slot. */
export interface PodProbe extends Probe {
  readonly pod: Keyed;
  readonly family: number;
}

export interface SettledPodsWithProbes extends SettledPods {
  readonly probes: readonly PodProbe[];
}

/** Sorts `entries` (in place) and settles each one's addresses, in that order. */
export function settlePods(entries: PodEntry[], pool: FamilyPool): SettledPodsWithProbes {
  entries.sort((a, b) => compareKeys(a.pod, b.pod));
  const warnings: Problem[] = [];
  const probes: PodProbe[] = [];
  // One "CIDR full" warning per manifest object and family, not one per replica.
  const warned = new Set<string>();
  // The identity `namespace/name/family` in pieces, hashed without being joined; reused for every pod.
  const identity = ['', '/', '', '/', ''];
  // Indexed loops over the 150,000 entries: this runs once a build, and for-of
  // in code not yet optimized allocates an iterator result per step.
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as PodEntry;
    const given = entry.origin.givenIPs;
    const ips = given ? given.map((ip) => ip.text) : synthesize(entry, pool, identity, warned, warnings, probes);
    settleIPs(entry, ips, ips.length === 0 ? 0 : sortKeyOf(ips[0] as string));
  }
  return { entries, warnings, probes };
}

function synthesize(
  entry: PodEntry,
  pool: FamilyPool,
  identity: string[],
  warned: Set<string>,
  warnings: Problem[],
  probes: PodProbe[],
): string[] {
  const { pod, origin } = entry;
  // Sized up front and trimmed: push() onto [] would reserve room for 17, kept
  // by a dual-stack pod (settleIPs keeps a single address without the array).
  const ips = new Array<string>(pool.families.length);
  let count = 0;
  for (let f = 0; f < pool.families.length; f++) {
    const family = pool.families[f]!;
    const allocator = pool.allocator(family);
    identity[0] = pod.namespace;
    identity[2] = pod.name;
    identity[4] = family;
    const ip = allocator?.allocateText(identity);
    if (ip !== undefined) {
      ips[count++] = ip;
      const probe = allocator!.lastProbe;
      if (probe) probes.push({ pod, family: f, home: probe.home, slot: probe.slot });
      continue;
    }
    const key = `${describeSource(origin.source)}|${family}`;
    if (warned.has(key)) continue;
    warned.add(key);
    const what = origin.owner ? `pods of ${origin.owner}` : `pod ${pod.namespace}/${pod.name}`;
    const message = `pod CIDR ${allocator?.cidr.text ?? family} is full; ${what} get no ${family} address`;
    warnings.push({ level: 'warning', source: origin.source, message });
  }
  if (count < ips.length) ips.length = count;
  return ips;
}
