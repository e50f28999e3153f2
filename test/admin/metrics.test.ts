// /metrics scraped after known queries (issue 4 part 2): CoreDNS names and
// labels, our own clusterdns_* gauges and reload counters.

import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { dbManifest, liveLines, startLive, tempDir, waitFor, type LiveServer } from '../live/helpers.js';
import { parsePrometheus } from '../helpers/prometheus.js';
import { zoneClassifier } from '../../src/admin/metrics.js';

let server: LiveServer;
let remove: () => Promise<void>;
let file: string;

beforeAll(async () => {
  const temp = await tempDir();
  remove = temp.remove;
  file = path.join(temp.dir, 'db.yaml');
  await writeFile(file, dbManifest(['10.0.0.1', '10.0.0.2']));
  server = await startLive(['-f', file]);
});
afterAll(async () => {
  await server.stop();
  await remove();
});

/** One real scrape of the server's /metrics. */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`${server.http}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

describe('/metrics', () => {
  it('counts requests and responses by CoreDNS labels after known queries', async () => {
    const before = await scrape();
    const server_ = `dns://127.0.0.1:${server.port}`;
    const key = (name: string, labels: string) => `${name}{${labels}}`;
    // Names in the cluster domain are counted under its zone, like CoreDNS's cluster.local server block.
    const requestsA = key('coredns_dns_requests_total', `server="${server_}",zone="cluster.local.",proto="udp",family="1",type="A"`);
    const requestsSrvTcp = key('coredns_dns_requests_total', `server="${server_}",zone="cluster.local.",proto="tcp",family="1",type="SRV"`);
    const nxdomain = key('coredns_dns_responses_total', `server="${server_}",zone="cluster.local.",rcode="NXDOMAIN"`);
    const noerror = key('coredns_dns_responses_total', `server="${server_}",zone="cluster.local.",rcode="NOERROR"`);
    const durationCount = key('coredns_dns_request_duration_seconds_count', `server="${server_}",zone="cluster.local.",type="A"`);
    // Everything else under the root zone.
    const outsideA = key('coredns_dns_requests_total', `server="${server_}",zone=".",proto="udp",family="1",type="A"`);
    const outsideResponses = [...['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED']].map((rcode) => key('coredns_dns_responses_total', `server="${server_}",zone=".",rcode="${rcode}"`));

    await dig(server.port, ['db.default.svc.cluster.local', 'A']);
    await dig(server.port, ['db.default.svc.cluster.local', 'A']);
    await dig(server.port, ['missing.default.svc.cluster.local', 'A']);
    await dig(server.port, ['+tcp', 'db.default.svc.cluster.local', 'SRV']);
    await dig(server.port, ['www.example.org', 'A']);
    const after = await scrape();

    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect({
      requestsA: delta(requestsA),
      requestsSrvTcp: delta(requestsSrvTcp),
      nxdomain: delta(nxdomain),
      noerror: delta(noerror),
      durationCount: delta(durationCount),
      outsideA: delta(outsideA),
      outsideResponses: outsideResponses.reduce((sum, name) => sum + delta(name), 0),
    }).toEqual({ requestsA: 3, requestsSrvTcp: 1, nxdomain: 1, noerror: 3, durationCount: 3, outsideA: 1, outsideResponses: 1 });
    expect(after.get('clusterdns_objects{kind="Service"}')).toBe(3); // db + the implicit kubernetes and kube-dns (§10)
    expect(after.get('clusterdns_records')).toBeGreaterThan(0);
    expect(after.get(`coredns_cache_hits_total{server="${server_}"}`)).toBe(0);
  });

  it('counts reloads by result', async () => {
    const before = await scrape();
    await writeFile(file, 'not: [valid');
    server.child.kill('SIGHUP');
    await waitFor(() => liveLines(server).some((line) => line.startsWith('reload failed')), 'the failed reload');
    await writeFile(file, dbManifest(['10.0.0.5']));
    server.child.kill('SIGHUP');
    await waitFor(() => liveLines(server).some((line) => line.startsWith('reload (SIGHUP)')), 'the good reload');
    const after = await scrape();
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect(delta('clusterdns_reloads_total{result="failure"}')).toBe(1);
    expect(delta('clusterdns_reloads_total{result="success"}')).toBe(1);
  });
});

describe('zoneClassifier: the zone label a query name is counted under', () => {
  const zone = zoneClassifier('cluster.local');
  it.each([
    { name: 'db.default.svc.cluster.local', zone: 'cluster.local.' },
    { name: 'DB.Default.SVC.Cluster.Local.', zone: 'cluster.local.', why: 'case and a trailing dot do not matter' },
    { name: 'cluster.local', zone: 'cluster.local.', why: 'the apex (SOA, NS)' },
    { name: 'www.example.org', zone: '.' },
    { name: 'notcluster.local', zone: '.', why: 'a suffix on a label boundary only' },
    { name: 'local', zone: '.' },
    { name: '', zone: '.', why: 'the root' },
  ])('$name -> $zone', ({ name, zone: label }) => {
    expect(zone.labels[zone.inCluster(name) ? 1 : 0]).toBe(label);
  });
});
