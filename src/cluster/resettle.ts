// Placing only the new pods of a rebuild in one pod family, keeping
// everyone else's address.
//
// A pod that exists in both builds keeps its address (issue 15 item 4: an
// apply, scale or reload of other objects never takes it away). So the
// occupied addresses are the last build's, less those of pods that are gone
// and of explicit claims withdrawn, plus this build's explicit claims; new
// pods are then placed in namespace/name order, each at the first free
// address from its home slot (allocate.ts). That is exactly what placing
// every pod with the last build's addresses kept gives (settlePods with
// `keep`; test/cluster/settled-reuse.test.ts compares the two).

import { CidrAllocator, type TakenAddresses } from './allocate.js';
import type { CIDR, ParsedIP } from './ip.js';
import type { IPFamily } from './model.js';
import type { Keyed } from './order.js';

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
}

/** What placing one family's new pods came to. */
export type FamilyResult =
  | ({ readonly kind: 'placed' } & FamilyPlacement)
  /** The CIDR is full: build afresh. */
  | { readonly kind: 'full' };

/** The new pods' addresses. Changes `occupied` through `journal`. */
export function resettleFamily(change: FamilyChange, journal: Journal): FamilyResult {
  const { family, explicitBefore, explicitNow } = change;
  for (const value of change.freed) journal.set(family, value, false);
  for (const value of explicitBefore) {
    // A withdrawn claim frees its address, unless a kept pod holds it too.
    if (!explicitNow.has(value) && !change.keptAt(value)) journal.set(family, value, false);
  }
  for (const value of explicitNow) journal.set(family, value, true);

  const allocator = new CidrAllocator(change.cidr, change.occupied);
  const placed: ParsedIP[] = [];
  for (const pod of change.fresh) {
    // Through the journal, not the allocator, so a failed try can be undone.
    const ip = allocator.peek([pod.namespace, '/', pod.name, '/', family]);
    if (!ip) return { kind: 'full' };
    journal.set(family, ip.value, true);
    placed.push(ip);
  }
  return { kind: 'placed', placed };
}
