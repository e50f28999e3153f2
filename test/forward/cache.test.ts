// The answer cache (RFC 2308), driven through the forwarder with an injected clock.

import { afterEach, describe, expect, it } from 'vitest';
import { RCode } from '../../src/dns/types.js';
import { decode, makeQuery } from '../wire/decode.js';
import { a, Clock, drop, Harness, soa } from './harness.js';

const h = new Harness();
afterEach(() => h.close());

describe('positive answers', () => {
  it('serves hits with TTLs counted down, any name case, client ID patched', async () => {
    const clock = new Clock();
    const up = await h.upstream(() => ({ kind: 'reply', answer: [a('www.example.com', '192.0.2.1', 300), a('www.example.com', '192.0.2.2', 120)] }));
    const fwd = h.forwarder({ upstreams: [up.address], now: clock.now });
    const first = decode(await fwd.forward(makeQuery({ id: 1, name: 'www.example.com' })));
    expect(first.answer.map((r) => r.ttl)).toEqual([300, 120]);
    clock.advance(100.5);
    const second = decode(await fwd.forward(makeQuery({ id: 2, name: 'WWW.example.COM' })));
    expect(second.id).toBe(2);
    expect(second.answer.map((r) => [r.name, r.ttl])).toEqual([['WWW.example.COM', 20], ['WWW.example.COM', 20]]);
    expect(up.received).toHaveLength(1);
    expect(fwd.stats).toMatchObject({ cacheHits: 1, cacheMisses: 1 });
    // A hit is answered at once, not through a promise.
    expect(Buffer.isBuffer(fwd.forward(makeQuery({ name: 'www.example.com' })))).toBe(true);
    // The entry lives for the shortest answer TTL (120 s).
    clock.advance(20);
    await fwd.forward(makeQuery({ name: 'www.example.com' }));
    expect(up.received).toHaveLength(2);
  });

  it('keeps the OPT record of a hit intact and keyed by the DO bit', async () => {
    const clock = new Clock();
    const up = await h.upstream(() => ({ kind: 'reply', answer: [a('www.example.com', '192.0.2.1', 300)] }));
    const fwd = h.forwarder({ upstreams: [up.address], now: clock.now });
    const edns = { udpSize: 1232, do: true, version: 0 };
    await fwd.forward(makeQuery({ name: 'www.example.com', edns }));
    clock.advance(10);
    const hit = decode(await fwd.forward(makeQuery({ name: 'www.example.com', edns })));
    expect(hit.opt).toMatchObject({ udpSize: 1232, do: true, extendedRcode: 0, version: 0 });
    expect(hit.answer[0]?.ttl).toBe(290);
    await fwd.forward(makeQuery({ name: 'www.example.com', edns: { ...edns, do: false } }));
    expect(up.received).toHaveLength(2);
  });

  it('§10 caps every TTL of the first reply, all sections, and of ExternalName lookups', async () => {
    const up = await h.upstream(() => ({
      kind: 'reply',
      answer: [a('www.example.com', '192.0.2.1', 300)],
      authority: [soa('example.com', 3600, 60)],
    }));
    const fwd = h.forwarder({ upstreams: [up.address], cache: { maxEntries: 10, maxTtl: 30 } });
    const first = decode(await fwd.forward(makeQuery({ name: 'www.example.com' })));
    expect([...first.answer, ...first.authority].map((rr) => rr.ttl)).toEqual([30, 30]);
    const looked = await fwd.lookup('other.example.com', 1);
    expect(looked.kind === 'answer' && looked.records.map((rr) => rr.ttl)).toEqual([30]);
  });

  it('no cache: TTLs pass through as the upstream gave them', async () => {
    const up = await h.upstream(() => ({ kind: 'reply', answer: [a('www.example.com', '192.0.2.1', 300)] }));
    const fwd = h.forwarder({ upstreams: [up.address], cache: false });
    expect(decode(await fwd.forward(makeQuery({ name: 'www.example.com' }))).answer[0]?.ttl).toBe(300);
  });

  it('caps the cached lifetime at maxTtl', async () => {
    const clock = new Clock();
    const up = await h.upstream(() => ({ kind: 'reply', answer: [a('www.example.com', '192.0.2.1', 86400)] }));
    const fwd = h.forwarder({ upstreams: [up.address], now: clock.now, cache: { maxEntries: 10, maxTtl: 60 } });
    // §10 (CoreDNS cache): the first reply is capped too, not only the hits.
    expect(decode(await fwd.forward(makeQuery({ name: 'www.example.com' }))).answer[0]?.ttl).toBe(60);
    clock.advance(59);
    expect(decode(await fwd.forward(makeQuery({ name: 'www.example.com' }))).answer[0]?.ttl).toBe(1);
    clock.advance(1);
    await fwd.forward(makeQuery({ name: 'www.example.com' }));
    expect(up.received).toHaveLength(2);
  });
});

describe('negative answers and failures', () => {
  it.each([
    { case: 'NXDOMAIN, SOA minimum below its TTL', rcode: RCode.NXDOMAIN, soaTtl: 3600, minimum: 30, lives: 30 },
    { case: 'NODATA, SOA TTL below its minimum', rcode: RCode.NOERROR, soaTtl: 20, minimum: 900, lives: 20 },
  ])('$case: cached for min(SOA TTL, SOA minimum)', async ({ rcode, soaTtl, minimum, lives }) => {
    const clock = new Clock();
    const up = await h.upstream(() => ({ kind: 'reply', rcode, authority: [soa('example.com', soaTtl, minimum)] }));
    const fwd = h.forwarder({ upstreams: [up.address], now: clock.now });
    await fwd.forward(makeQuery({ name: 'nope.example.com' }));
    clock.advance(lives - 1);
    const hit = decode(await fwd.forward(makeQuery({ name: 'nope.example.com' })));
    expect(hit.rcode).toBe(rcode);
    expect(hit.authority[0]?.ttl).toBe(1);
    expect(up.received).toHaveLength(1);
    clock.advance(1);
    await fwd.forward(makeQuery({ name: 'nope.example.com' }));
    expect(up.received).toHaveLength(2);
  });

  it('does not cache a negative answer without SOA', async () => {
    const up = await h.upstream(() => ({ kind: 'reply', rcode: RCode.NXDOMAIN }));
    const fwd = h.forwarder({ upstreams: [up.address] });
    await fwd.forward(makeQuery({ name: 'nope.example.com' }));
    await fwd.forward(makeQuery({ name: 'nope.example.com' }));
    expect(up.received).toHaveLength(2);
  });

  it('caches SERVFAIL for servfailTtl only', async () => {
    const clock = new Clock();
    const dead = await h.upstream(drop);
    const fwd = h.forwarder({ upstreams: [dead.address], timeoutMs: 50, now: clock.now });
    expect(decode(await fwd.forward(makeQuery({ name: 'www.example.com' }))).rcode).toBe(RCode.SERVFAIL);
    clock.advance(4);
    expect(decode(await fwd.forward(makeQuery({ name: 'www.example.com' }))).rcode).toBe(RCode.SERVFAIL);
    expect(dead.received).toHaveLength(1);
    clock.advance(1);
    await fwd.forward(makeQuery({ name: 'www.example.com' }));
    expect(dead.received).toHaveLength(2);
  });

  it('does not cache SERVFAIL with servfailTtl 0', async () => {
    const up = await h.upstream(() => ({ kind: 'reply', rcode: RCode.SERVFAIL }));
    const fwd = h.forwarder({ upstreams: [up.address], cache: { maxEntries: 10, maxTtl: 3600, servfailTtl: 0 } });
    await fwd.forward(makeQuery({ name: 'www.example.com' }));
    await fwd.forward(makeQuery({ name: 'www.example.com' }));
    expect(up.received).toHaveLength(2);
  });
});

describe('bounds', () => {
  it('evicts the least recently used entry past maxEntries', async () => {
    const up = await h.upstream((q) => ({ kind: 'reply', answer: [a(q.name, '192.0.2.1')] }));
    const fwd = h.forwarder({ upstreams: [up.address], cache: { maxEntries: 2, maxTtl: 3600 } });
    const ask = (name: string) => fwd.forward(makeQuery({ name }));
    await ask('a.example.com');
    await ask('b.example.com');
    await ask('a.example.com'); // a is now the most recent
    await ask('c.example.com'); // evicts b
    await ask('a.example.com');
    expect(up.received).toHaveLength(3);
    await ask('b.example.com');
    expect(up.received.map((r) => r.query.name)).toEqual(['a.example.com', 'b.example.com', 'c.example.com', 'b.example.com']);
  });

  it('counts every type of a name as an entry of its own', async () => {
    const up = await h.upstream((q) => ({ kind: 'reply', answer: [a(q.name, '192.0.2.1')] }));
    const fwd = h.forwarder({ upstreams: [up.address], cache: { maxEntries: 2, maxTtl: 3600 } });
    const ask = (name: string, qtype: number) => fwd.forward(makeQuery({ name, qtype }));
    await ask('a.example.com', 1);
    await ask('a.example.com', 16);
    await ask('b.example.com', 1); // evicts the older of a's two
    await ask('a.example.com', 16);
    await ask('b.example.com', 1);
    expect(up.received).toHaveLength(3);
    await ask('a.example.com', 1);
    expect(up.received.map((r) => [r.query.name, r.query.qtype])).toEqual([
      ['a.example.com', 1], ['a.example.com', 16], ['b.example.com', 1], ['a.example.com', 1],
    ]);
  });

  it('cache: false sends every query upstream', async () => {
    const up = await h.upstream(() => ({ kind: 'reply', answer: [a('www.example.com', '192.0.2.1')] }));
    const fwd = h.forwarder({ upstreams: [up.address], cache: false });
    await fwd.forward(makeQuery({ name: 'www.example.com' }));
    await fwd.forward(makeQuery({ name: 'www.example.com' }));
    expect(up.received).toHaveLength(2);
  });
});
