// Small real DNS servers for forwarder tests: UDP and TCP on the same
// port (127.0.0.1 or ::1), each reply decided by a handler. Queries are decoded with
// dns2 (an independent decoder); replies are encoded with src/dns/wire.ts.
// Not covered: replies from a different source address/port (would need a
// second interface), so that RFC 5452 check is only exercised via IDs/questions.

import { createSocket } from 'node:dgram';
import { createServer, type Socket as TcpSocket } from 'node:net';
import { Packet } from 'dns2';
import type { ResourceRecord } from '../../src/dns/types.js';
import { prepareAnswer, writeEmptyResponse, writeResponse } from '../../src/dns/wire.js';
import type { Query, Transport } from '../../src/dns/query.js';

export interface Reply {
  readonly kind: 'reply';
  readonly rcode?: number;
  readonly answer?: readonly ResourceRecord[];
  readonly authority?: readonly ResourceRecord[];
  readonly delayMs?: number;
  /** Sent first, before the real reply: wrong ID, wrong question, or cut to `cut` bytes (malformed). */
  readonly decoys?: readonly {
    readonly idDelta?: number;
    readonly name?: string;
    readonly qtype?: number;
    readonly cut?: number;
  }[];
  /** Only send the decoys. */
  readonly decoysOnly?: boolean;
  /** UDP only: header + question with TC set. */
  readonly truncate?: boolean;
}
export type Action = Reply | { readonly kind: 'drop' } | { readonly kind: 'close-mid-answer' };

export interface Received {
  readonly query: Query;
  readonly raw: Buffer;
}

export type Handler = (query: Query, transport: Transport) => Action;

export interface FakeUpstream {
  readonly port: number;
  readonly address: { readonly host: string; readonly port: number };
  readonly received: Received[];
  handler: Handler;
  /**
   * Resolves once `test(received)` holds, checked as each query arrives (at
   * once if it holds already): wait for queries to reach the upstream instead
   * of sleeping and hoping they did.
   */
  until(test: (received: readonly Received[]) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** Decode a query with dns2 into our Query shape (the name read as a real server would, below). */
export function decodeQuery(raw: Buffer, transport: Transport): Query {
  const packet = Packet.parse(raw) as unknown as Record<string, any>;
  const header = packet.header;
  const question = packet.questions[0];
  const opt = (packet.additionals as Record<string, any>[]).find((r) => r.type === 41);
  return {
    id: header.id, opcode: header.opcode, rd: !!header.rd, cd: !!header.cd,
    name: presentationName(raw) ?? question.name, qtype: question.type, qclass: question.class, transport,
    ...(opt ? { edns: { udpSize: opt.class, do: !!opt.doFlag, version: opt.version ?? 0 } } : {}),
  };
}

/**
 * The question name at offset 12 with '.' and '\' inside a label escaped, as
 * a real server keeps them (miekg/dns, BIND): dns2 would join such a label's
 * parts, and the reply would echo another question. Uncompressed names only.
 */
function presentationName(raw: Buffer): string | undefined {
  const labels: string[] = [];
  for (let at = 12; at < raw.length; ) {
    const length = raw[at] as number;
    if (length === 0) return labels.join('.');
    if (length > 63 || at + 1 + length > raw.length) return undefined;
    labels.push(raw.toString('latin1', at + 1, at + 1 + length).replace(/[.\\]/g, '\\$&'));
    at += 1 + length;
  }
  return undefined;
}

export function encodeReply(query: Query, reply: Reply, transport: Transport): Buffer[] {
  const out: Buffer[] = [];
  for (const decoy of reply.decoys ?? []) {
    const wrong: Query = {
      ...query,
      id: (query.id + (decoy.idDelta ?? 0)) & 0xffff,
      name: decoy.name ?? query.name,
      qtype: decoy.qtype ?? query.qtype,
    };
    const message = writeEmptyResponse(wrong, { rcode: 0 });
    out.push(decoy.cut === undefined ? message : message.subarray(0, decoy.cut));
  }
  if (reply.decoysOnly) return out;
  if (reply.truncate && transport === 'udp') {
    const message = writeEmptyResponse(query, { rcode: reply.rcode ?? 0 });
    message[2] = (message[2] ?? 0) | 0x02;
    out.push(message);
    return out;
  }
  const prepared = prepareAnswer(query.name, reply.rcode ?? 0, {
    answer: reply.answer ?? [], authority: reply.authority ?? [], additional: [],
  });
  out.push(writeResponse({ ...query, transport }, prepared, 0));
  return out;
}

export async function startFakeUpstream(handler: Handler, host = '127.0.0.1'): Promise<FakeUpstream> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await bindBoth(handler, host);
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

async function bindBoth(initial: Handler, host: string): Promise<FakeUpstream> {
  const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, host, () => resolve());
  });
  const port = udp.address().port;
  const tcp = createServer();
  const connections = new Set<TcpSocket>();
  const timers = new Set<NodeJS.Timeout>();
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, host, () => resolve());
    });
  } catch (error) {
    udp.close();
    throw error;
  }
  const waiters = new Set<{ test: (received: readonly Received[]) => boolean; resolve: () => void }>();
  const record = (received: Received): void => {
    fake.received.push(received);
    for (const waiter of waiters) {
      if (!waiter.test(fake.received)) continue;
      waiters.delete(waiter);
      waiter.resolve();
    }
  };
  const fake: FakeUpstream = {
    port,
    address: { host, port },
    received: [],
    handler: initial,
    until: (test) =>
      new Promise<void>((resolve) => {
        if (test(fake.received)) resolve();
        else waiters.add({ test, resolve });
      }),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
  const later = (delayMs: number, run: () => void): void => {
    if (delayMs <= 0) return run();
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, delayMs);
    timers.add(timer);
  };
  udp.on('message', (raw, remote) => {
    const query = decodeQuery(raw, 'udp');
    record({ query, raw });
    const action = fake.handler(query, 'udp');
    if (action.kind !== 'reply') return;
    later(action.delayMs ?? 0, () => {
      for (const message of encodeReply(query, action, 'udp')) udp.send(message, remote.port, remote.address);
    });
  });
  tcp.on('connection', (socket) => serveTcp(fake, record, socket, connections, later));
  return fake;
}

function serveTcp(
  fake: FakeUpstream,
  record: (received: Received) => void,
  socket: TcpSocket,
  connections: Set<TcpSocket>,
  later: (delayMs: number, run: () => void) => void,
): void {
  connections.add(socket);
  socket.on('close', () => connections.delete(socket));
  socket.on('error', () => undefined);
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const raw = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      buffered = buffered.subarray(2 + raw.length);
      const query = decodeQuery(Buffer.from(raw), 'tcp');
      record({ query, raw: Buffer.from(raw) });
      const action = fake.handler(query, 'tcp');
      if (action.kind === 'close-mid-answer') {
        socket.write(Buffer.from([0x01, 0x00, 0x12, 0x34, 0x81]));
        socket.destroy();
        return;
      }
      if (action.kind !== 'reply') continue;
      later(action.delayMs ?? 0, () => {
        for (const message of encodeReply(query, action, 'tcp')) {
          const length = Buffer.alloc(2);
          length.writeUInt16BE(message.length);
          // Length and body in separate writes: the relay must reassemble partial frames.
          socket.write(length);
          socket.write(message);
        }
      });
    }
  });
}
