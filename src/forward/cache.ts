// The answer cache (RFC 2308): raw stored answers, bounded by entry count,
// ages from an injectable clock. A hit is answered by stamping a rendered
// response (stamp.ts): no promise, no key string, no record re-encoding.
//
// Entries are grouped by lower-cased name, so a lookup is one Map get on the
// name the client sent (no key to build when it is already lower case) and a
// scan of that name's few variants (type, class, DO, CD).

import { RCode } from '../dns/types.js';
import type { Query } from '../dns/query.js';
import { asciiLower } from '../dns/index.js';
import type { Age, StoredAnswer } from './relay-message.js';
import { ResponseTemplate } from './stamp.js';
import type { CacheOptions } from './types.js';

export const CACHE_DEFAULTS = { maxEntries: 10_000, maxTtl: 3600, minTtl: 0, servfailTtl: 5 } as const;

/** Templates kept per entry: one per response shape seen (OPT or not, records cut or not). */
const MAX_TEMPLATES = 4;

export interface CacheHit {
  readonly answer: StoredAnswer;
  readonly age: Age;
}

type CacheQuery = Pick<Query, 'name' | 'qtype' | 'qclass' | 'cd' | 'edns'>;

interface Entry {
  readonly qtype: number;
  readonly qclass: number;
  /** DO and CD of the queries it answers: answers differ by DNSSEC wishes. */
  readonly dnssec: number;
  readonly answer: StoredAnswer;
  readonly storedAt: number;
  /** Seconds the entry lives. */
  readonly ttl: number;
  readonly templates: ResponseTemplate[];
}

/** The entries of one lower-cased name, and when the name was last moved to the young end. */
interface Bucket {
  readonly entries: Entry[];
  touched: number;
}

/** (lower-cased name, type, class, DO, CD): answers differ by DNSSEC wishes, not by name case. */
export function cacheKey(query: CacheQuery): string {
  return `${asciiLower(query.name)}|${query.qtype}|${query.qclass}|${dnssecBits(query)}`;
}

function dnssecBits(query: Pick<Query, 'cd' | 'edns'>): number {
  return (query.edns?.do ? 2 : 0) | (query.cd ? 1 : 0);
}

export class AnswerCache {
  /** In least recently used order (a Map iterates in insertion order). */
  private readonly buckets = new Map<string, Bucket>();
  private readonly settings: Required<CacheOptions>;
  private count = 0;
  /** Counts bucket (re-)insertions: a bucket's distance from the young end. */
  private clock = 0;

  constructor(
    options: CacheOptions,
    private readonly now: () => number,
  ) {
    this.settings = { ...CACHE_DEFAULTS, ...options };
  }

  get size(): number {
    return this.count;
  }

  /**
   * The response to `query` from the cache, or undefined on a miss. Answers
   * synchronously; the only allocation on the common path is the response.
   */
  respond(query: Query): Buffer | undefined {
    const now = this.now();
    const entry = this.find(query, now);
    if (!entry) return undefined;
    const elapsed = age(entry, now);
    const templates = entry.templates;
    for (let i = 0; i < templates.length; i++) {
      const template = templates[i] as ResponseTemplate;
      if (template.fits(query, entry.answer)) return template.stamp(query, elapsed);
    }
    const template = ResponseTemplate.render(query, entry.answer, entry.ttl);
    if (!template) return undefined; // the caller renders it the slow way (SERVFAIL)
    if (templates.length >= MAX_TEMPLATES) templates.shift();
    templates.push(template);
    return template.stamp(query, elapsed);
  }

  /** The stored answer and its age, for callers that render it themselves. */
  get(query: CacheQuery): CacheHit | undefined {
    const now = this.now();
    const entry = this.find(query, now);
    return entry ? { answer: entry.answer, age: { elapsed: age(entry, now), cap: entry.ttl } } : undefined;
  }

  /** Store `answer` for `query` if it is cacheable; returns the TTL used (0 = not stored). */
  put(query: CacheQuery, answer: StoredAnswer): number {
    const ttl = this.ttlFor(answer);
    if (ttl <= 0) return 0;
    const name = asciiLower(query.name);
    const entry: Entry = {
      qtype: query.qtype, qclass: query.qclass, dnssec: dnssecBits(query), answer, storedAt: this.now(), ttl, templates: [],
    };
    const bucket = this.buckets.get(name);
    const entries = bucket ? bucket.entries.filter((old) => !sameQuestion(old, entry)) : [];
    this.count += entries.length - (bucket?.entries.length ?? 0) + 1;
    entries.push(entry);
    this.buckets.delete(name);
    this.buckets.set(name, { entries, touched: this.clock++ });
    this.evict();
    return ttl;
  }

  clear(): void {
    this.buckets.clear();
    this.count = 0;
  }

  private find(query: CacheQuery, now: number): Entry | undefined {
    const name = asciiLower(query.name);
    const bucket = this.buckets.get(name);
    if (!bucket) return undefined;
    const dnssec = dnssecBits(query);
    const entries = bucket.entries;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as Entry;
      if (entry.qtype !== query.qtype || entry.qclass !== query.qclass || entry.dnssec !== dnssec) continue;
      const elapsed = age(entry, now);
      if (elapsed >= entry.ttl || elapsed < 0) {
        this.remove(name, bucket, i);
        return undefined;
      }
      this.touch(name, bucket);
      return entry;
    }
    return undefined;
  }

  /**
   * Keep a used name away from eviction. Moving it to the young end costs a
   * Map delete and set, so it is done only once the name has drifted into
   * the older half: every hit name stays among the most recently used half.
   */
  private touch(name: string, bucket: Bucket): void {
    if (this.clock - bucket.touched < Math.max(1, this.settings.maxEntries >> 1)) return;
    this.buckets.delete(name);
    this.buckets.set(name, bucket);
    bucket.touched = this.clock++;
  }

  private remove(name: string, bucket: Bucket, index: number): void {
    bucket.entries.splice(index, 1);
    this.count--;
    if (bucket.entries.length === 0) this.buckets.delete(name);
  }

  /** Drop the oldest entries of the least recently used names until within maxEntries. */
  private evict(): void {
    while (this.count > this.settings.maxEntries) {
      const oldest = this.buckets.entries().next();
      if (oldest.done) break;
      const [name, bucket] = oldest.value;
      this.remove(name, bucket, 0);
    }
  }

  private ttlFor(answer: StoredAnswer): number {
    const { maxTtl, minTtl, servfailTtl } = this.settings;
    if (answer.truncated) return 0;
    if (answer.rcode === RCode.SERVFAIL) return Math.min(servfailTtl, maxTtl);
    if (answer.naturalTtl === undefined) return 0;
    return Math.min(Math.max(answer.naturalTtl, minTtl), maxTtl);
  }
}

/** Whole seconds since `entry` was stored. */
function age(entry: Entry, now: number): number {
  return Math.floor((now - entry.storedAt) / 1000);
}

function sameQuestion(a: Entry, b: Entry): boolean {
  return a.qtype === b.qtype && a.qclass === b.qclass && a.dnssec === b.dnssec;
}
