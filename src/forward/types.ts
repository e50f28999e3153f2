// The forwarder's public vocabulary: upstream addresses, options, results.

import type { Logger } from 'pino';
import type { Query } from '../dns/query.js';

/** One upstream server. `host` is a normalized IP literal (IPv6 without brackets). */
export interface UpstreamAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * What a name lookup through the forwarder produced: the responder's
 * UpstreamResult (src/resolve/upstream.ts), where it is defined once. For
 * the forwarder, `unreachable` also means the upstreams answered SERVFAIL,
 * REFUSED or another error; `answer` holds the decoded answer section (a
 * CNAME chain may lead it; unknown types are skipped).
 */
import type { UpstreamResult } from '../resolve/upstream.js';

export type { UpstreamResult };

export type Policy = 'sequential' | 'random' | 'round_robin';

export interface StubDomain {
  /** Lower-case, no trailing dot. */
  readonly suffix: string;
  readonly upstreams: readonly UpstreamAddress[];
}

export interface CacheOptions {
  readonly maxEntries: number;
  /** Seconds; caps every cached TTL (positive and negative). */
  readonly maxTtl: number;
  /** Seconds; TTLs below are raised to it for caching (not in the records). */
  readonly minTtl?: number;
  /** Seconds a SERVFAIL is cached; 0 disables. */
  readonly servfailTtl?: number;
}

export interface ForwarderOptions {
  readonly upstreams: readonly UpstreamAddress[];
  readonly stubDomains?: readonly StubDomain[];
  readonly policy?: Policy;
  /** Per try, default 2000. */
  readonly timeoutMs?: number;
  /** Per TCP try, default = timeoutMs. */
  readonly tcpTimeoutMs?: number;
  /** Queries waiting on upstreams at once, default 1000; past it → SERVFAIL at once. */
  readonly maxInFlight?: number;
  /**
   * DNS 0x20: randomise the letter case of each upstream question and accept
   * only replies that echo it exactly. Off by default: a few upstreams
   * (some load balancers and appliances) answer in lower case.
   */
  readonly randomizeCase?: boolean;
  /** Defaults 10000 entries / 3600 s / 0 s / 5 s; false disables the cache. */
  readonly cache?: CacheOptions | false;
  readonly logger: Logger;
  /** Clock for cache ages, in milliseconds (tests inject one). Default Date.now. */
  readonly now?: () => number;
}

export interface UpstreamCounters {
  /** Tries sent to this upstream (a UDP try and its TCP retry count once each). */
  requests: number;
  timeouts: number;
  /** Network errors: connection refused/reset, send failures. */
  errors: number;
  /** Replies dropped: wrong ID, wrong question, malformed (RFC 5452). */
  ignored: number;
}

export interface ForwarderStats {
  cacheHits: number;
  cacheMisses: number;
  /** Answered SERVFAIL because every upstream failed. */
  servfails: number;
  /** Answered SERVFAIL at once because maxInFlight was reached. */
  overloads: number;
  /** Queries that joined an identical query already in flight. */
  coalesced: number;
  /** Keyed "host:port" ("[v6]:port" for IPv6). */
  readonly upstreams: Record<string, UpstreamCounters>;
}

export interface Forwarder {
  /**
   * Relay a client's query: the response to send (sized for query.transport),
   * synchronously for a cache hit, else a promise that never rejects.
   */
  forward(query: Query): Buffer | Promise<Buffer>;
  /** For ExternalName targets: ask (through the cache); `name` may end with a dot. Never rejects. */
  lookup(name: string, qtype: number): Promise<UpstreamResult>;
  /** Close sockets and timers; pending queries resolve to SERVFAIL / unreachable. */
  close(): Promise<void>;
  readonly stats: Readonly<ForwarderStats>;
}
