// NameTable.add deduplicates records (owner case, TTL, type and data) both in
// small sets (compared one by one) and large ones (kept as keys).

import { describe, expect, it } from 'vitest';
import { RRType, type ResourceRecord } from '../../src/dns/types.js';
import { NameTable, addressRecord, record } from '../../src/records/table.js';

const srv = (target: string, port = 80, owner = '_http._tcp.web.prod.svc.cluster.local'): ResourceRecord =>
  record(owner, 5, { type: 'SRV', priority: 0, weight: 100, port, target });

describe('NameTable.add', () => {
  it.each([
    { why: 'same address twice', records: [addressRecord('a.b', 5, '10.0.0.1'), addressRecord('a.b', 5, '10.0.0.1')], kept: 1 },
    { why: 'owner case differs', records: [addressRecord('a.b', 5, '10.0.0.1'), addressRecord('A.B', 5, '10.0.0.1')], kept: 1 },
    { why: 'TTL differs', records: [addressRecord('a.b', 5, '10.0.0.1'), addressRecord('a.b', 6, '10.0.0.1')], kept: 2 },
    { why: 'SRV target case differs', records: [srv('x.cluster.local'), srv('X.cluster.local')], kept: 1 },
    { why: 'SRV port differs', records: [srv('x.cluster.local', 80), srv('x.cluster.local', 81)], kept: 2 },
    { why: 'TXT text case differs (compared as text)', records: [record('t', 5, { type: 'TXT', text: ['Hi'] }), record('t', 5, { type: 'TXT', text: ['hi'] })], kept: 1 },
  ])('$why: keeps $kept', ({ records, kept }) => {
    const table = new NameTable();
    for (const rr of records) table.add('a.b', 'b', RRType.A, [rr]);
    expect(table.get('a.b')?.sets.get(RRType.A)?.answer).toHaveLength(kept);
  });

  it('deduplicates large sets, answer and additional separately', () => {
    const table = new NameTable();
    const addresses = Array.from({ length: 100 }, (_, i) => addressRecord('wide.b', 5, `10.0.${i >> 8}.${i & 255}`));
    for (const rr of addresses) table.add('wide.b', 'b', RRType.A, [rr], [rr]);
    for (const rr of addresses) table.add('wide.b', 'b', RRType.A, [rr], [rr]);
    const set = table.get('wide.b')?.sets.get(RRType.A);
    expect(set?.answer).toHaveLength(100);
    expect(set?.additional).toHaveLength(100);
  });
});
