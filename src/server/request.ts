// dns2 Packet → our Query, with the checks dns2 does not make.
//
// The result is a typed verdict rather than an exception: the adapter
// switches on it, and this file has no I/O so it is tested with plain packets.

import type { Packet } from 'dns2';
import { RCode, RRType } from '../dns/types.js';
import type { Client, Edns, Query, Transport } from '../resolve/query.js';
import { readQuestionName } from './question-name.js';
import { isLabelBoundary } from '../dns/escape.js';
import { structureProblem } from '../dns/structure.js';

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
  /** Say nothing (responses sent to us). */
  | { readonly kind: 'drop'; readonly reason: string };

const OPCODE_QUERY = 0;
const OPCODE_NOTIFY = 4;

// dns2 decodes CD (and AD) but its Header type omits them.
type Header = Packet['header'] & { readonly cd?: number };

/**
 * `raw` is the message as received: when given, the question name is read
 * from it (question-name.ts), so a '.' or '\' inside a label is kept
 * (escaped) and echoed as sent. Without it (tests of dns2 packets alone),
 * dns2's dotted text is used and names it cannot represent are FORMERR.
 */
export function readRequest(packet: Packet, transport: Transport, client?: Client, raw?: Buffer): RequestVerdict {
  const header = packet.header as Header;
  if (header.qr) return { kind: 'drop', reason: 'QR set (a response, not a query)' };
  const opcode = header.opcode;
  const rd = header.rd === 1;
  const bare = (rcode: number, reason: string): RequestVerdict => ({
    kind: 'reject-header', id: header.id, opcode, rd, rcode, reason,
  });
  const decoded = packet.questions.length === 1 && header.qdcount === 1 ? packet.questions[0] : undefined;
  const name = decoded === undefined ? undefined : questionName(decoded.name, raw);
  const question = decoded !== undefined && name !== undefined ? { ...decoded, name } : undefined;
  const questionDecoded = question !== undefined && !packet.errors.some((e) => e.section === 'questions');
  // Without the raw bytes: dns2 joins labels with '.', so a '.' inside a
  // label is lost; when it left an empty label the name cannot be echoed as
  // sent (nor written at all).
  const dotInLabel = raw === undefined && question !== undefined && /^\.|\.\.|\.$/.test(question.name);
  // Forward or header pointers, a misplaced or second OPT: FORMERR first, as BIND does.
  const problem = raw === undefined ? undefined : structureProblem(raw);
  if (problem) {
    if (problem.inQuestion || !questionDecoded || question === undefined || dotInLabel) return bare(RCode.FORMERR, problem.reason);
    return { kind: 'reject', query: toQuery(packet, question, transport, undefined, client), rcode: RCode.FORMERR, reason: problem.reason };
  }

  // NOTIFY is answered like a QUERY (miekg/dns accepts both; CoreDNS answers it).
  if (opcode !== OPCODE_QUERY && opcode !== OPCODE_NOTIFY) {
    // UPDATE included: we take no updates.
    const reason = `opcode ${opcode} not implemented`;
    if (!questionDecoded || question === undefined || dotInLabel) return bare(RCode.NOTIMP, reason);
    return { kind: 'reject', query: toQuery(packet, question, transport, undefined, client), rcode: RCode.NOTIMP, reason };
  }
  if (header.qdcount !== 1) return bare(RCode.FORMERR, `question count ${header.qdcount}, expected 1`);
  if (!questionDecoded || question === undefined) {
    return bare(RCode.FORMERR, `undecodable question: ${packet.errors[0]?.message ?? 'missing'}`);
  }
  if (dotInLabel) return bare(RCode.FORMERR, 'question name has a "." inside a label');
  const plain = toQuery(packet, question, transport, undefined, client);
  if (packet.errors.length > 0) {
    return { kind: 'reject', query: plain, rcode: RCode.FORMERR, reason: `undecodable record: ${packet.errors[0]?.message}` };
  }
  const opts = packet.additionals.filter((record) => record.type === RRType.OPT);
  if (opts.length > 1) return { kind: 'reject', query: plain, rcode: RCode.FORMERR, reason: 'more than one OPT record' };
  const opt = opts[0];
  if (opt === undefined) return { kind: 'query', query: plain };
  if (opt.name !== '') return { kind: 'reject', query: plain, rcode: RCode.FORMERR, reason: 'OPT owner is not the root' };
  const edns: Edns = { udpSize: opt.class, do: opt.doFlag === true, version: opt.version ?? 0 };
  const query = toQuery(packet, question, transport, edns, client);
  // RFC 6891 §6.1.3: we speak version 0 only.
  if (edns.version > 0) return { kind: 'reject', query, rcode: RCode.BADVERS, reason: `EDNS version ${edns.version}` };
  return { kind: 'query', query };
}

/** The question name with labels kept whole (from `raw`), or dns2's dotted text without it. */
function questionName(dotted: string, raw: Buffer | undefined): string | undefined {
  if (raw === undefined) return dotted;
  return readQuestionName(raw);
}

function toQuery(
  packet: Packet,
  question: Packet['questions'][number],
  transport: Transport,
  edns: Edns | undefined,
  client: Client | undefined,
): Query {
  const header = packet.header as Header;
  const dotted = question.name;
  const name = dotted.endsWith('.') && isLabelBoundary(dotted, dotted.length - 1) ? dotted.slice(0, -1) : dotted;
  return {
    id: header.id,
    opcode: header.opcode,
    rd: header.rd === 1,
    cd: header.cd === 1,
    name,
    qtype: question.type,
    qclass: question.class,
    ...(edns ? { edns } : {}),
    transport,
    ...(client ? { client } : {}),
  };
}
