// The codec's request reader: a message as received → the Query it asks,
// or the protocol's answer to a message that cannot be one (RFC 1035, 6891).
// Every request off a socket that the UDP fast path (src/server/scan.ts, a
// documented subset of this reader) does not take is judged here, over UDP
// and TCP alike.
//
// The order of the checks is BIND's: structure first (forward or header
// pointers, a misplaced or second OPT: structure.ts), then the opcode, the
// question, the records, then EDNS.

import { RCode, RRType } from './types.js';
import type { Client, Edns, Query, Transport } from './query.js';
import { HEADER_SIZE, readName, readRecords, type RecordSlot } from './reader.js';
import { readOpt } from './opt.js';
import { structureProblem } from './structure.js';

export type RequestVerdict =
  /** A usable query: hand it to the handler. */
  | { readonly kind: 'query'; readonly query: Query }
  /** Answer with no records (FORMERR, NOTIMP, BADVERS) but the question echoed. */
  | { readonly kind: 'reject'; readonly query: Query; readonly rcode: number; readonly reason: string }
  /** Answer with a bare header: there is no single question to echo. */
  | {
      readonly kind: 'reject-header';
      readonly id: number;
      readonly opcode: number;
      readonly rd: boolean;
      readonly rcode: number;
      readonly reason: string;
    }
  /** Say nothing (responses sent to us, messages shorter than a header). */
  | { readonly kind: 'drop'; readonly reason: string };

const OPCODE_QUERY = 0;
const OPCODE_NOTIFY = 4;

interface QuestionRead {
  readonly name: string;
  readonly qtype: number;
  readonly qclass: number;
  readonly end: number;
}

/**
 * Read one request. The question name keeps the client's case and bytes
 * (a '.' or '\' inside a label escaped: escape.ts), so it is echoed as sent.
 * Nothing of `message` is kept: it may be reused once this returns.
 */
export function readRequest(message: Buffer, transport: Transport, client?: Client): RequestVerdict {
  if (message.length < HEADER_SIZE) return { kind: 'drop', reason: `${message.length} octets, shorter than a header` };
  const flags = message[2] as number;
  if ((flags & 0x80) !== 0) return { kind: 'drop', reason: 'QR set (a response, not a query)' };
  const id = message.readUInt16BE(0);
  const opcode = (flags >>> 3) & 0x0f;
  const rd = (flags & 0x01) !== 0;
  const cd = ((message[3] as number) & 0x10) !== 0;
  const qdcount = message.readUInt16BE(4);
  const bare = (rcode: number, reason: string): RequestVerdict => ({ kind: 'reject-header', id, opcode, rd, rcode, reason });
  const question = qdcount === 1 ? readQuestion(message) : new Error(`question count ${qdcount}, expected 1`);
  const toQuery = (q: QuestionRead, edns?: Edns): Query => ({
    id, opcode, rd, cd, name: q.name, qtype: q.qtype, qclass: q.qclass,
    ...(edns ? { edns } : {}),
    transport,
    ...(client ? { client } : {}),
  });
  const reject = (q: QuestionRead, rcode: number, reason: string, edns?: Edns): RequestVerdict => ({
    kind: 'reject', query: toQuery(q, edns), rcode, reason,
  });

  // Forward or header pointers, a misplaced or second OPT: FORMERR first, as BIND does.
  const problem = structureProblem(message);
  if (problem) {
    if (problem.inQuestion || question instanceof Error) return bare(RCode.FORMERR, problem.reason);
    return reject(question, RCode.FORMERR, problem.reason);
  }
  // NOTIFY is answered like a QUERY (miekg/dns accepts both; CoreDNS answers it).
  if (opcode !== OPCODE_QUERY && opcode !== OPCODE_NOTIFY) {
    // UPDATE included: we take no updates.
    const reason = `opcode ${opcode} not implemented`;
    return question instanceof Error ? bare(RCode.NOTIMP, reason) : reject(question, RCode.NOTIMP, reason);
  }
  if (question instanceof Error) {
    return bare(RCode.FORMERR, qdcount === 1 ? `undecodable question: ${question.message}` : question.message);
  }
  const counts = [message.readUInt16BE(6), message.readUInt16BE(8), message.readUInt16BE(10)] as const;
  const records = readRecords(message, question.end, counts);
  if (records instanceof Error) return reject(question, RCode.FORMERR, `undecodable record: ${records.message}`);
  for (const record of records) {
    const bad = rdataProblem(message, record);
    if (bad) return reject(question, RCode.FORMERR, `undecodable record at ${record.start}: ${bad}`);
  }
  const opt = records.find((record) => record.type === RRType.OPT); // at most one: structureProblem
  if (opt === undefined) return { kind: 'query', query: toQuery(question) };
  if (!isRoot(message, opt.start)) return reject(question, RCode.FORMERR, 'OPT owner is not the root');
  const edns = readOpt(message, opt);
  if (typeof edns === 'string') return reject(question, RCode.FORMERR, edns);
  // RFC 6891 §6.1.3: we speak version 0 only.
  if (edns.version > 0) return reject(question, RCode.BADVERS, `EDNS version ${edns.version}`, edns);
  return { kind: 'query', query: toQuery(question, edns) };
}

/** The one question at offset 12, name as written (no trailing dot, root ''). */
function readQuestion(message: Buffer): QuestionRead | Error {
  const name = readName(message, HEADER_SIZE);
  if (name instanceof Error) return name;
  if (name.end + 4 > message.length) return new Error('question runs past the end');
  return { name: name.name, qtype: message.readUInt16BE(name.end), qclass: message.readUInt16BE(name.end + 2), end: name.end + 4 };
}

/** True when the (already read) owner name at `offset` is the root, written or pointed to. */
function isRoot(message: Buffer, offset: number): boolean {
  const owner = readName(message, offset);
  return !(owner instanceof Error) && owner.name === '';
}

/** RDATA sizes that a type fixes, and types whose RDATA is one name. */
const FIXED_RDATA: ReadonlyMap<number, number> = new Map([[RRType.A, 4], [RRType.AAAA, 16]]);
const NAME_RDATA: ReadonlySet<number> = new Set([RRType.NS, RRType.CNAME, RRType.PTR, 39 /* DNAME */]);

/**
 * Why a record's RDATA cannot be what its type says, or undefined. CoreDNS's
 * decoder (and BIND's) reads every record of a request, so an A record of 3
 * octets or a CNAME whose name overruns its RDATA is FORMERR there too.
 */
function rdataProblem(message: Buffer, record: RecordSlot): string | undefined {
  const size = FIXED_RDATA.get(record.type);
  if (size !== undefined) return record.rdlength === size ? undefined : `type ${record.type} with ${record.rdlength} octets of RDATA, expected ${size}`;
  if (!NAME_RDATA.has(record.type)) return undefined;
  const name = readName(message, record.rdataOffset);
  if (name instanceof Error) return `type ${record.type}: ${name.message}`;
  return name.end === record.end ? undefined : `type ${record.type}: the name does not fill its RDATA`;
}
