// Cache hits stamped from a rendered template (src/forward/stamp.ts). Every
// row is checked twice: against what the client must see (decoded with dns2),
// and byte for byte against renderResponse, the slow path a hit replaces.
// Before each row the same entry answers another client of the same shape
// (other ID, RD, name case, age), so nothing of that stamp may leak.

import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../../src/forward/cache.js';
import { parseMessage } from '../../src/dns/reader.js';
import { renderResponse, storeReply, type StoredAnswer } from '../../src/forward/relay-message.js';
import type { Query } from '../../src/dns/query.js';
import { encodeReply } from '../helpers/fake-upstream.js';
import { decode, makeQuery } from '../helpers/decode.js';
import { a, Clock } from '../helpers/forward-harness.js';

const EDNS = { udpSize: 1232, do: false, version: 0 } as const;

/** An upstream reply for `query`, kept as the cache keeps it. */
function stored(query: Query, addresses: number, ttl = (i: number) => (i === 0 ? 300 : 120)): StoredAnswer {
  const answer = Array.from({ length: addresses }, (_, i) => a(query.name, `192.0.2.${i + 1}`, ttl(i)));
  const [message] = encodeReply({ ...query, transport: 'tcp' }, { kind: 'reply', answer }, 'tcp');
  const parsed = parseMessage(message as Buffer);
  if (parsed instanceof Error) throw parsed;
  return storeReply(message as Buffer, parsed);
}

interface Row {
  readonly case: string;
  readonly query: Partial<Query>;
  /** Records in the upstream answer (60 do not fit in 512 bytes). */
  readonly addresses?: number;
  /** Seconds since the answer was stored. */
  readonly elapsed: number;
  readonly expected: {
    readonly name?: string;
    readonly ttls: readonly number[];
    readonly tc?: boolean;
    readonly opt?: boolean;
  };
}

const rows: Row[] = [
  { case: 'fresh: capped at the entry lifetime (the shortest answer TTL)', query: {}, elapsed: 0, expected: { ttls: [120, 120] } },
  { case: 'counted down', query: {}, elapsed: 100, expected: { ttls: [20, 20] } },
  { case: 'last second of the entry', query: {}, elapsed: 119, expected: { ttls: [1, 1] } },
  { case: 'client ID and RD clear', query: { id: 0xbeef, rd: false }, elapsed: 5, expected: { ttls: [115, 115] } },
  { case: 'client name case', query: { name: 'WwW.Example.COM' }, elapsed: 5, expected: { name: 'WwW.Example.COM', ttls: [115, 115] } },
  { case: 'CD echoed', query: { cd: true }, elapsed: 5, expected: { ttls: [115, 115] } },
  { case: 'EDNS client gets our OPT', query: { edns: EDNS }, elapsed: 5, expected: { ttls: [115, 115], opt: true } },
  { case: 'DO client gets OPT with DO', query: { edns: { ...EDNS, do: true } }, elapsed: 5, expected: { ttls: [115, 115], opt: true } },
  {
    case: 'UDP client without EDNS: whole records within 512 bytes, TC',
    query: {}, addresses: 60, elapsed: 5, expected: { ttls: Array(29).fill(115), tc: true },
  },
  {
    case: 'the same big answer whole over TCP',
    query: { transport: 'tcp' }, addresses: 60, elapsed: 5, expected: { ttls: Array(60).fill(115) },
  },
];

describe('cache hits stamped from a template', () => {
  it.each(rows)('$case', ({ query: overrides, addresses = 2, elapsed, expected }) => {
    const clock = new Clock();
    const query = makeQuery({ name: 'www.example.com', ...overrides });
    const answer = stored(makeQuery({ name: 'www.example.com' }), addresses);
    const cache = new AnswerCache({ maxEntries: 10, maxTtl: 3600 }, clock.now);
    expect(cache.put(query, answer)).toBe(120);
    // Another client of the same shape first, at another age.
    clock.advance(elapsed === 0 ? 1 : 0);
    const other = { ...query, id: query.id ^ 0xffff, rd: !query.rd, name: query.name.toUpperCase() };
    expect(cache.respond(other)).toBeDefined();
    clock.ms = 1_000_000 + elapsed * 1000;

    const response = cache.respond(query);
    if (!response) throw new Error('expected a hit');
    expect(response).toEqual(renderResponse(query, answer, { elapsed, cap: 120 }));
    const decoded = decode(response);
    expect(decoded.id).toBe(query.id);
    expect(decoded.flags).toMatchObject({ qr: true, aa: false, ra: true, rd: query.rd, cd: query.cd, tc: expected.tc ?? false });
    expect(decoded.question).toEqual({ name: expected.name ?? 'www.example.com', type: 1, class: 1 });
    expect(decoded.answer.map((r) => r.ttl)).toEqual(expected.ttls);
    expect(decoded.opt !== undefined).toBe(expected.opt ?? false);
    if (decoded.opt) expect(decoded.opt.do).toBe(query.edns?.do);
  });
});

describe('template choice', () => {
  it.each([
    { case: 'EDNS, then none', first: { edns: EDNS }, then: {} },
    { case: 'none, then EDNS', first: {}, then: { edns: EDNS } },
    { case: 'cut for UDP, then whole over TCP', first: {}, then: { transport: 'tcp' as const } },
    { case: 'whole over TCP, then cut for UDP', first: { transport: 'tcp' as const }, then: {} },
  ])('a hit never reuses a template of another shape: $case', ({ first, then }) => {
    const clock = new Clock();
    const answer = stored(makeQuery({ name: 'big.example.com' }), 60);
    const cache = new AnswerCache({ maxEntries: 10, maxTtl: 3600 }, clock.now);
    const firstQuery = makeQuery({ name: 'big.example.com', ...first });
    const thenQuery = makeQuery({ name: 'big.example.com', ...then });
    cache.put(firstQuery, answer);
    cache.respond(firstQuery);
    expect(cache.respond(thenQuery)).toEqual(renderResponse(thenQuery, answer, { elapsed: 0, cap: 120 }));
  });

  it('counts TTLs down again when an older age comes after a newer one (clock stepped back)', () => {
    const clock = new Clock();
    const query = makeQuery({ name: 'www.example.com' });
    const answer = stored(query, 2);
    const cache = new AnswerCache({ maxEntries: 10, maxTtl: 3600 }, clock.now);
    cache.put(query, answer);
    clock.advance(50);
    cache.respond(query);
    clock.advance(-40);
    expect(decode(cache.respond(query) as Buffer).answer.map((r) => r.ttl)).toEqual([110, 110]);
  });
});
