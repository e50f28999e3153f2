// The forwarder: cache first, then the upstreams for the name in policy
// order, each try bounded, the whole query bounded by
// (number of upstreams × timeout). Every path ends in a response buffer.

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { RCode, RRClass } from '../dns/types.js';
import { writeHeaderOnlyResponse } from '../dns/wire.js';
import { MAX_UDP_PAYLOAD, type Query } from '../dns/query.js';
import { endpointKey } from './address.js';
import { BurstLog } from '../burst-log.js';
import { AnswerCache, cacheKey, CACHE_DEFAULTS } from './cache.js';
import { asciiLower, decodeAnswers, parseMessage } from '../dns/index.js';
import {
  buildUpstreamQuery, failureAnswer, renderResponse, servfailResponse, storeReply,
  type Age, type StoredAnswer,
} from './relay-message.js';
import { Router } from './routing.js';
import { TcpClient, UdpClient, type Expected, type Outcome } from './transport.js';
import type {
  Forwarder, ForwarderOptions, ForwarderStats, UpstreamAddress, UpstreamCounters, UpstreamResult,
} from './types.js';

export const FORWARD_DEFAULTS = { timeoutMs: 2000, maxInFlight: 1000, policy: 'sequential' } as const;

interface Resolution {
  readonly answer: StoredAnswer;
  /** Present for cache hits: TTLs are counted down. */
  readonly age?: Age;
}

interface Attempt {
  readonly build: (id: number) => Buffer;
  readonly expected: Omit<Expected, 'id'>;
  readonly transport: Query['transport'];
  readonly deadline: number;
}

export function createForwarder(options: ForwarderOptions): Forwarder {
  return new RelayForwarder(options);
}

class RelayForwarder implements Forwarder {
  readonly stats: ForwarderStats = {
    cacheHits: 0, cacheMisses: 0, servfails: 0, overloads: 0, coalesced: 0, upstreams: {},
  };
  private readonly logger: Logger;
  private readonly cache: AnswerCache | undefined;
  private readonly router: Router;
  private readonly burst: BurstLog;
  private readonly udp: UdpClient;
  private readonly tcp: TcpClient;
  private readonly timeoutMs: number;
  private readonly tcpTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly randomizeCase: boolean;
  private readonly inflight = new Map<string, Promise<Resolution>>();
  /**
   * The age of an answer fresh from the upstream: none, but capped at the
   * cache's max TTL like every later hit, so the first reply never carries a
   * TTL above the cap either (CoreDNS `cache` caps the reply it stores).
   */
  private readonly fresh: Age | undefined;
  private closed = false;

  constructor(options: ForwarderOptions) {
    this.logger = options.logger.child({ module: 'forward' });
    this.timeoutMs = options.timeoutMs ?? FORWARD_DEFAULTS.timeoutMs;
    this.tcpTimeoutMs = options.tcpTimeoutMs ?? this.timeoutMs;
    this.maxInFlight = options.maxInFlight ?? FORWARD_DEFAULTS.maxInFlight;
    this.randomizeCase = options.randomizeCase === true;
    const cache = options.cache ?? CACHE_DEFAULTS;
    this.cache = cache === false ? undefined : new AnswerCache(cache, options.now ?? Date.now);
    this.fresh = cache === false ? undefined : { elapsed: 0, cap: cache.maxTtl ?? CACHE_DEFAULTS.maxTtl };
    const stubs = options.stubDomains ?? [];
    this.router = new Router(options.upstreams, stubs, options.policy ?? FORWARD_DEFAULTS.policy);
    this.burst = new BurstLog(this.logger);
    for (const upstream of [...options.upstreams, ...stubs.flatMap((stub) => stub.upstreams)]) this.counters(upstream);
    const ignored = (key: string): void => {
      const counters = this.stats.upstreams[key];
      if (counters) counters.ignored++;
    };
    this.udp = new UdpClient(ignored);
    this.tcp = new TcpClient(ignored);
  }

  forward(query: Query): Buffer | Promise<Buffer> {
    // A cache hit is answered synchronously: no promise, no extra tick.
    try {
      const cached = this.cache?.respond(query);
      if (cached) {
        this.stats.cacheHits++;
        return cached;
      }
    } catch (err) {
      return this.failed(query, err);
    }
    return this.relay(query);
  }

  private async relay(query: Query): Promise<Buffer> {
    try {
      const resolution = await this.resolve(query);
      return renderResponse(query, resolution.answer, resolution.age);
    } catch (err) {
      return this.failed(query, err);
    }
  }

  /** A bug, not an upstream problem: still answer. */
  private failed(query: Query, err: unknown): Buffer {
    this.logger.error({ err }, 'forwarding failed unexpectedly');
    try {
      return servfailResponse(query);
    } catch {
      return writeHeaderOnlyResponse(query.id, query.opcode, query.rd, RCode.SERVFAIL);
    }
  }

  async lookup(name: string, qtype: number): Promise<UpstreamResult> {
    const query: Query = {
      id: 0, opcode: 0, rd: true, cd: false, name: name.replace(/\.$/, ''), qtype, qclass: RRClass.IN,
      edns: { udpSize: MAX_UDP_PAYLOAD, do: false, version: 0 }, transport: 'udp',
    };
    try {
      const { answer, age } = await this.resolve(query);
      // Rendered as for a TCP client so nothing is cut, then read back.
      const message = renderResponse({ ...query, transport: 'tcp' }, answer, age);
      const parsed = parseMessage(message);
      if (parsed instanceof Error) return { kind: 'unreachable' };
      if (parsed.rcode === RCode.NXDOMAIN) return { kind: 'nxdomain' };
      if (parsed.rcode !== RCode.NOERROR) return { kind: 'unreachable' };
      const records = decodeAnswers(message, parsed);
      return records.length > 0 ? { kind: 'answer', records } : { kind: 'nodata' };
    } catch (err) {
      this.logger.debug({ err, lookup: { name, qtype } }, 'lookup failed');
      return { kind: 'unreachable' };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.udp.close();
    this.tcp.close();
    this.cache?.clear();
  }

  private resolve(query: Query): Promise<Resolution> {
    if (this.cache) {
      const hit = this.cache.get(query);
      if (hit) {
        this.stats.cacheHits++;
        return Promise.resolve(hit);
      }
      this.stats.cacheMisses++;
    }
    // Same question, same transport: one upstream exchange serves them all.
    const flightKey = `${cacheKey(query)}|${query.transport}`;
    const joined = this.inflight.get(flightKey);
    if (joined) {
      this.stats.coalesced++;
      return joined;
    }
    if (this.closed || this.inflight.size >= this.maxInFlight) {
      if (!this.closed) this.stats.overloads++;
      return Promise.resolve({ answer: failureAnswer(query) });
    }
    const pending = this.ask(query).then((answer): Resolution => {
      if (!this.closed) this.cache?.put(query, answer);
      return this.fresh ? { answer, age: this.fresh } : { answer };
    });
    this.inflight.set(flightKey, pending);
    const forget = (): void => void this.inflight.delete(flightKey);
    pending.then(forget, forget);
    return pending;
  }

  /** Try the upstreams in order until one replies; SERVFAIL (stored form) when none did in time. */
  private async ask(query: Query): Promise<StoredAnswer> {
    const upstreams = this.router.route(query.name);
    // DNS 0x20: the upstream sees random letter case and must echo it exactly.
    const asked = this.randomizeCase ? { ...query, name: randomCase(query.name) } : query;
    const attempt: Attempt = {
      build: (id) => buildUpstreamQuery(asked, id),
      // A NOTIFY is answered like a QUERY, so the upstream is asked a QUERY (buildUpstreamQuery).
      expected: {
        opcode: 0,
        question: { name: asciiLower(query.name), type: query.qtype, class: query.qclass },
        ...(this.randomizeCase ? { caseExact: true } : {}),
      },
      transport: query.transport,
      deadline: performance.now() + upstreams.length * this.timeoutMs,
    };
    for (const upstream of upstreams) {
      if (this.closed || performance.now() >= attempt.deadline) break;
      const outcome = await this.tryUpstream(upstream, attempt);
      if (outcome.kind === 'reply') return storeReply(outcome.message, outcome.parsed);
    }
    if (!this.closed) this.stats.servfails++;
    this.logger.debug({ query: { name: query.name, qtype: query.qtype } }, 'no upstream answered');
    return failureAnswer(query);
  }

  /** One upstream: UDP (TCP for TCP clients); a UDP reply with TC is retried over TCP. */
  private async tryUpstream(upstream: UpstreamAddress, attempt: Attempt): Promise<Outcome> {
    const { build, expected, deadline } = attempt;
    const left = (cap: number): number => Math.max(1, Math.min(cap, deadline - performance.now()));
    if (attempt.transport === 'tcp') {
      return this.note(upstream, await this.tcp.exchange(upstream, build, expected, left(this.tcpTimeoutMs)));
    }
    const udp = this.note(upstream, await this.udp.exchange(upstream, build, expected, left(this.timeoutMs)));
    if (udp.kind !== 'reply' || !udp.parsed.tc || this.closed || performance.now() >= deadline) return udp;
    const tcp = this.note(upstream, await this.tcp.exchange(upstream, build, expected, left(this.tcpTimeoutMs)));
    // TCP failed: relay the truncated UDP reply (TC set, not cached) so the client retries itself.
    return tcp.kind === 'reply' ? tcp : udp;
  }

  private note(upstream: UpstreamAddress, outcome: Outcome): Outcome {
    const counters = this.counters(upstream);
    counters.requests++;
    if (outcome.kind === 'reply' || this.closed) return outcome;
    if (outcome.kind === 'timeout') counters.timeouts++;
    else counters.errors++;
    const reason = outcome.kind === 'timeout' ? 'timeout' : outcome.error.message;
    const key = endpointKey(upstream);
    this.burst.event(key, { upstream: key, reason }, 'upstream failed; further failures of this upstream are counted for 10 s');
    return outcome;
  }

  private counters(upstream: UpstreamAddress): UpstreamCounters {
    const key = endpointKey(upstream);
    const existing = this.stats.upstreams[key];
    if (existing) return existing;
    const created: UpstreamCounters = { requests: 0, timeouts: 0, errors: 0, ignored: 0 };
    this.stats.upstreams[key] = created;
    return created;
  }
}

/** `name` with each ASCII letter's case drawn at random (escapes hold no letters: src/dns/escape.ts). */
export function randomCase(name: string): string {
  const bits = randomBytes(Math.ceil(name.length / 8) + 1);
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    const letter = (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
    const upper = ((bits[i >> 3] as number) >> (i & 7)) & 1;
    out += letter ? String.fromCharCode(upper ? code & ~0x20 : code | 0x20) : name[i];
  }
  return out;
}
