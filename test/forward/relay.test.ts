// End-to-end relay behaviour against real fake upstreams on 127.0.0.1.

import { afterEach, describe, expect, it } from 'vitest';
import { RCode } from '../../src/dns/types.js';
import { decode, makeQuery } from '../wire/decode.js';
import { a, drop, Harness, soa } from './harness.js';

const h = new Harness();
afterEach(() => h.close());

const answerWww = () => ({ kind: 'reply' as const, answer: [a('www.example.com', '192.0.2.1')] });

describe('relaying a query', () => {
  it('restores the client ID, keeps its question case, clears AA and sets RA', async () => {
    const up = await h.upstream(answerWww);
    const fwd = h.forwarder({ upstreams: [up.address] });
    const response = decode(await fwd.forward(makeQuery({ id: 0x4242, name: 'WwW.Example.COM', cd: true })));
    expect(response.id).toBe(0x4242);
    expect(response.flags).toMatchObject({ qr: true, aa: false, ra: true, rd: true, cd: true, tc: false });
    expect(response.rcode).toBe(RCode.NOERROR);
    expect(response.question).toEqual({ name: 'WwW.Example.COM', type: 1, class: 1 });
    expect(response.answer).toEqual([{ name: 'WwW.Example.COM', ttl: 300, data: { type: 'A', address: '192.0.2.1' } }]);
    expect(response.opt).toBeUndefined();
    const sent = up.received[0]?.query;
    expect(sent).toMatchObject({ name: 'WwW.Example.COM', rd: true, cd: true, qtype: 1, qclass: 1 });
    expect(sent?.id).not.toBe(0x4242);
    expect(sent?.edns).toBeUndefined();
  });

  it('passes the client EDNS size and DO bit upstream and answers with an OPT', async () => {
    const up = await h.upstream(answerWww);
    const fwd = h.forwarder({ upstreams: [up.address] });
    const query = makeQuery({ name: 'www.example.com', edns: { udpSize: 4096, do: true, version: 0 } });
    const response = decode(await fwd.forward(query));
    expect(up.received[0]?.query.edns).toEqual({ udpSize: 4096, do: true, version: 0 });
    // §10: the reply's OPT echoes the client's UDP size
    expect(response.opt).toMatchObject({ udpSize: 4096, do: true, version: 0 });
    expect(response.counts.ar).toBe(1);
  });

  it('relays over IPv6 to an upstream on ::1 (UDP and TCP)', async () => {
    const up = await h.upstream(answerWww, '::1');
    const fwd = h.forwarder({ upstreams: [up.address] });
    for (const transport of ['udp', 'tcp'] as const) {
      const response = decode(await fwd.forward(makeQuery({ name: 'www.example.com', qtype: 1, transport, cd: transport === 'tcp' })));
      expect(response.answer).toHaveLength(1);
    }
    expect(fwd.stats.upstreams[`[::1]:${up.port}`]?.requests).toBe(2);
  });

  it('relays NXDOMAIN with its SOA', async () => {
    const up = await h.upstream(() => ({ kind: 'reply', rcode: RCode.NXDOMAIN, authority: [soa('example.com', 3600, 60)] }));
    const fwd = h.forwarder({ upstreams: [up.address] });
    const response = decode(await fwd.forward(makeQuery({ name: 'nope.example.com' })));
    expect(response.rcode).toBe(RCode.NXDOMAIN);
    expect(response.authority.map((r) => r.data.type)).toEqual(['SOA']);
    expect(response.authority[0]?.ttl).toBe(3600);
  });
});

describe('failover and failure', () => {
  it('fails over from a slow upstream to the next within the bound', async () => {
    const slow = await h.upstream(() => ({ ...answerWww(), delayMs: 1500 }));
    const fast = await h.upstream(() => ({ kind: 'reply', answer: [a('www.example.com', '192.0.2.2')] }));
    const fwd = h.forwarder({ upstreams: [slow.address, fast.address], timeoutMs: 150 });
    const started = performance.now();
    const response = decode(await fwd.forward(makeQuery({ name: 'www.example.com' })));
    expect(response.answer[0]?.data).toEqual({ type: 'A', address: '192.0.2.2' });
    expect(fwd.stats.upstreams[`127.0.0.1:${slow.port}`]?.timeouts).toBe(1);
    // Generous: the bound is 2 × 150 ms; this only catches a missing per-try timeout.
    expect(performance.now() - started).toBeLessThan(1400);
  });

  it('answers SERVFAIL when every upstream is dead, within upstreams × timeout', async () => {
    const dead1 = await h.upstream(drop);
    const dead2 = await h.upstream(drop);
    const fwd = h.forwarder({ upstreams: [dead1.address, dead2.address], timeoutMs: 100 });
    const started = performance.now();
    const response = decode(await fwd.forward(makeQuery({ id: 9, name: 'www.example.com' })));
    expect(response).toMatchObject({ id: 9, rcode: RCode.SERVFAIL, flags: { ra: true, aa: false } });
    expect(response.question?.name).toBe('www.example.com');
    expect(dead1.received).toHaveLength(1);
    expect(dead2.received).toHaveLength(1);
    expect(fwd.stats.servfails).toBe(1);
    expect(performance.now() - started).toBeLessThan(1200);
  });

  it.each([
    { reason: 'wrong ID', decoys: [{ idDelta: 1 }] },
    { reason: 'wrong question name', decoys: [{ name: 'evil.example.com' }] },
    { reason: 'wrong question type', decoys: [{ qtype: 28 }] },
    { reason: 'right ID but malformed body', decoys: [{ cut: 20 }] },
  ])('ignores a reply with the $reason and accepts the right one after it (RFC 5452)', async ({ decoys }) => {
    const up = await h.upstream(() => ({ ...answerWww(), decoys }));
    const fwd = h.forwarder({ upstreams: [up.address], timeoutMs: 1000 });
    const response = decode(await fwd.forward(makeQuery({ name: 'www.example.com' })));
    expect(response.answer).toHaveLength(1);
    expect(fwd.stats.upstreams[`127.0.0.1:${up.port}`]?.ignored).toBe(1);
  });

  it('times out to SERVFAIL when only forged replies come', async () => {
    const up = await h.upstream(() => ({ kind: 'reply', decoys: [{ idDelta: 7 }, { name: 'x.example.com' }], decoysOnly: true }));
    const fwd = h.forwarder({ upstreams: [up.address], timeoutMs: 150 });
    const response = decode(await fwd.forward(makeQuery({ name: 'www.example.com' })));
    expect(response.rcode).toBe(RCode.SERVFAIL);
    expect(fwd.stats.upstreams[`127.0.0.1:${up.port}`]).toMatchObject({ ignored: 2, timeouts: 1 });
  });

  it('answers SERVFAIL at once past maxInFlight', async () => {
    const dead = await h.upstream(drop);
    const fwd = h.forwarder({ upstreams: [dead.address], timeoutMs: 300, maxInFlight: 1, cache: false });
    const first = fwd.forward(makeQuery({ name: 'one.example.com' }));
    const second = decode(await fwd.forward(makeQuery({ name: 'two.example.com' })));
    expect(second.rcode).toBe(RCode.SERVFAIL);
    expect(fwd.stats.overloads).toBe(1);
    expect(decode(await first).rcode).toBe(RCode.SERVFAIL);
    expect(dead.received.map((r) => r.query.name)).toEqual(['one.example.com']);
  });

  it('coalesces identical queries in flight into one upstream exchange', async () => {
    const up = await h.upstream(() => ({ ...answerWww(), delayMs: 50 }));
    const fwd = h.forwarder({ upstreams: [up.address] });
    const [x, y] = await Promise.all([
      fwd.forward(makeQuery({ id: 1, name: 'www.example.com' })),
      fwd.forward(makeQuery({ id: 2, name: 'WWW.example.com' })),
    ]);
    expect(up.received).toHaveLength(1);
    expect([decode(x).id, decode(y).id]).toEqual([1, 2]);
    expect(decode(y).answer[0]?.name).toBe('WWW.example.com');
  });

  it('logs an upstream failure once per burst, not once per query', async () => {
    const dead = await h.upstream(drop);
    const fwd = h.forwarder({ upstreams: [dead.address], timeoutMs: 50, cache: false });
    for (const name of ['a.example.com', 'b.example.com', 'c.example.com']) await fwd.forward(makeQuery({ name }));
    const warnings = h.logs.lines.filter((line) => line['level'] === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ upstream: `127.0.0.1:${dead.port}`, reason: 'timeout' });
  });
});

describe('transport', () => {
  it('retries a truncated UDP reply over TCP', async () => {
    const up = await h.upstream((_, transport) => ({ ...answerWww(), truncate: transport === 'udp' }));
    const fwd = h.forwarder({ upstreams: [up.address] });
    const response = decode(await fwd.forward(makeQuery({ name: 'www.example.com' })));
    expect(response.flags.tc).toBe(false);
    expect(response.answer).toHaveLength(1);
    expect(up.received.map((r) => r.query.transport)).toEqual(['udp', 'tcp']);
  });

  it('cuts a big answer for a UDP client without EDNS to whole records with TC', async () => {
    const many = Array.from({ length: 60 }, (_, i) => a('big.example.com', `198.51.100.${i + 1}`));
    const up = await h.upstream(() => ({ kind: 'reply', answer: many }));
    const fwd = h.forwarder({ upstreams: [up.address] });
    const message = await fwd.forward(makeQuery({ name: 'big.example.com' }));
    expect(message.length).toBeLessThanOrEqual(512);
    const response = decode(message);
    expect(response.flags.tc).toBe(true);
    expect(response.answer.length).toBeGreaterThan(20);
    expect(response.answer.length).toBeLessThan(60);
    expect(response.answer.every((r) => r.data.type === 'A')).toBe(true);
    // The same answer over TCP is whole (and comes from the cache).
    const full = decode(await fwd.forward(makeQuery({ name: 'big.example.com', transport: 'tcp' })));
    expect(full.answer).toHaveLength(60);
    expect(full.flags.tc).toBe(false);
  });

  it('forwards a TCP client over TCP', async () => {
    const up = await h.upstream(answerWww);
    const fwd = h.forwarder({ upstreams: [up.address] });
    const response = decode(await fwd.forward(makeQuery({ name: 'www.example.com', transport: 'tcp' })));
    expect(response.answer).toHaveLength(1);
    expect(up.received.map((r) => r.query.transport)).toEqual(['tcp']);
  });

  it('treats a TCP connection closed mid-answer as a failure and fails over', async () => {
    const broken = await h.upstream(() => ({ kind: 'close-mid-answer' }));
    const good = await h.upstream(answerWww);
    const fwd = h.forwarder({ upstreams: [broken.address, good.address], timeoutMs: 500 });
    const response = decode(await fwd.forward(makeQuery({ name: 'www.example.com', transport: 'tcp' })));
    expect(response.answer).toHaveLength(1);
    expect(fwd.stats.upstreams[`127.0.0.1:${broken.port}`]?.errors).toBe(1);
  });

  it('relays the truncated UDP reply when the TCP retry fails, and does not cache it', async () => {
    const up = await h.upstream((_, transport) =>
      transport === 'udp' ? { ...answerWww(), truncate: true } : { kind: 'close-mid-answer' },
    );
    const fwd = h.forwarder({ upstreams: [up.address] });
    const response = decode(await fwd.forward(makeQuery({ name: 'www.example.com' })));
    expect(response.flags.tc).toBe(true);
    await fwd.forward(makeQuery({ name: 'www.example.com' }));
    expect(up.received).toHaveLength(4);
  });
});
