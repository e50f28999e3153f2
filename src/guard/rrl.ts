// Response rate limiting, in the manner of BIND's RRL: a token bucket per
// client network (/24 for IPv4, /56 for IPv6), so a spoofed-source flood
// cannot turn us into an amplifier aimed at its victim. Past the rate,
// responses are dropped, except every `slip`-th one, which goes out as an
// empty truncated reply (TC=1): a real client behind that network retries
// over TCP, which a spoofer cannot do. Only UDP is limited (a TCP client has
// proved its address). Pure: the clock is injected.

export interface RateLimitSettings {
  /** Responses per second per client network. */
  readonly perSecond: number;
  /** Every slip-th dropped response is sent truncated instead; 0 never, 1 always. */
  readonly slip: number;
}

export interface RateLimitOptions extends RateLimitSettings {
  /** Bucket depth in responses; default one second's worth. */
  readonly burst?: number;
  /** Networks tracked at once; the least recently seen is forgotten past it. Default 100000. */
  readonly maxClients?: number;
  /** Milliseconds. */
  readonly now: () => number;
}

export const RATE_LIMIT_DEFAULTS = { slip: 2, maxClients: 100_000 } as const;

export type RateVerdict = 'answer' | 'drop' | 'slip';

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** Responses refused to this network so far; every slip-th slips. */
  refused: number;
}

export class ResponseRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly maxClients: number;
  /** Refused responses since start (metrics, the load test). */
  dropped = 0;
  slipped = 0;
  /** The last address checked and its network's bucket. */
  private lastAddress = '';
  private lastBucket: Bucket | undefined;

  constructor(private readonly options: RateLimitOptions) {
    this.burst = Math.max(1, options.burst ?? options.perSecond);
    this.maxClients = options.maxClients ?? RATE_LIMIT_DEFAULTS.maxClients;
  }

  get perSecond(): number {
    return this.options.perSecond;
  }

  /**
   * What to do with the response to a UDP query from `address`. Called for
   * every datagram before it is read, so a flood's datagrams must cost less
   * than answering them: a run of queries from one address (what a flood
   * is) reuses the last bucket without building its network key or touching
   * the map, and allocates nothing. `now` (milliseconds) lets a caller that
   * already read the clock share it: a clock read costs as much as the rest.
   */
  check(address: string, now: number = this.options.now()): RateVerdict {
    let bucket = this.lastBucket;
    if (address !== this.lastAddress || bucket === undefined) {
      bucket = this.bucketFor(address, now);
      this.lastAddress = address;
      this.lastBucket = bucket;
    }
    const elapsed = now - bucket.updatedAt;
    if (elapsed > 0) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsed / 1000) * this.options.perSecond);
      bucket.updatedAt = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'answer';
    }
    bucket.refused++;
    const slip = this.options.slip;
    if (slip > 0 && bucket.refused % slip === 0) {
      this.slipped++;
      return 'slip';
    }
    this.dropped++;
    return 'drop';
  }

  get trackedClients(): number {
    return this.buckets.size;
  }

  /**
   * The bucket of `address`'s network, moved to the young end of the map
   * (Map order is least recently seen first). Queries answered from the
   * one-entry memo in check() do not move it: a flooder stays young enough
   * as long as the map is not full, and a forgotten bucket only gives its
   * network a fresh burst.
   */
  private bucketFor(address: string, now: number): Bucket {
    const key = clientNetwork(address);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, updatedAt: now, refused: 0 };
      if (this.buckets.size >= this.maxClients) this.forgetOldest();
    } else {
      this.buckets.delete(key);
    }
    this.buckets.set(key, bucket);
    return bucket;
  }

  private forgetOldest(): void {
    const oldest = this.buckets.entries().next();
    if (oldest.done) return;
    this.buckets.delete(oldest.value[0]);
    if (oldest.value[1] === this.lastBucket) this.lastBucket = undefined;
  }
}

/**
 * The network a client is counted in: the /24 of an IPv4 address, the /56
 * of an IPv6 one (a typical end-site allocation). IPv4-mapped IPv6 is IPv4.
 */
export function clientNetwork(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const text = mapped ? mapped[1]! : address;
  if (!text.includes(':')) return `${text.slice(0, text.lastIndexOf('.'))}.0/24`;
  return `${firstHextets(text.replace(/%.*$/, ''), 4).map((h, i) => (i === 3 ? h & 0xff00 : h).toString(16)).join(':')}::/56`;
}

/** The first `count` 16-bit groups of an IPv6 address, `::` expanded. */
function firstHextets(address: string, count: number): number[] {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, count).map((group) => (group.includes('.') ? 0 : Number.parseInt(group, 16) || 0));
}

/** `100/s` or `100`: responses per second per client network; the Error says what it must be. */
export function parseRate(text: string): number | Error {
  const match = /^\s*(\d+)\s*(?:\/\s*s)?\s*$/i.exec(text);
  const rate = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(rate) || rate < 1 || rate > 1_000_000) {
    return new Error(`must be N/s with N from 1 to 1000000 (responses per second per client /24 or /56), got ${JSON.stringify(text)}`);
  }
  return rate;
}
