// A fast, stable, non-cryptographic string hash (cyrb53-style, 64 bits as
// two 32-bit halves). Generated names and addresses only need "spread out
// and the same every run"; sha256 costs ~6µs a call, which adds seconds on
// a 150,000-pod cluster.

export function hash64(text: string, seed = 0): [high: number, low: number] {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h2 >>> 0, h1 >>> 0];
}

const TWO_53 = 2n ** 53n;

/** A hash of `text` reduced into [0, count); count ≥ 1. */
export function hashToRange(text: string, count: bigint): bigint {
  const [high, low] = hash64(text);
  if (count <= TWO_53) return BigInt(((high & 0x1fffff) * 4294967296 + low) % Number(count));
  const [high2, low2] = hash64(text, 0x9e3779b9);
  const wide = (BigInt(high) << 96n) | (BigInt(low) << 64n) | (BigInt(high2) << 32n) | BigInt(low2);
  return wide % count;
}
