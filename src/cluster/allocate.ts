// Deterministic address allocation [emulator, spec §6].
//
// A real cluster hands out addresses at random and remembers them in etcd;
// we have no memory between runs, so an address is derived from a hash of
// the object's identity into the CIDR's host range, with linear probing on
// collision. The result depends only on the identity and on which addresses
// are already taken — so restarts give the same addresses, and adding an
// unrelated object moves nobody unless it lands on the very same slot.

import type { IPFamily } from './model.js';
import { hashToRange } from './hash.js';
import { addressAt, type CIDR, type ParsedIP } from './ip.js';

/**
 * Addresses already in use. IPv4 is keyed by number: Set lookups on small
 * integers are several times cheaper than on BigInts, and a big cluster
 * probes this once per pod.
 */
export class TakenAddresses {
  private readonly v4 = new Set<number>();
  private readonly v6 = new Set<bigint>();

  add(ip: ParsedIP): void {
    if (ip.family === 'IPv4') this.v4.add(Number(ip.value));
    else this.v6.add(ip.value);
  }

  has(ip: ParsedIP): boolean {
    return ip.family === 'IPv4' ? this.v4.has(Number(ip.value)) : this.v6.has(ip.value);
  }

  hasV4(value: number): boolean {
    return this.v4.has(value);
  }

  hasV6(value: bigint): boolean {
    return this.v6.has(value);
  }
}

/** Hands out addresses of one CIDR; `undefined` from allocate() means the block is full. */
export class CidrAllocator {
  readonly cidr: CIDR;
  private readonly taken: TakenAddresses;
  /** First allocatable index inside the block, and how many follow it. */
  private readonly firstIndex: bigint;
  private readonly count: bigint;
  private full = false;

  constructor(cidr: CIDR, taken: TakenAddresses) {
    this.cidr = cidr;
    this.taken = taken;
    const range = hostRange(cidr);
    this.firstIndex = range.first;
    this.count = range.count;
    if (this.count <= 0n) this.full = true;
  }

  /** The first host address (index 1, or the only address of a /32 or /128). */
  firstHost(): ParsedIP {
    return addressAt(this.cidr, this.firstIndex);
  }

  allocate(identity: string): ParsedIP | undefined {
    if (this.full) return undefined;
    const start = hashToRange(identity, this.count);
    const offset = this.cidr.family === 'IPv4' ? this.probeV4(Number(start)) : this.probeV6(start);
    if (offset === undefined) {
      // Every slot was tried. Blocks only fill up, so later calls return at once.
      this.full = true;
      return undefined;
    }
    const ip = addressAt(this.cidr, this.firstIndex + offset);
    this.taken.add(ip);
    return ip;
  }

  /** Linear probing from `start`; the free offset, or undefined after `count` misses. */
  private probeV4(start: number): bigint | undefined {
    const base = Number(this.cidr.network + this.firstIndex);
    const count = Number(this.count);
    for (let probes = 0, offset = start; probes < count; probes++, offset = offset + 1 === count ? 0 : offset + 1) {
      if (!this.taken.hasV4(base + offset)) return BigInt(offset);
    }
    return undefined;
  }

  private probeV6(start: bigint): bigint | undefined {
    const base = this.cidr.network + this.firstIndex;
    for (let probes = 0n, offset = start; probes < this.count; probes++, offset = offset + 1n === this.count ? 0n : offset + 1n) {
      if (!this.taken.hasV6(base + offset)) return offset;
    }
    return undefined;
  }
}

/**
 * Usable indexes: skip the network address (IPv4 and IPv6 — the IPv6
 * subnet-router anycast address) and the IPv4 broadcast address. /31, /32,
 * /127 and /128 blocks use every address they have.
 */
function hostRange(cidr: CIDR): { first: bigint; count: bigint } {
  if (cidr.size <= 2n) return { first: 0n, count: cidr.size };
  const last = cidr.family === 'IPv4' ? cidr.size - 2n : cidr.size - 1n;
  return { first: 1n, count: last };
}

/**
 * Allocators for each configured family of one kind of CIDR (services or
 * pods). `families` lists the configured families in order, primary first.
 */
export class FamilyPool {
  private readonly allocators = new Map<IPFamily, CidrAllocator>();
  readonly families: readonly IPFamily[];

  constructor(cidrs: readonly CIDR[], taken: TakenAddresses) {
    const families: IPFamily[] = [];
    for (const cidr of cidrs) {
      if (this.allocators.has(cidr.family)) continue;
      this.allocators.set(cidr.family, new CidrAllocator(cidr, taken));
      families.push(cidr.family);
    }
    this.families = families;
  }

  allocator(family: IPFamily): CidrAllocator | undefined {
    return this.allocators.get(family);
  }

  cidrs(): CIDR[] {
    return [...this.allocators.values()].map((allocator) => allocator.cidr);
  }
}
