// Messages on the relay path: the query we send upstream, the upstream reply
// kept as raw record bytes (what the cache stores), and the response built
// for a client from those bytes: header + the client's own question + a
// prefix of the records + our OPT. Nothing is re-encoded.
//
// The records are placed at the same offset they had upstream (the client's
// question name has the same wire length as the upstream's, it differs at
// most in letter case), so compression pointers stay valid; pointers only
// point backwards, so every prefix of the records is a valid message.

import { RCode, RRType } from '../dns/types.js';
import { writeOpt, writeQuestion } from '../dns/message.js';
import { nameWireLength, writeEmptyResponse } from '../dns/wire.js';
import { responseLimit, type Query } from '../dns/query.js';
import { HEADER_SIZE, type ParsedMessage } from '../dns/index.js';

const OPT_SIZE = 11;

/** An upstream reply reduced to what every client response is built from. */
export interface StoredAnswer {
  /** The 4-bit header rcode. */
  readonly rcode: number;
  /** Upper 8 bits of the rcode, from the upstream's OPT (0 without one). */
  readonly extendedRcode: number;
  readonly ad: boolean;
  /** The upstream set TC (its UDP reply was cut and TCP failed too). */
  readonly truncated: boolean;
  readonly qnameLength: number;
  /** answer + authority + additional records, without the upstream's OPT. */
  readonly body: Buffer;
  readonly counts: readonly [number, number, number];
  /** Offset in `body` where each record ends. */
  readonly recordEnds: readonly number[];
  /** Offset in `body` of each record's TTL field, and the TTL the upstream gave. */
  readonly ttlOffsets: readonly number[];
  readonly ttls: readonly number[];
  /** RFC 2308 TTL for caching this answer before caps; undefined = do not cache by content. */
  readonly naturalTtl: number | undefined;
}

/** How old a cached answer is: every TTL becomes max(0, min(ttl, cap) - elapsed). */
export interface Age {
  readonly elapsed: number;
  readonly cap: number;
}

/**
 * The query we send upstream: the client's question (case kept), RD, CD, and
 * its EDNS size/DO; always opcode QUERY (a NOTIFY is answered like a query).
 */
export function buildUpstreamQuery(query: Query, id: number): Buffer {
  const questionEnd = HEADER_SIZE + nameWireLength(query.name) + 4;
  const out = Buffer.alloc(questionEnd + (query.edns ? OPT_SIZE : 0));
  out.writeUInt16BE(id, 0);
  out[2] = query.rd ? 0x01 : 0;
  out[3] = query.cd ? 0x10 : 0;
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(query.edns ? 1 : 0, 10);
  writeQuestion(out, HEADER_SIZE, query);
  if (query.edns) {
    const at = questionEnd;
    out.writeUInt16BE(RRType.OPT, at + 1);
    out.writeUInt16BE(Math.max(512, query.edns.udpSize), at + 3);
    out[at + 7] = query.edns.do ? 0x80 : 0;
  }
  return out;
}

/**
 * Keep the records of an upstream reply. The upstream's OPT is dropped (we
 * write our own per client); anything after it in the additional section
 * goes too, since later records could point into the bytes we remove.
 */
export function storeReply(message: Buffer, parsed: ParsedMessage): StoredAnswer {
  const base = parsed.questionEnd;
  const counts: [number, number, number] = [0, 0, 0];
  const recordEnds: number[] = [];
  const ttlOffsets: number[] = [];
  const ttls: number[] = [];
  let extendedRcode = 0;
  let end = base;
  for (const record of parsed.records) {
    if (record.type === RRType.OPT) {
      extendedRcode = message[record.ttlOffset] ?? 0;
      break;
    }
    counts[record.section === 'answer' ? 0 : record.section === 'authority' ? 1 : 2]++;
    recordEnds.push(record.end - base);
    ttlOffsets.push(record.ttlOffset - base);
    ttls.push(record.ttl);
    end = record.end;
  }
  return {
    rcode: parsed.rcode,
    extendedRcode,
    ad: parsed.ad,
    truncated: parsed.tc,
    qnameLength: parsed.question.nameLength,
    body: Buffer.from(message.subarray(base, end)),
    counts,
    recordEnds,
    ttlOffsets,
    ttls,
    naturalTtl: naturalTtl(message, parsed),
  };
}

/** A SERVFAIL we made up because no upstream answered, in stored form (for the cache). */
export function failureAnswer(query: Query): StoredAnswer {
  return {
    rcode: RCode.SERVFAIL,
    extendedRcode: 0,
    ad: false,
    truncated: false,
    qnameLength: nameWireLength(query.name),
    body: Buffer.alloc(0),
    counts: [0, 0, 0],
    recordEnds: [],
    ttlOffsets: [],
    ttls: [],
    naturalTtl: undefined,
  };
}

/**
 * RFC 2308: a positive answer lives as long as its shortest answer record;
 * NXDOMAIN/NODATA as min(SOA TTL, SOA MINIMUM) of the authority SOA (no SOA:
 * not cached). Other rcodes are not cached by content.
 */
function naturalTtl(message: Buffer, parsed: ParsedMessage): number | undefined {
  if (parsed.tc) return undefined;
  const answers = parsed.records.filter((r) => r.section === 'answer' && r.type !== RRType.OPT);
  if (parsed.rcode === RCode.NOERROR && answers.length > 0) {
    return Math.min(...answers.map((r) => r.ttl));
  }
  if (parsed.rcode !== RCode.NOERROR && parsed.rcode !== RCode.NXDOMAIN) return undefined;
  const soa = parsed.records.find((r) => r.section === 'authority' && r.type === RRType.SOA);
  if (!soa || soa.rdlength < 22) return undefined;
  return Math.min(soa.ttl, message.readUInt32BE(soa.rdataOffset + soa.rdlength - 4));
}

/**
 * The response to `query` from `stored`: client's ID, question and RD/CD;
 * AA clear, RA set; cut to whole records within responseLimit(query) with TC
 * when an answer or authority record had to go; OPT only if the client sent one.
 */
export function renderResponse(query: Query, stored: StoredAnswer, age?: Age): Buffer {
  if (nameWireLength(query.name) !== stored.qnameLength) return servfailResponse(query);
  const withOpt = query.edns !== undefined;
  const prefix = HEADER_SIZE + stored.qnameLength + 4;
  const kept = keptRecords(query, stored);
  const bodyLength = kept === 0 ? 0 : (stored.recordEnds[kept - 1] ?? 0);
  const out = Buffer.allocUnsafe(prefix + bodyLength + (withOpt ? OPT_SIZE : 0));

  const [an, ns] = stored.counts;
  const answers = Math.min(kept, an);
  const authority = Math.min(kept - answers, ns);
  const truncated = stored.truncated || kept < an + ns;
  out.writeUInt16BE(query.id & 0xffff, 0);
  out[2] = 0x80 | ((query.opcode & 0xf) << 3) | (truncated ? 0x02 : 0) | (query.rd ? 0x01 : 0);
  // AD only for clients that asked for DNSSEC (RFC 6840 §5.8).
  const ad = stored.ad && query.edns?.do === true;
  out[3] = 0x80 | (ad ? 0x20 : 0) | (query.cd ? 0x10 : 0) | (stored.rcode & 0xf);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(answers, 6);
  out.writeUInt16BE(authority, 8);
  out.writeUInt16BE(kept - answers - authority + (withOpt ? 1 : 0), 10);
  writeQuestion(out, HEADER_SIZE, query);
  stored.body.copy(out, prefix, 0, bodyLength);
  if (age) patchTtls(out, prefix, stored, kept, age);
  if (withOpt) writeOpt(out, prefix + bodyLength, query, (stored.extendedRcode << 4) | stored.rcode);
  return out;
}

/** How many of the stored records fit in the response to `query` (whole records only). */
export function keptRecords(query: Query, stored: StoredAnswer): number {
  const ends = stored.recordEnds;
  const budget = responseLimit(query) - HEADER_SIZE - stored.qnameLength - 4 - (query.edns ? OPT_SIZE : 0);
  if (ends.length === 0 || (ends[ends.length - 1] as number) <= budget) return ends.length;
  let kept = 0;
  while (kept < ends.length && (ends[kept] as number) <= budget) kept++;
  return kept;
}

function patchTtls(out: Buffer, prefix: number, stored: StoredAnswer, kept: number, age: Age): void {
  for (let i = 0; i < kept; i++) {
    const ttl = Math.max(0, Math.min(stored.ttls[i] ?? 0, age.cap) - age.elapsed);
    out.writeUInt32BE(ttl, prefix + (stored.ttlOffsets[i] ?? 0));
  }
}

export function servfailResponse(query: Query): Buffer {
  return writeEmptyResponse(query, { rcode: RCode.SERVFAIL, recursionAvailable: true });
}
