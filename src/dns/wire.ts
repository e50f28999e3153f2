// Wire format: encode answers once at load time, stamp them per query.
//
// CONTRACT (shared by the record index, the responder and the server):
// - prepareAnswer() encodes the three record sections of a response *as if*
//   the question name sat at offset 12 of the message. Compression pointers
//   may point into that question name, so the body is valid for any question
//   whose name has the same wire length: the same name in any letter case
//   (answers keep the case the client used — 0x20-safe).
// - writeResponse() builds header + the client's question + the body, applies
//   the rotation (A/AAAA runs only), fits the message into the response limit
//   (whole records only; TC when an answer or authority record had to go, as
//   miekg/dns Msg.Truncate does) and appends an OPT record when the query had
//   one. It never throws for a well-formed Query.
//
// Two invariants make the per-query work a handful of buffer copies:
// - pointers only point backwards, so any prefix of the records is a valid
//   message (truncation keeps a prefix);
// - the records of a rotation run all have the same length and nothing points
//   into them, so rotating is swapping two byte ranges.

import type { Sections } from './types.js';
import { responseLimit, type Query } from './query.js';
import { writeRecord } from './wire-records.js';
import { CompressionTable, WireWriter } from './wire-writer.js';
import { HEADER_SIZE, OPT_SIZE, writeHeader, writeOpt, writeQuestion } from './message.js';
import { nameWireLength } from './escape.js';

export { writeHeaderOnlyResponse } from './message.js';
/** Wire length of a name (`web.prod` → 10, escapes counted as their byte); the root '' is 1. */
export { nameWireLength } from './escape.js';

export interface PreparedAnswer {
  readonly rcode: number;
  /** Authoritative answer flag for responses built from this body. */
  readonly authoritative: boolean;
  /** Wire length of the question name the body was encoded against. */
  readonly qnameLength: number;
  /** answer + authority + additional records, encoded. */
  readonly body: Buffer;
  readonly answerCount: number;
  readonly authorityCount: number;
  readonly additionalCount: number;
  /** Offset in `body` where each record ends: answers, then authority, then additional. */
  readonly recordEnds: readonly number[];
  /**
   * Answer records [start, start + count) that rotate between queries: the
   * run of A or AAAA records (CoreDNS loadbalance). Absent when fewer than 2.
   */
  readonly rotation?: { readonly start: number; readonly count: number };
  /** The rotation run in bytes, computed once here rather than per query. */
  readonly run?: RunGeometry;
}

/**
 * Encode `sections` for questions named `question` (any case). Throws only
 * for records that cannot be encoded (a bug in the caller).
 */
export function prepareAnswer(
  question: string,
  rcode: number,
  sections: Sections,
  options?: { authoritative?: boolean },
): PreparedAnswer {
  const qnameLength = nameWireLength(question);
  const table = new CompressionTable();
  table.seed(question, HEADER_SIZE);
  const writer = new WireWriter(HEADER_SIZE + qnameLength + 4);
  const rotation = findRotation(sections);
  const records = [...sections.answer, ...sections.authority, ...sections.additional];
  const recordEnds: number[] = [];
  records.forEach((record, index) => {
    const rotates = rotation !== undefined && index >= rotation.start && index < rotation.start + rotation.count;
    writeRecord(writer, table, record, { register: !rotates });
    recordEnds.push(writer.length);
  });
  const unchecked: PreparedAnswer = {
    rcode,
    authoritative: options?.authoritative ?? true,
    qnameLength,
    body: writer.toBuffer(),
    answerCount: sections.answer.length,
    authorityCount: sections.authority.length,
    additionalCount: sections.additional.length,
    recordEnds,
    ...(rotation ? { rotation } : {}),
  };
  const run = runGeometry(unchecked); // asserts the equal-length invariant
  return run ? { ...unchecked, run } : unchecked;
}

/** The first run of ≥2 consecutive A (or AAAA) answers with the same owner. */
function findRotation(sections: Sections): { start: number; count: number } | undefined {
  const answers = sections.answer;
  let start = 0;
  while (start < answers.length) {
    const first = answers[start];
    let end = start + 1;
    const rotatable = first !== undefined && (first.data.type === 'A' || first.data.type === 'AAAA');
    while (rotatable && end < answers.length) {
      const next = answers[end];
      if (!next || next.data.type !== first.data.type) break;
      if (next.name.toLowerCase() !== first.name.toLowerCase()) break;
      end++;
    }
    if (rotatable && end - start >= 2) return { start, count: end - start };
    start = end;
  }
  return undefined;
}

interface ResponseFlags {
  readonly rcode: number;
  readonly authoritative?: boolean;
  readonly recursionAvailable?: boolean;
}

/**
 * The response to `query` carrying `answer`. `turn` picks the rotation
 * (any integer; the responder passes a counter).
 */
export function writeResponse(query: Query, answer: PreparedAnswer, turn: number): Buffer {
  const withOpt = query.edns !== undefined || answer.rcode > 15;
  const prefix = HEADER_SIZE + answer.qnameLength + 4;
  const kept = keptRecords(answer, prefix, responseLimit(query), withOpt);
  const bodyLength = kept === 0 ? 0 : (answer.recordEnds[kept - 1] ?? 0);
  const out = Buffer.allocUnsafe(prefix + bodyLength + (withOpt ? OPT_SIZE : 0));
  writeHeader(out, query, sectionHeader(answer, kept, withOpt, { rcode: 0, authoritative: false, truncated: false, counts: [1, 0, 0, 0] }));
  // The body's pointers assume a question name of exactly qnameLength octets:
  // checked here, after writing, rather than by measuring the name first.
  if (writeQuestion(out, HEADER_SIZE, query) !== prefix) {
    throw new Error(`answer prepared for a ${answer.qnameLength}-octet name, question "${query.name}" differs`);
  }
  copyBody(out, prefix, answer, bodyLength, turn);
  if (withOpt) writeOpt(out, prefix + bodyLength, query, answer.rcode);
  return out;
}

/** What writeHeader needs of a query and of the response, as mutable slots the wire path reuses (no allocation per query). */
export interface ReusableHead {
  id: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
  edns: { udpSize: number; do: boolean; version: number } | undefined;
  readonly fields: { rcode: number; authoritative: boolean; truncated: boolean; counts: [number, number, number, number] };
}

export function reusableHead(): ReusableHead {
  return { id: 0, opcode: 0, rd: false, cd: false, edns: undefined, fields: { rcode: 0, authoritative: false, truncated: false, counts: [1, 0, 0, 0] } };
}

/**
 * writeResponse for a question still in its request's bytes (the UDP wire
 * path, src/server/answer-cache.ts): the same message, written into `out`
 * from offset 0 with the question copied from `request[12, questionEnd)`
 * (QTYPE and QCLASS included, so the client's case is kept as sent). `head`
 * holds the query's ID, RD, CD and EDNS. Returns the length, or -1 when the
 * response would not fit in `out` or the question is not the length `answer`
 * was prepared for (the caller then takes the ordinary path).
 */
export function writeResponseFromWire(out: Buffer, request: Buffer, questionEnd: number, head: ReusableHead, limit: number, answer: PreparedAnswer, turn: number): number {
  const withOpt = head.edns !== undefined || answer.rcode > 15;
  const prefix = HEADER_SIZE + answer.qnameLength + 4;
  if (prefix !== questionEnd) return -1;
  const kept = keptRecords(answer, prefix, limit, withOpt);
  const bodyLength = kept === 0 ? 0 : (answer.recordEnds[kept - 1] ?? 0);
  const length = prefix + bodyLength + (withOpt ? OPT_SIZE : 0);
  if (length > out.length) return -1;
  writeHeader(out, head, sectionHeader(answer, kept, withOpt, head.fields));
  copyBytes(request, HEADER_SIZE, questionEnd, out, HEADER_SIZE);
  copyBody(out, prefix, answer, bodyLength, turn);
  if (withOpt) writeOpt(out, prefix + bodyLength, head, answer.rcode);
  return length;
}

/** How many records fit after the question (all of them unless the limit cuts). */
function keptRecords(answer: PreparedAnswer, prefix: number, limit: number, withOpt: boolean): number {
  const total = answer.recordEnds.length;
  if (prefix + answer.body.length + (withOpt ? OPT_SIZE : 0) <= limit) return total;
  return recordsThatFit(answer.recordEnds, limit - prefix - (withOpt ? OPT_SIZE : 0));
}

/** The header fields of a response keeping `kept` records, written into `fields`. */
function sectionHeader(answer: PreparedAnswer, kept: number, withOpt: boolean, fields: ReusableHead['fields']): ReusableHead['fields'] {
  const answers = Math.min(kept, answer.answerCount);
  const authority = Math.min(kept - answers, answer.authorityCount);
  const additional = kept - answers - authority;
  fields.rcode = answer.rcode;
  fields.authoritative = answer.authoritative;
  fields.truncated = kept < answer.answerCount + answer.authorityCount;
  const counts = fields.counts;
  counts[0] = 1;
  counts[1] = answers;
  counts[2] = authority;
  counts[3] = additional + (withOpt ? 1 : 0);
  return fields;
}

/** A response with no records (REFUSED, NOTIMP, SERVFAIL, FORMERR with a question). */
export function writeEmptyResponse(query: Query, flags: ResponseFlags): Buffer {
  const withOpt = query.edns !== undefined || flags.rcode > 15;
  const prefix = HEADER_SIZE + nameWireLength(query.name) + 4;
  const out = Buffer.allocUnsafe(prefix + (withOpt ? OPT_SIZE : 0));
  writeHeader(out, query, {
    rcode: flags.rcode,
    authoritative: flags.authoritative ?? false,
    recursionAvailable: flags.recursionAvailable ?? false,
    truncated: false,
    counts: [1, 0, 0, withOpt ? 1 : 0],
  });
  writeQuestion(out, HEADER_SIZE, query);
  if (withOpt) writeOpt(out, prefix, query, flags.rcode);
  return out;
}

/** How many leading records end within `budget` bytes (recordEnds is ascending). */
function recordsThatFit(recordEnds: readonly number[], budget: number): number {
  let low = 0;
  let high = recordEnds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((recordEnds[middle] ?? Infinity) <= budget) low = middle + 1;
    else high = middle;
  }
  return low;
}

interface RunGeometry {
  readonly start: number;
  readonly size: number;
  readonly count: number;
}

/** Byte offset and (equal) record size of the rotation run. */
function runGeometry(answer: PreparedAnswer): RunGeometry | undefined {
  const rotation = answer.rotation;
  if (!rotation) return undefined;
  const ends = answer.recordEnds;
  const start = rotation.start === 0 ? 0 : (ends[rotation.start - 1] ?? 0);
  const size = (ends[rotation.start] ?? 0) - start;
  const runEnd = ends[rotation.start + rotation.count - 1] ?? 0;
  if (runEnd - start !== size * rotation.count) throw new Error('rotation run records differ in length');
  return { start, size, count: rotation.count };
}

/** Copy body[0, length) into out at `at`, with the run rotated by `turn`. */
function copyBody(out: Buffer, at: number, answer: PreparedAnswer, length: number, turn: number): void {
  const run = answer.run;
  const shift = run ? (((turn % run.count) + run.count) % run.count) * run.size : 0;
  if (!run || shift === 0 || length <= run.start) {
    copyBytes(answer.body, 0, length, out, at);
    return;
  }
  // The rotated body is four segments: before the run, the run from `shift`,
  // the run up to `shift`, after the run; the message is their first `length` bytes.
  const runEnd = run.start + run.size * run.count;
  const body = answer.body;
  let written = copySegment(body, out, at, 0, 0, run.start, length);
  written = copySegment(body, out, at, written, run.start + shift, runEnd, length);
  written = copySegment(body, out, at, written, run.start, run.start + shift, length);
  copySegment(body, out, at, written, runEnd, body.length, length);
}

/** Copy body[from, to) to out[at + written …], stopping at `length` bytes in all; the new total. */
function copySegment(body: Buffer, out: Buffer, at: number, written: number, from: number, to: number, length: number): number {
  if (written >= length) return written;
  const end = Math.min(to, from + (length - written));
  copyBytes(body, from, end, out, at + written);
  return written + (end - from);
}


/** Below this many bytes a plain loop beats Buffer#copy (argument checks and a new Uint8Array view per call). */
const LOOP_COPY_MAX = 512;

/** source[from, to) into target at `at`. Per query, several times: no allocation. */
function copyBytes(source: Buffer, from: number, to: number, target: Buffer, at: number): void {
  if (to - from > LOOP_COPY_MAX) {
    source.copy(target, at, from, to);
    return;
  }
  for (let i = from; i < to; i++) target[at + i - from] = source[i] as number;
}
