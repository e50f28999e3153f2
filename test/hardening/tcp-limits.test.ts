// TCP caps (issue 7 part 2) on a real server over loopback: each test holds
// connections against one cap and shows the others still get answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { writeEmptyResponse } from '../../src/dns/wire.js';
import { startDnsServer, type DnsServer, type QueryHandler } from '../../src/server/index.js';
import type { Query } from '../../src/dns/query.js';
import { connectTcp, crafted, frame, rcodeOf, sleep, tcpAsk, udpAsk, type HeldConnection } from '../helpers/net.js';
import { waitFor } from '../helpers/live.js';

const LIMITS = { maxConnections: 20, maxPerClient: 5, idleTimeoutMs: 300, maxInFlight: 2, maxMessageBytes: 512, maxQueuedBytes: 65_536 };

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
  it('per client: 5 idle connections held from 127.0.0.2, a 6th is served and the longest-idle one closed', async () => {
    const before = server.gate.tcp.stats.evictedPerClient;
    const five = await hold(5, '127.0.0.2');
    const reply = await tcpAsk(server.port, crafted(8, 'sixth.test'), 1000, '127.0.0.2');
    expect(reply && rcodeOf(reply)).toBe(0);
    await five[0]!.closed;
    expect(five.slice(1).filter((c) => c.isOpen())).toHaveLength(4);
    expect(server.gate.tcp.stats.evictedPerClient - before).toBe(1);
    expect(await ordinaryAnswered(5)).toBe(10);
    for (const c of five) c.socket.destroy();
  });

  it('per client: when none of its connections is idle, the new one is closed at once', async () => {
    const before = server.gate.tcp.stats.refusedPerClient;
    const five = await hold(5, '127.0.0.3');
    // Each holds a slow query (500 ms): nothing idle to close.
    for (const [i, c] of five.entries()) c.socket.write(frame(crafted(50 + i, `slow-busy${i}.test`)));
    for (let waited = 0; server.inFlight < 5 && waited < 2000; waited += 10) await sleep(10);
    const sixth = await connectTcp(server.port, '127.0.0.3');
    await sixth.closed;
    expect(server.gate.tcp.stats.refusedPerClient - before).toBe(1);
    for (const c of five) c.socket.destroy();
  });

  it('in total: 20 idle connections held, a 21st client is served (the longest-idle connection is closed)', async () => {
    // The earlier tests' connections are gone once the server has seen them close.
    await waitFor(() => server.gate.tcp.open === 0, 'the earlier connections to close');
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
  it('an idle connection (nothing sent) is closed by the server, by the idle deadline and not before it', async () => {
    const before = server.gate.tcp.stats.closedIdle;
    const [connection] = await hold(1, '127.0.0.20');
    const lifetime = await connection!.closed; // the server closed it: we never do
    expect(server.gate.tcp.stats.closedIdle - before).toBe(1); // the idle deadline, not another cap
    // A lower bound only (timers never fire early); how late it comes depends on the machine's load.
    expect(lifetime).toBeGreaterThanOrEqual(LIMITS.idleTimeoutMs - 50);
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

  it('5 slow queries pipelined on one connection past the in-flight cap of 2: all 5 answered NOERROR', async () => {
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
    expect(rcodes).toEqual([1, 2, 3, 4, 5].map((id) => ({ id, rcode: 0 })));
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

/** Every framed reply read off `socket`, as they come. */
function collectReplies(socket: HeldConnection['socket']): Buffer[] {
  const replies: Buffer[] = [];
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      replies.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
      buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
    }
  });
  return replies;
}

describe('issue 15: the default caps (64 per client, 32 in flight)', () => {
  // Names starting with "wait" are answered 20 ms later, so pipelined ones pile up.
  const waiting: QueryHandler = (query: Query) => {
    const reply = writeEmptyResponse(query, { rcode: 0 });
    return query.name.startsWith('wait') ? new Promise((resolve) => setTimeout(() => resolve(reply), 20)) : reply;
  };
  let defaults: DnsServer;
  const mine: HeldConnection[] = [];
  beforeAll(async () => {
    defaults = await startDnsServer({ host: '127.0.0.1', port: 0, handler: waiting, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    for (const connection of mine) connection.socket.destroy();
    await defaults.close();
  });

  it('64 idle connections from 127.0.0.1: a 65th gets its answer, and one idle one was closed', async () => {
    for (let i = 0; i < 64; i++) mine.push(await connectTcp(defaults.port, '127.0.0.1'));
    expect(defaults.gate.tcp.open).toBe(64);
    const reply = await tcpAsk(defaults.port, crafted(65, 'late.test'), 2000, '127.0.0.1');
    expect(reply && rcodeOf(reply)).toBe(0);
    await mine[0]!.closed; // the longest idle
    expect(defaults.gate.tcp.stats.evictedPerClient).toBe(1);
    expect(defaults.gate.tcp.stats.refusedPerClient).toBe(0);
    for (const connection of mine.splice(0)) connection.socket.destroy();
  });

  it('100 pipelined queries on one connection are all answered NOERROR (RFC 7766 §6.2.1.1), none REFUSED', async () => {
    const connection = await connectTcp(defaults.port, '127.0.0.50');
    mine.push(connection);
    const replies = collectReplies(connection.socket);
    const ids = Array.from({ length: 100 }, (_, i) => 1000 + i);
    const queuedBefore = defaults.gate.tcp.stats.queued;
    connection.socket.write(Buffer.concat(ids.map((id) => frame(crafted(id, `wait${id}.test`)))));
    for (let waited = 0; replies.length < 100 && waited < 10_000; waited += 20) await sleep(20);
    expect(replies.map((reply) => reply.readUInt16BE(0)).sort((a, b) => a - b)).toEqual(ids);
    expect(replies.filter((reply) => rcodeOf(reply) !== 0)).toEqual([]);
    expect(defaults.gate.tcp.stats.queued - queuedBefore).toBeGreaterThanOrEqual(100 - 32);
  });
});

describe('issue 15: a full queue stops reading the connection (backpressure), still nothing REFUSED', () => {
  const waiting: QueryHandler = (query: Query) =>
    new Promise((resolve) => setTimeout(() => resolve(writeEmptyResponse(query, { rcode: 0 })), 5));
  let tight: DnsServer;
  beforeAll(async () => {
    tight = await startDnsServer({
      host: '127.0.0.1', port: 0, handler: waiting, logger: pino({ level: 'silent' }),
      guard: { tcp: { ...LIMITS, maxInFlight: 1, maxQueuedBytes: 512, idleTimeoutMs: 30_000 } },
    });
  });
  afterAll(async () => {
    await tight.close();
  });

  it('300 pipelined queries with room for ~16 queued: reading pauses and resumes, all 300 answered', async () => {
    const connection = await connectTcp(tight.port, '127.0.0.51');
    const replies = collectReplies(connection.socket);
    const ids = Array.from({ length: 300 }, (_, i) => 2000 + i);
    connection.socket.write(Buffer.concat(ids.map((id) => frame(crafted(id, `q${id}.test`)))));
    for (let waited = 0; replies.length < 300 && waited < 20_000; waited += 20) await sleep(20);
    connection.socket.destroy();
    expect(replies.map((reply) => reply.readUInt16BE(0)).sort((a, b) => a - b)).toEqual(ids);
    expect(replies.filter((reply) => rcodeOf(reply) !== 0)).toEqual([]);
    expect(tight.gate.tcp.stats.paused).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('a client that half-closes while reading is paused still gets every answer, then our FIN', async () => {
    const connection = await connectTcp(tight.port, '127.0.0.52');
    const replies = collectReplies(connection.socket);
    const ids = Array.from({ length: 60 }, (_, i) => 3000 + i);
    connection.socket.end(Buffer.concat(ids.map((id) => frame(crafted(id, `h${id}.test`)))));
    await connection.closed;
    expect(replies.map((reply) => reply.readUInt16BE(0)).sort((a, b) => a - b)).toEqual(ids);
  }, 30_000);
});
