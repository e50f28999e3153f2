import net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareAnswer, writeResponse } from '../../src/dns/wire.js';
import { ListenError, startDnsServer, type DnsServer, type QueryHandler } from '../../src/server/index.js';
import { decode } from '../helpers/decode.js';
import { craft, frame, query, tcpExchange, UdpClient } from '../helpers/clients.js';

interface LogLine { level: number; msg: string; err?: { message: string } }

function capturingLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as LogLine);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Answers A 10.0.0.1 for any name; names starting with "throw"/"reject" fail. */
const handler: QueryHandler = async (q) => {
  if (q.name.startsWith('throw')) throw new Error('sync boom');
  if (q.name.startsWith('reject')) return Promise.reject(new Error('async boom'));
  const prepared = prepareAnswer(q.name, 0, {
    answer: [{ name: q.name, ttl: 5, data: { type: 'A', address: '10.0.0.1' } }],
    authority: [],
    additional: [],
  });
  return writeResponse(q, prepared, 0);
};

const syncThrowing: QueryHandler = (q) => {
  if (q.name.startsWith('throw')) throw new Error('sync boom');
  return handler(q);
};

describe('DNS server over UDP', () => {
  let server: DnsServer;
  let client: UdpClient;
  const log = capturingLogger();

  beforeAll(async () => {
    server = await startDnsServer({ host: '127.0.0.1', port: 0, handler: syncThrowing, logger: log.logger });
    client = new UdpClient(server.port);
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  async function ask(message: Buffer, id: number): Promise<ReturnType<typeof decode>> {
    await client.send(message);
    const replies = await client.until(id);
    expect(replies.map((r) => r.readUInt16BE(0))).toEqual([id]);
    return decode(replies[0] ?? Buffer.alloc(0));
  }

  /** Send `bad` (expecting silence), then a normal query: the only reply is the normal one. */
  async function expectSilenceThenAlive(bad: Buffer, id: number): Promise<void> {
    await client.send(bad);
    const answer = await ask(query(id, 'alive.test'), id);
    expect(answer.answer[0]?.data).toEqual({ type: 'A', address: '10.0.0.1' });
  }

  it('answers a normal query, keeping the question case', async () => {
    const reply = await ask(query(1, 'Web.Prod.svc.cluster.local', { cd: true }), 1);
    expect(reply).toMatchObject({ rcode: 0, flags: { qr: true, aa: true, rd: true, cd: true } });
    expect(reply.question?.name).toBe('Web.Prod.svc.cluster.local');
    expect(reply.answer).toEqual([{ name: 'Web.Prod.svc.cluster.local', ttl: 5, data: { type: 'A', address: '10.0.0.1' } }]);
  });

  it('drops packets with QR set silently', async () => {
    await expectSilenceThenAlive(query(2, 'x.test', { qr: true }), 3);
  });

  it('ignores messages shorter than a header', async () => {
    await expectSilenceThenAlive(Buffer.alloc(11, 0xff), 4);
  });

  const rejections = [
    { what: 'no question (qdcount 0)', message: craft({ id: 10 }), rcode: 1, qd: 0, id: 10 },
    { what: 'two questions', message: craft({ id: 11, questions: [{ name: 'a.test' }, { name: 'b.test' }] }), rcode: 1, qd: 0, id: 11 },
    { what: 'qdcount 1 but no question bytes', message: craft({ id: 12, qdcount: 1 }), rcode: 1, qd: 0, id: 12 },
    { what: 'opcode STATUS', message: query(13, 'a.test', { opcode: 2 }), rcode: 4, qd: 1, id: 13 },
    { what: 'opcode UPDATE', message: query(14, 'a.test', { opcode: 5 }), rcode: 4, qd: 1, id: 14 },
    { what: 'opcode STATUS without question', message: craft({ id: 15, opcode: 2 }), rcode: 4, qd: 0, id: 15 },
    { what: 'two OPT records', message: query(16, 'a.test', { opts: [{}, {}] }), rcode: 1, qd: 1, id: 16 },
    { what: 'EDNS version 1 (BADVERS)', message: query(17, 'a.test', { opts: [{ version: 1, do: true }] }), rcode: 16, qd: 1, id: 17 },
  ];

  it.each(rejections)('§7 $what → rcode $rcode', async ({ message, rcode, qd, id }) => {
    const reply = await ask(message, id);
    expect(reply.rcode).toBe(rcode);
    expect(reply.counts.qd).toBe(qd);
    expect(reply.counts.an).toBe(0);
    if (rcode === 16) expect(reply.opt).toMatchObject({ extendedRcode: 1, version: 0, do: true });
    if (rcode === 4) expect(reply.flags.opcode).toBe(message[2]! >> 3);
  });

  it('answers FORMERR with a bare header for a garbage question, and stays alive', async () => {
    const garbage = Buffer.concat([craft({ id: 20, qdcount: 1 }), Buffer.from([0x3f, 0x61, 0x62])]);
    const reply = await ask(garbage, 20);
    expect(reply.rcode).toBe(1);
    expect(reply.counts.qd).toBe(0);
    expect((await ask(query(21, 'alive.test'), 21)).answer.length).toBe(1);
  });

  it('answers SERVFAIL when the handler throws, logs once at error level, stays alive', async () => {
    const before = log.lines.filter((l) => l.level === 50).length;
    const reply = await ask(query(30, 'throw.test'), 30);
    expect(reply.rcode).toBe(2);
    expect(reply.question?.name).toBe('throw.test');
    const errors = log.lines.filter((l) => l.level === 50);
    expect(errors.length).toBe(before + 1);
    expect(errors.at(-1)?.err?.message).toBe('sync boom');
    await expectSilenceThenAlive(Buffer.alloc(0), 31);
  });

  it('answers SERVFAIL when the handler rejects', async () => {
    const reply = await ask(query(32, 'reject.test'), 32);
    expect(reply.rcode).toBe(2);
    expect(log.lines.filter((l) => l.level === 50).at(-1)?.err?.message).toBe('async boom');
  });

  it('echoes EDNS: the UDP size the client offered (§10), DO copied', async () => {
    const reply = await ask(query(40, 'a.test', { opts: [{ udpSize: 4096, do: true }] }), 40);
    expect(reply.opt).toEqual({ udpSize: 4096, extendedRcode: 0, version: 0, do: true });
  });

  it('§10 NOTIFY is answered like a QUERY, opcode echoed', async () => {
    const reply = await ask(query(41, 'alive.test', { opcode: 4 }), 41);
    expect(reply.rcode).toBe(0);
    expect(reply.flags.opcode).toBe(4);
    expect(reply.answer[0]?.data).toEqual({ type: 'A', address: '10.0.0.1' });
  });

  it('never logs per-query lines at info level', () => {
    expect(log.lines.filter((l) => l.level === 30)).toEqual([]);
  });
});

describe('an async handler and the packet with no question', () => {
  it('answers FORMERR and never reaches the handler (no unhandled rejection)', async () => {
    let calls = 0;
    const server = await startDnsServer({
      host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }),
      handler: async (q) => {
        calls++;
        if (q.name === '') throw new Error('no question');
        return handler(q);
      },
    });
    const client = new UdpClient(server.port);
    try {
      await client.send(Buffer.from([0x00, 0x2a, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
      const [reply] = await client.until(0x2a);
      expect(decode(reply!)).toMatchObject({ rcode: 1, counts: { qd: 0 } });
      expect(calls).toBe(0);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('DNS server over TCP', () => {
  let server: DnsServer;
  beforeAll(async () => {
    server = await startDnsServer({ host: '127.0.0.1', port: 0, handler, logger: pino({ level: 'silent' }) });
  });
  afterAll(() => server.close());

  it('answers three pipelined queries sent in one write', async () => {
    const chunk = Buffer.concat([1, 2, 3].map((id) => frame(query(id, `q${id}.test`))));
    const replies = await tcpExchange(server.port, [chunk], 3);
    expect(replies.map((r) => decode(r).id).sort()).toEqual([1, 2, 3]);
    for (const reply of replies) expect(decode(reply).answer.length).toBe(1);
  });

  it('answers a query split across two writes', async () => {
    const whole = frame(query(7, 'split.test'));
    const replies = await tcpExchange(server.port, [whole.subarray(0, 5), whole.subarray(5)], 1);
    expect(decode(replies[0]!)).toMatchObject({ id: 7, question: { name: 'split.test' } });
  });

  it('sends the full answer over TCP (no 512-byte limit)', async () => {
    const big: QueryHandler = (q) => writeResponse(q, prepareAnswer(q.name, 0, {
      answer: Array.from({ length: 100 }, (_, i) => ({ name: q.name, ttl: 5, data: { type: 'A' as const, address: `10.0.0.${i}` } })),
      authority: [], additional: [],
    }), 0);
    const other = await startDnsServer({ host: '127.0.0.1', port: 0, handler: big, logger: pino({ level: 'silent' }) });
    try {
      const [reply] = await tcpExchange(other.port, [frame(query(8, 'big.test'))], 1);
      expect(decode(reply!)).toMatchObject({ flags: { tc: false } });
      expect(decode(reply!).answer.length).toBe(100);
    } finally {
      await other.close();
    }
  });

  it('SERVFAIL over TCP when the handler rejects', async () => {
    const [reply] = await tcpExchange(server.port, [frame(query(9, 'reject.tcp'))], 1);
    expect(decode(reply!).rcode).toBe(2);
  });
});

describe('binding', () => {
  it('reports a port already taken as a ListenError a user understands', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const attempt = startDnsServer({ host: '127.0.0.1', port, handler, logger: pino({ level: 'silent' }) });
      await expect(attempt).rejects.toBeInstanceOf(ListenError);
      await expect(attempt).rejects.toMatchObject({
        code: 'EADDRINUSE',
        message: `cannot listen on 127.0.0.1:${port}/tcp: address already in use (another DNS server is running there? try another --port)`,
      });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('explains permission errors on low ports', () => {
    const error = new ListenError('EACCES', '127.0.0.1', 53, 'udp');
    expect(error.message).toBe(
      'cannot listen on 127.0.0.1:53/udp: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE); try --port 1053',
    );
  });

  it('close() releases the port for UDP and TCP', async () => {
    const first = await startDnsServer({ host: '127.0.0.1', port: 0, handler, logger: pino({ level: 'silent' }) });
    const port = first.port;
    await tcpExchange(port, [frame(query(1, 'a.test'))], 1); // leave nothing half-open
    await first.close();
    const second = await startDnsServer({ host: '127.0.0.1', port, handler, logger: pino({ level: 'silent' }) });
    expect(second.port).toBe(port);
    await second.close();
  });

  it('serves IPv6 when bound to ::1', async (context) => {
    let server: DnsServer;
    try {
      server = await startDnsServer({ host: '::1', port: 0, handler, logger: pino({ level: 'silent' }) });
    } catch (err) {
      if (err instanceof ListenError && err.code === 'EADDRNOTAVAIL') return context.skip();
      throw err;
    }
    expect(server.host).toBe('::1');
    expect(server.port).toBeGreaterThan(0);
    await server.close();
  });
});
