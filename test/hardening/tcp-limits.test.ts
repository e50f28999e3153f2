// TCP caps (issue 7 part 2) on a real server over loopback: each test holds
// connections against one cap and shows the others still get answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { writeEmptyResponse } from '../../src/dns/wire.js';
import { startDnsServer, type DnsServer, type QueryHandler } from '../../src/server/index.js';
import type { Query } from '../../src/resolve/query.js';
import { connectTcp, crafted, frame, rcodeOf, sleep, tcpAsk, udpAsk, type HeldConnection } from './net.js';

const LIMITS = { maxConnections: 20, maxPerClient: 5, idleTimeoutMs: 300, maxInFlight: 2, maxMessageBytes: 512 };

const handler: QueryHandler = (query: Query) => {
  const reply = writeEmptyResponse(query, { rcode: 0 });
  if (!query.name.startsWith('slow')) return reply;
  return new Promise((resolve) => setTimeout(() => resolve(reply), 500));
};

let server: DnsServer;
const held: HeldConnection[] = [];

beforeAll(async () => {
  server = await startDnsServer({ host: '127.0.0.1', port: 0, handler, logger: pino({ level: 'silent' }), guard: { tcp: LIMITS } });
});
afterAll(async () => {
  for (const connection of held) connection.socket.destroy();
  await server.close();
});

async function hold(count: number, localAddress: string): Promise<HeldConnection[]> {
  const opened: HeldConnection[] = [];
  for (let i = 0; i < count; i++) opened.push(await connectTcp(server.port, localAddress));
  held.push(...opened);
  return opened;
}

/** An ordinary client's questions, over UDP and TCP; how many came back NOERROR. */
async function ordinaryAnswered(count: number): Promise<number> {
  let answered = 0;
  for (let i = 0; i < count; i++) {
    const question = crafted(1000 + i, `ordinary${i}.test`);
    const [udp, tcp] = await Promise.all([udpAsk(server.port, question), tcpAsk(server.port, question)]);
    if (udp && rcodeOf(udp) === 0) answered++;
    if (tcp && rcodeOf(tcp) === 0) answered++;
  }
  return answered;
}

describe('TCP connection caps', () => {
  it('per client: 5 connections held from 127.0.0.2, the 6th is closed at once; others answered 10/10', async () => {
    const before = server.gate.tcp.stats.refusedPerClient;
    const five = await hold(5, '127.0.0.2');
    const sixth = await connectTcp(server.port, '127.0.0.2');
    await sixth.closed;
    expect(five.filter((c) => c.isOpen())).toHaveLength(5);
    expect(server.gate.tcp.stats.refusedPerClient - before).toBe(1);
    expect(await ordinaryAnswered(5)).toBe(10);
    for (const c of five) c.socket.destroy();
  });

  it('in total: 20 idle connections held, a 21st client is served (the longest-idle connection is closed)', async () => {
    await sleep(50);
    const before = server.gate.tcp.stats.evictedIdle;
    const idle: HeldConnection[] = [];
    for (const address of ['127.0.0.10', '127.0.0.11', '127.0.0.12', '127.0.0.13']) idle.push(...(await hold(5, address)));
    expect(server.gate.tcp.open).toBe(20);
    const reply = await tcpAsk(server.port, crafted(7, 'newcomer.test'));
    expect(reply && rcodeOf(reply)).toBe(0);
    await idle[0]!.closed; // the oldest one made room
    expect(server.gate.tcp.stats.evictedIdle - before).toBeGreaterThanOrEqual(1);
    for (const c of idle) c.socket.destroy();
  });
});

describe('TCP deadlines', () => {
  it('an idle connection (nothing sent) is closed after the idle timeout', async () => {
    const [connection] = await hold(1, '127.0.0.20');
    const lifetime = await connection!.closed;
    expect(lifetime).toBeGreaterThanOrEqual(250);
    expect(lifetime).toBeLessThan(3000);
  });

  it('slow-loris: a query dripped one byte every 50 ms is cut off; ordinary clients answered 6/6 meanwhile', async () => {
    const [loris] = await hold(1, '127.0.0.21');
    const bytes = frame(crafted(9, 'loris.test'));
    let sent = 0;
    const drip = (async () => {
      for (const byte of bytes) {
        if (!loris!.isOpen()) break;
        loris!.socket.write(Buffer.from([byte]));
        sent++;
        await sleep(50);
      }
    })();
    expect(await ordinaryAnswered(3)).toBe(6);
    await loris!.closed;
    await drip;
    expect(sent).toBeLessThan(bytes.length); // closed before the query was complete
  });

  it('a query that waits on a slow answer keeps its connection past the idle timeout', async () => {
    const reply = await tcpAsk(server.port, crafted(11, 'slow.test'), 2000);
    expect(reply && rcodeOf(reply)).toBe(0);
  });
});

describe('TCP message and in-flight caps', () => {
  it('a message announced larger than 512 bytes closes the connection at once', async () => {
    const before = server.gate.tcp.stats.closedOversize;
    const [connection] = await hold(1, '127.0.0.30');
    connection!.socket.write(Buffer.from([0xea, 0x60, 0, 0])); // announces 60000 bytes
    await connection!.closed;
    expect(server.gate.tcp.stats.closedOversize - before).toBe(1);
  });

  it('5 slow queries pipelined on one connection: 2 answered, 3 REFUSED at once, 0 lost', async () => {
    const [connection] = await hold(1, '127.0.0.31');
    const replies: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    connection!.socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        replies.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
    });
    connection!.socket.write(Buffer.concat([1, 2, 3, 4, 5].map((id) => frame(crafted(id, `slow${id}.test`)))));
    for (let waited = 0; replies.length < 5 && waited < 3000; waited += 50) await sleep(50);
    const rcodes = replies.map((reply) => ({ id: reply.readUInt16BE(0), rcode: rcodeOf(reply) })).sort((a, b) => a.id - b.id);
    expect(rcodes).toEqual([
      { id: 1, rcode: 0 }, { id: 2, rcode: 0 }, { id: 3, rcode: 5 }, { id: 4, rcode: 5 }, { id: 5, rcode: 5 },
    ]);
  });
});

describe('TCP messages left without a reply', () => {
  // Its own server with a long idle timeout: any close seen here is the server finishing the connection.
  let patient: DnsServer;
  beforeAll(async () => {
    patient = await startDnsServer({
      host: '127.0.0.1', port: 0, handler, logger: pino({ level: 'silent' }),
      guard: { tcp: { ...LIMITS, maxPerClient: 3, idleTimeoutMs: 30_000 } },
    });
  });
  afterAll(async () => {
    await patient.close();
  });

  it('3 connections each send a QR=1 message and half-close: all closed by the server, the client is not locked out', async () => {
    const reply = crafted(40, 'reply.test');
    reply[2] = (reply[2] as number) | 0x80; // QR=1: never answered
    const connections: HeldConnection[] = [];
    for (let i = 0; i < 3; i++) connections.push(await connectTcp(patient.port, '127.0.0.40'));
    for (const connection of connections) connection.socket.end(frame(reply));
    await Promise.all(connections.map((connection) => connection.closed));
    for (let waited = 0; patient.gate.tcp.open > 0 && waited < 1000; waited += 20) await sleep(20); // the server's side closes just after
    expect(patient.gate.tcp.open).toBe(0);
    expect(patient.inFlight).toBe(0);
    const answer = await tcpAsk(patient.port, crafted(41, 'after.test'), 1000, '127.0.0.40');
    expect(answer && rcodeOf(answer)).toBe(0);
  });
});
