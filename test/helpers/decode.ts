// Test helper: decode a message with dns2 (an independent decoder) back into
// our own ResourceRecord shape, so every test compares plain data.

import { Packet } from 'dns2';
import type { RecordData, ResourceRecord } from '../../src/dns/types.js';
import type { Query } from '../../src/dns/query.js';

export interface Decoded {
  readonly id: number;
  readonly flags: { qr: boolean; opcode: number; aa: boolean; tc: boolean; rd: boolean; ra: boolean; cd: boolean };
  /** Full rcode (dns2 merges the OPT extended rcode in). */
  readonly rcode: number;
  readonly question?: { name: string; type: number; class: number };
  readonly counts: { qd: number; an: number; ns: number; ar: number };
  readonly answer: ResourceRecord[];
  readonly authority: ResourceRecord[];
  readonly additional: ResourceRecord[];
  readonly opt?: { udpSize: number; extendedRcode: number; version: number; do: boolean };
}

// dns2's decoded resources are untyped objects.
type Raw = Record<string, any>;

function toRecord(raw: Raw): ResourceRecord {
  const data = ((): RecordData => {
    switch (raw.type) {
      case 1: return { type: 'A', address: raw.address };
      case 28: return { type: 'AAAA', address: raw.address };
      case 5: return { type: 'CNAME', target: raw.domain };
      case 12: return { type: 'PTR', target: raw.domain };
      case 2: return { type: 'NS', target: raw.ns };
      case 33: return { type: 'SRV', priority: raw.priority, weight: raw.weight, port: raw.port, target: raw.target };
      case 16: return { type: 'TXT', text: raw.data };
      case 6:
        return {
          type: 'SOA', mname: raw.primary, rname: raw.admin, serial: raw.serial, refresh: raw.refresh,
          retry: raw.retry, expire: raw.expiration, minimum: raw.minimum,
        };
      default: throw new Error(`unexpected type ${raw.type}`);
    }
  })();
  if (raw.class !== 1) throw new Error(`unexpected class ${raw.class}`);
  return { name: raw.name, ttl: raw.ttl, data };
}

export function decode(message: Buffer): Decoded {
  const packet = Packet.parse(message) as unknown as Raw;
  if (packet.errors.length > 0) throw new Error(`decode errors: ${packet.errors.map((e: Error) => e.message).join('; ')}`);
  const h = packet.header as Raw;
  const optRaw = (packet.additionals as Raw[]).find((r) => r.type === 41);
  const q = (packet.questions as Raw[])[0];
  return {
    id: h.id,
    flags: { qr: !!h.qr, opcode: h.opcode, aa: !!h.aa, tc: !!h.tc, rd: !!h.rd, ra: !!h.ra, cd: !!h.cd },
    rcode: h.rcode,
    ...(q ? { question: { name: q.name, type: q.type, class: q.class } } : {}),
    counts: { qd: h.qdcount, an: h.ancount, ns: h.nscount, ar: h.arcount },
    answer: (packet.answers as Raw[]).map(toRecord),
    authority: (packet.authorities as Raw[]).map(toRecord),
    additional: (packet.additionals as Raw[]).filter((r) => r.type !== 41).map(toRecord),
    ...(optRaw
      ? { opt: { udpSize: optRaw.class, extendedRcode: optRaw.extendedRcode, version: optRaw.version, do: optRaw.doFlag } }
      : {}),
  };
}

export function makeQuery(overrides: Partial<Query> & { name: string }): Query {
  return { id: 0x1234, opcode: 0, rd: true, cd: false, qtype: 1, qclass: 1, transport: 'udp', ...overrides };
}
