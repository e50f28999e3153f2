import { describe, expect, it } from 'vitest';
import { formatRecord, sortRecords } from '../../src/dns/zonetext.js';
import type { ResourceRecord } from '../../src/dns/types.js';

describe('formatRecord', () => {
  const rows: Array<{ rr: ResourceRecord; want: string }> = [
    { rr: { name: 'a.b', ttl: 5, data: { type: 'A', address: '10.0.0.1' } }, want: 'a.b. 5 IN A 10.0.0.1' },
    { rr: { name: 'a.b', ttl: 5, data: { type: 'AAAA', address: 'fd00::1' } }, want: 'a.b. 5 IN AAAA fd00::1' },
    { rr: { name: 'a.b', ttl: 5, data: { type: 'CNAME', target: 'Example.com' } }, want: 'a.b. 5 IN CNAME Example.com.' },
    {
      rr: { name: 'a.b', ttl: 5, data: { type: 'SRV', priority: 0, weight: 50, port: 80, target: 'x.b' } },
      want: 'a.b. 5 IN SRV 0 50 80 x.b.',
    },
    { rr: { name: 'v', ttl: 28800, data: { type: 'TXT', text: ['1.1.0', 'a"b'] } }, want: 'v. 28800 IN TXT "1.1.0" "a\\"b"' },
    {
      rr: {
        name: 'cluster.local',
        ttl: 5,
        data: {
          type: 'SOA',
          mname: 'ns.dns.cluster.local',
          rname: 'hostmaster.cluster.local',
          serial: 7,
          refresh: 7200,
          retry: 1800,
          expire: 86400,
          minimum: 5,
        },
      },
      want: 'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 7 7200 1800 86400 5',
    },
    { rr: { name: '', ttl: 1, data: { type: 'NS', target: 'ns' } }, want: '. 1 IN NS ns.' },
  ];
  it.each(rows)('$want', ({ rr, want }) => expect(formatRecord(rr)).toBe(want));

  it('sortRecords orders by name, type, text', () => {
    const records: ResourceRecord[] = [
      { name: 'b', ttl: 5, data: { type: 'A', address: '10.0.0.2' } },
      { name: 'a', ttl: 5, data: { type: 'SRV', priority: 0, weight: 1, port: 1, target: 'x' } },
      { name: 'a', ttl: 5, data: { type: 'A', address: '10.0.0.1' } },
    ];
    expect(sortRecords(records).map(formatRecord)).toEqual([
      'a. 5 IN A 10.0.0.1',
      'a. 5 IN SRV 0 1 1 x.',
      'b. 5 IN A 10.0.0.2',
    ]);
  });
});
