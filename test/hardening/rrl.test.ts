// Response rate limiting (BIND-style RRL with slip), on an injected clock.
import { describe, expect, it } from 'vitest';
import { clientNetwork, parseRate, ResponseRateLimiter, type RateVerdict } from '../../src/guard/rrl.js';

function limiter(perSecond: number, slip: number, extra: { maxClients?: number } = {}) {
  const clock = { ms: 1_000_000 };
  const rrl = new ResponseRateLimiter({ perSecond, slip, now: () => clock.ms, ...extra });
  return { rrl, clock };
}

describe('ResponseRateLimiter', () => {
  const rows: { name: string; perSecond: number; slip: number; queries: number; expected: RateVerdict[] }[] = [
    { name: 'within the rate: all answered', perSecond: 3, slip: 2, queries: 3, expected: ['answer', 'answer', 'answer'] },
    {
      name: 'past the rate, slip 2: every 2nd refused response goes out truncated',
      perSecond: 2, slip: 2, queries: 7,
      expected: ['answer', 'answer', 'drop', 'slip', 'drop', 'slip', 'drop'],
    },
    { name: 'slip 0: refused responses are all dropped', perSecond: 1, slip: 0, queries: 4, expected: ['answer', 'drop', 'drop', 'drop'] },
    { name: 'slip 1: refused responses all go out truncated', perSecond: 1, slip: 1, queries: 3, expected: ['answer', 'slip', 'slip'] },
    {
      name: 'slip 3',
      perSecond: 1, slip: 3, queries: 7,
      expected: ['answer', 'drop', 'drop', 'slip', 'drop', 'drop', 'slip'],
    },
  ];
  for (const row of rows) {
    it(`${row.name} (${row.queries} queries at ${row.perSecond}/s in the same instant)`, () => {
      const { rrl } = limiter(row.perSecond, row.slip);
      const verdicts = Array.from({ length: row.queries }, () => rrl.check('192.0.2.1'));
      expect(verdicts).toEqual(row.expected);
    });
  }

  it('tokens come back with time, never above one second of burst', () => {
    const { rrl, clock } = limiter(10, 2);
    for (let i = 0; i < 10; i++) expect(rrl.check('192.0.2.1')).toBe('answer');
    expect(rrl.check('192.0.2.1')).not.toBe('answer');
    clock.ms += 100; // 0.1 s at 10/s: one token
    expect(rrl.check('192.0.2.1')).toBe('answer');
    expect(rrl.check('192.0.2.1')).not.toBe('answer');
    clock.ms += 60_000; // a minute idle refills to the burst (10), not 600
    const answered = Array.from({ length: 20 }, () => rrl.check('192.0.2.1')).filter((v) => v === 'answer').length;
    expect(answered).toBe(10);
  });

  it('a sustained flood at 2x the rate gets half its responses, 1 in 4 truncated, 1 in 4 dropped', () => {
    const { rrl, clock } = limiter(100, 2);
    const counts = { answer: 0, slip: 0, drop: 0 };
    // 10 simulated seconds at 200 queries/s, after the first second's burst.
    for (let i = 0; i < 200; i++) rrl.check('198.51.100.9');
    for (let ms = 0; ms < 10_000; ms += 5) {
      clock.ms += 5;
      counts[rrl.check('198.51.100.9')]++;
    }
    expect(counts).toEqual({ answer: 1000, slip: 500, drop: 500 });
  });

  it('one network is limited, another is not: clients in the same /24 share a bucket', () => {
    const { rrl } = limiter(1, 0);
    expect(rrl.check('192.0.2.1')).toBe('answer');
    expect(rrl.check('192.0.2.200')).toBe('drop'); // same /24
    expect(rrl.check('192.0.3.1')).toBe('answer'); // next /24
    expect(rrl.check('2001:db8:0:1::1')).toBe('answer');
    expect(rrl.check('2001:db8:0:ff::2')).toBe('drop'); // same /56
    expect(rrl.check('2001:db8:0:100::1')).toBe('answer'); // next /56
  });

  it('tracks at most maxClients networks (the least recently seen is forgotten)', () => {
    const { rrl } = limiter(1, 0, { maxClients: 3 });
    for (const address of ['10.0.1.1', '10.0.2.1', '10.0.3.1', '10.0.4.1']) rrl.check(address);
    expect(rrl.trackedClients).toBe(3);
    expect(rrl.check('10.0.1.1')).toBe('answer'); // forgotten, so a fresh bucket
  });

  it('the one-entry memo of the last address keeps buckets per network: a flooder interleaved with others', () => {
    const { rrl } = limiter(2, 0);
    const verdicts = ['198.51.100.9', '198.51.100.9', '192.0.2.1', '198.51.100.9', '198.51.100.10', '192.0.2.1', '192.0.2.1']
      .map((address) => rrl.check(address));
    expect(verdicts).toEqual(['answer', 'answer', 'answer', 'drop', 'drop', 'answer', 'drop']);
  });

  it('a remembered bucket that is forgotten (maxClients) starts over in one bucket, not two', () => {
    const { rrl } = limiter(1, 0, { maxClients: 1 });
    expect(rrl.check('10.0.1.1')).toBe('answer');
    expect(rrl.check('10.0.2.1')).toBe('answer'); // forgets 10.0.1.0/24
    expect(rrl.check('10.0.1.1')).toBe('answer'); // a fresh bucket, now the only one
    expect(rrl.check('10.0.1.2')).toBe('drop'); // same /24, same bucket
    expect(rrl.trackedClients).toBe(1);
  });
});

describe('clientNetwork', () => {
  const rows = [
    { address: '192.0.2.77', network: '192.0.2.0/24' },
    { address: '::ffff:192.0.2.77', network: '192.0.2.0/24' },
    { address: '2001:db8:aa:bbcc:1::1', network: '2001:db8:aa:bb00::/56' },
    { address: '2001:db8::1', network: '2001:db8:0:0::/56' },
    { address: '::1', network: '0:0:0:0::/56' },
    { address: 'fe80::1%eth0', network: 'fe80:0:0:0::/56' },
  ];
  for (const row of rows) it(`${row.address} → ${row.network}`, () => expect(clientNetwork(row.address)).toBe(row.network));
});

describe('parseRate', () => {
  const rows: { text: string; expected: number | string }[] = [
    { text: '100/s', expected: 100 },
    { text: '5', expected: 5 },
    { text: ' 20 / s ', expected: 20 },
    { text: '0/s', expected: 'error' },
    { text: '10/m', expected: 'error' },
    { text: 'fast', expected: 'error' },
  ];
  for (const row of rows) {
    it(`${JSON.stringify(row.text)} → ${row.expected}`, () => {
      const parsed = parseRate(row.text);
      expect(parsed instanceof Error ? 'error' : parsed).toBe(row.expected);
    });
  }
});
