// Caps on DNS over TCP (RFC 7766 §6.2): connections in total and per client
// address, a deadline for each query to arrive whole, queries in flight per
// connection, and the largest message a client may announce. Past a cap the
// server closes or refuses politely, logs once per burst, and keeps serving
// everyone else.
//
// One timer per connection does both idle and slow-loris duty: it is re-armed
// only when a complete query arrives or a response goes out, so a client
// dripping one byte at a time gets no more time than one that sends nothing.

import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { BurstLog } from '../forward/burst-log.js';

export interface TcpLimits {
  /** Open connections at once; a new one past it closes the longest-idle one (or itself if none is idle). */
  readonly maxConnections: number;
  /** Open connections per client address; a new one past it is closed at once. */
  readonly maxPerClient: number;
  /** A connection with nothing in flight that completes no query for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Queries waiting for an answer per connection; more are answered REFUSED. */
  readonly maxInFlight: number;
  /** Largest length a client may announce for one message; a larger one closes the connection. */
  readonly maxMessageBytes: number;
}

export const TCP_DEFAULTS: TcpLimits = {
  maxConnections: 1000,
  maxPerClient: 64,
  idleTimeoutMs: 5000,
  maxInFlight: 32,
  maxMessageBytes: 4096,
};

/** What the guard has done since start (tests, load figures). */
export interface TcpGuardStats {
  accepted: number;
  refusedPerClient: number;
  refusedFull: number;
  evictedIdle: number;
  closedIdle: number;
  closedOversize: number;
  refusedInFlight: number;
}

interface Connection {
  readonly address: string;
  inFlight: number;
  readonly timer: NodeJS.Timeout;
}

export class TcpGuard {
  readonly stats: TcpGuardStats = {
    accepted: 0, refusedPerClient: 0, refusedFull: 0, evictedIdle: 0, closedIdle: 0, closedOversize: 0, refusedInFlight: 0,
  };
  /** Insertion order is recency: a connection moves to the end on each query. */
  private readonly connections = new Map<Socket, Connection>();
  private readonly perClient = new Map<string, number>();
  private readonly burst: BurstLog;

  constructor(
    readonly limits: TcpLimits,
    private readonly log: Logger,
  ) {
    this.burst = new BurstLog(log);
  }

  get open(): number {
    return this.connections.size;
  }

  /** A new connection (the server's 'connection' event). False when it was closed. */
  accept(socket: Socket): boolean {
    const address = socket.remoteAddress ?? '';
    if ((this.perClient.get(address) ?? 0) >= this.limits.maxPerClient) {
      this.stats.refusedPerClient++;
      this.refuse(socket, 'per-client', { client: address, limit: this.limits.maxPerClient },
        'TCP connection refused: this client has too many open; counting further refusals for 10 s');
      return false;
    }
    if (this.connections.size >= this.limits.maxConnections && !this.evictIdle()) {
      this.stats.refusedFull++;
      this.refuse(socket, 'full', { limit: this.limits.maxConnections },
        'TCP connection refused: every connection is busy; counting further refusals for 10 s');
      return false;
    }
    this.stats.accepted++;
    // dns2 arms its own idle timer (socket.setTimeout); ours replaces it.
    socket.setTimeout(0);
    socket.setNoDelay(true);
    const timer = setTimeout(() => this.deadline(socket), this.limits.idleTimeoutMs);
    timer.unref();
    this.connections.set(socket, { address, inFlight: 0, timer });
    this.perClient.set(address, (this.perClient.get(address) ?? 0) + 1);
    watchFrames(socket, this.limits.maxMessageBytes, (announced) => {
      this.stats.closedOversize++;
      this.burst.event('oversize', { client: address, announced, limit: this.limits.maxMessageBytes },
        'TCP message larger than allowed: connection closed; counting further ones for 10 s');
      socket.destroy();
    });
    socket.once('close', () => this.forget(socket));
    return true;
  }

  /** A complete query arrived on `socket`. False: too many in flight there, answer REFUSED. */
  admit(socket: Socket): boolean {
    const connection = this.connections.get(socket);
    if (connection === undefined) return true;
    connection.timer.refresh();
    this.connections.delete(socket);
    this.connections.set(socket, connection);
    if (connection.inFlight >= this.limits.maxInFlight) {
      this.stats.refusedInFlight++;
      this.burst.event('inflight', { client: connection.address, limit: this.limits.maxInFlight },
        'TCP client has too many queries in flight: answering REFUSED; counting further ones for 10 s');
      return false;
    }
    connection.inFlight++;
    return true;
  }

  /** The answer to an admitted query was sent (or given up). */
  release(socket: Socket): void {
    const connection = this.connections.get(socket);
    if (connection === undefined) return;
    if (connection.inFlight > 0) connection.inFlight--;
    connection.timer.refresh();
  }

  /** Close every connection (shutdown). */
  closeAll(): void {
    for (const socket of [...this.connections.keys()]) socket.destroy();
  }

  private deadline(socket: Socket): void {
    const connection = this.connections.get(socket);
    if (connection === undefined) return;
    if (connection.inFlight > 0) {
      connection.timer.refresh(); // waiting on us, not on the client
      return;
    }
    this.stats.closedIdle++;
    socket.destroy();
  }

  /** Close the least recently active connection with nothing in flight (RFC 7766 §6.2.3). */
  private evictIdle(): boolean {
    for (const [socket, connection] of this.connections) {
      if (connection.inFlight > 0) continue;
      this.stats.evictedIdle++;
      this.burst.event('evict', { limit: this.limits.maxConnections },
        'TCP connections at the cap: closing the longest-idle one for each new one; counting further ones for 10 s');
      socket.destroy();
      this.forget(socket);
      return true;
    }
    return false;
  }

  private refuse(socket: Socket, key: string, fields: Record<string, unknown>, message: string): void {
    this.burst.event(key, fields, message);
    socket.destroy();
  }

  private forget(socket: Socket): void {
    const connection = this.connections.get(socket);
    if (connection === undefined) return;
    clearTimeout(connection.timer);
    this.connections.delete(socket);
    const count = (this.perClient.get(connection.address) ?? 1) - 1;
    if (count > 0) this.perClient.set(connection.address, count);
    else this.perClient.delete(connection.address);
  }
}

/**
 * Follow the 2-byte length framing of what dns2 reads off `socket`, and call
 * `tooLarge` as soon as a length above `max` is announced — before dns2 would
 * buffer up to 64 KiB waiting for it. dns2 reads with socket.read(), so the
 * watch wraps that one method of this one socket.
 */
function watchFrames(socket: Socket, max: number, tooLarge: (announced: number) => void): void {
  const read = socket.read;
  let headerBytes = 0;
  let header = 0;
  let remaining = 0;
  socket.read = function watchedRead(this: Socket, size?: number) {
    const chunk = read.call(this, size) as Buffer | string | null;
    if (chunk === null || typeof chunk === 'string') return chunk;
    let at = 0;
    while (at < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - at);
        remaining -= take;
        at += take;
        continue;
      }
      header = (header << 8) | (chunk[at] as number);
      at++;
      if (++headerBytes < 2) continue;
      remaining = header & 0xffff;
      headerBytes = 0;
      header = 0;
      if (remaining > max) {
        tooLarge(remaining);
        break;
      }
    }
    return chunk;
  } as Socket['read'];
}
