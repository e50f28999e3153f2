// The UDP wire path: a repeated question answered from its bytes.
//
// The ordinary path turns each datagram into a Query (a name string, an
// object), normalizes the name, looks it up in the index's memo (a map keyed
// by that string) and writes a response into a new buffer that is then
// copied into the batch's output slot: about 770 bytes of garbage per query,
// and a third of the server's CPU went to collecting it (bench/RESULTS.md).
// Here a plain query whose lower-cased question bytes were seen
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
// server (no Corefile rewrite or hosts plugin, no query log; metrics are
// told of each repeat with the question it was learned from).
//
// The questions asked again are also what the native stand-in answers while
// a change is built (standInQuestions, standInTable; docs/reload-latency.md).

import { HEADER_SIZE } from '../dns/message.js';
import { reusableHead, writeResponseFromWire, type PreparedAnswer, type ReusableHead } from '../dns/wire.js';
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

/** Answers from an entry that make it a repeat: the one right after learning it, and one more. */
const REPEATED = 2;
/** Questions in a stand-in table at most (rendering one takes a few microseconds). */
const STAND_IN_MAX = 1024;

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
  /** The question each entry was learned from (what a metrics observer is told of a repeat). */
  private readonly queries: (Query | undefined)[] = new Array<Query | undefined>(ENTRIES).fill(undefined);
  /** The entry answer() last answered from. */
  private lastEntry = 0;
  /** Per entry: how many times answer() answered from it (the first time is the query that taught it). */
  private readonly hits = new Uint32Array(ENTRIES);
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
    this.queries.fill(undefined);
    this.hits.fill(0);
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
    this.lastEntry = entry;
    this.hits[entry]!++;
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
    this.queries[entry] = query;
    this.hits[entry] = 0;
    return prepared !== null;
  }

  /**
   * Keep `questions` (those of a stand-in table rendered from the state that
   * answers now, standInQuestions): after a swap, the questions the stand-in
   * was answering are answered from bytes again at once.
   */
  relearn(questions: readonly StandInQuestion[]): void {
    this.startBatch();
    for (const { key, query, prepared } of questions) {
      // The hash answer() computes: the name's labels (not its root byte), then QTYPE.
      let hash = 0x811c9dc5;
      for (let i = 0; i < key.length - 3; i++) hash = Math.imul(hash ^ (key[i] as number), 0x01000193);
      hash = Math.imul(hash ^ (key[key.length - 2] as number), 0x01000193);
      hash = Math.imul(hash ^ (key[key.length - 1] as number), 0x01000193);
      const first = hash & (ENTRIES - 1) & ~1;
      const entry = this.keyLengths[first] === 0 ? first : this.keyLengths[first + 1] === 0 ? first + 1 : first + (this.victim ^= 1);
      this.keys.set(key, entry * KEY_MAX);
      this.keyLengths[entry] = key.length;
      this.answers[entry] = prepared;
      this.queries[entry] = query;
      this.hits[entry] = REPEATED;
    }
  }

  /**
   * The questions asked again since they were learned, with their answers
   * (the stand-in's first table of a change): at most STAND_IN_MAX, the most
   * asked. A name asked once (a search-list miss, a one-off) is left out, so
   * the table stays small whatever fills this one.
   */
  standInQuestions(): StandInQuestion[] {
    this.startBatch();
    let entries: number[] = [];
    for (let entry = 0; entry < ENTRIES; entry++) {
      if (this.answers[entry] && this.queries[entry] && (this.hits[entry] as number) >= REPEATED) entries.push(entry);
    }
    if (entries.length > STAND_IN_MAX) entries = entries.sort((a, b) => (this.hits[b] as number) - (this.hits[a] as number)).slice(0, STAND_IN_MAX);
    return entries.map((entry) => ({
      key: this.keys.slice(entry * KEY_MAX, entry * KEY_MAX + (this.keyLengths[entry] as number)),
      query: this.queries[entry] as Query,
      prepared: this.answers[entry] as PreparedAnswer,
    }));
  }

  /** The question of the entry answer() last answered from (for an observer: its name, type and transport). */
  lastQuery(): Query {
    return this.queries[this.lastEntry] as Query;
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

/** A question the stand-in may answer: its key (the name's wire form in lower case, then QTYPE), the query it was learned from, its answer. */
export interface StandInQuestion {
  readonly key: Uint8Array;
  readonly query: Query;
  /** null: answered some other way (forwarded, REFUSED…): never in a table. */
  readonly prepared: PreparedAnswer | null;
}

/** A table for the stand-in: its bytes (udp_batch.c read_table), and per entry its question and first reply. */
export interface StandInTable {
  readonly bytes: Uint8Array;
  readonly questions: readonly StandInQuestion[];
  readonly replies: readonly Buffer[];
}

/**
 * `questions` rendered for the native stand-in (udp_batch.c), which answers
 * from them while a change is built: every one whose reply fits 512 bytes
 * whatever EDNS form the query takes, in each form (none, EDNS, EDNS with
 * DO) and at every turn of its rotating records. The bytes are those
 * AnswerCache.answer() would write, but for the ID, RD, CD, the payload
 * size an OPT echoes and the question's case, which the stand-in copies
 * from each query. Undefined when none qualifies.
 */
export function standInTable(questions: readonly StandInQuestion[]): StandInTable | undefined {
  const parts: Buffer[] = [Buffer.alloc(4)];
  const kept: StandInQuestion[] = [];
  const replies: Buffer[] = [];
  const out = Buffer.alloc(CLASSIC_UDP_PAYLOAD);
  for (const question of questions) {
    if (!question.prepared || question.prepared.rcode > 15) continue;
    const rendered = renderForms(question.key, question.prepared, out);
    if (!rendered) continue;
    parts.push(rendered.bytes);
    replies.push(rendered.first);
    kept.push(question);
  }
  if (kept.length === 0) return undefined;
  parts[0]!.writeUInt32LE(kept.length);
  return { bytes: Buffer.concat(parts), questions: kept, replies };
}

/** The stand-in's forms of a query: without OPT, with OPT, with OPT and DO. */
const FORMS: readonly (ReusableHead['edns'])[] = [undefined, { udpSize: CLASSIC_UDP_PAYLOAD, do: false, version: 0 }, { udpSize: CLASSIC_UDP_PAYLOAD, do: true, version: 0 }];
/** Rotating sets of more records than this are left to JavaScript (udp_batch.c STAND_IN_TURNS_MAX). */
const TURNS_MAX = 64;

/**
 * One entry of a stand-in table: u16 key length, u16 turns, the key, then
 * each form's replies turn by turn (u16 length, bytes); undefined when a
 * reply would be cut at 512 bytes (a client offering more would get more).
 */
function renderForms(key: Uint8Array, prepared: PreparedAnswer, out: Buffer): { bytes: Buffer; first: Buffer } | undefined {
  const turns = prepared.run?.count ?? 1;
  if (turns > TURNS_MAX) return undefined;
  const request = Buffer.alloc(HEADER_SIZE + key.length + 2);
  request.set(key, HEADER_SIZE);
  request.writeUInt16BE(1, HEADER_SIZE + key.length); // class IN
  const head = reusableHead();
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]!.writeUInt16LE(key.length, 0);
  parts[0]!.writeUInt16LE(turns, 2);
  parts.push(Buffer.from(key));
  let first: Buffer | undefined;
  for (const edns of FORMS) {
    head.edns = edns;
    for (let turn = 0; turn < turns; turn++) {
      const length = writeResponseFromWire(out, request, request.length, head, CLASSIC_UDP_PAYLOAD, prepared, turn);
      // Cut short (TC) at 512: a client offering more would get more; not for the stand-in.
      if (length < 0 || (out[2]! & 0x02) !== 0) return undefined;
      const reply = Buffer.alloc(2 + length);
      reply.writeUInt16LE(length, 0);
      out.copy(reply, 2, 0, length);
      parts.push(reply);
      first ??= reply.subarray(2);
    }
  }
  return { bytes: Buffer.concat(parts), first: first! };
}

/** ASCII letters folded to lower case, as normalizeName folds names (DNS folds nothing else). */
function lower(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}
