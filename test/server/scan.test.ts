// The UDP fast path (src/server/scan.ts) is the documented fast subset of the
// codec's request reader (src/dns/request.ts). Differential: for every
// message, when the scanner reads it the codec must read it as a query with
// the same name, type, class, flags and EDNS; when the codec rejects or
// drops it, the scanner must decline it. Hand-made rows pin both verdicts;
// random and mutated messages (test/fuzz/arbitraries.ts) check the rule.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRequest, type RequestVerdict } from '../../src/dns/request.js';
import { scanQuery } from '../../src/server/scan.js';
import { craft } from '../helpers/clients.js';
import { anyDatagram } from '../fuzz/arbitraries.js';

function withOption(code: number, data: Buffer): Buffer {
  const base = craft({ id: 7, questions: [{ name: 'web.prod.svc.cluster.local' }], opts: [{}] });
  const option = Buffer.alloc(4 + data.length);
  option.writeUInt16BE(code, 0);
  option.writeUInt16BE(data.length, 2);
  data.copy(option, 4);
  const out = Buffer.concat([base, option]);
  out.writeUInt16BE(option.length, base.length - 2); // OPT RDLENGTH
  return out;
}

function patched(message: Buffer, at: number, byte: number): Buffer {
  const copy = Buffer.from(message);
  copy[at] = byte;
  return copy;
}

type Codec = RequestVerdict['kind'];

interface Row {
  readonly why: string;
  readonly message: Buffer;
  /** 'reads': the scanner takes it; 'declines': it goes to the codec. */
  readonly scanner: 'reads' | 'declines';
  readonly codec: Codec;
  /** The codec's rcode for a reject. */
  readonly rcode?: number;
}

const plain = craft({ id: 9, questions: [{ name: 'web.prod' }] });
const withOpt = craft({ id: 5, questions: [{ name: 'x.y' }], opts: [{ udpSize: 4096, do: true }] });
const optTtlAt = withOpt.length - 6; // OPT TTL: extended rcode, version, DO|Z, Z

/** `plain` with one more additional record of `type` and `rdata` (owner: the root). */
function withAdditional(type: number, rdata: Buffer): Buffer {
  const record = Buffer.alloc(11 + rdata.length);
  record.writeUInt16BE(type, 1);
  record.writeUInt16BE(1, 3);
  record.writeUInt16BE(rdata.length, 9);
  rdata.copy(record, 11);
  const out = Buffer.concat([plain, record]);
  out.writeUInt16BE(1, 10); // ARCOUNT
  return out;
}

const rows: readonly Row[] = [
  // Plain queries: both read them, identically.
  { why: 'plain A query', message: craft({ id: 1, questions: [{ name: 'web.prod.svc.cluster.local' }] }), scanner: 'reads', codec: 'query' },
  { why: 'mixed case kept', message: craft({ id: 2, questions: [{ name: 'WeB.PROD.svc.Cluster.local', type: 33 }] }), scanner: 'reads', codec: 'query' },
  { why: 'root name', message: craft({ id: 3, questions: [{ name: '', type: 2 }] }), scanner: 'reads', codec: 'query' },
  { why: 'RD clear, CD set', message: craft({ id: 4, rd: false, cd: true, questions: [{ name: 'a.b' }] }), scanner: 'reads', codec: 'query' },
  { why: 'EDNS with DO', message: withOpt, scanner: 'reads', codec: 'query' },
  { why: 'EDNS small size, class ANY', message: craft({ id: 6, questions: [{ name: 'x.y', class: 255 }], opts: [{ udpSize: 100 }] }), scanner: 'reads', codec: 'query' },
  { why: 'EDNS extended-rcode bits set', message: patched(withOpt, optTtlAt, 0x80), scanner: 'reads', codec: 'query' },
  { why: 'EDNS cookie option', message: withOption(10, Buffer.alloc(8, 1)), scanner: 'reads', codec: 'query' },
  { why: 'odd bytes in a label', message: craft({ id: 8, questions: [{ name: 'a\u00ff\u0001b.c d' }] }), scanner: 'reads', codec: 'query' },
  { why: 'opcode NOTIFY (answered like a query)', message: craft({ id: 12, opcode: 4, questions: [{ name: 'a' }] }), scanner: 'reads', codec: 'query' },
  { why: 'class CH', message: craft({ id: 17, questions: [{ name: 'version.bind', type: 16, class: 3 }] }), scanner: 'reads', codec: 'query' },
  // Usable queries outside the subset: the codec reads them.
  { why: 'compressed question name (pointer to itself: FORMERR)', message: patched(patched(plain, 12, 0xc0), 13, 12), scanner: 'declines', codec: 'reject-header', rcode: 1 },
  { why: 'dot inside a label', message: patched(craft({ id: 10, questions: [{ name: 'x' }] }), 13, 0x2e), scanner: 'declines', codec: 'query' },
  { why: 'backslash inside a label', message: patched(craft({ id: 10, questions: [{ name: 'x' }] }), 13, 0x5c), scanner: 'declines', codec: 'query' },
  { why: 'trailing bytes', message: Buffer.concat([plain, Buffer.from([0])]), scanner: 'declines', codec: 'query' },
  { why: 'well-formed ECS option', message: withOption(8, Buffer.from([0, 1, 24, 0, 10, 0, 0])), scanner: 'declines', codec: 'query' },
  { why: 'well-formed EDE option', message: withOption(15, Buffer.from([0, 1])), scanner: 'declines', codec: 'query' },
  { why: 'an A record of 4 octets in the additional section', message: withAdditional(1, Buffer.from([10, 0, 0, 1])), scanner: 'declines', codec: 'query' },
  { why: 'a CNAME record whose name fills its RDATA', message: withAdditional(5, Buffer.from([1, 0x61, 0])), scanner: 'declines', codec: 'query' },
  // Rejected or dropped by the codec: the scanner declines every one.
  { why: 'response (QR)', message: craft({ id: 11, qr: true, questions: [{ name: 'a' }] }), scanner: 'declines', codec: 'drop' },
  { why: 'shorter than a header', message: plain.subarray(0, 11), scanner: 'declines', codec: 'drop' },
  { why: 'opcode UPDATE', message: craft({ id: 12, opcode: 5, questions: [{ name: 'a' }] }), scanner: 'declines', codec: 'reject', rcode: 4 },
  { why: 'two questions', message: craft({ id: 13, questions: [{ name: 'a' }, { name: 'b' }] }), scanner: 'declines', codec: 'reject-header', rcode: 1 },
  { why: 'no question', message: craft({ id: 14, questions: [] }), scanner: 'declines', codec: 'reject-header', rcode: 1 },
  { why: 'two OPT records', message: craft({ id: 15, questions: [{ name: 'a' }], opts: [{}, {}] }), scanner: 'declines', codec: 'reject', rcode: 1 },
  { why: 'EDNS version 1', message: craft({ id: 16, questions: [{ name: 'a' }], opts: [{ version: 1 }] }), scanner: 'declines', codec: 'reject', rcode: 16 },
  { why: 'OPT owner not the root', message: patched(Buffer.concat([craft({ id: 18, questions: [{ name: 'a' }] }), Buffer.from([1, 0x61, 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0])]), 11, 1), scanner: 'declines', codec: 'reject', rcode: 1 },
  { why: 'ECS of an unknown family', message: withOption(8, Buffer.from([0, 3, 24, 0, 10, 0, 0])), scanner: 'declines', codec: 'reject', rcode: 1 },
  { why: 'ECS address longer than its prefix', message: withOption(8, Buffer.from([0, 1, 8, 0, 10, 0, 0])), scanner: 'declines', codec: 'reject', rcode: 1 },
  { why: 'EDE of one octet', message: withOption(15, Buffer.from([0])), scanner: 'declines', codec: 'reject', rcode: 1 },
  { why: 'an A record of 3 octets (FORMERR, as CoreDNS)', message: withAdditional(1, Buffer.from([10, 0, 0])), scanner: 'declines', codec: 'reject', rcode: 1 },
  { why: 'an AAAA record of 4 octets', message: withAdditional(28, Buffer.from([10, 0, 0, 1])), scanner: 'declines', codec: 'reject', rcode: 1 },
  { why: 'a CNAME whose name stops short of its RDATA', message: withAdditional(5, Buffer.from([1, 0x61, 0, 7])), scanner: 'declines', codec: 'reject', rcode: 1 },
  { why: 'option longer than RDATA', message: withOption(10, Buffer.alloc(8)).subarray(0, -2), scanner: 'declines', codec: 'reject', rcode: 1 },
  { why: 'question cut short', message: plain.subarray(0, plain.length - 5), scanner: 'declines', codec: 'reject-header', rcode: 1 },
  { why: 'reserved label type', message: patched(plain, 12, 0x40), scanner: 'declines', codec: 'reject-header', rcode: 1 },
];

/** The disagreement between scanner and codec on `message`, or undefined when they agree. */
function disagreement(message: Buffer): string | undefined {
  const copy = Buffer.from(message);
  const scanned = scanQuery(message, undefined);
  if (!message.equals(copy)) return 'the scanner changed its input';
  const verdict = readRequest(copy, 'udp');
  if (scanned === undefined) return undefined; // a subset may decline anything
  if (verdict.kind !== 'query') return `scanner read ${JSON.stringify(scanned)}, codec said ${verdict.kind}`;
  return JSON.stringify(verdict.query) === JSON.stringify(scanned) ? undefined : `scanner ${JSON.stringify(scanned)} ≠ codec ${JSON.stringify(verdict.query)}`;
}

describe(`scanner and codec, hand-made messages (${rows.length} rows)`, () => {
  it.each(rows)('$why: scanner $scanner, codec $codec', ({ message, scanner, codec, rcode }) => {
    const scanned = scanQuery(message, undefined);
    const verdict = readRequest(message, 'udp');
    expect(scanned === undefined ? 'declines' : 'reads').toBe(scanner);
    expect(verdict.kind).toBe(codec);
    if (rcode !== undefined) expect(verdict).toMatchObject({ rcode });
    if (scanned) expect(verdict).toEqual({ kind: 'query', query: scanned });
    expect(disagreement(message)).toBeUndefined();
  });
});

describe('scanner and codec, random messages', () => {
  it('agree on every generated or mutated datagram (the scanner reads a subset, exactly as the codec does)', () => {
    let scanned = 0;
    fc.assert(
      fc.property(anyDatagram, (message) => {
        if (scanQuery(Buffer.from(message), undefined)) scanned++;
        expect(disagreement(message)).toBeUndefined();
      }),
      { numRuns: 3000, seed: 16_2026 },
    );
    expect(scanned).toBeGreaterThan(100); // the scanner really read some
  });
});

describe('scanQuery', () => {
  it('attaches the client it is given', () => {
    const client = { address: '127.0.0.1', port: 5353, size: 40 };
    expect(scanQuery(craft({ id: 1, questions: [{ name: 'a' }] }), client)?.client).toEqual(client);
  });
});
