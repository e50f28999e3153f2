// A UDP flood from one network while ordinary clients ask (issue 7 part 2),
// scaled down from `npm run load -- --scenario flood` so it runs in a few
// seconds anywhere: the real CLI with --rate-limit and --rate-limit-slip 0
// (drop every refused response: the cheapest thing to do with a flooded
// datagram), a flooder on 127.3.0.1, and a client on 127.0.0.1 that retries
// like a pod's resolver (`options timeout:1 attempts:2`). Only counts are
// asserted, no timings.

import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServerProcess } from '../helpers/server-process.js';
import { crafted, rcodeOf, truncated, udpAsk } from '../helpers/net.js';

const NAME = 'kubernetes.default.svc.cluster.local';
const FLOOD_PER_SECOND = 4_000;
const FLOOD_SECONDS = 2;
const LIMIT_PER_SECOND = 50;
const ORDINARY_QUERIES = 20;
const ATTEMPTS = 2;
const TIMEOUT_MS = 1_000;

interface FloodResult {
  sent: number;
  answers: number;
  truncated: number;
}

/** Send FLOOD_PER_SECOND queries a second from `source` for FLOOD_SECONDS, counting what comes back. */
function flood(port: number, source: string): Promise<FloodResult> {
  const result: FloodResult = { sent: 0, answers: 0, truncated: 0 };
  const socket = dgram.createSocket('udp4');
  socket.on('message', (reply) => {
    if (truncated(reply)) result.truncated++;
    else result.answers++;
  });
  return new Promise((resolve) => {
    socket.bind(0, source, () => {
      const started = performance.now();
      const tick = setInterval(() => {
        const elapsed = performance.now() - started;
        const due = Math.min(FLOOD_PER_SECOND * FLOOD_SECONDS, Math.floor((elapsed / 1000) * FLOOD_PER_SECOND));
        for (; result.sent < due; result.sent++) socket.send(crafted(result.sent & 0xffff, NAME), port, '127.0.0.1');
        if (elapsed < FLOOD_SECONDS * 1000) return;
        clearInterval(tick);
        // Replies still on their way are counted for a moment longer.
        setTimeout(() => socket.close(() => resolve(result)), 300);
      }, 5);
    });
  });
}

/** One ordinary question with resolver-like retries: the attempt that got the answer (0 = none). */
async function ordinary(port: number, id: number): Promise<number> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const reply = await udpAsk(port, crafted(id, NAME), TIMEOUT_MS, '127.0.0.1', '127.0.0.1');
    if (reply && !truncated(reply) && rcodeOf(reply) === 0) return attempt;
  }
  return 0;
}

let server: ServerProcess;
let flooded: FloodResult;
let attempts: number[];

beforeAll(async () => {
  server = await startServe(['-f', 'test/fixtures/e2e', '--rate-limit', `${LIMIT_PER_SECOND}/s`, '--rate-limit-slip', '0']);
  const attack = flood(server.port, '127.3.0.1');
  const asks: Promise<number>[] = [];
  for (let i = 0; i < ORDINARY_QUERIES; i++) {
    asks.push(ordinary(server.port, 50_000 + i));
    await new Promise((resolve) => setTimeout(resolve, (FLOOD_SECONDS * 1000) / ORDINARY_QUERIES));
  }
  [flooded, attempts] = await Promise.all([attack, Promise.all(asks)]);
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

describe(`UDP flood of ${FLOOD_PER_SECOND * FLOOD_SECONDS} queries from one network, --rate-limit ${LIMIT_PER_SECOND}/s --rate-limit-slip 0`, () => {
  it(`ordinary clients: ${ORDINARY_QUERIES} asked, answered within ${ATTEMPTS} tries = all, lost = 0`, () => {
    console.log(`ordinary: ${attempts.filter((a) => a === 1).length} on the first try, ${attempts.filter((a) => a > 0).length} within ${ATTEMPTS} tries, ${attempts.filter((a) => a === 0).length} lost`);
    expect(attempts.filter((a) => a === 0)).toEqual([]);
  });

  it('the flooder gets its allowance and nothing more: no truncated replies (slip 0), answers ≤ burst + rate × seconds', () => {
    console.log(`flooder: ${flooded.sent} sent, ${flooded.answers} answered, ${flooded.truncated} truncated`);
    expect(flooded.sent).toBe(FLOOD_PER_SECOND * FLOOD_SECONDS);
    expect(flooded.truncated).toBe(0);
    expect(flooded.answers).toBeGreaterThan(0);
    // Burst (one second's worth) plus the rate over the flood, with a second of slack for a slow start.
    expect(flooded.answers).toBeLessThanOrEqual(LIMIT_PER_SECOND * (FLOOD_SECONDS + 2));
  });

  it('the server logged the limit once (a burst window), and no error', () => {
    expect(server.logs.filter((line) => String(line['msg']).startsWith('rate limit:'))).toHaveLength(1);
    expect(server.logs.filter((line) => Number(line['level']) >= 50)).toEqual([]);
  });
});
