// Caps on DNS over TCP (RFC 7766 §6.2): connections in total and per client
// address, a deadline for each query to arrive whole, queries in flight per
// connection, and the largest message a client may announce. Past a
// connection cap the longest-idle connection (of that client, for the
// per-client cap) makes room; pipelined queries past the in-flight cap wait
// in a queue bounded in bytes, and past that bound the connection is not
// read until answers go out (backpressure), never REFUSED (RFC 7766
// §6.2.1.1). The server logs once per burst and keeps serving everyone else.
//
// One timer per connection does both idle and slow-loris duty: it is re-armed
// only when a complete query arrives or a response goes out, so a client
// dripping one byte at a time gets no more time than one that sends nothing.

import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { BurstLog } from '../burst-log.js';

export interface TcpLimits {
  /** Open connections at once; a new one past it closes the longest-idle one (or itself if none is idle). */
  readonly maxConnections: number;
  /**
   * Open connections per client address; a new one past it closes that
   * client's longest-idle connection (or itself if none is idle).
   */
  readonly maxPerClient: number;
  /** A connection with nothing in flight that completes no query for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Queries being answered at once per connection; more wait in the connection's queue. */
  readonly maxInFlight: number;
  /** Bytes of queries waiting in one connection's queue; past it the connection is not read until answers go out. */
  readonly maxQueuedBytes: number;
  /** Largest length a client may announce for one message; a larger one closes the connection. */
  readonly maxMessageBytes: number;
}

export const TCP_DEFAULTS: TcpLimits = {
  maxConnections: 1000,
  maxPerClient: 64,
  idleTimeoutMs: 5000,
  maxInFlight: 32,
  maxQueuedBytes: 65_536,
  maxMessageBytes: 4096,
};

/** What the guard has done since start (tests, load figures). */
export interface TcpGuardStats {
  accepted: number;
  refusedPerClient: number;
  refusedFull: number;
  evictedIdle: number;
  /** Idle connections closed to admit a new one from the same client past the per-client cap. */
  evictedPerClient: number;
  closedIdle: number;
  closedOversize: number;
  /** Pipelined queries that waited in a connection's queue (past maxInFlight). */
  queued: number;
  /** Times a connection stopped being read because its queue passed maxQueuedBytes. */
  paused: number;
}

/** Stops and restarts reading a connection's messages (tcp-server.ts). */
export interface ReadControl {
  pause(): void;
  resume(): void;
}

interface Waiting {
  readonly bytes: number;
  readonly run: () => void;
}

interface Connection {
  readonly address: string;
  inFlight: number;
  readonly timer: NodeJS.Timeout;
  readonly queue: Waiting[];
  queuedBytes: number;
  readonly reading: ReadControl | undefined;
  paused: boolean;
  /** Set while the queue is being run, so a synchronous answer does not re-enter. */
  draining: boolean;
}

export class TcpGuard {
  readonly stats: TcpGuardStats = {
    accepted: 0, refusedPerClient: 0, refusedFull: 0, evictedIdle: 0, evictedPerClient: 0, closedIdle: 0, closedOversize: 0,
    queued: 0, paused: 0,
  };
  /** Insertion order is recency: a connection moves to the end on each query. */
  private readonly connections = new Map<Socket, Connection>();
  private readonly perClient = new Map<string, number>();
  private readonly burst: BurstLog;

  constructor(
    readonly limits: TcpLimits,
    log: Logger,
  ) {
    this.burst = new BurstLog(log);
  }

  get open(): number {
    return this.connections.size;
  }

  /**
   * A new connection (the server's 'connection' event). False when it was
   * closed. `reading` lets a full queue stop reading the connection.
   */
  accept(socket: Socket, reading?: ReadControl): boolean {
    const address = socket.remoteAddress ?? '';
    if ((this.perClient.get(address) ?? 0) >= this.limits.maxPerClient && !this.evictIdle(address)) {
      this.stats.refusedPerClient++;
      this.refuse(socket, 'per-client', { client: address, limit: this.limits.maxPerClient },
        'TCP connection refused: this client has too many open, none idle; counting further refusals for 10 s');
      return false;
    }
    if (this.connections.size >= this.limits.maxConnections && !this.evictIdle()) {
      this.stats.refusedFull++;
      this.refuse(socket, 'full', { limit: this.limits.maxConnections },
        'TCP connection refused: every connection is busy; counting further refusals for 10 s');
      return false;
    }
    this.stats.accepted++;
    socket.setNoDelay(true);
    const timer = setTimeout(() => this.deadline(socket), this.limits.idleTimeoutMs);
    timer.unref();
    this.connections.set(socket, {
      address, inFlight: 0, timer, queue: [], queuedBytes: 0, reading, paused: false, draining: false,
    });
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

  /**
   * A complete query of `bytes` arrived on `socket`: `run` answers it, now
   * when fewer than maxInFlight are being answered there, else once earlier
   * ones are (in arrival order).
   */
  admit(socket: Socket, bytes: number, run: () => void): void {
    const connection = this.connections.get(socket);
    if (connection === undefined) return run();
    connection.timer.refresh();
    this.connections.delete(socket);
    this.connections.set(socket, connection);
    if (connection.inFlight >= this.limits.maxInFlight) this.stats.queued++;
    connection.queue.push({ bytes, run });
    connection.queuedBytes += bytes;
    this.drain(connection);
    if (connection.queuedBytes > this.limits.maxQueuedBytes && !connection.paused && connection.reading) {
      connection.paused = true;
      this.stats.paused++;
      connection.reading.pause();
    }
  }

  /** The answer to an admitted query was sent (or given up). */
  release(socket: Socket): void {
    const connection = this.connections.get(socket);
    if (connection === undefined) return;
    if (connection.inFlight > 0) connection.inFlight--;
    connection.timer.refresh();
    this.drain(connection);
  }

  /** Start waiting queries while there is room; read again once the queue is back under its bound. */
  private drain(connection: Connection): void {
    if (connection.draining) return;
    connection.draining = true;
    try {
      while (connection.inFlight < this.limits.maxInFlight && connection.queue.length > 0) {
        const next = connection.queue.shift() as Waiting;
        connection.queuedBytes -= next.bytes;
        connection.inFlight++;
        next.run();
      }
    } finally {
      connection.draining = false;
    }
    if (connection.paused && connection.queuedBytes <= this.limits.maxQueuedBytes) {
      connection.paused = false;
      connection.reading?.resume();
    }
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

  /**
   * Close the least recently active connection with nothing in flight (RFC
   * 7766 §6.2.3): any client's, or only `client`'s for the per-client cap.
   */
  private evictIdle(client?: string): boolean {
    for (const [socket, connection] of this.connections) {
      if (connection.inFlight > 0 || connection.queue.length > 0) continue;
      if (client !== undefined && connection.address !== client) continue;
      if (client === undefined) {
        this.stats.evictedIdle++;
        this.burst.event('evict', { limit: this.limits.maxConnections },
          'TCP connections at the cap: closing the longest-idle one for each new one; counting further ones for 10 s');
      } else {
        this.stats.evictedPerClient++;
        this.burst.event('evict-client', { client, limit: this.limits.maxPerClient },
          'TCP connections of one client at its cap: closing its longest-idle one for each new one; counting further ones for 10 s');
      }
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
    connection.queue.length = 0; // never answered: the connection is gone
    connection.queuedBytes = 0;
    this.connections.delete(socket);
    const count = (this.perClient.get(connection.address) ?? 1) - 1;
    if (count > 0) this.perClient.set(connection.address, count);
    else this.perClient.delete(connection.address);
  }
}

/**
 * Follow the 2-byte length framing of what tcp-server.ts reads off `socket`,
 * and call `tooLarge` as soon as a length above `max` is announced — before
 * the frame reader would buffer up to 64 KiB waiting for it. It reads with
 * socket.read(), so the watch wraps that one method of this one socket.
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
