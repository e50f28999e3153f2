// Pods with their addresses settled: given IPs as written, everyone else
// one synthesized address per configured pod family (spec §5, §6) — the one
// it had in the last build of the same cluster when it had one (a pod keeps
// its address while it exists, issue 15 item 4), else a new one.

import type { FamilyPool, TakenAddresses } from './allocate.js';
import { compareKeys, describeSource, ipAt, ipCount, parseIP, parseIPv4, type PodEntry, type Problem, settleIPs, sortKeyOf } from '../model/index.js';

export interface SettledPods {
  /** Sorted by namespace/name. */
  readonly entries: readonly PodEntry[];
  readonly warnings: readonly Problem[];
}

/**
 * Sorts `entries` (in place) and settles each one's addresses: first the
 * pods that keep the address they had in `keep` (the last build's entries,
 * sorted), then everyone else in namespace/name order, each at the first free
 * address from its home slot. `taken` is the pool's set of taken addresses.
 */
export function settlePods(entries: PodEntry[], pool: FamilyPool, taken: TakenAddresses, keep?: readonly PodEntry[]): SettledPods {
  entries.sort((a, b) => compareKeys(a.pod, b.pod));
  const kept = keep ? keepAddresses(entries, keep, pool, taken) : undefined;
  const warnings: Problem[] = [];
  // One "CIDR full" warning per manifest object and family, not one per replica.
  const warned = new Set<string>();
  // The identity `namespace/name/family` in pieces, hashed without being joined; reused for every pod.
  const identity = ['', '/', '', '/', ''];
  // Indexed loops over the 150,000 entries: this runs once a build, and for-of
  // in code not yet optimized allocates an iterator result per step.
  for (let i = 0; i < entries.length; i++) {
    if (kept !== undefined && kept[i] === 1) continue;
    const entry = entries[i] as PodEntry;
    const given = entry.origin.givenIPs;
    const ips = given ? given.map((ip) => ip.text) : synthesize(entry, pool, identity, warned, warnings);
    settleIPs(entry, ips, ips.length === 0 ? 0 : sortKeyOf(ips[0] as string));
  }
  return { entries, warnings };
}

/**
 * Settles the entries named like a synthesized pod of `keep` with that pod's
 * addresses and takes them; 1 at the index of each. Both lists are sorted,
 * so one merge pass.
 */
function keepAddresses(entries: readonly PodEntry[], keep: readonly PodEntry[], pool: FamilyPool, taken: TakenAddresses): Uint8Array {
  const kept = new Uint8Array(entries.length);
  const families = pool.families;
  for (let i = 0, j = 0; i < entries.length && j < keep.length; ) {
    const entry = entries[i] as PodEntry;
    const old = keep[j] as PodEntry;
    const order = compareKeys(entry.pod, old.pod);
    if (order < 0) i++;
    else if (order > 0) j++;
    else {
      if (!entry.origin.givenIPs && !old.origin.givenIPs && ipCount(old.ips) === families.length && families.length > 0) {
        for (let f = 0; f < families.length; f++) {
          const text = ipAt(old.ips, f)!;
          if (families[f] === 'IPv4') taken.addV4(parseIPv4(text)!);
          else taken.add(parseIP(text)!);
        }
        settleIPs(entry, old.ips, old.firstKey);
        kept[i] = 1;
      }
      i++;
      j++;
    }
  }
  return kept;
}

function synthesize(
  entry: PodEntry,
  pool: FamilyPool,
  identity: string[],
  warned: Set<string>,
  warnings: Problem[],
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
