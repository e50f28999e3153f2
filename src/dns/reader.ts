// The codec's reader: a small, strict reader of raw DNS messages (RFC 1035
// §4.1), shared by the server's request reader (request.ts), the forwarder,
// autopath and the CLI's dig-style printer.
//
// It records where things are rather than decoding them, so the relay can
// check the question, patch ID/flags/TTLs in place and cut at record
// boundaries without ever re-encoding a message. Anything out of bounds,
// a compression pointer that does not point strictly backwards (BIND's rule,
// src/dns/structure.ts), an OPT record outside the additional section or a
// second one, an over-long name or an unknown label type makes the whole
// message malformed (an Error value).

import { labelText } from './escape.js';
import { asciiLower } from './wire-writer.js';

export const HEADER_SIZE = 12;
const MAX_NAME_WIRE = 255;
const OPT = 41;

export interface Question {
  /** Lower-case (ASCII), dotted, no trailing dot; root is ''. */
  readonly name: string;
  /** Wire length of the question name. */
  readonly nameLength: number;
  readonly type: number;
  readonly class: number;
}

export type Section = 'answer' | 'authority' | 'additional';

/** Where one resource record sits in the message. */
export interface RecordSlot {
  readonly section: Section;
  readonly start: number;
  readonly end: number;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly ttlOffset: number;
  readonly rdataOffset: number;
  readonly rdlength: number;
}

export interface ParsedMessage {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly tc: boolean;
  readonly ad: boolean;
  readonly rcode: number;
  readonly question: Question;
  /** Offset just past the question: where the first record starts. */
  readonly questionEnd: number;
  readonly records: readonly RecordSlot[];
}

export interface DecodedName {
  /** Dotted, case kept, no trailing dot, '.' and '\' inside a label escaped (src/dns/escape.ts); root is ''. */
  readonly name: string;
  /** Offset just past the name where it was read (not where pointers led). */
  readonly end: number;
}

/** Read a possibly compressed name at `offset`. Pointers must point strictly before the name (and the previous target), past the header. */
export function readName(message: Buffer, offset: number): DecodedName | Error {
  const labels: string[] = [];
  let position = offset;
  let end: number | undefined;
  // BIND's rule: a pointer points below the name's start, each further one below the previous target.
  let limit = offset;
  let wireLength = 1;
  for (;;) {
    const length = message[position];
    if (length === undefined) return new Error(`name at ${offset} runs past the end`);
    if (length === 0) break;
    const kind = length & 0xc0;
    if (kind === 0xc0) {
      const second = message[position + 1];
      if (second === undefined) return new Error(`pointer at ${position} runs past the end`);
      const target = ((length & 0x3f) << 8) | second;
      if (target >= limit || target < HEADER_SIZE) return new Error(`bad compression pointer at ${position}`);
      end ??= position + 2;
      limit = target;
      position = target;
      continue;
    }
    if (kind !== 0) return new Error(`unknown label type at ${position}`);
    wireLength += length + 1;
    if (wireLength > MAX_NAME_WIRE) return new Error(`name at ${offset} is longer than 255 octets`);
    if (position + 1 + length > message.length) return new Error(`label at ${position} runs past the end`);
    labels.push(labelText(message, position + 1, position + 1 + length));
    position += 1 + length;
  }
  return { name: labels.join('.'), end: end ?? position + 1 };
}

/** Parse a message that must carry exactly one question. */
export function parseMessage(message: Buffer): ParsedMessage | Error {
  if (message.length < HEADER_SIZE) return new Error('message shorter than a header');
  const flags = message.readUInt16BE(2);
  if (message.readUInt16BE(4) !== 1) return new Error('message does not carry exactly one question');
  const counts = [message.readUInt16BE(6), message.readUInt16BE(8), message.readUInt16BE(10)] as const;
  const qname = readName(message, HEADER_SIZE);
  if (qname instanceof Error) return qname;
  if (qname.end + 4 > message.length) return new Error('question runs past the end');
  const question: Question = {
    name: asciiLower(qname.name),
    nameLength: qname.end - HEADER_SIZE,
    type: message.readUInt16BE(qname.end),
    class: message.readUInt16BE(qname.end + 2),
  };
  const questionEnd = qname.end + 4;
  const records = readRecords(message, questionEnd, counts);
  if (records instanceof Error) return records;
  return {
    id: message.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >>> 11) & 0xf,
    tc: (flags & 0x0200) !== 0,
    ad: (flags & 0x0020) !== 0,
    rcode: flags & 0xf,
    question,
    questionEnd,
    records,
  };
}

const SECTIONS: readonly Section[] = ['answer', 'authority', 'additional'];

/** The records after the question (at `start`), `counts` per section: answer, authority, additional. */
export function readRecords(
  message: Buffer,
  start: number,
  counts: readonly [number, number, number],
): RecordSlot[] | Error {
  const records: RecordSlot[] = [];
  let position = start;
  let opts = 0;
  for (let s = 0; s < 3; s++) {
    const section = SECTIONS[s] ?? 'additional';
    for (let i = 0; i < (counts[s] ?? 0); i++) {
      const owner = readName(message, position);
      if (owner instanceof Error) return owner;
      const fixed = owner.end;
      if (fixed + 10 > message.length) return new Error(`record at ${position} runs past the end`);
      const type = message.readUInt16BE(fixed);
      if (type === OPT && (section !== 'additional' || ++opts > 1)) return new Error(`misplaced or second OPT record at ${position}`);
      const rdlength = message.readUInt16BE(fixed + 8);
      const end = fixed + 10 + rdlength;
      if (end > message.length) return new Error(`rdata at ${fixed + 10} runs past the end`);
      records.push({
        section,
        start: position,
        end,
        type,
        class: message.readUInt16BE(fixed + 2),
        ttl: message.readUInt32BE(fixed + 4),
        ttlOffset: fixed + 4,
        rdataOffset: fixed + 10,
        rdlength,
      });
      position = end;
    }
  }
  return records;
}
