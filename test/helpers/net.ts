// Small raw clients for the hardening tests: one UDP question with a
// deadline, TCP connections that report when the server closes them.

import dgram from 'node:dgram';
import net from 'node:net';
import { query as crafted } from './clients.js';
import { waitFor } from './wait.js';

export { crafted };

/** The 2-byte length prefix of DNS over TCP. */
export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

/** Send one datagram and wait up to `timeoutMs` for the reply with the same ID. */
export function udpAsk(port: number, message: Buffer, timeoutMs = 1000, host = '127.0.0.1', localAddress?: string): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    if (localAddress) socket.bind(0, localAddress);
    const finish = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('message', (reply) => {
      if (reply.readUInt16BE(0) === message.readUInt16BE(0)) finish(reply);
    });
    socket.send(message, port, host);
  });
}

export interface HeldConnection {
  readonly socket: net.Socket;
  /** Resolves with the milliseconds from connect to close. */
  readonly closed: Promise<number>;
  isOpen(): boolean;
}

export async function connectTcp(port: number, localAddress?: string): Promise<HeldConnection> {
  const socket = net.connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const opened = performance.now();
  let open = true;
  const closed = new Promise<number>((resolve) => socket.once('close', () => {
    open = false;
    resolve(performance.now() - opened);
  }));
  return { socket, closed, isOpen: () => open };
}

/** One query over a fresh TCP connection; undefined when none came back in time. */
export async function tcpAsk(port: number, message: Buffer, timeoutMs = 1000, localAddress?: string): Promise<Buffer | undefined> {
  const held = await connectTcp(port, localAddress).catch(() => undefined);
  if (!held) return undefined;
  const { socket } = held;
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const finish = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) finish(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    });
    socket.on('close', () => finish(undefined));
    socket.write(frame(message));
  });
}

export function rcodeOf(reply: Buffer): number {
  return (reply[3] as number) & 0x0f;
}

export function truncated(reply: Buffer): boolean {
  return ((reply[2] as number) & 0x02) !== 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Send every message from one socket at once; collect the replies, by ID,
 * until `until` holds for them (or for `waitMs` when given a number).
 */
export async function udpBurst(
  port: number,
  messages: readonly Buffer[],
  until: number | ((replies: ReadonlyMap<number, Buffer>) => boolean | Promise<boolean>),
  localAddress?: string,
): Promise<Map<number, Buffer>> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, localAddress ?? '127.0.0.1', resolve));
  const replies = new Map<number, Buffer>();
  socket.on('message', (reply) => replies.set(reply.readUInt16BE(0), reply));
  for (const message of messages) socket.send(message, port, '127.0.0.1');
  if (typeof until === 'number') await sleep(until);
  else await waitFor(() => until(replies), 'the replies to a UDP burst');
  socket.close();
  return replies;
}

/** A UDP port on 127.0.0.1 that nothing listens on right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
