// The fixed parts of a response message: header, question and OPT record.
//
// Written straight into a preallocated buffer; these run once per query.

import type { Query } from './query.js';
import { CLASSIC_UDP_PAYLOAD } from './query.js';
import { RRType } from './types.js';
import { nameLabels } from './escape.js';

export const HEADER_SIZE = 12;
const DOT = 0x2e;
const BACKSLASH = 0x5c;
/** Root owner (1) + TYPE, CLASS (4) + TTL (4) + RDLENGTH (2), no options. */
export const OPT_SIZE = 11;

interface HeaderFields {
  readonly rcode: number;
  readonly authoritative: boolean;
  readonly recursionAvailable?: boolean;
  readonly truncated: boolean;
  /** qdcount, ancount, nscount, arcount */
  readonly counts: readonly [number, number, number, number];
}

/** Header of a response to `query`: ID, opcode, RD and CD copied; QR set. */
export function writeHeader(out: Buffer, query: Pick<Query, 'id' | 'opcode' | 'rd' | 'cd'>, fields: HeaderFields): void {
  out.writeUInt16BE(query.id & 0xffff, 0);
  out[2] =
    0x80 |
    ((query.opcode & 0xf) << 3) |
    (fields.authoritative ? 0x04 : 0) |
    (fields.truncated ? 0x02 : 0) |
    (query.rd ? 0x01 : 0);
  out[3] = (fields.recursionAvailable ? 0x80 : 0) | (query.cd ? 0x10 : 0) | (fields.rcode & 0xf);
  const [qd, an, ns, ar] = fields.counts;
  out.writeUInt16BE(qd, 4);
  out.writeUInt16BE(an, 6);
  out.writeUInt16BE(ns, 8);
  out.writeUInt16BE(ar, 10);
}

/**
 * The client's question at `at`: its name exactly as written (case kept,
 * one byte per character, escapes as their byte: src/dns/escape.ts), then
 * QTYPE and QCLASS. Returns the end offset.
 */
export function writeQuestion(out: Buffer, at: number, query: Pick<Query, 'name' | 'qtype' | 'qclass'>): number {
  const name = query.name;
  let position = at;
  if (name !== '') {
    // One latin1 write of the whole name one byte to the right, then each
    // '.' (and the leading slot) becomes the length of the label after it.
    out.write(name, at + 1, 'latin1');
    let lengthAt = at;
    const end = at + 1 + name.length;
    for (let i = at + 1; i <= end; i++) {
      if (i < end) {
        const byte = out[i];
        if (byte === BACKSLASH) return writeEscapedQuestion(out, at, query);
        if (byte !== DOT) continue;
      }
      const length = i - lengthAt - 1;
      if (length === 0 || length > 63) throw new Error(`cannot encode question name "${name}"`);
      out[lengthAt] = length;
      lengthAt = i;
    }
    position = end;
  }
  return writeTypeAndClass(out, position, query);
}

/** writeQuestion for a name with escapes (a '.' or '\' inside a label): label by label. */
function writeEscapedQuestion(out: Buffer, at: number, query: Pick<Query, 'name' | 'qtype' | 'qclass'>): number {
  let position = at;
  for (const label of nameLabels(query.name)) {
    if (label.length === 0 || label.length > 63) throw new Error(`cannot encode question name "${query.name}"`);
    out[position] = label.length;
    out.write(label, position + 1, 'latin1');
    position += 1 + label.length;
  }
  return writeTypeAndClass(out, position, query);
}

/** The root's zero byte at `position`, then QTYPE and QCLASS; the end offset. */
function writeTypeAndClass(out: Buffer, position: number, query: Pick<Query, 'qtype' | 'qclass'>): number {
  out[position] = 0;
  out.writeUInt16BE(query.qtype & 0xffff, position + 1);
  out.writeUInt16BE(query.qclass & 0xffff, position + 3);
  return position + 5;
}

/**
 * Our OPT record (RFC 6891 §6.1.2): root owner, the UDP payload size the
 * client offered echoed back (as CoreDNS does; 512 when it sent no OPT),
 * extended rcode = rcode's high 8 bits, version 0, DO copied from the query.
 */
export function writeOpt(out: Buffer, at: number, query: Pick<Query, 'edns'>, rcode: number): void {
  out[at] = 0;
  out.writeUInt16BE(RRType.OPT, at + 1);
  out.writeUInt16BE(query.edns?.udpSize ?? CLASSIC_UDP_PAYLOAD, at + 3);
  out[at + 5] = (rcode >>> 4) & 0xff;
  out[at + 6] = 0;
  out[at + 7] = query.edns?.do ? 0x80 : 0;
  out[at + 8] = 0;
  out.writeUInt16BE(0, at + 9);
}

/**
 * A response with no question at all, for requests whose question cannot be
 * used (qdcount 0 or ≥2, undecodable): FORMERR with qdcount 0, as miekg/dns does.
 */
export function writeHeaderOnlyResponse(id: number, opcode: number, rd: boolean, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER_SIZE);
  writeHeader(out, { id, opcode, rd, cd: false }, {
    rcode,
    authoritative: false,
    truncated: false,
    counts: [0, 0, 0, 0],
  });
  return out;
}
