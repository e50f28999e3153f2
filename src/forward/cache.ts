// The answer cache (RFC 2308): raw stored answers, an LRU bounded by entry
// count, ages from an injectable clock. A hit is a copy plus ID and TTL
// patches (renderResponse with an Age).

import { RCode } from '../dns/types.js';
import type { Query } from '../resolve/query.js';
import { asciiLower } from './reader.js';
import type { Age, StoredAnswer } from './relay-message.js';
import type { CacheOptions } from './types.js';

export const CACHE_DEFAULTS = { maxEntries: 10_000, maxTtl: 3600, minTtl: 0, servfailTtl: 5 } as const;

export interface CacheHit {
  readonly answer: StoredAnswer;
  readonly age: Age;
}

interface Entry {
  readonly answer: StoredAnswer;
  readonly storedAt: number;
  /** Seconds the entry lives. */
  readonly ttl: number;
}

/** (lower-cased name, type, class, DO, CD): answers differ by DNSSEC wishes, not by name case. */
export function cacheKey(query: Pick<Query, 'name' | 'qtype' | 'qclass' | 'cd' | 'edns'>): string {
  return `${asciiLower(query.name)}|${query.qtype}|${query.qclass}|${query.edns?.do ? 1 : 0}${query.cd ? 1 : 0}`;
}

export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly settings: Required<CacheOptions>;

  constructor(
    options: CacheOptions,
    private readonly now: () => number,
  ) {
    this.settings = { ...CACHE_DEFAULTS, ...options };
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CacheHit | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const elapsed = Math.floor((this.now() - entry.storedAt) / 1000);
    if (elapsed >= entry.ttl || elapsed < 0) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { answer: entry.answer, age: { elapsed, cap: entry.ttl } };
  }

  /** Store `answer` if it is cacheable; returns the TTL used (0 = not stored). */
  put(key: string, answer: StoredAnswer): number {
    const ttl = this.ttlFor(answer);
    if (ttl <= 0) return 0;
    this.entries.delete(key);
    this.entries.set(key, { answer, storedAt: this.now(), ttl });
    while (this.entries.size > this.settings.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    return ttl;
  }

  clear(): void {
    this.entries.clear();
  }

  private ttlFor(answer: StoredAnswer): number {
    const { maxTtl, minTtl, servfailTtl } = this.settings;
    if (answer.truncated) return 0;
    if (answer.rcode === RCode.SERVFAIL) return Math.min(servfailTtl, maxTtl);
    if (answer.naturalTtl === undefined) return 0;
    return Math.min(Math.max(answer.naturalTtl, minTtl), maxTtl);
  }
}
