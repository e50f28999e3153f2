import { describe, expect, it } from 'vitest';
import type { ResourceRecord } from '../../src/dns/types.js';
import { diffRecords, summarizeDiff } from '../../src/live/diff.js';

const a = (name: string, address: string): ResourceRecord => ({ name, ttl: 5, data: { type: 'A', address } });
const soa = (serial: number): ResourceRecord => ({
  name: 'cluster.local',
  ttl: 5,
  data: { type: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
});

describe('diffRecords', () => {
  const rows: { name: string; before: ResourceRecord[]; after: ResourceRecord[]; summary: string }[] = [
    { name: 'nothing changed but the SOA serial', before: [soa(1), a('web', '10.0.0.1')], after: [soa(2), a('web', '10.0.0.1')], summary: 'no record changes' },
    { name: 'a name added', before: [], after: [a('web', '10.0.0.1')], summary: 'added 1 (web)' },
    { name: 'a name removed', before: [a('web', '10.0.0.1')], after: [], summary: 'removed 1 (web)' },
    {
      name: 'an address set changed (order does not matter)',
      before: [a('web', '10.0.0.1'), a('web', '10.0.0.2')],
      after: [a('web', '10.0.0.3'), a('web', '10.0.0.1')],
      summary: 'changed 1 (web)',
    },
    { name: 'same set, other order', before: [a('web', '10.0.0.1'), a('web', '10.0.0.2')], after: [a('web', '10.0.0.2'), a('web', '10.0.0.1')], summary: 'no record changes' },
    { name: 'case of the owner name is ignored', before: [a('Web', '10.0.0.1')], after: [a('web', '10.0.0.1')], summary: 'no record changes' },
  ];
  it.each(rows)('$name', ({ before, after, summary }) => {
    expect(summarizeDiff(diffRecords(before, after))).toBe(summary);
  });

  it('lists at most `limit` names per kind, then how many more', () => {
    const after = ['a', 'b', 'c', 'd'].map((name) => a(name, '10.0.0.1'));
    expect(summarizeDiff(diffRecords([], after), 2)).toBe('added 4 (a b +2 more)');
  });
});
