// The record index under options other than the responder table's defaults:
// pod modes, ns.dns fallback, another zone, TTLs, the records() listing.
import { describe, expect, it } from 'vitest';
import { buildRecordIndex, type IndexOptions } from '../../src/records/index.js';
import { createResponder } from '../../src/resolve/responder.js';
import { formatRecord, sortRecords } from '../../src/dns/zonetext.js';
import { RRType } from '../../src/dns/types.js';
import type { ClusterState } from '../../src/cluster/model/state.js';
import { cluster, clusterIP, endpoint, exampleCluster, headless, pod, port } from '../helpers/cluster.js';
import { decode, query } from '../helpers/dns.js';

const BASE: IndexOptions = { zone: 'cluster.local', ttl: 5, podMode: 'insecure', serial: 1, nameserverAddresses: ['127.0.0.1'] };

async function ask(state: ClusterState, options: Partial<IndexOptions>, name: string, type: string) {
  const index = buildRecordIndex(state, { ...BASE, ...options });
  return decode(await createResponder({ index: () => index }).respond(query(name, type)));
}

describe('pod modes (§3.5)', () => {
  const state = cluster({
    namespaces: ['team'],
    pods: [
      pod('team/web-0', ['10.244.3.1', 'fd00:10:244::3']),
      pod('other/x', ['10.244.7.7']),
      pod('team/old', ['10.244.8.8'], { terminating: true }),
    ],
  });
  const rows = [
    { mode: 'insecure', name: '10-244-9-9.team.pod.cluster.local', type: 'A', rcode: 'NOERROR', answers: 1 },
    { mode: 'verified', name: '10-244-3-1.team.pod.cluster.local', type: 'A', rcode: 'NOERROR', answers: 1 },
    { mode: 'verified', name: 'fd00-10-244--3.team.pod.cluster.local', type: 'AAAA', rcode: 'NOERROR', answers: 1 },
    { mode: 'verified', name: 'fd00-10-244-0-0-0-0-3.team.pod.cluster.local', type: 'AAAA', rcode: 'NOERROR', answers: 1 },
    { mode: 'verified', name: '10-244-3-1.team.pod.cluster.local', type: 'AAAA', rcode: 'NOERROR', answers: 0 },
    { mode: 'verified', name: '10-244-9-9.team.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', answers: 0 },
    { mode: 'verified', name: '10-244-7-7.team.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', answers: 0 },
    { mode: 'verified', name: '10-244-8-8.team.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', answers: 0 },
    { mode: 'disabled', name: '10-244-3-1.team.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', answers: 0 },
    { mode: 'disabled', name: 'team.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', answers: 0 },
    { mode: 'disabled', name: 'pod.cluster.local', type: 'A', rcode: 'NOERROR', answers: 0 },
  ] as const;
  it.each(rows)('$mode: $name $type → $rcode', async ({ mode, name, type, rcode, answers }) => {
    const response = await ask(state, { podMode: mode }, name, type);
    expect(response.rcode).toBe(rcode);
    expect(response.answer).toHaveLength(answers);
  });
});

describe('ns.dns (§1)', () => {
  it('falls back to the listen addresses without kube-system/kube-dns', async () => {
    const response = await ask(cluster({}), { nameserverAddresses: ['127.0.0.1', '::1'] }, 'cluster.local', 'NS');
    expect(response.answer).toEqual(['cluster.local. 5 IN NS ns.dns.cluster.local.']);
    expect(response.additional.sort()).toEqual([
      'ns.dns.cluster.local. 5 IN A 127.0.0.1',
      'ns.dns.cluster.local. 5 IN AAAA ::1',
    ]);
  });
});

describe('zone and TTL options (§1)', () => {
  const state = cluster({ services: [clusterIP('prod/web', ['10.96.30.1'], { ports: [port('http', 80)] })] });
  it('another zone changes every name, PTR target and SOA', async () => {
    const a = await ask(state, { zone: 'corp.example' }, 'web.prod.svc.corp.example', 'A');
    expect(a.answer).toEqual(['web.prod.svc.corp.example. 5 IN A 10.96.30.1']);
    const ptr = await ask(state, { zone: 'corp.example' }, '1.30.96.10.in-addr.arpa', 'PTR');
    expect(ptr.answer).toEqual(['1.30.96.10.in-addr.arpa. 5 IN PTR web.prod.svc.corp.example.']);
    const old = await ask(state, { zone: 'corp.example' }, 'web.prod.svc.cluster.local', 'A');
    expect(old.rcode).toBe('REFUSED');
  });
  it('TTL applies to every record; the SOA record TTL is capped at 300 (CoreDNS)', async () => {
    const a = await ask(state, { ttl: 3600 }, 'web.prod.svc.cluster.local', 'A');
    expect(a.answer).toEqual(['web.prod.svc.cluster.local. 3600 IN A 10.96.30.1']);
    const nx = await ask(state, { ttl: 3600, serial: 9 }, 'nope.prod.svc.cluster.local', 'A');
    expect(nx.authority).toEqual([
      'cluster.local. 300 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 9 7200 1800 86400 3600',
    ]);
    const version = await ask(state, { ttl: 3600 }, 'dns-version.cluster.local', 'TXT');
    expect(version.answer).toEqual(['dns-version.cluster.local. 28800 IN TXT "1.1.0"']);
  });
});

describe('CoreDNS readings where the spec is silent', () => {
  const rows = [
    { label: 'A at a _port._proto name answers the cluster IP', name: '_http._tcp.web.prod.svc.cluster.local', type: 'A', answer: ['_http._tcp.web.prod.svc.cluster.local. 5 IN A 10.96.30.1'] },
    { label: 'underscores are optional in SRV names', name: 'http.tcp.web.prod.svc.cluster.local', type: 'SRV', answer: ['http.tcp.web.prod.svc.cluster.local. 5 IN SRV 0 100 80 web.prod.svc.cluster.local.'] },
    { label: 'SRV at an endpoint name: its ports', name: 'db-0.db.prod.svc.cluster.local', type: 'SRV', answer: ['db-0.db.prod.svc.cluster.local. 5 IN SRV 0 100 5432 db-0.db.prod.svc.cluster.local.'] },
  ];
  it.each(rows)('$label', async ({ name, type, answer }) => {
    const response = await ask(exampleCluster(), {}, name, type);
    expect(response.rcode).toBe('NOERROR');
    expect(response.answer).toEqual(answer);
  });
});

describe('records() and counts', () => {
  it('lists every finite record once (sortRecords: canonical order)', () => {
    const state = cluster({
      services: [
        clusterIP('prod/web', ['10.96.30.1'], { ports: [port('http', 80)] }),
        headless('prod/db', { endpoints: [endpoint('10.244.2.10', { hostname: 'db-0' })] }),
      ],
    });
    const index = buildRecordIndex(state, { ...BASE, nameserverAddresses: [] });
    const lines = sortRecords(index.records()).map(formatRecord);
    expect(lines).toEqual([
      'in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 1 7200 1800 86400 5',
      '10.2.244.10.in-addr.arpa. 5 IN PTR db-0.db.prod.svc.cluster.local.',
      '1.30.96.10.in-addr.arpa. 5 IN PTR web.prod.svc.cluster.local.',
      'ip6.arpa. 5 IN SOA ns.dns.ip6.arpa. hostmaster.ip6.arpa. 1 7200 1800 86400 5',
      'cluster.local. 5 IN NS ns.dns.cluster.local.',
      'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5',
      'dns-version.cluster.local. 28800 IN TXT "1.1.0"',
      'db.prod.svc.cluster.local. 5 IN A 10.244.2.10',
      'db-0.db.prod.svc.cluster.local. 5 IN A 10.244.2.10',
      'web.prod.svc.cluster.local. 5 IN A 10.96.30.1',
      'web.prod.svc.cluster.local. 5 IN SRV 0 100 80 web.prod.svc.cluster.local.',
      '_http._tcp.web.prod.svc.cluster.local. 5 IN SRV 0 100 80 web.prod.svc.cluster.local.',
    ]);
    expect(index.recordCount).toBe(lines.length);
    expect(index.serial).toBe(1);
    expect(index.zone).toBe('cluster.local');
  });

  it('verified mode lists pod names (each address of a dual-stack pod, none for a pod without), insecure does not', () => {
    const state = cluster({ pods: [pod('team/a', ['10.244.3.1']), pod('team/b', ['10.244.3.2', 'fd00:10:244::2']), pod('team/c', [])] });
    const names = (mode: IndexOptions['podMode']) =>
      buildRecordIndex(state, { ...BASE, podMode: mode }).records().map(formatRecord).filter((l) => l.includes('.pod.'));
    expect(names('verified')).toEqual([
      '10-244-3-1.team.pod.cluster.local. 5 IN A 10.244.3.1',
      '10-244-3-2.team.pod.cluster.local. 5 IN A 10.244.3.2',
      'fd00-10-244--2.team.pod.cluster.local. 5 IN AAAA fd00:10:244::2',
    ]);
    expect(names('insecure')).toEqual([]);
  });
});

describe('lookup kinds', () => {
  const index = buildRecordIndex(exampleCluster(), BASE);
  const rows = [
    { name: 'example.com', qtype: RRType.A, kind: 'not-ours' },
    { name: '', qtype: RRType.NS, kind: 'not-ours' },
    { name: 'cluster.local', qtype: RRType.AXFR, kind: 'refused' },
    { name: 'ext.prod.svc.cluster.local', qtype: RRType.AAAA, kind: 'external' },
    { name: 'web.prod.svc.cluster.local', qtype: RRType.A, kind: 'answer' },
    { name: '9.9.9.10.in-addr.arpa', qtype: RRType.PTR, kind: 'answer' },
  ];
  it.each(rows)('$name $qtype → $kind', ({ name, qtype, kind }) => expect(index.lookup(name, qtype).kind).toBe(kind));
});
