// Our own relay sockets. UDP: a fresh socket per query, bound to port 0 (the
// kernel picks a random ephemeral port) and connected to the upstream, so
// the kernel accepts datagrams only from that address and port and from no
// other interface (RFC 5452 §9.2: an off-path attacker must guess the port
// as well as the ID). The reply's ID, source and question are checked again
// here; anything else is ignored and the query keeps waiting. TCP: one
// connection per query, length-framed, with its own deadline.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { randomInt } from 'node:crypto';
import { endpointKey, isIPv6, normalizeHost } from './address.js';
import { HEADER_SIZE, parseMessage, type ParsedMessage, type Question } from '../dns/index.js';
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
  /**
   * The question's letter case must match what we sent byte for byte (DNS
   * 0x20: the case was randomised, so it is more bits an attacker must guess).
   */
  readonly caseExact?: boolean;
}

/** The reply parsed when it answers `sent` (the query as sent), else undefined. */
export function checkReply(message: Buffer, expected: Expected, sent?: Buffer): ParsedMessage | undefined {
  const parsed = parseMessage(message);
  if (parsed instanceof Error || !parsed.qr || parsed.id !== expected.id || parsed.opcode !== expected.opcode) {
    return undefined;
  }
  const { name, type } = parsed.question;
  const wanted = expected.question;
  if (name !== wanted.name || type !== wanted.type || parsed.question.class !== wanted.class) return undefined;
  // Same name ignoring case, so the same length: compare the question's bytes as sent.
  if (expected.caseExact && sent && message.compare(sent, HEADER_SIZE, parsed.questionEnd, HEADER_SIZE, parsed.questionEnd) !== 0) {
    return undefined;
  }
  return parsed;
}

/** Called with the upstream key whenever a reply is dropped. */
export type IgnoredHook = (upstream: string) => void;

export class UdpClient {
  /** The finish function of every exchange in flight. */
  private readonly open = new Set<(outcome: Outcome) => void>();

  constructor(private readonly onIgnored: IgnoredHook) {}

  /**
   * Send `build(id)` with a fresh random ID from a fresh random port and wait
   * for the matching reply. A socket error (the upstream's ICMP "port
   * unreachable" included) ends the exchange as an error.
   */
  exchange(
    upstream: UpstreamAddress,
    build: (id: number) => Buffer,
    expected: Omit<Expected, 'id'>,
    timeoutMs: number,
  ): Promise<Outcome> {
    const id = randomInt(0, 0x10000);
    const message = build(id); // may throw (unencodable name) before anything is opened
    const target = endpointKey(upstream);
    const wanted: Expected = { ...expected, id };
    return new Promise<Outcome>((resolve) => {
      const socket: UdpSocket = createSocket(isIPv6(upstream.host) ? 'udp6' : 'udp4');
      let settled = false;
      const finish = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.open.delete(finish);
        socket.close();
        resolve(outcome);
      };
      const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
      this.open.add(finish);
      socket.unref();
      socket.on('error', (error) => finish({ kind: 'error', error }));
      socket.on('message', (reply, remote) => {
        // The kernel already filters by the connected peer; this is the second lock.
        const from = endpointKey({ host: normalizeHost(remote.address) ?? remote.address, port: remote.port });
        const parsed = from === target ? checkReply(reply, wanted, message) : undefined;
        if (parsed) finish({ kind: 'reply', message: reply, parsed });
        else this.onIgnored(target);
      });
      // connect() binds port 0 on the family's wildcard first; connecting then
      // fixes the local address to the one the route to the upstream uses.
      socket.connect(upstream.port, upstream.host, () => {
        if (settled) return;
        socket.send(message, (error) => {
          if (error) finish({ kind: 'error', error });
        });
      });
    });
  }

  /** Every pending query ends as an error (its socket closed). */
  async close(): Promise<void> {
    for (const finish of [...this.open]) finish({ kind: 'error', error: new Error('closed') });
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
          const parsed = checkReply(reply, { ...expected, id }, message);
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
