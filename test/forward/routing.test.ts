// Stub domains, upstream policies and lookup() for ExternalName targets.

import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { RCode, RRType } from '../../src/dns/types.js';
import { decode, makeQuery } from '../helpers/decode.js';
import { a, cname, drop, Harness, soa } from '../helpers/forward-harness.js';
import type { Handler } from '../helpers/fake-upstream.js';
import type { Upstream } from '../../src/resolve/upstream.js';

const h = new Harness();
afterEach(() => h.close());

/** An address on loopback where nothing listens (bound, then closed again). */
async function closedPort(): Promise<{ host: string; port: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return { host: '127.0.0.1', port };
}

const answers = (address: string): Handler => (q) => ({ kind: 'reply', answer: [a(q.name, address)] });

describe('stub domains', () => {
  it.each([
    { name: 'www.example.com', via: 'default' },
    { name: 'host.corp.example', via: 'corp' },
    { name: 'CORP.example', via: 'corp' },
    { name: 'db.lab.corp.example', via: 'lab' },
    { name: 'xcorp.example', via: 'default' },
  ])('$name goes to the $via upstream (longest suffix wins)', async ({ name, via }) => {
    const ups = { default: await h.upstream(answers('192.0.2.1')), corp: await h.upstream(answers('192.0.2.2')), lab: await h.upstream(answers('192.0.2.3')) };
    const fwd = h.forwarder({
      upstreams: [ups.default.address],
      stubDomains: [
        { suffix: 'corp.example', upstreams: [ups.corp.address] },
        { suffix: 'lab.corp.example', upstreams: [ups.lab.address] },
      ],
    });
    await fwd.forward(makeQuery({ name }));
    expect(Object.entries(ups).filter(([, up]) => up.received.length > 0).map(([key]) => key)).toEqual([via]);
  });
});

describe('policies', () => {
  it.each([
    { policy: 'sequential' as const, expected: [4, 0] },
    { policy: 'round_robin' as const, expected: [2, 2] },
  ])('$policy spreads 4 queries as $expected', async ({ policy, expected }) => {
    const one = await h.upstream(answers('192.0.2.1'));
    const two = await h.upstream(answers('192.0.2.2'));
    const fwd = h.forwarder({ upstreams: [one.address, two.address], policy, cache: false });
    for (let i = 0; i < 4; i++) await fwd.forward(makeQuery({ name: 'www.example.com' }));
    expect([one.received.length, two.received.length]).toEqual(expected);
  });

  it('random reaches every upstream and still fails over', async () => {
    // Nothing listens on the first: the connected UDP socket is refused at once, so the
    // failover waits on no timeout, and the good upstream has the default timeout to answer in.
    const dead = await closedPort();
    const good = await h.upstream(answers('192.0.2.2'));
    const fwd = h.forwarder({ upstreams: [dead, good.address], policy: 'random', cache: false });
    for (let i = 0; i < 8; i++) {
      expect(decode(await fwd.forward(makeQuery({ name: 'www.example.com' }))).rcode).toBe(RCode.NOERROR);
    }
    expect(good.received).toHaveLength(8);
  });
});

describe('lookup() for ExternalName targets', () => {
  it('returns the decoded answer section, CNAME chain included', async () => {
    const up = await h.upstream(() => ({
      kind: 'reply',
      answer: [cname('www.example.com', 'edge.cdn.example.net', 600), a('edge.cdn.example.net', '203.0.113.9', 60)],
    }));
    // A Forwarder is what the responder calls an Upstream.
    const fwd: Upstream = h.forwarder({ upstreams: [up.address] });
    expect(await fwd.lookup('www.example.com.', RRType.A)).toEqual({
      kind: 'answer',
      records: [cname('www.example.com', 'edge.cdn.example.net', 600), a('edge.cdn.example.net', '203.0.113.9', 60)],
    });
  });

  it.each([
    { case: 'NXDOMAIN', rcode: RCode.NXDOMAIN, expected: 'nxdomain' },
    { case: 'NODATA', rcode: RCode.NOERROR, expected: 'nodata' },
    { case: 'SERVFAIL from upstream', rcode: RCode.SERVFAIL, expected: 'unreachable' },
    { case: 'REFUSED', rcode: RCode.REFUSED, expected: 'unreachable' },
  ])('$case → $expected', async ({ rcode, expected }) => {
    const up = await h.upstream(() => ({ kind: 'reply', rcode, authority: [soa('example.com', 60, 60)] }));
    const fwd = h.forwarder({ upstreams: [up.address] });
    expect(await fwd.lookup('nope.example.com', RRType.A)).toEqual({ kind: expected });
  });

  it('is unreachable when no upstream answers, and shares the cache with forward()', async () => {
    const dead = await h.upstream(drop);
    const fwd = h.forwarder({ upstreams: [dead.address], timeoutMs: 50 });
    expect(await fwd.lookup('www.example.com', RRType.A)).toEqual({ kind: 'unreachable' });
    const up = await h.upstream(answers('192.0.2.7'));
    const cached = h.forwarder({ upstreams: [up.address] });
    await cached.forward(makeQuery({ name: 'www.example.com', edns: { udpSize: 1232, do: false, version: 0 } }));
    expect(await cached.lookup('www.example.com', RRType.A)).toMatchObject({ kind: 'answer' });
    expect(up.received).toHaveLength(1);
  });

  it('is unreachable for a name that cannot be encoded', async () => {
    const up = await h.upstream(answers('192.0.2.7'));
    const fwd = h.forwarder({ upstreams: [up.address] });
    expect(await fwd.lookup(`${'x'.repeat(64)}.example.com`, RRType.A)).toEqual({ kind: 'unreachable' });
  });
});
