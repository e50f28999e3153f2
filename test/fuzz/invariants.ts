// The fuzz invariants, judged from bytes alone: what was sent, over which
// transport, and what (if anything) came back. Each returns a list of
// violations, empty when the reply is acceptable, so a property can report
// every broken rule of one input at once.

import { strictDecode, type StrictMessage } from './strict-decode.js';

export type FuzzTransport = 'udp' | 'tcp';

/** What a client may receive (src/dns/query.ts responseLimit, from the query's own bytes). */
const CLASSIC_UDP = 512;
const MAX_TCP = 65535;

/** The parts of a query the invariants compare against, read leniently (any pointer, hop limit). */
export interface QueryView {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly qdcount: number;
  /** The first question, when its name and fixed fields can be read at all. */
  readonly question?: { readonly labels: readonly string[]; readonly type: number; readonly class: number };
}

/** Header and first question of a query; undefined for messages shorter than a header. */
export function viewQuery(bytes: Buffer): QueryView | undefined {
  if (bytes.length < 12) return undefined;
  const flags = bytes.readUInt16BE(2);
  const base = { id: bytes.readUInt16BE(0), qr: (flags & 0x8000) !== 0, opcode: (flags >> 11) & 0xf, qdcount: bytes.readUInt16BE(4) };
  const labels = lenientName(bytes, 12);
  if (!labels || labels.end + 4 > bytes.length) return base;
  return { ...base, question: { labels: labels.labels, type: bytes.readUInt16BE(labels.end), class: bytes.readUInt16BE(labels.end + 2) } };
}

/** Like dns2: pointers may go anywhere but not in a cycle; undefined when unreadable. */
function lenientName(bytes: Buffer, start: number): { labels: string[]; end: number } | undefined {
  const labels: string[] = [];
  let at = start;
  let end: number | undefined;
  for (let hops = 0; hops < 256; ) {
    if (at >= bytes.length) return undefined;
    const length = bytes[at] as number;
    if (length === 0) return { labels, end: end ?? at + 1 };
    if ((length & 0xc0) === 0xc0) {
      if (at + 1 >= bytes.length) return undefined;
      end ??= at + 2;
      at = bytes.readUInt16BE(at) & 0x3fff;
      hops++;
      continue;
    }
    if (length > 63 || at + 1 + length > bytes.length) return undefined;
    labels.push(bytes.toString('latin1', at + 1, at + 1 + length));
    at += 1 + length;
  }
  return undefined;
}

/**
 * The most a client may receive for this query: the OPT class of the first
 * OPT record in the additional section if the message reads that far, else
 * 512 (UDP); 65535 over TCP.
 */
export function replyLimit(transport: FuzzTransport, optUdpSize: number | undefined): number {
  if (transport === 'tcp') return MAX_TCP;
  if (optUdpSize === undefined) return CLASSIC_UDP;
  // Spec §10: the size the client offered, at least 512, with no cap of our own.
  return Math.max(optUdpSize, CLASSIC_UDP);
}

export interface Exchange {
  readonly query: Buffer;
  readonly transport: FuzzTransport;
  /** Every reply received for this query (normally 0 or 1). */
  readonly replies: readonly Buffer[];
  /** The UDP size the server saw in the query's OPT record (from dns2's decode), if any. */
  readonly optUdpSize?: number;
}

/** Every rule `exchange` breaks; [] when it is fine. */
export function violations(exchange: Exchange): string[] {
  const { query, transport, replies } = exchange;
  const found: string[] = [];
  const view = viewQuery(query);
  if (replies.length > 1) found.push(`${replies.length} replies to one query`);
  if (replies.length > 0 && view === undefined) found.push(`reply to a ${query.length}-byte message (shorter than a header)`);
  if (replies.length > 0 && view?.qr) found.push('reply to a message with QR=1');
  const limit = replyLimit(transport, exchange.optUdpSize);
  for (const reply of replies) {
    if (reply.length > limit) found.push(`reply of ${reply.length} bytes over the client's limit of ${limit} (${transport})`);
    const decoded = strictDecode(reply);
    if (!decoded.ok) {
      found.push(`reply does not parse: ${decoded.error}`);
      continue;
    }
    if (view) found.push(...mismatches(decoded.message, view));
  }
  return found;
}

function mismatches(reply: StrictMessage, query: QueryView): string[] {
  const found: string[] = [];
  const header = reply.header;
  if (header.id !== query.id) found.push(`reply ID ${header.id} != query ID ${query.id}`);
  if (!header.qr) found.push('reply has QR=0');
  if (header.opcode !== query.opcode) found.push(`reply opcode ${header.opcode} != query opcode ${query.opcode}`);
  if (reply.questions.length > 1) found.push(`reply echoes ${reply.questions.length} questions`);
  const echoed = reply.questions[0];
  if (echoed) {
    const asked = query.question;
    if (!asked) found.push('reply echoes a question the query does not have');
    else if (!sameQuestion(echoed, asked)) found.push(`echoed question ${show(echoed)} != asked ${show(asked)}`);
  }
  return found;
}

/**
 * True when the query's first question has a label holding '.' or '\': the
 * names dns2 alone cannot echo (it joins labels with '.'). Once a known
 * limitation, now held to the same question invariant; counted to show the
 * fuzzers reach them.
 */
export function hasDotInLabel(query: Buffer): boolean {
  return viewQuery(query)?.question?.labels.some((label) => label.includes('.') || label.includes('\\')) ?? false;
}

function sameQuestion(a: { labels: readonly string[]; type: number; class: number }, b: typeof a): boolean {
  return a.type === b.type && a.class === b.class && a.labels.length === b.labels.length && a.labels.every((label, i) => label === b.labels[i]);
}

function show(q: { labels: readonly string[]; type: number; class: number }): string {
  return `${JSON.stringify(q.labels.join('.'))}(${q.labels.length} labels)/${q.type}/${q.class}`;
}

