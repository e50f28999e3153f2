// Our own relay sockets. UDP: one long-lived socket per address family,
// replies matched to queries by (source address, source port, ID) and then
// checked against the question (RFC 5452); anything else is ignored and the
// query keeps waiting. TCP: one connection per query, length-framed, with
// its own deadline.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { randomInt } from 'node:crypto';
import { endpointKey, isIPv6, normalizeHost } from './address.js';
import { parseMessage, type ParsedMessage, type Question } from './reader.js';
import type { UpstreamAddress } from './types.js';

export type Outcome =
  | { readonly kind: 'reply'; readonly message: Buffer; readonly parsed: ParsedMessage }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly error: Error };

/** What a reply must echo: our ID and the question we asked (name compared lower-cased). */
export interface Expected {
  readonly id: number;
  readonly opcode: number;
  readonly question: Pick<Question, 'name' | 'type' | 'class'>;
}

export function checkReply(message: Buffer, expected: Expected): ParsedMessage | undefined {
  const parsed = parseMessage(message);
  if (parsed instanceof Error || !parsed.qr || parsed.id !== expected.id || parsed.opcode !== expected.opcode) {
    return undefined;
  }
  const { name, type } = parsed.question;
  const wanted = expected.question;
  if (name !== wanted.name || type !== wanted.type || parsed.question.class !== wanted.class) return undefined;
  return parsed;
}

/** Called with the upstream key whenever a reply is dropped. */
export type IgnoredHook = (upstream: string) => void;

interface Pending {
  readonly expected: Expected;
  readonly family: 'udp4' | 'udp6';
  readonly finish: (outcome: Outcome) => void;
}

export class UdpClient {
  private readonly sockets = new Map<'udp4' | 'udp6', UdpSocket>();
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly onIgnored: IgnoredHook) {}

  /** Send `build(id)` with a fresh random ID and wait for the matching reply. */
  exchange(
    upstream: UpstreamAddress,
    build: (id: number) => Buffer,
    expected: Omit<Expected, 'id'>,
    timeoutMs: number,
  ): Promise<Outcome> {
    const family = isIPv6(upstream.host) ? 'udp6' : 'udp4';
    const target = endpointKey(upstream);
    const id = this.freeId(target);
    const key = `${target}#${id}`;
    const message = build(id); // may throw (unencodable name) before anything is registered
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
      const finish = (outcome: Outcome): void => {
        if (this.pending.get(key)?.finish !== finish) return;
        clearTimeout(timer);
        this.pending.delete(key);
        resolve(outcome);
      };
      this.pending.set(key, { expected: { ...expected, id }, family, finish });
      this.socket(family).send(message, upstream.port, upstream.host, (error) => {
        if (error) finish({ kind: 'error', error });
      });
    });
  }

  /** Every pending query ends as an error; resolves once the sockets are closed. */
  async close(): Promise<void> {
    for (const pending of [...this.pending.values()]) pending.finish({ kind: 'error', error: new Error('closed') });
    const closing = [...this.sockets.values()].map((socket) => new Promise<void>((resolve) => socket.close(resolve)));
    this.sockets.clear();
    await Promise.all(closing);
  }

  private freeId(target: string): number {
    // 65536 IDs per upstream; a handful of draws finds a free one unless thousands are in flight.
    for (let tries = 0; tries < 64; tries++) {
      const id = randomInt(0, 0x10000);
      if (!this.pending.has(`${target}#${id}`)) return id;
    }
    return randomInt(0, 0x10000);
  }

  private socket(family: 'udp4' | 'udp6'): UdpSocket {
    const existing = this.sockets.get(family);
    if (existing) return existing;
    const socket = createSocket(family);
    socket.on('message', (message, remote) => this.receive(message, remote.address, remote.port));
    socket.on('error', (error) => this.fail(family, socket, error));
    socket.unref();
    this.sockets.set(family, socket);
    return socket;
  }

  private receive(message: Buffer, address: string, port: number): void {
    if (message.length < 2) return;
    const target = endpointKey({ host: normalizeHost(address) ?? address, port });
    const pending = this.pending.get(`${target}#${message.readUInt16BE(0)}`);
    const parsed = pending ? checkReply(message, pending.expected) : undefined;
    if (!pending || !parsed) {
      this.onIgnored(target);
      return;
    }
    pending.finish({ kind: 'reply', message, parsed });
  }

  private fail(family: 'udp4' | 'udp6', socket: UdpSocket, error: Error): void {
    socket.close();
    if (this.sockets.get(family) === socket) this.sockets.delete(family);
    for (const pending of [...this.pending.values()]) {
      if (pending.family === family) pending.finish({ kind: 'error', error });
    }
  }
}

export class TcpClient {
  private readonly open = new Set<TcpSocket>();

  constructor(private readonly onIgnored: IgnoredHook) {}

  /** One query on a fresh connection; frames that do not match are skipped. */
  exchange(
    upstream: UpstreamAddress,
    build: (id: number) => Buffer,
    expected: Omit<Expected, 'id'>,
    timeoutMs: number,
  ): Promise<Outcome> {
    const id = randomInt(0, 0x10000);
    const message = build(id);
    return new Promise<Outcome>((resolve) => {
      const socket = connect({ host: upstream.host, port: upstream.port });
      this.open.add(socket);
      let settled = false;
      let buffered: Buffer = Buffer.alloc(0);
      const finish = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.open.delete(socket);
        socket.destroy();
        resolve(outcome);
      };
      const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
      socket.on('connect', () => {
        const frame = Buffer.allocUnsafe(2 + message.length);
        frame.writeUInt16BE(message.length, 0);
        message.copy(frame, 2);
        socket.write(frame);
      });
      socket.on('data', (chunk: Buffer) => {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        while (!settled && buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const reply = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
          buffered = buffered.subarray(2 + reply.length);
          const parsed = checkReply(reply, { ...expected, id });
          if (parsed) finish({ kind: 'reply', message: Buffer.from(reply), parsed });
          else this.onIgnored(endpointKey(upstream));
        }
      });
      socket.on('error', (error) => finish({ kind: 'error', error }));
      socket.on('close', () => finish({ kind: 'error', error: new Error('connection closed before a reply') }));
      // 'close' follows destroy(); settled already guards the second finish.
    });
  }

  close(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }
}
