// Raw socket clients and a crafted-packet builder for the server tests.

import dgram from 'node:dgram';
import net from 'node:net';

export interface CraftedQuestion {
  readonly name: string;
  readonly type?: number;
  readonly class?: number;
}

export interface CraftedOpt {
  readonly udpSize?: number;
  readonly version?: number;
  readonly do?: boolean;
}

export interface Crafted {
  readonly id: number;
  readonly qr?: boolean;
  readonly opcode?: number;
  readonly rd?: boolean;
  readonly cd?: boolean;
  readonly questions?: readonly CraftedQuestion[];
  readonly opts?: readonly CraftedOpt[];
  /** Override the QDCOUNT field (to lie about the question count). */
  readonly qdcount?: number;
}

function encodeName(name: string): Buffer {
  const parts = name === '' ? [] : name.split('.');
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])), Buffer.from([0])]);
}

export function craft(message: Crafted): Buffer {
  const questions = message.questions ?? [];
  const opts = message.opts ?? [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(message.id, 0);
  header[2] = (message.qr ? 0x80 : 0) | ((message.opcode ?? 0) << 3) | (message.rd === false ? 0 : 1);
  header[3] = message.cd ? 0x10 : 0;
  header.writeUInt16BE(message.qdcount ?? questions.length, 4);
  header.writeUInt16BE(opts.length, 10);
  const body = questions.map((q) => {
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type ?? 1, 0);
    tail.writeUInt16BE(q.class ?? 1, 2);
    return Buffer.concat([encodeName(q.name), tail]);
  });
  const optBytes = opts.map((o) => {
    const rr = Buffer.alloc(11);
    rr.writeUInt16BE(41, 1);
    rr.writeUInt16BE(o.udpSize ?? 1232, 3);
    rr[6] = o.version ?? 0;
    rr[7] = o.do ? 0x80 : 0;
    return rr;
  });
  return Buffer.concat([header, ...body, ...optBytes]);
}

export function query(id: number, name: string, extra: Partial<Crafted> = {}): Buffer {
  return craft({ id, questions: [{ name }], ...extra });
}

/** A UDP client that queues every datagram it receives. */
export class UdpClient {
  private readonly socket: dgram.Socket;
  private readonly received: Buffer[] = [];
  private waiters: Array<() => void> = [];

  /** `recvBufferSize`: for clients that let many replies pile up before reading them (bursts). */
  constructor(private readonly port: number, options: { recvBufferSize?: number } = {}) {
    this.socket = dgram.createSocket({ type: 'udp4', ...options });
    this.socket.on('message', (message) => {
      this.received.push(message);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  send(message: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(message, this.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  /** Every message received until one with `id` arrives (inclusive). */
  async until(id: number): Promise<Buffer[]> {
    for (;;) {
      const index = this.received.findIndex((m) => m.readUInt16BE(0) === id);
      if (index >= 0) return this.received.splice(0, index + 1);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** Open a TCP connection, write `chunks` one by one, collect `count` framed replies. */
export async function tcpExchange(port: number, chunks: readonly Buffer[], count: number): Promise<Buffer[]> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const replies: Buffer[] = [];
  const done = new Promise<Buffer[]>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        replies.push(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
      }
      if (replies.length >= count) resolve(replies);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(replies));
  });
  for (const chunk of chunks) {
    await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const result = await done;
  socket.destroy();
  return result;
}

export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}
