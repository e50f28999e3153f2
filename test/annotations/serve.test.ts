// End to end: names that reach the real test services (issue 5, part 3),
// served by the real CLI and asked with dig; hostnames resolved through a
// loopback fake upstream playing a compose network's DNS.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { startServe, type ServerProcess } from '../helpers/server-process.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { RCode, RRType } from '../../src/dns/types.js';

const FIXTURE = 'test/fixtures/annotations/shop.yaml';
let upstream: FakeUpstream;
let server: ServerProcess;

beforeAll(async () => {
  upstream = await startFakeUpstream((query) => {
    const name = query.name.toLowerCase();
    if (name === 'catalog' && query.qtype === RRType.A) {
      return { kind: 'reply', answer: [{ name: 'catalog', ttl: 600, data: { type: 'A', address: '172.18.0.7' } }] };
    }
    if (name === 'web1.compose' && query.qtype === RRType.AAAA) {
      return { kind: 'reply', answer: [{ name: 'web1.compose', ttl: 3, data: { type: 'AAAA', address: 'fd00:18::11' } }] };
    }
    return { kind: 'reply', rcode: RCode.NXDOMAIN };
  });
  server = await startServe(['-f', FIXTURE, '--upstream', `127.0.0.1:${upstream.port}`]);
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe('dig against annotated names', () => {
  const rows = [
    { name: 'ClusterIP service, IPv4 literal', args: ['orders.shop.svc.cluster.local'], answer: ['orders.shop.svc.cluster.local. 5 IN A 172.18.0.5'] },
    { name: 'ClusterIP service, IPv6 literal', args: ['payments.shop.svc.cluster.local', 'AAAA'], answer: ['payments.shop.svc.cluster.local. 5 IN AAAA fd00:18::5'] },
    { name: 'ClusterIP service, hostname via the upstream', args: ['catalog.shop.svc.cluster.local'], answer: ['catalog.shop.svc.cluster.local. 5 IN A 172.18.0.7'] },
    { name: 'headless endpoint, hostname via the upstream (its TTL kept when lower)', args: ['web-1.nginx.shop.svc.cluster.local', 'AAAA'], answer: ['web-1.nginx.shop.svc.cluster.local. 3 IN AAAA fd00:18::11'] },
    { name: 'headless endpoint, literal', args: ['web-0.nginx.shop.svc.cluster.local'], answer: ['web-0.nginx.shop.svc.cluster.local. 5 IN A 10.1.2.3'] },
    { name: 'the cluster IP keeps its PTR', args: ['-x', '10.96.0.50'], answer: ['50.0.96.10.in-addr.arpa. 5 IN PTR orders.shop.svc.cluster.local.'] },
  ];
  it.each(rows)('$name', async ({ args, answer }) => {
    const result = await dig(server.port, args);
    expect(result.status).toBe('NOERROR');
    expect(result.flags).toContain('aa');
    expect(result.answer).toEqual(answer);
  });

  it('the upstream is asked for the hostname, never for a cluster name', () => {
    const asked = upstream.received.map((received) => received.query.name.toLowerCase());
    expect(asked).toContain('catalog');
    expect(asked.filter((name) => name.endsWith('cluster.local'))).toEqual([]);
  });

  it('the annotated out-of-CIDR addresses and explicit IPs raise no warning at start', () => {
    const warnings = server.logs.filter((entry) => entry['level'] === 40).map((entry) => String(entry['msg']));
    expect(warnings.filter((msg) => /outside|CIDR/.test(msg))).toEqual([]);
  });
});

describe('a hostname with no upstream to ask', () => {
  it('answers NODATA and logs one warning per hostname, not one per query', async () => {
    const alone = await startServe(['-f', FIXTURE]);
    try {
      for (let i = 0; i < 3; i++) {
        const result = await dig(alone.port, ['catalog.shop.svc.cluster.local']);
        expect(result.status).toBe('NOERROR');
        expect(result.answer).toEqual([]);
        expect(result.authority[0]).toMatch(/^cluster\.local\. 5 IN SOA /);
      }
      const lines = alone.logs.filter((entry) => String(entry['msg']).includes('clusterdns.io/address catalog'));
      expect(lines).toHaveLength(1);
      expect(String(lines[0]?.['msg'])).toMatch(/there is no upstream to ask \(start with --upstream ADDR/);
    } finally {
      await alone.stop();
    }
  });
});

describe('explicit IPs outside the CIDRs', () => {
  const YAML = [
    'apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: shop}\nspec: {clusterIP: 172.18.0.5, ports: [{port: 80}]}',
    'apiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: shop}\nspec: {clusterIP: 172.18.0.5, ports: [{port: 80}]}',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nstatus: {phase: Running, podIP: 192.168.50.9}',
  ].join('\n---\n');

  it('are served as written; only the collision is warned, naming both objects', async () => {
    const served = await startServe(['-f', '-'], { stdin: YAML });
    try {
      const result = await dig(served.port, ['a.shop.svc.cluster.local']);
      expect(result.answer).toEqual(['a.shop.svc.cluster.local. 5 IN A 172.18.0.5']);
      const warnings = served.logs.filter((entry) => entry['level'] === 40).map((entry) => String(entry['msg']));
      expect(warnings).toEqual([expect.stringMatching(/<stdin>, document 2.*cluster IP 172\.18\.0\.5 of Service shop\/b is also used by Service shop\/a \(<stdin>, document 1/)]);
    } finally {
      await served.stop();
    }
  });
});
