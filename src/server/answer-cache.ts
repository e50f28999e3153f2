// The UDP wire path: a repeated question answered from its bytes.
//
// The ordinary path turns each datagram into a Query (a name string, an
// object), normalizes the name, looks it up in the index's memo (a map keyed
// by that string) and writes a response into a new buffer that is then
// copied into the batch's output slot: about 770 bytes of garbage per query,
// and a third of the server's CPU went to collecting it (bench/RESULTS.md,
// issue 19). Here a plain query whose lower-cased question bytes were seen
// before is answered straight into its output slot from the PreparedAnswer
// the ordinary path chose the first time: no string, no object, no buffer.
//
// Only a strict subset of what scan.ts accepts is taken (RD and CD copied,
// AD ignored; one question of class IN with an uncompressed name of plain
// labels; no record but an option-less OPT of version 0), and only answers
// that respond() writes with writeResponse are kept (prepared()), so the
// bytes are those the ordinary path would send. Everything else, and every
// first sight of a question, takes the ordinary path. A reload changes the
// responder's epoch and empties the table (checked once per batch). The app
// hands the responder over only when nothing stands between it and the
// server (no observer, no Corefile rewrite or hosts plugin).

import { HEADER_SIZE } from '../dns/message.js';
import { reusableHead, writeResponseFromWire, type PreparedAnswer } from '../dns/wire.js';
import { CLASSIC_UDP_PAYLOAD, MAX_UDP_PAYLOAD } from '../dns/query.js';
import type { PreparedAnswers } from '../resolve/responder.js';
import type { Query } from '../dns/query.js';

/** Entries (2-way: a question lives in one of two neighbouring ones). */
const ENTRIES = 1 << 14;
/** Bytes of a key: the name's wire form and QTYPE; longer names take the ordinary path. */
const KEY_MAX = 128;
const OPT_TYPE = 41;
const DOT = 0x2e;
const BACKSLASH = 0x5c;

/** answer(): not of the shape answered here, or seen before and not answerable here. */
export const ORDINARY = -1;
/** answer(): of the right shape but not seen yet; learn() can keep its answer. */
export const UNSEEN = -2;

export class AnswerCache {
  private readonly keys = new Uint8Array(ENTRIES * KEY_MAX);
  /** Key length per entry; 0 = empty. */
  private readonly keyLengths = new Uint16Array(ENTRIES);
  /** null: seen, answered some other way (forwarded, REFUSED…). */
  private readonly answers: (PreparedAnswer | null | undefined)[] = new Array<PreparedAnswer | null | undefined>(ENTRIES).fill(undefined);
  private epoch: object | undefined;
  private readonly head = reusableHead();
  private readonly edns = { udpSize: 0, do: false, version: 0 };
  /** The last question answer() read: its hash, key length and where its QTYPE sits. */
  private lastHash = 0;
  private lastKeyLength = 0;
  private lastRequest: Buffer | undefined;
  /** Alternates which of the two entries a new key replaces. */
  private victim = 0;

  constructor(private readonly source: PreparedAnswers) {}

  /** Once per batch: forget every answer when the index was swapped since the last batch. */
  startBatch(): void {
    const epoch = this.source.epoch();
    if (epoch === this.epoch) return;
    this.epoch = epoch;
    this.keyLengths.fill(0);
    this.answers.fill(undefined);
  }

  /**
   * Write the reply to `request[0, length)` into `out` (from offset 0) and
   * return its length; or ORDINARY / UNSEEN (see above) with `out` untouched.
   */
  answer(request: Buffer, length: number, out: Buffer): number {
    if (length < HEADER_SIZE + 5) return ORDINARY;
    const flags = request[2] as number;
    const flags2 = request[3] as number;
    // QR 0, opcode 0, AA/TC clear (RD may be set); RA, Z and RCODE clear (AD, CD may be set).
    if ((flags & 0xfe) !== 0 || (flags2 & 0xcf) !== 0) return ORDINARY;
    if (request[4] !== 0 || request[5] !== 1 || request[6] !== 0 || request[7] !== 0 || request[8] !== 0 || request[9] !== 0 || request[10] !== 0) return ORDINARY;
    const additionals = request[11] as number;
    if (additionals > 1) return ORDINARY;
    // The name: plain labels, hashed lower-cased (FNV-1a) on the way.
    let hash = 0x811c9dc5;
    let at = HEADER_SIZE;
    for (;;) {
      if (at >= length) return ORDINARY;
      const label = request[at] as number;
      if (label === 0) break;
      if (label > 63) return ORDINARY;
      const end = at + 1 + label;
      if (end >= length || end - HEADER_SIZE + 3 > KEY_MAX) return ORDINARY;
      hash = Math.imul(hash ^ label, 0x01000193);
      for (let i = at + 1; i < end; i++) {
        let byte = request[i] as number;
        if (byte === DOT || byte === BACKSLASH) return ORDINARY;
        if (byte >= 0x41 && byte <= 0x5a) byte |= 0x20;
        hash = Math.imul(hash ^ byte, 0x01000193);
      }
      at = end;
    }
    const questionEnd = at + 5;
    if (questionEnd > length || request[at + 3] !== 0 || request[at + 4] !== 1) return ORDINARY; // class IN
    const keyLength = at + 3 - HEADER_SIZE; // name, its root byte, QTYPE
    hash = Math.imul(hash ^ (request[at + 1] as number), 0x01000193);
    hash = Math.imul(hash ^ (request[at + 2] as number), 0x01000193);
    let edns: typeof this.edns | undefined;
    if (additionals === 1) {
      // Root owner, TYPE OPT, CLASS = payload size, extended RCODE 0, version 0, only DO among the flags, no options.
      const o = questionEnd;
      if (o + 11 !== length || request[o] !== 0 || request[o + 1] !== 0 || request[o + 2] !== OPT_TYPE) return ORDINARY;
      if (request[o + 5] !== 0 || request[o + 6] !== 0 || ((request[o + 7] as number) & 0x7f) !== 0 || request[o + 8] !== 0) return ORDINARY;
      if (request[o + 9] !== 0 || request[o + 10] !== 0) return ORDINARY;
      edns = this.edns;
      edns.udpSize = ((request[o + 3] as number) << 8) | (request[o + 4] as number);
      edns.do = ((request[o + 7] as number) & 0x80) !== 0;
    } else if (questionEnd !== length) {
      return ORDINARY;
    }

    const entry = this.find(hash, request, keyLength);
    if (entry < 0) {
      this.lastHash = hash;
      this.lastKeyLength = keyLength;
      this.lastRequest = request;
      return UNSEEN;
    }
    const prepared = this.answers[entry];
    if (!prepared) return ORDINARY;
    const head = this.head;
    head.id = ((request[0] as number) << 8) | (request[1] as number);
    head.rd = (flags & 0x01) !== 0;
    head.cd = (flags2 & 0x10) !== 0;
    head.edns = edns;
    // responseLimit() of a UDP query.
    const limit = edns ? Math.min(Math.max(edns.udpSize, CLASSIC_UDP_PAYLOAD), MAX_UDP_PAYLOAD) : CLASSIC_UDP_PAYLOAD;
    const written = writeResponseFromWire(out, request, questionEnd, head, limit, prepared, this.source.nextTurn());
    return written < 0 ? ORDINARY : written;
  }

  /**
   * Keep what answers the question answer() last called UNSEEN (`request`
   * must be the same bytes, `query` what scan.ts read from them): the
   * responder's PreparedAnswer, or a mark that it is answered some other way.
   * Returns whether answer() will now answer it.
   */
  learn(request: Buffer, query: Query): boolean {
    if (request !== this.lastRequest) return false;
    this.lastRequest = undefined;
    const prepared = this.source.prepared(query) ?? null;
    const first = this.lastHash & (ENTRIES - 1) & ~1;
    const entry = this.keyLengths[first] === 0 ? first : this.keyLengths[first + 1] === 0 ? first + 1 : first + (this.victim ^= 1);
    const keyLength = this.lastKeyLength;
    const base = entry * KEY_MAX;
    for (let i = 0; i < keyLength; i++) {
      const byte = request[HEADER_SIZE + i] as number;
      this.keys[base + i] = i < keyLength - 2 ? lower(byte) : byte; // the name folded, QTYPE as is
    }
    this.keyLengths[entry] = keyLength;
    this.answers[entry] = prepared;
    return prepared !== null;
  }

  /** The entry holding this question (lower-cased compare), or -1. */
  private find(hash: number, request: Buffer, keyLength: number): number {
    const first = hash & (ENTRIES - 1) & ~1;
    for (let entry = first; entry < first + 2; entry++) {
      if (this.keyLengths[entry] !== keyLength) continue;
      const base = entry * KEY_MAX;
      const nameLength = keyLength - 2;
      let i = 0;
      while (i < nameLength && this.keys[base + i] === lower(request[HEADER_SIZE + i] as number)) i++;
      if (i < nameLength) continue;
      if (this.keys[base + i] === request[HEADER_SIZE + i] && this.keys[base + i + 1] === request[HEADER_SIZE + i + 1]) return entry;
    }
    return -1;
  }
}

/** ASCII letters folded to lower case, as normalizeName folds names (DNS folds nothing else). */
function lower(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}
