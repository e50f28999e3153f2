// Batched UDP I/O: the native module in src/native/udp_batch.c, when it was
// built (npm builds it at install on Linux; see binding.gyp), takes over
// reading a bound dgram socket. It reads up to 64 datagrams with one
// recvmmsg, calls us once for all of them, and sends the replies we write
// into its output slots with one sendmmsg. node:dgram does a callback, an
// rinfo object, an address string, a send request and two syscalls per
// datagram: at our rates that is more than the answering itself.
//
// Replies that are not ready at once (names forwarded upstream) are
// sent later by the native module too, one sendmsg each, from a copy of the
// datagram's route: on a socket bound to a wildcard address every reply,
// late or not, leaves from the address its query was sent to.

import type { Socket as UdpSocket } from 'node:dgram';
import { nativeAddon, type NativeBatcher, type StandInCounts } from '../native/addon.js';

/**
 * Int32s of metadata per datagram (udp_batch.c): received length, reply
 * length, then the route: family, port, 16 address bytes, local family,
 * interface, 16 local address bytes, scope id, unused.
 */
const META_INTS = 16;
const ROUTE_START = 2;

/** A batch of datagrams as the server reads them: slot i's bytes, sender and reply. */
export class DatagramBatch {
  private readonly input: Buffer;
  private readonly output: Buffer;
  private readonly meta: Int32Array;
  private readonly slot: number;
  /** Family and address bytes (as int32s) of the last address turned into text, and that text. */
  private readonly lastAddress = new Int32Array(5);
  private lastText = '';
  /** Each slot's input and output as a view made once (the wire path reads and writes them without a new view per datagram). */
  private readonly inputSlots: Buffer[] = [];
  private readonly outputSlots: Buffer[] = [];

  constructor(private readonly native: NativeBatcher) {
    this.input = Buffer.from(native.input);
    this.output = Buffer.from(native.output);
    this.meta = new Int32Array(native.meta);
    this.slot = native.slot;
    for (let start = 0; start + this.slot <= this.output.length; start += this.slot) {
      this.inputSlots.push(this.input.subarray(start, start + this.slot));
      this.outputSlots.push(this.output.subarray(start, start + this.slot));
    }
  }

  /** Slot `index`'s whole input buffer (the datagram is its first length(index) bytes); valid only until the batch handler returns. */
  inputSlot(index: number): Buffer {
    return this.inputSlots[index] as Buffer;
  }

  /** The received length of slot `index`'s datagram. */
  length(index: number): number {
    return this.meta[index * META_INTS] as number;
  }

  /** Slot `index`'s output buffer: a reply written there is sent once replyLength(index, n) is set. */
  outputSlot(index: number): Buffer {
    return this.outputSlots[index] as Buffer;
  }

  /** Send the first `length` bytes of outputSlot(index) when the handler returns. */
  replyLength(index: number, length: number): void {
    this.meta[index * META_INTS + 1] = length;
  }

  /** The datagram in slot `index`: a view of shared memory, valid only until the batch handler returns. */
  message(index: number): Buffer {
    const start = index * this.slot;
    return this.input.subarray(start, start + (this.meta[index * META_INTS] as number));
  }

  port(index: number): number {
    return this.meta[index * META_INTS + 3] as number;
  }

  /**
   * The sender's address as text. Clients send runs of queries, so the last
   * address's 16 bytes and text are kept: a repeat costs four compares
   * instead of a call into the native module and a new string.
   */
  address(index: number): string {
    const meta = this.meta;
    const at = index * META_INTS + 2; // family, port, then the 16 address bytes
    const family = meta[at] as number;
    const a = meta[at + 2] as number;
    const b = meta[at + 3] as number;
    const c = meta[at + 4] as number;
    const d = meta[at + 5] as number;
    const last = this.lastAddress;
    if (family === last[0] && a === last[1] && b === last[2] && c === last[3] && d === last[4]) return this.lastText;
    last[0] = family;
    last[1] = a;
    last[2] = b;
    last[3] = c;
    last[4] = d;
    this.lastText = this.native.address(index);
    return this.lastText;
  }

  /** Whether replies leave from the address each query was sent to (set by the kernel otherwise: the socket has one address). */
  get replySource(): boolean {
    return this.native.replySource;
  }

  /** A copy of what it takes to answer slot `index` later (sendLate): its sender and the address it was sent to. */
  route(index: number): Int32Array {
    const start = index * META_INTS + ROUTE_START;
    return this.meta.slice(start, start + META_INTS - ROUTE_START);
  }

  /** Send a reply that was not ready while its batch was read. Throws when the kernel refuses it (logged by the caller). */
  sendLate(route: Int32Array, response: Buffer): void {
    const error = this.native.send(response, route);
    if (error !== 0) throw Object.assign(new Error(`cannot send a late UDP reply (errno ${error})`), { errno: error });
  }

  /** Send `response` to slot `index`'s sender when the handler returns. */
  reply(index: number, response: Buffer): void {
    if (response.length > this.slot) return;
    response.copy(this.output, index * this.slot);
    this.meta[index * META_INTS + 1] = response.length;
  }
}

/** `--udp-io batch` was asked for and cannot be had here; `message` says why and what to do. */
export class BatchUnavailableError extends Error {
  override readonly name = 'BatchUnavailableError';
  constructor(reason: string) {
    super(`--udp-io batch: ${reason}; use --udp-io auto or dgram to read UDP with node:dgram`);
  }
}

export interface BatchedSocket {
  close(): void;
  /** See NativeBatcher.standIn. */
  standIn(table: Uint8Array): boolean;
  /** See NativeBatcher.answeredSoFar. */
  answeredSoFar(): StandInCounts | undefined;
  /** See NativeBatcher.replaceTable. */
  replaceTable(table: Uint8Array): StandInCounts | undefined;
  /** See NativeBatcher.standDown. */
  standDown(): StandInCounts | undefined;
}

/**
 * Take over reading `socket` (bound, listening): `onBatch` is called with
 * each batch and the number of datagrams in it. Throws when batched UDP is
 * unavailable or the socket's descriptor cannot be reached.
 */
export function attachBatched(socket: UdpSocket, onBatch: (batch: DatagramBatch, count: number) => void): BatchedSocket {
  const native = nativeAddon();
  if (native instanceof Error) throw native;
  const handle = dgramHandle(socket);
  if (handle === undefined) throw new Error('cannot reach the UDP socket descriptor in this Node.js version');
  let batch: DatagramBatch | undefined;
  const batcher = native.attach(handle.fd, (count) => {
    if (batch) onBatch(batch, count);
  });
  batch = new DatagramBatch(batcher);
  // From here on the batcher reads; dgram only sends.
  handle.recvStop();
  return { close: () => batcher.close(), standIn: (table) => batcher.standIn(table), standDown: () => batcher.standDown(), answeredSoFar: () => batcher.answeredSoFar(), replaceTable: (table) => batcher.replaceTable(table) };
}

interface UdpHandle {
  readonly fd: number;
  recvStop(): number;
}

/**
 * The libuv handle behind a dgram socket. Node keeps it under a symbol of
 * its own (`socket._handle` is the same thing, deprecated with a warning);
 * anything unexpected means "not available", and the server stays on dgram.
 */
function dgramHandle(socket: UdpSocket): UdpHandle | undefined {
  const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  if (symbol === undefined) return undefined;
  const state = (socket as unknown as Record<symbol, { handle?: Partial<UdpHandle> } | undefined>)[symbol];
  const handle = state?.handle;
  if (handle === undefined || typeof handle.fd !== 'number' || handle.fd < 0 || typeof handle.recvStop !== 'function') return undefined;
  return handle as UdpHandle;
}
