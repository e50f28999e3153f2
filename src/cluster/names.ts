// Generated object names, deterministic stand-ins for the controllers'
// random ones (spec §5.2). Same manifests in ⇒ same names out, run after run.

import { hash64 } from './hash.js';

/** The alphabet of k8s.io/apimachinery rand.String (no vowels, no look-alikes). */
export const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Five "random" characters derived from `seed` (rand.String(5) in the controllers). */
export function randomSuffix(seed: string, length = 5): string {
  const [high, low] = hash64(seed);
  // 27^5 ≈ 1.4e7 fits in 32 bits; longer suffixes draw on the second half too.
  let rest = low;
  let out = '';
  for (let i = 0; i < length; i++) {
    if (i === 6) rest = high;
    out += SUFFIX_ALPHABET[rest % SUFFIX_ALPHABET.length];
    rest = Math.floor(rest / SUFFIX_ALPHABET.length);
  }
  return out;
}

/**
 * The Deployment's `pod-template-hash`: like the controller, a 32-bit FNV-1a
 * of the template, printed in decimal and passed through rand.SafeEncodeString
 * (so it looks like the real thing, e.g. `7c5ddbdf54`). The bytes hashed are
 * our own stable serialization, not the controller's, so values differ from a
 * real cluster's.
 */
export function podTemplateHash(template: unknown): string {
  return safeEncode(String(fnv32a(stableStringify(template))));
}

function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SUFFIX_ALPHABET[text.charCodeAt(i) % SUFFIX_ALPHABET.length];
  return out;
}

function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  const bytes = Buffer.from(text, 'utf8');
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** JSON with object keys sorted, so equal templates hash equally whatever the key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Pod names taken so far, per namespace; generated names retry until unique. */
export class NameRegistry {
  private readonly byNamespace = new Map<string, Set<string>>();

  has(namespace: string, name: string): boolean {
    return this.byNamespace.get(namespace)?.has(name) ?? false;
  }

  add(namespace: string, name: string): void {
    const names = this.byNamespace.get(namespace);
    if (names) names.add(name);
    else this.byNamespace.set(namespace, new Set([name]));
  }

  /** `prefix` + a 5-char suffix not yet used in `namespace`; registered before returning. */
  unique(namespace: string, prefix: string, seed: string): string {
    for (let attempt = 0; ; attempt++) {
      const name = prefix + randomSuffix(attempt === 0 ? seed : `${seed}#${attempt}`);
      if (!this.has(namespace, name)) {
        this.add(namespace, name);
        return name;
      }
    }
  }
}
