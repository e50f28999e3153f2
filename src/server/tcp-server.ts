// dns2's TCP server with two changes to how a connection is read:
// - each 'request' listener also gets the message as received (a 4th
//   argument), so the question name can be read from its bytes (dns2's
//   decode loses a '.' inside a label, question-name.ts) and its size is
//   known without re-encoding;
// - a message can be finished without a reply. dns2 counts each framed
//   message as in flight until the handler's send callback runs, and closes
//   a half-closed connection only when that count is back to 0 — so a
//   message we drop on purpose (QR=1, a request while stopping) would hold
//   the connection open until the idle timeout, and with the per-client cap
//   a client could lock its own address out.
// - reading a connection can be paused and resumed (readControl): the TCP
//   caps stop reading a connection whose queue of pipelined queries is full,
//   so the client's own sends back up (backpressure), not REFUSED.
// The framing follows dns2's own (node_modules/dns2/server/tcp.js, RFC 7766
// §6.2.1.1 pipelining); messages are read with socket.read(), which the
// TCP caps watch (tcp-limits.ts).

import type { Socket } from 'node:net';
import { Packet, TCPServer } from 'dns2';
import type { ReadControl } from './tcp-limits.js';

/** dns2's per-connection state (node_modules/dns2/server/tcp.js, `handle`). */
interface PipelineState {
  inFlight: number;
  peerEnded: boolean;
}

type Respond = (this: TCPServer, client: Socket, state: PipelineState, message: Packet | Buffer) => void;

/**
 * The send callback dns2 hands to 'request' listeners is `response` bound to
 * the connection; here `send(undefined)` means "answered with nothing".
 */
export type TcpSend = (response: Buffer | undefined) => void;

export class DnsTcpServer extends TCPServer {
  private readonly readers = new WeakMap<Socket, ReadControl>();

  /** Pauses and resumes the reading of `client`'s messages (set before the 'connection' listeners run). */
  readControl(client: Socket): ReadControl | undefined {
    return this.readers.get(client);
  }

  /** Replaces dns2's `handle` (bound to 'connection' in its constructor). */
  handle(client: Socket): void {
    const state: PipelineState = { inFlight: 0, peerEnded: false };
    // dns2's idle timer (RFC 7766 §6.2.3), until the TCP caps replace it with their own.
    const idleTimeout = (this as unknown as { idleTimeout?: number }).idleTimeout ?? 0;
    if (idleTimeout > 0) client.setTimeout(idleTimeout);
    const fail = (err: unknown): void => {
      this.emit('requestError', err);
      client.destroy();
    };
    const control = readFrames(client, state, (message) => {
      let packet: Packet;
      try {
        packet = Packet.parse(message);
      } catch (err) {
        return fail(err);
      }
      // Before emitting, so a synchronous send sees 1 → 0.
      state.inFlight++;
      this.emit('request', packet, this.response.bind(this, client, state), client, message);
    }, fail);
    this.readers.set(client, control);
  }

  response(client: Socket, state: PipelineState, message: Packet | Buffer | undefined): void {
    if (message !== undefined) {
      (TCPServer.prototype as unknown as { response: Respond }).response.call(this, client, state, message);
      return;
    }
    // dns2's bookkeeping after a write, without the write: one fewer in
    // flight, and a peer that has half-closed gets our FIN once none is left.
    if (state.inFlight > 0) state.inFlight--;
    if (state.peerEnded && state.inFlight === 0 && !client.destroyed) client.end();
  }
}

/**
 * Call `onMessage` for each length-prefixed message on `socket`. A half-close
 * ends the stream (ours follows once nothing is in flight); a half-close
 * mid-message is an error. While paused nothing is read off the socket (its
 * buffers fill, then the client's window closes) and no message is passed on.
 */
function readFrames(socket: Socket, state: PipelineState, onMessage: (message: Buffer) => void, onError: (err: unknown) => void): ReadControl {
  let paused = false;
  let ended = false;
  let buffered: Buffer = Buffer.alloc(0);
  // Chunks are joined only once the next message is complete: a client that
  // trickles a 64 KiB message a byte at a time must not make us copy the
  // growing prefix for every byte.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const drain = (): void => {
    while (!paused && buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) return;
      const message = buffered.subarray(2, 2 + length);
      buffered = buffered.subarray(2 + length);
      onMessage(message);
    }
  };
  const onReadable = (): void => {
    if (paused) return;
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) {
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
    const have = buffered.length + pendingBytes;
    if (have < 2) return;
    const needed = 2 + (buffered.length >= 2 ? buffered : joinPending()).readUInt16BE(0);
    if (have < needed) return;
    joinPending();
    try {
      drain();
    } catch (err) {
      onError(err);
    }
  };
  const joinPending = (): Buffer => {
    if (pending.length > 0) {
      buffered = buffered.length === 0 && pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat([buffered, ...pending]);
      pending = [];
      pendingBytes = 0;
    }
    return buffered;
  };
  const peerEnded = (): void => {
    if (buffered.length + pendingBytes > 0) return onError(new Error('TCP message truncated: connection closed mid-message'));
    state.peerEnded = true;
    if (state.inFlight === 0 && !socket.destroyed) socket.end();
  };
  socket.on('readable', onReadable);
  socket.on('end', () => {
    ended = true;
    // Paused with whole messages still buffered: they are read on resume, then the end.
    if (!paused) peerEnded();
  });
  socket.on('timeout', () => {
    if (!socket.destroyed) socket.end();
  });
  socket.on('error', onError);
  onReadable();
  return {
    pause: () => {
      paused = true;
    },
    resume: () => {
      if (!paused) return;
      paused = false;
      try {
        drain();
      } catch (err) {
        return onError(err);
      }
      onReadable();
      if (ended && !paused) peerEnded();
    },
  };
}
