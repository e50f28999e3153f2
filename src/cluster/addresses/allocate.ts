// Deterministic address allocation [emulator, spec §6].
//
// A real cluster hands out addresses at random and remembers them in etcd;
// we have no memory between runs, so an address is derived from a hash of
// the object's identity into the CIDR's host range, with linear probing on
// collision. The result depends only on the identity and on which addresses
// are already taken — so restarts give the same addresses. On a running
// server a pod that has an address keeps it (podips.ts, resettle.ts): new
// pods probe past it.

import { addressAt, type CIDR, type IPFamily, ipv4FromNumber, ipv4Text, type ParsedIP } from '../model/index.js';
import { hashToIndex, hashToRange } from './hash.js';

/**
 * Addresses already in use. IPv4 is a bitmap per /16 block (8 KiB each,
 * made when first touched): a big cluster probes this once per pod, and a
 * bit test is several times cheaper than a Set lookup on 150,000 numbers.
 */
export class TakenAddresses {
  private readonly v4 = new Map<number, Uint32Array>();
  private readonly v6 = new Set<bigint>();

  add(ip: ParsedIP): void {
    if (ip.family === 'IPv4') this.addV4(Number(ip.value));
    else this.v6.add(ip.value);
  }

  has(ip: ParsedIP): boolean {
    return ip.family === 'IPv4' ? this.hasV4(Number(ip.value)) : this.v6.has(ip.value);
  }

  /** `value`: an IPv4 address as an unsigned 32-bit number. */
  addV4(value: number): void {
    let bits = this.v4.get(value >>> 16);
    if (!bits) {
      bits = new Uint32Array(2048);
      this.v4.set(value >>> 16, bits);
    }
    bits[(value & 0xffff) >>> 5]! |= 1 << (value & 31);
  }

  hasV4(value: number): boolean {
    const bits = this.v4.get(value >>> 16);
    return bits !== undefined && (bits[(value & 0xffff) >>> 5]! & (1 << (value & 31))) !== 0;
  }

  hasV6(value: bigint): boolean {
    return this.v6.has(value);
  }

  /** Whether the address `value` of `family` is taken. */
  hasValue(family: IPFamily, value: bigint): boolean {
    return family === 'IPv4' ? this.hasV4(Number(value)) : this.v6.has(value);
  }

  addValue(family: IPFamily, value: bigint): void {
    if (family === 'IPv4') this.addV4(Number(value));
    else this.v6.add(value);
  }

  deleteValue(family: IPFamily, value: bigint): void {
    if (family !== 'IPv4') this.v6.delete(value);
    else this.deleteV4(Number(value));
  }

  /** `value`: an IPv4 address as an unsigned 32-bit number. */
  deleteV4(value: number): void {
    const bits = this.v4.get(value >>> 16);
    if (bits) bits[(value & 0xffff) >>> 5]! &= ~(1 << (value & 31));
  }

  /**
   * The taken addresses inside `cidr`, in ascending order. Reads only the
   * IPv4 /16 blocks touched so far: cheap while few addresses are taken,
   * which is how a build finds them before any pod is placed.
   */
  valuesWithin(cidr: CIDR): bigint[] {
    const first = cidr.network;
    const last = cidr.network + cidr.size - 1n;
    if (cidr.family === 'IPv6') return [...this.v6].filter((value) => value >= first && value <= last).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const values: bigint[] = [];
    const [low, high] = [Number(first) >>> 16, Number(last) >>> 16];
    const blocks = [...this.v4.keys()].filter((block) => block >= low && block <= high).sort((a, b) => a - b);
    for (const block of blocks) {
      const words = this.v4.get(block)!;
      for (let i = 0; i < words.length; i++) {
        if (words[i] === 0) continue;
        for (let bit = 0; bit < 32; bit++) {
          if ((words[i]! & (1 << bit)) === 0) continue;
          const value = BigInt(block * 65536 + i * 32 + bit);
          if (value >= first && value <= last) values.push(value);
        }
      }
    }
    return values;
  }
}

/** Hands out addresses of one CIDR; `undefined` from allocate() means the block is full. */
export class CidrAllocator {
  readonly cidr: CIDR;
  private readonly taken: TakenAddresses;
  /** First allocatable index inside the block, and how many follow it. */
  private readonly firstIndex: bigint;
  private readonly count: bigint;
  /** IPv4 blocks count in plain numbers: no BigInt arithmetic per pod. */
  private readonly v4Base: number;
  private readonly v4Count: number;
  private full = false;

  constructor(cidr: CIDR, taken: TakenAddresses) {
    this.cidr = cidr;
    this.taken = taken;
    const range = hostRange(cidr);
    this.firstIndex = range.first;
    this.count = range.count;
    this.v4Base = Number(cidr.network + range.first);
    this.v4Count = Number(range.count);
    if (this.count <= 0n) this.full = true;
  }

  /** The first host address (index 1, or the only address of a /32 or /128). */
  firstHost(): ParsedIP {
    return addressAt(this.cidr, this.firstIndex);
  }

  /** `identity` may be given in pieces; it is hashed as if joined. */
  allocate(identity: string | readonly string[]): ParsedIP | undefined {
    if (this.full) return undefined;
    if (this.cidr.family === 'IPv4') return this.allocateV4(identity);
    const home = hashToRange(identity, this.count);
    const offset = this.probeV6(home);
    if (offset === undefined) {
      // Every slot was tried. Blocks only fill up, so later calls return at once.
      this.full = true;
      return undefined;
    }
    const ip = addressAt(this.cidr, this.firstIndex + offset);
    this.taken.add(ip);
    return ip;
  }

  /**
   * The address allocate() would give, without taking it (the caller does):
   * a rebuild takes addresses through a journal it can undo (resettle.ts).
   * `undefined` when the block is full.
   */
  peek(identity: string | readonly string[]): ParsedIP | undefined {
    if (this.count <= 0n) return undefined;
    const home = this.cidr.family === 'IPv4' ? BigInt(hashToIndex(identity, this.v4Count)) : hashToRange(identity, this.count);
    const offset = this.cidr.family === 'IPv4' ? this.probeV4(Number(home)) : this.probeV6(home);
    if (offset === undefined) return undefined;
    return addressAt(this.cidr, this.firstIndex + BigInt(offset));
  }

  /** allocate(), giving only the canonical text: what a pod keeps, and for IPv4 no BigInt is made. */
  allocateText(identity: string | readonly string[]): string | undefined {
    if (this.full) return undefined;
    if (this.cidr.family !== 'IPv4') return this.allocate(identity)?.text;
    const value = this.allocateV4Value(identity);
    return value === undefined ? undefined : ipv4Text(value);
  }

  private allocateV4(identity: string | readonly string[]): ParsedIP | undefined {
    const value = this.allocateV4Value(identity);
    return value === undefined ? undefined : ipv4FromNumber(value);
  }

  private allocateV4Value(identity: string | readonly string[]): number | undefined {
    const home = hashToIndex(identity, this.v4Count);
    const offset = this.probeV4(home);
    if (offset === undefined) {
      this.full = true;
      return undefined;
    }
    this.taken.addV4(this.v4Base + offset);
    return this.v4Base + offset;
  }

  /** Linear probing from `start`; the free offset, or undefined after `count` misses. */
  private probeV4(start: number): number | undefined {
    const base = this.v4Base;
    const count = this.v4Count;
    for (let probes = 0, offset = start; probes < count; probes++, offset = offset + 1 === count ? 0 : offset + 1) {
      if (!this.taken.hasV4(base + offset)) return offset;
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

/** How many addresses of `cidr` are handed out (hostRange's count). */
export function hostCount(cidr: CIDR): bigint {
  return hostRange(cidr).count;
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
