// Encode a question and print a response the way dig does: a header line,
// the flags, then each section as zone-file text. Decoding reuses the strict
// message reader of the forwarder, so what we print is what a client reads.

import { writeHeader, writeQuestion } from '../dns/message.js';
import { RCode, RRClass, RRType, rrTypeName } from '../dns/types.js';
import { absolute, formatRecord } from '../dns/zonetext.js';
import { decodeAnswers, parseMessage, readName, type ParsedMessage, type RecordSlot, type Section } from '../dns/index.js';

interface DecodedResponse {
  readonly id: number;
  readonly rcode: string;
  readonly flags: readonly string[];
  readonly question: { readonly name: string; readonly type: string };
  /** Each section as zone-file lines. */
  readonly answer: readonly string[];
  readonly authority: readonly string[];
  readonly additional: readonly string[];
}

/** A standard query (RD set) for `name` (no trailing dot), class IN. */
export function encodeQuery(id: number, name: string, qtype: number): Buffer {
  const out = Buffer.alloc(12 + name.length + 2 + 4);
  writeHeader(out, { id, opcode: 0, rd: true, cd: false }, { rcode: 0, authoritative: false, truncated: false, counts: [1, 0, 0, 0] });
  out[2] = (out[2] ?? 0) & 0x7f; // a query, not a response
  const end = writeQuestion(out, 12, { name, qtype, qclass: RRClass.IN });
  return out.subarray(0, end);
}

function rcodeName(code: number): string {
  for (const [name, value] of Object.entries(RCode)) if (value === code) return name;
  return `RCODE${code}`;
}

/** Decode a response, or an Error when it is malformed. */
export function decodeResponse(message: Buffer): DecodedResponse | Error {
  const parsed = parseMessage(message);
  if (parsed instanceof Error) return parsed;
  const byte2 = message[2] ?? 0;
  const byte3 = message[3] ?? 0;
  const flags = [
    ['qr', parsed.qr],
    ['aa', (byte2 & 0x04) !== 0],
    ['tc', parsed.tc],
    ['rd', (byte2 & 0x01) !== 0],
    ['ra', (byte3 & 0x80) !== 0],
    ['ad', parsed.ad],
    ['cd', (byte3 & 0x10) !== 0],
  ] as const;
  return {
    id: parsed.id,
    rcode: rcodeName(parsed.rcode),
    flags: flags.filter(([, on]) => on).map(([name]) => name),
    question: { name: questionName(message, parsed.question.name), type: rrTypeName(parsed.question.type) },
    answer: section(message, parsed, 'answer'),
    authority: section(message, parsed, 'authority'),
    additional: section(message, parsed, 'additional'),
  };
}

/** The question as the client wrote it (the reader lower-cases it for matching). */
function questionName(message: Buffer, lower: string): string {
  const read = readName(message, 12);
  return read instanceof Error ? lower : read.name;
}

/**
 * One section as zone-file lines. decodeAnswers reads the answer section
 * only, so each slot goes to it relabelled; what it does not model (MX, OPT,
 * other classes) is printed in the RFC 3597 generic form, so nothing a
 * server sent is hidden.
 */
function section(message: Buffer, parsed: ParsedMessage, wanted: Section): string[] {
  const lines: string[] = [];
  for (const slot of parsed.records.filter((candidate) => candidate.section === wanted)) {
    const [record] = decodeAnswers(message, { ...parsed, records: [{ ...slot, section: 'answer' }] });
    lines.push(record ? formatRecord(record) : genericRecord(message, slot));
  }
  return lines;
}

function genericRecord(message: Buffer, slot: RecordSlot): string {
  const owner = readName(message, slot.start);
  const name = owner instanceof Error ? '?' : absolute(owner.name);
  if (slot.type === RRType.OPT) return `; OPT pseudo-record: udp payload ${slot.class}`;
  const klass = slot.class === RRClass.IN ? 'IN' : `CLASS${slot.class}`;
  const rdata = message.toString('hex', slot.rdataOffset, slot.rdataOffset + slot.rdlength);
  return `${name} ${slot.ttl} ${klass} ${rrTypeName(slot.type)} \\# ${slot.rdlength}${rdata ? ` ${rdata}` : ''}`;
}

/** dig-like text, newline-terminated. */
export function formatResponse(response: DecodedResponse): string {
  const lines = [
    `;; ->>HEADER<<- opcode: QUERY, status: ${response.rcode}, id: ${response.id}`,
    `;; flags: ${response.flags.join(' ')}; QUERY: 1, ANSWER: ${response.answer.length}, ` +
      `AUTHORITY: ${response.authority.length}, ADDITIONAL: ${response.additional.length}`,
    '',
    ';; QUESTION SECTION:',
    `;${absolute(response.question.name)} IN ${response.question.type}`,
  ];
  const sections: [string, readonly string[]][] = [
    ['ANSWER', response.answer],
    ['AUTHORITY', response.authority],
    ['ADDITIONAL', response.additional],
  ];
  for (const [title, records] of sections) {
    if (records.length === 0) continue;
    lines.push('', `;; ${title} SECTION:`, ...records);
  }
  return lines.join('\n') + '\n';
}
