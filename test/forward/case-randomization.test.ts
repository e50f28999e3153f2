// DNS 0x20 (--upstream-0x20, off by default): the upstream sees random letter
// case and a reply must echo it byte for byte; the client still gets its own
// spelling back. Real fake upstreams on 127.0.0.1.

import { afterEach, describe, expect, it } from 'vitest';
import { RCode } from '../../src/dns/types.js';
import { randomCase } from '../../src/forward/forwarder.js';
import { decode, makeQuery } from '../wire/decode.js';
import { a, Harness } from './harness.js';

const NAME = 'www.example-randomised.com';
const h = new Harness();
afterEach(() => h.close());

describe('randomCase', () => {
  it('changes only the case of ASCII letters, escapes and digits kept', () => {
    for (let i = 0; i < 20; i++) {
      const mixed = randomCase('a1-b\\.c\\065.ex');
      expect(mixed.toLowerCase()).toBe('a1-b\\.c\\065.ex');
    }
    expect(new Set(Array.from({ length: 20 }, () => randomCase(NAME))).size).toBeGreaterThan(1);
  });
});

describe('--upstream-0x20', () => {
  it('asks in random case, accepts the echo, answers the client in its own case', async () => {
    const up = await h.upstream((query) => ({ kind: 'reply', answer: [a(query.name, '192.0.2.1')] }));
    const fwd = h.forwarder({ upstreams: [up.address], randomizeCase: true, cache: false });
    for (let i = 0; i < 8; i++) {
      const reply = decode(await fwd.forward(makeQuery({ name: NAME })));
      expect(reply.rcode).toBe(RCode.NOERROR);
      expect(reply.question?.name).toBe(NAME);
      expect(reply.answer.map((record) => record.data)).toEqual([{ type: 'A', address: '192.0.2.1' }]);
    }
    const asked = new Set(up.received.map((received) => received.query.name));
    expect([...asked].every((name) => name.toLowerCase() === NAME)).toBe(true);
    expect(asked.size).toBeGreaterThan(1);
  });

  it('drops a reply whose question is not in the case it was asked', async () => {
    // The upstream answers with the question lower-cased, as some middleboxes do.
    const lowercasing = () => ({ kind: 'reply' as const, decoys: [{ name: NAME }], decoysOnly: true });
    const up = await h.upstream(lowercasing);
    const strict = h.forwarder({ upstreams: [up.address], randomizeCase: true, cache: false, timeoutMs: 200 });
    expect(decode(await strict.forward(makeQuery({ name: NAME }))).rcode).toBe(RCode.SERVFAIL);
    expect(strict.stats.upstreams[`127.0.0.1:${up.port}`]?.ignored).toBeGreaterThanOrEqual(1);
    // Off (the default), the same reply is accepted.
    const plain = h.forwarder({ upstreams: [up.address], cache: false, timeoutMs: 200 });
    expect(decode(await plain.forward(makeQuery({ name: NAME }))).rcode).toBe(RCode.NOERROR);
  });
});
