// DNS over TCP (RFC 1035 §4.2.2, RFC 7766) on plain node:net: each message
// is framed by a 2-byte length, several may be pipelined on one connection
// and their answers may go out in any order (§6.2.1.1). This file only
// frames: the server (index.ts) reads each message with the codec
// (src/dns/request.ts) and the TCP caps (tcp-limits.ts) decide how many are
// answered at once.
//
// - Each message is finished exactly once, with a reply or without one (a
//   response sent to us, a request while stopping), so a half-closed
//   connection gets our FIN as soon as nothing is in flight.
// - Reading a connection can be paused and resumed (readControl): the TCP
//   caps stop reading a connection whose queue of pipelined queries is full,
//   so the client's own sends back up (backpressure), not REFUSED.
// Messages are read with socket.read(), which the TCP caps watch for an
// oversized announced length (tcp-limits.ts).

import { Server, type Socket } from 'node:net';
import type { ReadControl } from './tcp-limits.js';

/** Finish one message: write `response` framed, or nothing when undefined. */
type TcpSend = (response: Buffer | undefined) => void;

interface TcpHandlers {
  /** One framed message (without its length prefix); `finish` must be called once. */
  message(message: Buffer, socket: Socket, finish: TcpSend): void;
  /** A framing or socket error: the connection is already destroyed. */
  error(err: unknown): void;
}

interface PipelineState {
  inFlight: number;
  peerEnded: boolean;
}

export class DnsTcpServer extends Server {
  private readonly readers = new WeakMap<Socket, ReadControl>();
  private handlers: TcpHandlers = { message: (_message, _socket, finish) => finish(undefined), error: () => undefined };

  constructor() {
    // Our write side stays open after the peer half-closes: a client that
    // sent its query with socket.end(frame) still gets the answer.
    super({ allowHalfOpen: true });
    // Registered first, so readControl is set before other 'connection' listeners run.
    this.on('connection', (socket: Socket) => this.handle(socket));
  }

  /** Where messages go from now on. */
  serve(handlers: TcpHandlers): void {
    this.handlers = handlers;
  }

  /** Pauses and resumes the reading of `client`'s messages (set before the 'connection' listeners run). */
  readControl(client: Socket): ReadControl | undefined {
    return this.readers.get(client);
  }

  private handle(client: Socket): void {
    const state: PipelineState = { inFlight: 0, peerEnded: false };
    const fail = (err: unknown): void => {
      client.destroy();
      this.handlers.error(err);
    };
    const control = readFrames(client, state, (message) => {
      // Before the handler, so a synchronous finish sees 1 → 0.
      state.inFlight++;
      let finished = false;
      this.handlers.message(message, client, (response) => {
        if (finished) return;
        finished = true;
        if (response !== undefined) writeFramed(client, response);
        if (state.inFlight > 0) state.inFlight--;
        if (state.peerEnded && state.inFlight === 0 && !client.destroyed) client.end();
      });
    }, fail);
    this.readers.set(client, control);
  }
}

/** One response with its 2-byte length, in one write; nothing when the connection is gone. */
function writeFramed(client: Socket, response: Buffer): void {
  if (client.destroyed || !client.writable || response.length > 0xffff) return;
  const framed = Buffer.allocUnsafe(2 + response.length);
  framed.writeUInt16BE(response.length, 0);
  response.copy(framed, 2);
  client.write(framed);
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
