// Generated object names, deterministic stand-ins for the controllers'
// random ones (spec §5.2). Same manifests in ⇒ same names out, run after run.

import { flat } from '../model/index.js';
import { hash64, Hash64 } from '../addresses/index.js';

/** The alphabet of k8s.io/apimachinery rand.String (no vowels, no look-alikes). */
export const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Five "random" characters derived from `seed` (rand.String(5) in the controllers). */
export function randomSuffix(seed: string, length = 5): string {
  return suffixOf(hash64(seed), length);
}

function suffixOf([high, low]: [high: number, low: number], length = 5): string {
  if (length === 5) return suffix5(low);
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

/** suffixOf for the usual five characters, made as one string (it runs once per generated pod). */
function suffix5(low: number): string {
  const n = SUFFIX_ALPHABET.length;
  const code = (i: number) => SUFFIX_ALPHABET.charCodeAt(Math.floor(low / n ** i) % n);
  return String.fromCharCode(code(0), code(1), code(2), code(3), code(4));
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
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    // Written out (no entries/filter/sort/map chain): a 10,000-Deployment cluster hashes every template.
    const object = value as Record<string, unknown>;
    let out = '';
    for (const key of Object.keys(object).sort()) {
      const field = object[key];
      if (field === undefined) continue;
      out += `${out === '' ? '' : ','}${JSON.stringify(key)}:${stableStringify(field)}`;
    }
    return `{${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Pod names taken so far, per namespace; generated names retry until unique. */
export class NameRegistry {
  private readonly byNamespace = new Map<string, Set<string>>();
  /** Reused for every generated name: no hash object per pod. */
  private readonly seed = new Hash64();

  has(namespace: string, name: string): boolean {
    return this.byNamespace.get(namespace)?.has(name) ?? false;
  }

  add(namespace: string, name: string): void {
    const names = this.byNamespace.get(namespace);
    if (names) names.add(name);
    else this.byNamespace.set(namespace, new Set([name]));
  }

  /**
   * `prefix` + a 5-char suffix not yet used in `namespace`; registered
   * before returning. The suffix is randomSuffix(seed), retried as
   * `seed#1`, `seed#2` …; `seedStart` is the hash state of the seed's
   * beginning (shared by a workload's replicas), `seedEnd` the rest.
   */
  unique(namespace: string, prefix: string, seedStart: Hash64, seedEnd: string): string {
    const seed = this.seed;
    let names = this.byNamespace.get(namespace);
    if (!names) {
      names = new Set();
      this.byNamespace.set(namespace, names);
    }
    for (let attempt = 0; ; attempt++) {
      seed.continueFrom(seedStart).update(seedEnd);
      if (attempt > 0) seed.update(`#${attempt}`);
      const name = flat(prefix + suffixOf(seed.digest()));
      if (!names.has(name)) {
        names.add(name);
        return name;
      }
    }
  }
}
