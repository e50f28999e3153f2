// Placing only the new pods of a rebuild in one pod family, keeping
// everyone else's address.
//
// A pod that exists in both builds keeps its address (an apply, scale or
// reload of other objects never takes it away). So the
// occupied addresses are the last build's, less those of pods that are gone
// and of explicit claims withdrawn, plus this build's explicit claims; new
// pods are then placed in namespace/name order, each at the first free
// address from its home slot (allocate.ts). That is exactly what placing
// every pod with the last build's addresses kept gives (settlePods with
// `keep`; test/cluster/settled-reuse.test.ts compares the two).

import { CidrAllocator, type TakenAddresses } from '../addresses/index.js';
import { type CIDR, type IPFamily, type Keyed, type ParsedIP, parseIP, parseIPv4 } from '../model/index.js';

interface FamilyChange {
  readonly family: IPFamily;
  readonly cidr: CIDR;
  /**
   * The last build's explicit addresses and pods in this CIDR; changed in
   * place into this build's (a failed change leaves it half-changed: the
   * caller then places every pod again in a new one).
   */
  readonly occupied: TakenAddresses;
  /** Addresses taken before any pod was placed: last build's, this build's. */
  readonly explicitBefore: ReadonlySet<bigint>;
  readonly explicitNow: ReadonlySet<bigint>;
  /** Addresses (canonical text) of the last build's pods that are gone (or placed anew). */
  readonly freed: readonly string[];
  /** Pods to place, in namespace/name order. */
  readonly fresh: readonly Keyed[];
  /** The kept pod at an address (occupied, not explicit, not placed here). */
  readonly keptAt: (value: bigint) => Keyed | undefined;
}

export interface FamilyPlacement {
  /** One address per `fresh` pod, in that order. */
  readonly placed: readonly ParsedIP[];
}

/** What placing one family's new pods came to. */
type FamilyResult =
  | ({ readonly kind: 'placed' } & FamilyPlacement)
  /** The CIDR is full: place every pod again. */
  | { readonly kind: 'full' };

/** The new pods' addresses. Changes `occupied`. */
export function resettleFamily(change: FamilyChange): FamilyResult {
  const { family, explicitBefore, explicitNow, occupied } = change;
  // Text to bit, no BigInt per address: a reset can free 300,000 pods at once.
  if (family === 'IPv4') {
    for (const text of change.freed) occupied.deleteV4(parseIPv4(text)!);
  } else for (const text of change.freed) occupied.deleteValue(family, parseIP(text)!.value);
  for (const value of explicitBefore) {
    // A withdrawn claim frees its address, unless a kept pod holds it too.
    if (!explicitNow.has(value) && !change.keptAt(value)) occupied.deleteValue(family, value);
  }
  for (const value of explicitNow) occupied.addValue(family, value);

  const allocator = new CidrAllocator(change.cidr, occupied);
  const placed: ParsedIP[] = [];
  for (const pod of change.fresh) {
    const ip = allocator.allocate([pod.namespace, '/', pod.name, '/', family]);
    if (!ip) return { kind: 'full' };
    placed.push(ip);
  }
  return { kind: 'placed', placed };
}
