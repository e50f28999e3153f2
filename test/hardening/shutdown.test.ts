// Shutdown and restart (issue 7 part 5) with the real CLI: the first
// SIGTERM/SIGINT stops accepting and finishes queries in flight (bounded by
// --shutdown-grace), a second one exits at once, and the port is free again
// the moment the process is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServerProcess } from '../helpers/server-process.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { connectTcp, crafted, rcodeOf, tcpAsk, udpAsk } from '../helpers/net.js';

let upstream: FakeUpstream;
/** Upstream answer delay per name: 'slowN.example' waits, others answer at once. */
let delayMs = 300;

beforeAll(async () => {
  upstream = await startFakeUpstream((query) => ({
    kind: 'reply',
    delayMs: query.name.startsWith('slow') ? delayMs : 0,
    answer: [{ name: query.name, ttl: 60, data: { type: 'A', address: '192.0.2.1' } }],
  }));
});
afterAll(async () => {
  await upstream?.close();
});

function serve(extra: string[] = []): Promise<ServerProcess> {
  return startServe(['-f', 'test/fixtures/e2e', '--upstream', `127.0.0.1:${upstream.port}`, '--no-cache', ...extra]);
}

let round = 0;

/**
 * Send `count` slow questions over UDP and TCP, with names of their own.
 * `replies` resolves with their rcodes (-1 = no reply); `forwarded` once the
 * upstream has received every one of them, so they are in flight in the server.
 */
function askSlow(port: number, count: number, timeoutMs: number): { replies: Promise<number[]>; forwarded: Promise<void> } {
  round += 1;
  const names = Array.from({ length: count }, (_, i) => `slow${i}-round${round}.example`);
  const replies = Promise.all(
    names.map((name, i) => {
      const question = crafted(100 + i, name);
      const reply = i % 2 === 0 ? udpAsk(port, question, timeoutMs) : tcpAsk(port, question, timeoutMs);
      return reply.then((r) => (r ? rcodeOf(r) : -1));
    }),
  );
  const forwarded = upstream.until((received) => names.every((name) => received.some((r) => r.query.name === name)));
  return { replies, forwarded };
}

function stoppedLine(server: ServerProcess): Record<string, unknown> | undefined {
  return server.logs.find((line) => String(line['msg']).startsWith('stopped'));
}

describe('graceful stop', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: 6 queries in flight (UDP and TCP) are answered, queries lost = 0, exit code 0`, async () => {
      delayMs = 300;
      const server = await serve();
      const { replies, forwarded } = askSlow(server.port, 6, 3000);
      await forwarded; // the queries are now waiting on the upstream
      const exited = server.stop(signal);
      expect(await replies).toEqual([0, 0, 0, 0, 0, 0]);
      expect(await exited).toBe(0);
      expect(stoppedLine(server)).toMatchObject({ inFlight: 6, late: 0, lost: 0 });
    });
  }

  it('past --shutdown-grace: 4 queries still waiting get SERVFAIL, lost = 0, exit code 0', async () => {
    delayMs = 5000;
    const server = await serve(['--shutdown-grace', '200']);
    const { replies, forwarded } = askSlow(server.port, 4, 3000);
    await forwarded;
    const started = performance.now();
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(performance.now() - started).toBeLessThan(4000); // well before the upstream's 5 s answer
    expect(await replies).toEqual([2, 2, 2, 2]);
    expect(stoppedLine(server)).toMatchObject({ inFlight: 4, late: 4, lost: 0 });
  });

  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`a second ${signal} exits at once with code ${code}`, async () => {
      delayMs = 5000;
      const server = await serve(['--shutdown-grace', '10000']);
      const { replies, forwarded } = askSlow(server.port, 2, 500);
      await forwarded;
      const started = performance.now();
      server.child.kill(signal);
      // The graceful stop has begun (and the second-signal handler is set) once this line is out.
      await server.untilLog((line) => String(line['msg']).startsWith(`received ${signal}, shutting down`));
      expect(await server.stop(signal)).toBe(code);
      expect(performance.now() - started).toBeLessThan(4000); // well before the upstream's 5 s answer
      await replies; // the client sockets time out and close
    });
  }
});

describe('restart', () => {
  it('a new server binds the same port (UDP and TCP) right after the old one exits, 3 restarts', async () => {
    delayMs = 0;
    let server = await serve();
    const port = server.port;
    for (let run = 1; run <= 3; run++) {
      // A client connection open at the stop (closed by the server: TIME_WAIT on its side) must not hold the port.
      const open = await connectTcp(port);
      expect(await server.stop('SIGTERM')).toBe(0);
      await open.closed;
      server = await serve(['--port', String(port)]);
      expect(server.port).toBe(port);
      const question = crafted(run, 'kubernetes.default.svc.cluster.local');
      const [udp, tcp] = await Promise.all([udpAsk(port, question), tcpAsk(port, question)]);
      expect([udp && rcodeOf(udp), tcp && rcodeOf(tcp)]).toEqual([0, 0]);
    }
    expect(await server.stop('SIGINT')).toBe(0);
  });
});
