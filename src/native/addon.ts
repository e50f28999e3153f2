// The native module built from udp_batch.c (binding.gyp; npm builds it at
// install on Linux), loaded once. Everything that uses it works without it:
// callers get the reason it is unavailable instead.

import { createRequire } from 'node:module';

/** The shared memory and controls of one attached socket (see udp_batch.c). */
export interface NativeBatcher {
  readonly input: ArrayBuffer;
  readonly output: ArrayBuffer;
  readonly meta: ArrayBuffer;
  readonly batch: number;
  readonly slot: number;
  close(): void;
  /** The sender's address of the datagram in `index`, as inet_ntop writes it (what dgram's rinfo.address says). */
  address(index: number): string;
  /**
   * Send `data` to the sender in `route` (a copy of a datagram's meta slots
   * 2..15, taken while its batch was delivered), from the address that
   * datagram was sent to. One non-blocking sendmsg: 0, or the errno.
   */
  send(data: Uint8Array, route: Int32Array): number;
  /** Whether replies carry their source address (IP_PKTINFO): the socket is bound to a wildcard address. */
  readonly replySource: boolean;
  /**
   * Until standDown(), a thread of the module reads the socket and answers
   * the questions `table` has replies for (answer-cache.ts standInTable);
   * the rest still reaches onBatch. False when it cannot (a bad table, one
   * already standing in, a closed socket).
   */
  standIn(table: Uint8Array): boolean;
  /** The stand-in's replies per table entry so far, and the seconds it spent (its thread still running); undefined when none runs. */
  answeredSoFar(): StandInCounts | undefined;
  /**
   * The running stand-in answers from `table` from its next batch on, without
   * a pause: the old table's counts, or undefined (nothing changed) when none
   * runs or the table is not well formed.
   */
  replaceTable(table: Uint8Array): StandInCounts | undefined;
  /** Stop the stand-in: what it answered, per table entry, and the seconds it spent; undefined when none ran. */
  standDown(): StandInCounts | undefined;
}

/** What a stand-in answered: replies per entry of its table, and the seconds it spent answering. */
export interface StandInCounts {
  readonly answered: Uint32Array;
  readonly seconds: number;
}

interface NativeAddon {
  attach(fd: number, onBatch: (count: number) => void): NativeBatcher;
  /** glibc's malloc_trim(0): free C-heap memory goes back to the system. False where there is none (musl). */
  trimMemory(): boolean;
  /** glibc's mallopt(M_ARENA_MAX, n) for threads that have no arena yet. False where there is none (musl). */
  limitMallocArenas(arenas: number): boolean;
}

let loaded: NativeAddon | Error | undefined;

/** The native module, or why it cannot be had here. */
export function nativeAddon(): NativeAddon | Error {
  loaded ??= load();
  return loaded;
}

function load(): NativeAddon | Error {
  if (process.platform !== 'linux') return new Error('batched UDP needs Linux (recvmmsg/sendmmsg)');
  try {
    // dist/native/ and src/native/ are both two levels below the package root.
    return createRequire(import.meta.url)('../../build/Release/udp_batch.node') as NativeAddon;
  } catch (err) {
    return new Error(`the native module is not built (npm rebuild clusterdns, or npm run build:native): ${(err as Error).message.split('\n')[0]}`);
  }
}
