// close() leaves nothing behind; failure logging is bursty.

import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RCode } from '../../src/dns/types.js';
import { BurstLog } from '../../src/burst-log.js';
import { decode, makeQuery } from '../helpers/decode.js';
import { a, captureLogs, drop, Harness } from '../helpers/forward-harness.js';

function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

describe('close()', () => {
  it('closes every socket and timer, and answers queries still pending', async () => {
    const before = handles();
    const h = new Harness();
    const up = await h.upstream((q, transport) => ({
      kind: 'reply', answer: [a(q.name, '192.0.2.1')], truncate: q.name.startsWith('tc') && transport === 'udp',
    }));
    const dead = await h.upstream(drop);
    const fwd = h.forwarder({ upstreams: [up.address], stubDomains: [{ suffix: 'dead.example', upstreams: [dead.address] }] });
    await fwd.forward(makeQuery({ name: 'udp.example.com' }));
    await fwd.forward(makeQuery({ name: 'tcp.example.com', transport: 'tcp' }));
    await fwd.forward(makeQuery({ name: 'tc.example.com' }));
    const pending = fwd.forward(makeQuery({ name: 'x.dead.example' }));
    await tick();
    await fwd.close();
    expect(decode(await pending).rcode).toBe(RCode.SERVFAIL);
    await h.close();
    await tick();
    // Only growth is a leak: a timer of the test runner's may have been live when `before` was taken.
    const after = handles();
    const grown = Object.fromEntries(Object.entries(after).filter(([kind, count]) => count > (before[kind] ?? 0)));
    expect(grown).toEqual({});
  });

  it('after close, answers SERVFAIL without sending anything', async () => {
    const h = new Harness();
    const up = await h.upstream((q) => ({ kind: 'reply', answer: [a(q.name, '192.0.2.1')] }));
    const fwd = h.forwarder({ upstreams: [up.address] });
    await fwd.close();
    expect(decode(await fwd.forward(makeQuery({ name: 'www.example.com' }))).rcode).toBe(RCode.SERVFAIL);
    expect(await fwd.lookup('www.example.com', 1)).toEqual({ kind: 'unreachable' });
    expect(up.received).toHaveLength(0);
    await h.close();
  });
});

describe('BurstLog', () => {
  it('warns once per window per upstream and reports what it left out', () => {
    const { logger, lines } = captureLogs();
    let now = 0;
    const burst = new BurstLog(logger, () => now, 10_000);
    const failure = (upstream: string) => burst.event(upstream, { upstream, reason: 'timeout' }, 'upstream failed');
    failure('10.0.0.1:53');
    failure('10.0.0.1:53');
    failure('10.0.0.2:53');
    now = 5_000;
    failure('10.0.0.1:53');
    now = 10_000;
    failure('10.0.0.1:53');
    expect(lines.map((line) => [line['upstream'], line['suppressed']])).toEqual([
      ['10.0.0.1:53', undefined],
      ['10.0.0.2:53', undefined],
      ['10.0.0.1:53', 2],
    ]);
  });
});
