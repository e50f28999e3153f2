// A fast, stable, non-cryptographic string hash (cyrb53-style, 64 bits as
// two 32-bit halves). Generated names and addresses only need "spread out
// and the same every run"; sha256 costs ~6µs a call, which adds seconds on
// a 150,000-pod cluster.

/**
 * The hash fed piece by piece: hashing `a`, then `b` gives exactly
 * hash64(a + b). Callers hash `namespace`, `/`, `name` … without building
 * the joined string, and keep the state after a shared prefix (one per
 * workload) to finish it once per replica.
 */
export class Hash64 {
  private h1 = 0;
  private h2 = 0;
  /** The last digest, as two 32-bit halves (filled by finish()). */
  private high = 0;
  private low = 0;

  constructor(seed = 0) {
    this.reset(seed);
  }

  update(text: string): this {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.h1 = h1;
    this.h2 = h2;
    return this;
  }

  copy(): Hash64 {
    return new Hash64().continueFrom(this);
  }

  /** Makes this hash the same state as `other` (so a scratch hash can be reused). */
  continueFrom(other: Hash64): this {
    this.h1 = other.h1;
    this.h2 = other.h2;
    return this;
  }

  /** Back to the start with `seed`. */
  reset(seed = 0): this {
    this.h1 = 0xdeadbeef ^ seed;
    this.h2 = 0x41c6ce57 ^ seed;
    return this;
  }

  /** The 64-bit result; the state itself is left as it was. */
  digest(): [high: number, low: number] {
    this.finish();
    return [this.high, this.low];
  }

  /** digest() reduced into [0, count) for a count of at most 2^53, allocating nothing. */
  index(count: number): number {
    this.finish();
    return ((this.high & 0x1fffff) * 4294967296 + this.low) % count;
  }

  /** Sets high/low to the digest of the state so far. */
  private finish(): void {
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    this.high = h2 >>> 0;
    this.low = h1 >>> 0;
  }
}

export function hash64(text: string, seed = 0): [high: number, low: number] {
  return new Hash64(seed).update(text).digest();
}

const TWO_53 = 2n ** 53n;

/** A hash of `text` (or of its pieces joined) reduced into [0, count); count ≥ 1. */
export function hashToRange(text: string | readonly string[], count: bigint): bigint {
  if (count <= TWO_53) return BigInt(hashToIndex(text, Number(count)));
  const [high, low] = hashPieces(text, 0);
  const [high2, low2] = hashPieces(text, 0x9e3779b9);
  const wide = (BigInt(high) << 96n) | (BigInt(low) << 64n) | (BigInt(high2) << 32n) | BigInt(low2);
  return wide % count;
}

/** hashToRange for a count of at most 2^53, in plain numbers (IPv4 blocks: no BigInt per pod). */
export function hashToIndex(text: string | readonly string[], count: number): number {
  return hashOf(text, 0).index(count);
}

function hashPieces(text: string | readonly string[], seed: number): [high: number, low: number] {
  return hashOf(text, seed).digest();
}

/** One hash reused by every call: no object per pod address (JS runs one call at a time). */
const scratch = new Hash64();

function hashOf(text: string | readonly string[], seed: number): Hash64 {
  const hash = scratch.reset(seed);
  if (typeof text === 'string') return hash.update(text);
  for (let i = 0; i < text.length; i++) hash.update(text[i] as string);
  return hash;
}
