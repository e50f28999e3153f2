// `clusterdns records --format zone|hosts|json`.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/server-process.js';
import { formatRecords } from '../../src/cli/records.js';
import type { ResourceRecord } from '../../src/dns/types.js';

describe('clusterdns records', () => {
  it('prints one zone CoreDNS file plugin can load: $ORIGIN, SOA first, NS, only names in the zone', async () => {
    const result = await runCli(['records', '-f', 'manifests']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('$ORIGIN cluster.local.');
    expect(lines[1]).toMatch(/^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/);
    // §10: the NS names the (implicit) kube-dns Service, as CoreDNS's does
    expect(lines[2]).toBe('cluster.local. 5 IN NS kube-dns.kube-system.svc.cluster.local.');
    expect(lines).toContain('kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10');
    expect(lines.filter((line) => line.includes(' IN SOA '))).toHaveLength(1);
    for (const line of lines.slice(1)) expect(line.split(' ')[0]).toMatch(/(^|\.)cluster\.local\.$/);
    expect(lines).toContain('userlist-svc.user03.svc.cluster.local. 5 IN A 10.43.113.209');
  });

  it('prints a reverse zone with --zone in-addr.arpa, with an NS naming the cluster nameserver', async () => {
    const result = await runCli(['records', '-f', 'manifests', '--zone', 'in-addr.arpa']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('$ORIGIN in-addr.arpa.');
    expect(lines[1]).toMatch(/^in-addr\.arpa\. 5 IN SOA /);
    expect(lines[2]).toBe('in-addr.arpa. 5 IN NS kube-dns.kube-system.svc.cluster.local.');
    expect(lines).toContain('1.0.96.10.in-addr.arpa. 5 IN PTR kubernetes.default.svc.cluster.local.');
  });

  it('prints /etc/hosts lines for every A record', async () => {
    const result = await runCli(['records', '-f', 'manifests', '--format', 'hosts']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContain('10.43.113.209 userlist-svc.user03.svc.cluster.local');
    expect(lines).toContain('10.96.0.1 kubernetes.default.svc.cluster.local');
    for (const line of lines) expect(line).toMatch(/^[0-9a-f.:]+ [a-z0-9.-]+$/);
  });

  it('prints JSON with every record, PTRs included', async () => {
    const result = await runCli(['records', '-f', 'manifests', '--format', 'json']);
    expect(result.code).toBe(0);
    const records = JSON.parse(result.stdout) as { name: string; ttl: number; type: string; data: string }[];
    expect(records).toContainEqual({ name: 'userlist-svc.user03.svc.cluster.local.', ttl: 5, type: 'A', data: '10.43.113.209' });
    expect(records).toContainEqual({ name: '1.0.96.10.in-addr.arpa.', ttl: 5, type: 'PTR', data: 'kubernetes.default.svc.cluster.local.' });
  });

  it('exits 2 on an unknown format or a zone it does not serve', async () => {
    const format = await runCli(['records', '-f', 'manifests', '--format', 'bind']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("argument 'bind' is invalid. Allowed choices are zone, hosts, json.");
    const zone = await runCli(['records', '-f', 'manifests', '--zone', 'example.com']);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toContain('--zone must be one of cluster.local, in-addr.arpa, ip6.arpa, got "example.com"');
  });
});

// BIND's zone checker (bind9-utils), when installed: stricter than CoreDNS's file plugin (it also wants NS).
const hasCheckzone = spawnSync('named-checkzone', ['-v']).status === 0;

describe.skipIf(!hasCheckzone)('records zone files pass named-checkzone', () => {
  it.each(['cluster.local', 'in-addr.arpa'])('%s', async (zone) => {
    const result = await runCli(['records', '-f', 'manifests', '--zone', zone]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'clusterdns-zone-')), `db.${zone}`);
    writeFileSync(file, result.stdout);
    const check = spawnSync('named-checkzone', [zone, file], { encoding: 'utf8' });
    expect(check.stdout).toContain(`zone ${zone}/IN: loaded serial`);
    expect(check.status).toBe(0);
  });
});

describe('formatRecords', () => {
  const soa: ResourceRecord = {
    name: 'in-addr.arpa',
    ttl: 5,
    data: { type: 'SOA', mname: 'ns.dns.in-addr.arpa', rname: 'hostmaster.in-addr.arpa', serial: 7, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
  };
  const ptr: ResourceRecord = { name: '1.0.96.10.in-addr.arpa', ttl: 5, data: { type: 'PTR', target: 'kubernetes.default.svc.cluster.local' } };
  const ns: ResourceRecord = { name: 'cluster.local', ttl: 5, data: { type: 'NS', target: 'ns.dns.cluster.local' } };

  it('puts the SOA first and lends the cluster NS to a zone without one', () => {
    expect(formatRecords([ptr, soa], 'zone', 'in-addr.arpa', ns)).toBe(
      [
        '$ORIGIN in-addr.arpa.',
        'in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 7 7200 1800 86400 5',
        'in-addr.arpa. 5 IN NS ns.dns.cluster.local.',
        '1.0.96.10.in-addr.arpa. 5 IN PTR kubernetes.default.svc.cluster.local.',
        '',
      ].join('\n'),
    );
  });

  it('prints nothing at all for hosts lines of a zone without addresses', () => {
    expect(formatRecords([soa, ptr], 'hosts')).toBe('');
  });
});
