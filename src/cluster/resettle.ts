// Placing only the new pods of a rebuild in one pod family, keeping
// everyone else's address, and checking that the result is exactly what a
// fresh build gives.
//
// A fresh build places synthesized pods in namespace/name order, each at
// the first free address from its home slot (hash of its identity, linear
// probing; allocate.ts). An assignment is that result if and only if it
// (1) gives no two pods one address, (2) avoids every explicitly taken
// address, and (3) for every pod, each address between its home slot and
// its own is taken explicitly or held by a pod placed before it (by induction
// along the order: that pod finds exactly those taken and its own free).
//
// Kept pods hold their old addresses, which met all three before. What can
// break them is a new explicit address on a kept pod, an address vacated (its
// pod or explicit claim gone) inside a kept pod's probe run, or a new pod
// whose probe run passes over a kept pod that comes after it in order. All
// are checked; only pods that probed have runs (a few in a hundred), so this
// is cheap. The kept pods found in the way must move: the caller places them
// again with the new ones (placing more pods than needed is never wrong, as
// the check holds for whatever is placed) and, when that keeps failing,
// builds afresh.

import { CidrAllocator, type TakenAddresses } from './allocate.js';
import type { CIDR, ParsedIP } from './ip.js';
import type { IPFamily } from './model.js';
import { compareKeys, type Keyed } from './order.js';
import type { PodProbe } from './podips.js';

export interface FamilyChange {
  readonly family: IPFamily;
  /** Index of the family among the configured pod families. */
  readonly index: number;
  readonly cidr: CIDR;
  /** The last build's explicit addresses and pods in this CIDR; changed in place into this build's. */
  readonly occupied: TakenAddresses;
  /** Addresses taken before any pod was placed: last build's, this build's. */
  readonly explicitBefore: ReadonlySet<bigint>;
  readonly explicitNow: ReadonlySet<bigint>;
  /** Addresses of the last build's pods that are gone (or placed anew). */
  readonly freed: readonly bigint[];
  /** Pods to place, in namespace/name order. */
  readonly fresh: readonly Keyed[];
  /** The last build's pods that probed, in this family. */
  readonly probes: readonly PodProbe[];
  /** The kept pod at an address (occupied, not explicit, not placed here). */
  readonly keptAt: (value: bigint) => Keyed | undefined;
}

/**
 * Changes to the occupied addresses, undone when a try fails (the set
 * belongs to the last build until this one succeeds).
 */
export class Journal {
  private readonly undo: { readonly family: IPFamily; readonly value: bigint; readonly was: boolean }[] = [];

  constructor(private readonly occupied: TakenAddresses) {}

  set(family: IPFamily, value: bigint, taken: boolean): void {
    const was = this.occupied.hasValue(family, value);
    if (was === taken) return;
    this.undo.push({ family, value, was });
    if (taken) this.occupied.addValue(family, value);
    else this.occupied.deleteValue(family, value);
  }

  rollback(): void {
    for (const { family, value, was } of this.undo.reverse()) {
      if (was) this.occupied.addValue(family, value);
      else this.occupied.deleteValue(family, value);
    }
    this.undo.length = 0;
  }
}

export interface FamilyPlacement {
  /** One address per `fresh` pod, in that order. */
  readonly placed: readonly ParsedIP[];
  /** Every pod of this build that probed in this family. */
  readonly probes: readonly PodProbe[];
}

/** What placing one family's new pods came to. */
export type FamilyResult =
  | ({ readonly kind: 'placed' } & FamilyPlacement)
  /** Kept pods that must move: place them again too. */
  | { readonly kind: 'move'; readonly pods: readonly Keyed[] }
  /** The CIDR is full: build afresh. */
  | { readonly kind: 'full' };

/** The new pods' addresses, or which kept pods stand in the way. Changes `occupied` through `journal`. */
export function resettleFamily(change: FamilyChange, journal: Journal): FamilyResult {
  const { family, explicitBefore, explicitNow } = change;
  const freed = new Set(change.freed);
  const move = new Set<Keyed>();
  // A new explicit address on a kept pod's address: that pod moves.
  for (const value of explicitNow) {
    if (explicitBefore.has(value) || freed.has(value) || !change.occupied.hasValue(family, value)) continue;
    const holder = change.keptAt(value);
    if (!holder) return { kind: 'full' };
    move.add(holder);
  }
  if (move.size > 0) return { kind: 'move', pods: [...move] };
  const vacated = new Set<bigint>();
  for (const value of freed) {
    journal.set(family, value, false);
    if (!explicitNow.has(value)) vacated.add(value);
  }
  for (const value of explicitBefore) {
    if (explicitNow.has(value)) continue;
    journal.set(family, value, false);
    vacated.add(value);
  }
  for (const value of explicitNow) journal.set(family, value, true);

  const allocator = new CidrAllocator(change.cidr, change.occupied);
  const at = new Map<bigint, Keyed>();
  const placed: ParsedIP[] = [];
  const probes: PodProbe[] = [];
  for (const pod of change.fresh) {
    // Through the journal, not the allocator, so a failed try can be undone.
    const ip = allocator.peek([pod.namespace, '/', pod.name, '/', family]);
    if (!ip) return { kind: 'full' };
    journal.set(family, ip.value, true);
    const probe = allocator.lastProbe;
    if (probe) {
      for (let value = probe.home; value !== probe.slot; value = allocator.nextValue(value)) {
        if (explicitNow.has(value) || at.has(value)) continue;
        const holder = change.keptAt(value);
        if (!holder) return { kind: 'full' };
        if (compareKeys(holder, pod) > 0) move.add(holder);
      }
      probes.push({ pod, family: change.index, home: probe.home, slot: probe.slot });
    }
    at.set(ip.value, pod);
    placed.push(ip);
  }
  for (const probe of change.probes) {
    if (freed.has(probe.slot)) continue;
    for (let value = probe.home; value !== probe.slot; value = allocator.nextValue(value)) {
      if (!vacated.has(value)) continue;
      const holder = at.get(value);
      if (!holder || compareKeys(holder, probe.pod) > 0) move.add(probe.pod);
    }
    probes.push(probe);
  }
  if (move.size > 0) return { kind: 'move', pods: [...move] };
  return { kind: 'placed', placed, probes };
}
