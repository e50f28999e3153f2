import { describe, expect, it } from 'vitest';
import { RCode, type ResourceRecord, type Sections } from '../../src/dns/types.js';
import {
  nameWireLength,
  prepareAnswer,
  writeEmptyResponse,
  writeHeaderOnlyResponse,
  writeResponse,
} from '../../src/dns/wire.js';
import { decode, makeQuery } from './decode.js';

const ZONE = 'cluster.local';
const SOA: ResourceRecord = {
  name: ZONE,
  ttl: 5,
  data: {
    type: 'SOA', mname: `ns.dns.${ZONE}`, rname: `hostmaster.${ZONE}`,
    serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 5,
  },
};

function sections(answer: ResourceRecord[], authority: ResourceRecord[] = [], additional: ResourceRecord[] = []): Sections {
  return { answer, authority, additional };
}

function aRecords(name: string, count: number): ResourceRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    name, ttl: 5, data: { type: 'A' as const, address: `10.244.${i >> 8}.${i & 0xff}` },
  }));
}

describe('prepareAnswer + writeResponse round trip (every record type)', () => {
  const svc = `web.prod.svc.${ZONE}`;
  const rows: Array<{ spec: string; question: string; qtype: number; sections: Sections }> = [
    { spec: '§3.1 A', question: svc, qtype: 1, sections: sections([{ name: svc, ttl: 5, data: { type: 'A', address: '10.96.30.1' } }]) },
    { spec: '§3.1 AAAA', question: svc, qtype: 28, sections: sections([{ name: svc, ttl: 5, data: { type: 'AAAA', address: 'fd00:10:96::1e01' } }]) },
    {
      spec: '§3.4 CNAME + A', question: `ext.prod.svc.${ZONE}`, qtype: 1,
      sections: sections([
        { name: `ext.prod.svc.${ZONE}`, ttl: 5, data: { type: 'CNAME', target: svc } },
        { name: svc, ttl: 5, data: { type: 'A', address: '10.96.30.1' } },
      ]),
    },
    {
      spec: '§3.1 PTR', question: '1.30.96.10.in-addr.arpa', qtype: 12,
      sections: sections([{ name: '1.30.96.10.in-addr.arpa', ttl: 5, data: { type: 'PTR', target: svc } }]),
    },
    { spec: '§1 NS', question: ZONE, qtype: 2, sections: sections([{ name: ZONE, ttl: 5, data: { type: 'NS', target: `ns.dns.${ZONE}` } }], [], [{ name: `ns.dns.${ZONE}`, ttl: 5, data: { type: 'A', address: '10.96.0.10' } }]) },
    {
      spec: '§3.1 SRV + additional', question: `_http._tcp.${svc}`, qtype: 33,
      sections: sections(
        [{ name: `_http._tcp.${svc}`, ttl: 5, data: { type: 'SRV', priority: 0, weight: 100, port: 80, target: svc } }],
        [],
        [{ name: svc, ttl: 5, data: { type: 'A', address: '10.96.30.1' } }],
      ),
    },
    { spec: '§3.8 TXT', question: `dns-version.${ZONE}`, qtype: 16, sections: sections([{ name: `dns-version.${ZONE}`, ttl: 28800, data: { type: 'TXT', text: ['1.1.0'] } }]) },
    { spec: 'TXT several strings', question: 'x.example', qtype: 16, sections: sections([{ name: 'x.example', ttl: 1, data: { type: 'TXT', text: ['a', 'x'.repeat(255), ''] } }]) },
    { spec: '§1 SOA at apex', question: ZONE, qtype: 6, sections: sections([SOA]) },
    { spec: '§7 NXDOMAIN with SOA', question: `nope.${ZONE}`, qtype: 1, sections: sections([], [SOA]) },
    { spec: 'root owner', question: '', qtype: 2, sections: sections([{ name: '', ttl: 5, data: { type: 'NS', target: 'a.root-servers.net' } }]) },
  ];

  it.each(rows)('$spec', ({ question, qtype, sections: s }) => {
    const prepared = prepareAnswer(question, RCode.NOERROR, s);
    const query = makeQuery({ name: question, qtype });
    const decoded = decode(writeResponse(query, prepared, 0));
    expect(decoded.id).toBe(0x1234);
    expect(decoded.flags).toMatchObject({ qr: true, aa: true, tc: false, rd: true, ra: false, cd: false, opcode: 0 });
    expect(decoded.question).toEqual({ name: question, type: qtype, class: 1 });
    expect(decoded.answer).toEqual(s.answer);
    expect(decoded.authority).toEqual(s.authority);
    expect(decoded.additional).toEqual(s.additional);
    expect(decoded.opt).toBeUndefined();
  });

  it('compresses owners against the question (a 2-byte pointer each)', () => {
    const prepared = prepareAnswer(svc, 0, sections(aRecords(svc, 3)));
    expect(prepared.body.length).toBe(3 * (2 + 10 + 4));
  });

  it('keeps the question case the client used, in the question and compressed owners (§2, 0x20)', () => {
    const prepared = prepareAnswer(svc, 0, sections([
      { name: svc, ttl: 5, data: { type: 'A', address: '10.96.30.1' } },
    ], [SOA]));
    const mixed = 'wEb.PrOd.SVC.cluster.LOCAL';
    const decoded = decode(writeResponse(makeQuery({ name: mixed }), prepared, 0));
    expect(decoded.question?.name).toBe(mixed);
    expect(decoded.answer[0]?.name).toBe(mixed);
    expect(decoded.authority[0]?.name).toBe('cluster.LOCAL'); // points into the question suffix
  });

  it('throws when the question has another wire length (caller bug)', () => {
    const prepared = prepareAnswer(svc, 0, sections([]));
    expect(() => writeResponse(makeQuery({ name: 'other.name' }), prepared, 0)).toThrow(/prepared/);
  });

  it('writes SRV targets uncompressed (RFC 2782) and lets later names point at them', () => {
    const target = 'db-0.db.prod.svc.other.zone';
    const prepared = prepareAnswer(`_pg._tcp.db.prod.svc.${ZONE}`, 0, sections(
      [{ name: `_pg._tcp.db.prod.svc.${ZONE}`, ttl: 5, data: { type: 'SRV', priority: 0, weight: 100, port: 5432, target } }],
      [],
      [{ name: target, ttl: 5, data: { type: 'A', address: '10.244.0.5' } }],
    ));
    const literal = Buffer.concat([...target.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
    expect(prepared.body.indexOf(literal)).toBeGreaterThan(0);
    // the additional owner is a single pointer
    const additionalStart = prepared.recordEnds[0] ?? 0;
    expect((prepared.body[additionalStart] ?? 0) & 0xc0).toBe(0xc0);
    const decoded = decode(writeResponse(makeQuery({ name: `_pg._tcp.db.prod.svc.${ZONE}`, qtype: 33 }), prepared, 0));
    expect(decoded.additional[0]?.name).toBe(target);
  });

  it('rejects records that cannot be encoded', () => {
    const bad: Array<{ why: string; record: ResourceRecord }> = [
      { why: 'IPv4', record: { name: 'a', ttl: 5, data: { type: 'A', address: '10.0.0' } } },
      { why: 'IPv6', record: { name: 'a', ttl: 5, data: { type: 'AAAA', address: '10.0.0.1' } } },
      { why: 'long TXT', record: { name: 'a', ttl: 5, data: { type: 'TXT', text: ['x'.repeat(256)] } } },
      { why: 'long label', record: { name: 'x'.repeat(64), ttl: 5, data: { type: 'A', address: '10.0.0.1' } } },
      { why: 'empty label', record: { name: 'a..b', ttl: 5, data: { type: 'A', address: '10.0.0.1' } } },
      { why: 'TTL', record: { name: 'a', ttl: -1, data: { type: 'A', address: '10.0.0.1' } } },
    ];
    for (const { why, record } of bad) expect(() => prepareAnswer('a', 0, sections([record])), why).toThrow();
  });
});

describe('rotation (§7 loadbalance)', () => {
  const name = `db.prod.svc.${ZONE}`;
  const records = aRecords(name, 4);

  it('marks the A run after a CNAME', () => {
    const prepared = prepareAnswer(`ext.prod.svc.${ZONE}`, 0, sections([
      { name: `ext.prod.svc.${ZONE}`, ttl: 5, data: { type: 'CNAME', target: name } },
      ...records,
    ]));
    expect(prepared.rotation).toEqual({ start: 1, count: 4 });
    const decoded = decode(writeResponse(makeQuery({ name: `ext.prod.svc.${ZONE}` }), prepared, 1));
    expect(decoded.answer[0]?.data.type).toBe('CNAME');
    expect(decoded.answer.slice(1)).toEqual([...records.slice(1), records[0]]);
  });

  it('gives each turn a rotated order of the same set', () => {
    const prepared = prepareAnswer(name, 0, sections(records, [], []));
    expect(prepared.rotation).toEqual({ start: 0, count: 4 });
    const orders = [0, 1, 2, 3, 4, -1].map((turn) =>
      decode(writeResponse(makeQuery({ name }), prepared, turn)).answer.map((r) => r.data));
    const datas = records.map((r) => r.data);
    expect(orders[0]).toEqual(datas);
    expect(orders[1]).toEqual([...datas.slice(1), datas[0]]);
    expect(orders[2]).toEqual([...datas.slice(2), ...datas.slice(0, 2)]);
    expect(orders[4]).toEqual(orders[0]);
    expect(orders[5]).toEqual(orders[3]);
  });

  it('rotated records own no pointer targets, so later records still decode', () => {
    // owner is not the question: literal labels that must not be pointed at
    const owner = 'w.other.zone';
    const prepared = prepareAnswer(`q.${ZONE}`, 0, sections(
      [...aRecords(owner, 3)],
      [{ name: owner, ttl: 5, data: { type: 'NS', target: `x.${owner}` } }],
    ));
    for (const turn of [0, 1, 2]) {
      const decoded = decode(writeResponse(makeQuery({ name: `q.${ZONE}` }), prepared, turn));
      expect(decoded.answer.map((r) => r.name)).toEqual([owner, owner, owner]);
      expect(decoded.authority[0]).toEqual({ name: owner, ttl: 5, data: { type: 'NS', target: `x.${owner}` } });
    }
  });

  it('leaves single records and mixed owners alone', () => {
    expect(prepareAnswer(name, 0, sections(aRecords(name, 1))).rotation).toBeUndefined();
    const mixed = [...aRecords(name, 1), ...aRecords(`x.${ZONE}`, 1)];
    expect(prepareAnswer(name, 0, sections(mixed)).rotation).toBeUndefined();
  });
});

describe('truncation (§7, miekg/dns Msg.Truncate)', () => {
  const name = `big.prod.svc.${ZONE}`;
  const forty = aRecords(name, 40);
  const prepared = prepareAnswer(name, 0, sections(forty, [], []));

  const rows = [
    { what: 'UDP without EDNS', query: makeQuery({ name }), limit: 512, tc: true },
    { what: 'UDP with EDNS 1232', query: makeQuery({ name, edns: { udpSize: 1232, do: false, version: 0 } }), limit: 1232, tc: false },
    // §10: no cap of our own above the client's size; below 512 counts as 512
    { what: 'UDP with EDNS 4096 (no cap of our own)', query: makeQuery({ name, edns: { udpSize: 4096, do: false, version: 0 } }), limit: 4096, tc: false },
    { what: 'UDP with EDNS 100 (512 at least)', query: makeQuery({ name, edns: { udpSize: 100, do: false, version: 0 } }), limit: 512, tc: true },
    { what: 'TCP', query: makeQuery({ name, transport: 'tcp' }), limit: 65535, tc: false },
  ];

  it.each(rows)('$what', ({ query, limit, tc }) => {
    for (const turn of [0, 7]) {
      const message = writeResponse(query, prepared, turn);
      expect(message.length).toBeLessThanOrEqual(limit);
      const decoded = decode(message);
      expect(decoded.flags.tc).toBe(tc);
      const expected = tc ? Math.floor((512 - 12 - nameWireLength(name) - 4 - (query.edns ? 11 : 0)) / 16) : 40;
      expect(decoded.answer.length).toBe(expected);
      expect(new Set(decoded.answer.map((r) => (r.data as { address: string }).address)).size).toBe(expected);
      if (query.edns) expect(decoded.opt?.udpSize).toBe(query.edns.udpSize);
    }
  });

  it('§10 100 A records: EDNS 4096 carries them all, no TC', () => {
    const hundred = prepareAnswer(name, 0, sections(aRecords(name, 100)));
    const message = writeResponse(makeQuery({ name, edns: { udpSize: 4096, do: false, version: 0 } }), hundred, 3);
    expect(message.length).toBeGreaterThan(1232);
    const decoded = decode(message);
    expect(decoded.flags.tc).toBe(false);
    expect(decoded.answer.length).toBe(100);
    expect(decoded.opt?.udpSize).toBe(4096);
  });

  it('100 A records: EDNS 1232 keeps what fits plus the OPT, with TC', () => {
    const hundred = prepareAnswer(name, 0, sections(aRecords(name, 100)));
    const message = writeResponse(makeQuery({ name, edns: { udpSize: 1232, do: true, version: 0 } }), hundred, 3);
    expect(message.length).toBeLessThanOrEqual(1232);
    const decoded = decode(message);
    expect(decoded.flags.tc).toBe(true);
    expect(decoded.answer.length).toBe(Math.floor((1232 - 11 - 12 - nameWireLength(name) - 4) / 16));
    expect(decoded.opt).toEqual({ udpSize: 1232, extendedRcode: 0, version: 0, do: true });
  });

  it('dropping only additional records does not set TC', () => {
    const srv = Array.from({ length: 3 }, (_, i) => ({
      name, ttl: 5, data: { type: 'SRV' as const, priority: 0, weight: 33, port: 80, target: `h${i}.${name}` },
    }));
    const extra = srv.map((r, i) => ({ name: (r.data as { target: string }).target, ttl: 5, data: { type: 'AAAA' as const, address: `fd00::${i + 1}` } }));
    const padded = [...extra, ...extra, ...extra, ...extra, ...extra, ...extra, ...extra, ...extra];
    const body = prepareAnswer(name, 0, sections(srv, [], padded));
    const decoded = decode(writeResponse(makeQuery({ name, qtype: 33 }), body, 0));
    expect(decoded.answer).toEqual(srv);
    expect(decoded.additional.length).toBeGreaterThan(0);
    expect(decoded.additional.length).toBeLessThan(padded.length);
    expect(decoded.flags.tc).toBe(false);
  });

  it('dropping an authority record sets TC', () => {
    const bigSoa = { ...SOA, name: `${'x'.repeat(60)}.${'y'.repeat(60)}.${'z'.repeat(60)}.${'w'.repeat(60)}` };
    const body = prepareAnswer(name, 0, sections(aRecords(name, 15), [bigSoa, bigSoa]));
    const decoded = decode(writeResponse(makeQuery({ name }), body, 0));
    expect(decoded.answer.length).toBe(15);
    expect(decoded.authority.length).toBeLessThan(2);
    expect(decoded.flags.tc).toBe(true);
  });
});

describe('EDNS and empty responses', () => {
  const name = `web.prod.svc.${ZONE}`;

  it('echoes an OPT with the client\'s size (§10) and the DO bit copied', () => {
    const prepared = prepareAnswer(name, 0, sections(aRecords(name, 1)));
    for (const doBit of [true, false]) {
      const decoded = decode(writeResponse(makeQuery({ name, edns: { udpSize: 4096, do: doBit, version: 0 } }), prepared, 0));
      expect(decoded.opt).toEqual({ udpSize: 4096, extendedRcode: 0, version: 0, do: doBit });
      expect(decoded.counts.ar).toBe(1);
    }
  });

  it('copies RD and CD, sets AA from the answer', () => {
    const prepared = prepareAnswer(name, 0, sections([]), { authoritative: false });
    const decoded = decode(writeResponse(makeQuery({ name, rd: false, cd: true }), prepared, 0));
    expect(decoded.flags).toMatchObject({ rd: false, cd: true, aa: false });
  });

  it('BADVERS travels in the OPT extended rcode', () => {
    const query = makeQuery({ name, edns: { udpSize: 1232, do: false, version: 1 } });
    const message = writeEmptyResponse(query, { rcode: RCode.BADVERS });
    expect((message[3] ?? 0) & 0xf).toBe(0);
    const decoded = decode(message);
    expect(decoded.rcode).toBe(16);
    expect(decoded.opt?.extendedRcode).toBe(1);
    expect(decoded.question?.name).toBe(name);
  });

  it('empty responses carry the flags given', () => {
    const decoded = decode(writeEmptyResponse(makeQuery({ name, qtype: 252 }), { rcode: RCode.REFUSED, recursionAvailable: true }));
    expect(decoded).toMatchObject({ rcode: 5, flags: { qr: true, aa: false, ra: true, tc: false }, counts: { qd: 1, an: 0, ns: 0, ar: 0 } });
    expect(decoded.question).toEqual({ name, type: 252, class: 1 });
  });

  it('header-only FORMERR has no question', () => {
    const message = writeHeaderOnlyResponse(0xbeef, 0, true, RCode.FORMERR);
    expect(message.length).toBe(12);
    expect(decode(message)).toMatchObject({ id: 0xbeef, rcode: 1, flags: { qr: true, rd: true }, counts: { qd: 0 } });
  });
});
