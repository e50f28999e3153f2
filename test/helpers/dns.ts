// Test helpers: build a Query, and decode a response with dns2 (an independent
// decoder) into zone-file text so answers can be compared the way CoreDNS's
// handler_test.go does.

import dns2 from 'dns2';
import { rrTypeCode, rrTypeName } from '../../src/dns/types.js';
import type { Query, Transport } from '../../src/dns/query.js';

const { Packet } = dns2 as unknown as { Packet: { parse(buffer: Buffer): DecodedPacket } };

export interface QueryOptions {
  readonly transport?: Transport;
  /** Adds an OPT record offering this UDP size (or 1232 when `true`). */
  readonly edns?: number | true;
  readonly do?: boolean;
  readonly id?: number;
  readonly qclass?: number;
}

/** A Query for `name` (trailing dot optional, case kept) and a type name or code. */
export function query(name: string, type: string | number, options: QueryOptions = {}): Query {
  const qtype = typeof type === 'number' ? type : rrTypeCode(type);
  if (qtype === undefined) throw new Error(`unknown type ${String(type)}`);
  const edns =
    options.edns === undefined
      ? undefined
      : { udpSize: options.edns === true ? 1232 : options.edns, do: options.do ?? false, version: 0 };
  return {
    id: options.id ?? 0x1234,
    opcode: 0,
    rd: true,
    cd: false,
    name: name.endsWith('.') ? name.slice(0, -1) : name,
    qtype,
    qclass: options.qclass ?? 1,
    transport: options.transport ?? 'udp',
    ...(edns ? { edns } : {}),
  };
}

interface DecodedRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly [field: string]: unknown;
}

interface DecodedPacket {
  readonly header: {
    readonly id: number;
    readonly qr: number;
    readonly aa: number;
    readonly tc: number;
    readonly ra: number;
    readonly rd: number;
    readonly rcode: number;
  };
  readonly questions: ReadonlyArray<{ name: string; type: number; class: number }>;
  readonly answers: readonly DecodedRecord[];
  readonly authorities: readonly DecodedRecord[];
  readonly additionals: readonly DecodedRecord[];
  readonly errors: readonly unknown[];
}

export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;

/** A decoded response, every record rendered as zone-file text. */
export interface Response {
  readonly id: number;
  readonly rcode: string;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly ra: boolean;
  readonly question: string;
  readonly answer: string[];
  readonly authority: string[];
  readonly additional: string[];
  /** The OPT record, when the response has one. */
  readonly edns?: { readonly udpSize: number };
  readonly size: number;
}

function abs(name: unknown): string {
  const text = String(name ?? '');
  return text === '' ? '.' : `${text}.`;
}

/** Zone-file text of one dns2 record, in the form src/dns/zonetext.ts writes. */
export function renderRecord(rr: DecodedRecord): string {
  const type = rrTypeName(rr.type);
  const data = ((): string => {
    switch (type) {
      case 'A':
      case 'AAAA':
        return String(rr['address']);
      case 'CNAME':
      case 'PTR':
        return abs(rr['domain']);
      case 'NS':
        return abs(rr['ns']);
      case 'SRV':
        return `${String(rr['priority'])} ${String(rr['weight'])} ${String(rr['port'])} ${abs(rr['target'])}`;
      case 'TXT':
        return (rr['data'] as string[]).map((text) => `"${text}"`).join(' ');
      case 'SOA':
        return [
          abs(rr['primary']),
          abs(rr['admin']),
          rr['serial'],
          rr['refresh'],
          rr['retry'],
          rr['expiration'],
          rr['minimum'],
        ].join(' ');
      default:
        return '?';
    }
  })();
  const klass = rr.class === 1 ? 'IN' : `CLASS${rr.class}`;
  return `${abs(rr.name)} ${rr.ttl} ${klass} ${type} ${data}`;
}

export function decode(buffer: Buffer): Response {
  const packet = Packet.parse(buffer);
  if (packet.errors.length > 0) throw new Error(`response did not decode: ${String(packet.errors[0])}`);
  const opt = packet.additionals.find((rr) => rr.type === 41);
  const question = packet.questions[0];
  return {
    id: packet.header.id,
    rcode: RCODE_NAMES[packet.header.rcode] ?? String(packet.header.rcode),
    aa: packet.header.aa === 1,
    tc: packet.header.tc === 1,
    ra: packet.header.ra === 1,
    question: question ? `${abs(question.name)} ${rrTypeName(question.type)}` : '',
    answer: packet.answers.map(renderRecord),
    authority: packet.authorities.map(renderRecord),
    additional: packet.additionals.filter((rr) => rr.type !== 41).map(renderRecord),
    ...(opt ? { edns: { udpSize: opt.class } } : {}),
    size: buffer.length,
  };
}

/** Zone-file lines, normalized (single spaces) and sorted, for order-insensitive comparison. */
export function sorted(lines: readonly string[]): string[] {
  return lines.map((line) => line.trim().split(/\s+/).join(' ')).sort();
}
