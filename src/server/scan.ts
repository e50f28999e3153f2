// The UDP fast path's reader: one pass over a datagram that is a plain query
// (what resolvers send thousands of times a second) straight into a Query.
//
// It is the documented fast subset of the codec's request reader
// (src/dns/request.ts): it accepts only messages it understands completely,
// and for those it gives exactly the Query readRequest gives —
// - QR 0, opcode 0 (QUERY) or 4 (NOTIFY, answered like a query);
// - one question whose name is uncompressed and holds no '.' or '' inside
//   a label (those need escapes: src/dns/escape.ts);
// - no answer or authority records, no bytes after the last record;
// - at most one additional record, a root OPT of version 0 whose options
//   tile its RDATA and include none whose data readOpt checks (ECS, EDE).
// Anything else — including every message the codec rejects — returns
// undefined and goes to readRequest, the one place where unusual requests
// are judged. test/server/scan.test.ts holds the two to this, row by row and
// on random messages.

import { RRType } from '../dns/types.js';
import type { Client, Edns, Query } from '../dns/query.js';
import { CHECKED_OPTIONS } from '../dns/opt.js';

const HEADER_SIZE = 12;
const MAX_NAME = 255;
const MAX_LABEL = 63;
const DOT = 0x2e;
const BACKSLASH = 0x5c;

/**
 * The Query in `message`, or undefined when the codec's readRequest must judge it.
 * `client` is attached as is (pass it only when clients are identified).
 */
export function scanQuery(message: Buffer, client: Client | undefined): Query | undefined {
  const length = message.length;
  if (length < HEADER_SIZE + 5) return undefined;
  const flags = message[2] as number;
  // QR (0x80), or an opcode (0x78) other than QUERY and NOTIFY: the codec drops or rejects it.
  const opcode = (flags >>> 3) & 0x0f;
  if ((flags & 0x80) !== 0 || (opcode !== 0 && opcode !== 4)) return undefined;
  if (message[4] !== 0 || message[5] !== 1) return undefined; // qdcount 1
  if (message[6] !== 0 || message[7] !== 0 || message[8] !== 0 || message[9] !== 0) return undefined;
  if (message[10] !== 0) return undefined;
  const additionals = message[11] as number;
  if (additionals > 1) return undefined;

  const nameEnd = scanName(message);
  if (nameEnd < 0 || nameEnd + 4 > length) return undefined;
  const qtype = message.readUInt16BE(nameEnd);
  const qclass = message.readUInt16BE(nameEnd + 2);
  let end = nameEnd + 4;
  let edns: Edns | undefined;
  if (additionals === 1) {
    const optEnd = scanOpt(message, end);
    if (optEnd < 0) return undefined;
    // udpSize is the OPT class; version 0 is checked by scanOpt.
    edns = { udpSize: message.readUInt16BE(end + 3), do: ((message[end + 7] as number) & 0x80) !== 0, version: 0 };
    end = optEnd;
  }
  if (end !== length) return undefined; // trailing bytes: let the codec decide

  const query: Query = {
    id: message.readUInt16BE(0),
    opcode,
    rd: (flags & 0x01) !== 0,
    cd: ((message[3] as number) & 0x10) !== 0,
    name: nameText(message, nameEnd),
    qtype,
    qclass,
    ...(edns ? { edns } : {}),
    transport: 'udp',
    ...(client ? { client } : {}),
  };
  return query;
}

/** End offset of an uncompressed question name at 12, or -1 when unusual. */
function scanName(message: Buffer): number {
  let at = HEADER_SIZE;
  const length = message.length;
  while (at < length) {
    const label = message[at] as number;
    if (label === 0) return at + 1 - HEADER_SIZE > MAX_NAME ? -1 : at + 1;
    if (label > MAX_LABEL) return -1; // a pointer or a reserved length byte
    const labelEnd = at + 1 + label;
    if (labelEnd >= length) return -1;
    // A '.' or '\' inside a label is escaped in name text (src/dns/escape.ts): the codec reads those.
    for (let i = at + 1; i < labelEnd; i++) {
      const byte = message[i];
      if (byte === DOT || byte === BACKSLASH) return -1;
    }
    at = labelEnd;
  }
  return -1;
}

/** The name as text, one character per byte (as the codec reads it), no trailing dot. */
function nameText(message: Buffer, nameEnd: number): string {
  if (nameEnd === HEADER_SIZE + 1) return '';
  // Turn the inner length bytes into dots for one latin1 read, then put them
  // back: labels hold no dots (scanName checked), so each length is the
  // distance to the next dot.
  const first = HEADER_SIZE + 1;
  const last = nameEnd - 1; // the root's zero byte
  let at = first + (message[HEADER_SIZE] as number);
  while (at < last) {
    const next = at + 1 + (message[at] as number);
    message[at] = DOT;
    at = next;
  }
  const text = message.toString('latin1', first, last);
  let labelStart = last;
  for (let at = last - 1; at >= first; at--) {
    if (message[at] !== DOT) continue;
    message[at] = labelStart - at - 1;
    labelStart = at;
  }
  return text;
}

/** End offset of a root OPT record of EDNS version 0 with well-formed options at `at`, or -1. */
function scanOpt(message: Buffer, at: number): number {
  if (at + 11 > message.length) return -1;
  if (message[at] !== 0) return -1; // owner must be the root
  if (message.readUInt16BE(at + 1) !== RRType.OPT) return -1;
  if (message[at + 6] !== 0) return -1; // version > 0: BADVERS from the codec
  const rdlength = message.readUInt16BE(at + 9);
  const end = at + 11 + rdlength;
  if (end > message.length) return -1;
  let option = at + 11;
  while (option < end) {
    if (option + 4 > end) return -1;
    const code = message.readUInt16BE(option);
    const size = message.readUInt16BE(option + 2);
    if (CHECKED_OPTIONS.has(code)) return -1;
    option += 4 + size;
  }
  return option === end ? end : -1;
}
