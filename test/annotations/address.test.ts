// `clusterdns.io/address` (issue 5, part 3), in process: manifests through the
// real loader and cluster build, answers from the responder with a fake
// upstream. Expected answers are zone-file text, compared in any order.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../src/manifests/index.js';
import { buildCluster } from '../../src/cluster/build.js';
import { formatProblem } from '../../src/cluster/model/problems.js';
import { buildRecordIndex } from '../../src/records/index.js';
import { createResponder } from '../../src/resolve/responder.js';
import type { Upstream, UpstreamResult } from '../../src/resolve/upstream.js';
import { RRType, type ResourceRecord } from '../../src/dns/types.js';
import { decode, query, sorted } from '../helpers/dns.js';

const Z = 'cluster.local';
const SOA = `${Z}. 5 IN SOA ns.dns.${Z}. hostmaster.${Z}. 42 7200 1800 86400 5`;
const SHOP = readFileSync(new URL('../fixtures/annotations/shop.yaml', import.meta.url), 'utf8');

/** What the fake upstream knows: compose container names. */
const UPSTREAM: Record<string, ResourceRecord[]> = {
  [`catalog ${RRType.A}`]: [{ name: 'catalog', ttl: 600, data: { type: 'A', address: '172.18.0.7' } }],
  [`web1.compose ${RRType.A}`]: [{ name: 'web1.compose', ttl: 2, data: { type: 'A', address: '172.18.0.11' } }],
  [`web1.compose ${RRType.AAAA}`]: [{ name: 'web1.compose', ttl: 2, data: { type: 'AAAA', address: 'fd00:18::11' } }],
};

function fakeUpstream(asked: string[] = []): Upstream {
  return {
    lookup(name, qtype): Promise<UpstreamResult> {
      asked.push(`${name} ${qtype}`);
      const records = UPSTREAM[`${name} ${qtype}`];
      if (records) return Promise.resolve({ kind: 'answer', records });
      return Promise.resolve({ kind: name.endsWith('.compose') || name === 'catalog' ? 'nodata' : 'nxdomain' });
    },
  };
}

function responderFor(yaml: string, upstream?: Upstream, onUnresolved?: (hostname: string, reason: string) => void) {
  const load = parseManifestText(yaml, 'shop.yaml');
  expect(load.problems.map(formatProblem)).toEqual([]);
  const state = buildCluster(load.objects, { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 1 });
  const index = buildRecordIndex(state, { zone: Z, ttl: 5, podMode: 'verified', serial: 42, nameserverAddresses: ['127.0.0.1'] });
  return createResponder({
    index: () => index,
    ...(upstream ? { upstream } : {}),
    ...(onUnresolved ? { onUnresolvedHostname: onUnresolved } : {}),
  });
}

async function ask(responder: ReturnType<typeof responderFor>, name: string, type: string) {
  return decode(await responder.respond(query(name, type)));
}

interface Row {
  readonly name: string;
  readonly qname: string;
  readonly qtype: string;
  readonly rcode?: string;
  readonly answer: readonly string[];
  readonly authority?: readonly string[];
  readonly additional?: readonly string[];
}

describe('answers of annotated services and pods (with an upstream)', () => {
  const rows: Row[] = [
    { name: 'ClusterIP service, IPv4 literal: A is the annotation, not the cluster IP', qname: `orders.shop.svc.${Z}`, qtype: 'A', answer: [`orders.shop.svc.${Z}. 5 IN A 172.18.0.5`] },
    { name: 'IPv4 literal: AAAA is NODATA', qname: `orders.shop.svc.${Z}`, qtype: 'AAAA', answer: [], authority: [SOA] },
    { name: 'IPv6 literal: AAAA is the annotation', qname: `payments.shop.svc.${Z}`, qtype: 'AAAA', answer: [`payments.shop.svc.${Z}. 5 IN AAAA fd00:18::5`] },
    { name: 'IPv6 literal: A is NODATA', qname: `payments.shop.svc.${Z}`, qtype: 'A', answer: [], authority: [SOA] },
    { name: '`_port._proto` A answers the annotation too', qname: `_http._tcp.orders.shop.svc.${Z}`, qtype: 'A', answer: [`_http._tcp.orders.shop.svc.${Z}. 5 IN A 172.18.0.5`] },
    {
      name: 'SRV keeps the service name as target; additional carries the annotated address',
      qname: `_http._tcp.orders.shop.svc.${Z}`,
      qtype: 'SRV',
      answer: [`_http._tcp.orders.shop.svc.${Z}. 5 IN SRV 0 100 80 orders.shop.svc.${Z}.`],
      additional: [`orders.shop.svc.${Z}. 5 IN A 172.18.0.5`],
    },
    {
      name: 'hostname: resolved through the upstream, answered under the service name, TTL capped at the cluster TTL',
      qname: `catalog.shop.svc.${Z}`,
      qtype: 'A',
      answer: [`catalog.shop.svc.${Z}. 5 IN A 172.18.0.7`],
    },
    { name: 'hostname with no AAAA upstream: NODATA', qname: `catalog.shop.svc.${Z}`, qtype: 'AAAA', answer: [], authority: [SOA] },
    {
      name: 'hostname SRV: no additional address (it is only known at answer time)',
      qname: `_http._tcp.catalog.shop.svc.${Z}`,
      qtype: 'SRV',
      answer: [`_http._tcp.catalog.shop.svc.${Z}. 5 IN SRV 0 100 80 catalog.shop.svc.${Z}.`],
    },
    {
      name: 'headless service: each endpoint by its pod annotation (literal, hostname, none)',
      qname: `nginx.shop.svc.${Z}`,
      qtype: 'A',
      answer: [`nginx.shop.svc.${Z}. 5 IN A 10.1.2.3`, `nginx.shop.svc.${Z}. 5 IN A 10.244.0.12`, `nginx.shop.svc.${Z}. 2 IN A 172.18.0.11`],
    },
    { name: 'headless AAAA: only the hostname pod has one, upstream TTL 2 kept', qname: `nginx.shop.svc.${Z}`, qtype: 'AAAA', answer: [`nginx.shop.svc.${Z}. 2 IN AAAA fd00:18::11`] },
    { name: 'endpoint name of a literal-annotated pod', qname: `web-0.nginx.shop.svc.${Z}`, qtype: 'A', answer: [`web-0.nginx.shop.svc.${Z}. 5 IN A 10.1.2.3`] },
    { name: 'endpoint name of a hostname-annotated pod', qname: `web-1.nginx.shop.svc.${Z}`, qtype: 'A', answer: [`web-1.nginx.shop.svc.${Z}. 2 IN A 172.18.0.11`] },
    { name: 'endpoint name of a pod without annotation', qname: `web-2.nginx.shop.svc.${Z}`, qtype: 'A', answer: [`web-2.nginx.shop.svc.${Z}. 5 IN A 10.244.0.12`] },
    { name: 'StatefulSet template annotation: every replica', qname: `cache-1.cache.shop.svc.${Z}`, qtype: 'AAAA', answer: [`cache-1.cache.shop.svc.${Z}. 5 IN AAAA ::1`] },
    { name: 'StatefulSet template annotation: the service name, deduplicated', qname: `cache.shop.svc.${Z}`, qtype: 'AAAA', answer: [`cache.shop.svc.${Z}. 5 IN AAAA ::1`] },
    { name: 'PTR of the cluster IP still names the service', qname: '50.0.96.10.in-addr.arpa', qtype: 'PTR', answer: [`50.0.96.10.in-addr.arpa. 5 IN PTR orders.shop.svc.${Z}.`] },
    { name: 'PTR of the pod IP still names the endpoint', qname: '10.0.244.10.in-addr.arpa', qtype: 'PTR', answer: [`10.0.244.10.in-addr.arpa. 5 IN PTR web-0.nginx.shop.svc.${Z}.`] },
    { name: 'PTR of an annotated address: not ours to name (NXDOMAIN)', qname: '5.0.18.172.in-addr.arpa', qtype: 'PTR', rcode: 'NXDOMAIN', answer: [], authority: ['in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 42 7200 1800 86400 5'] },
    { name: 'verified pod name: the pod IP, not the annotation', qname: `10-244-0-10.shop.pod.${Z}`, qtype: 'A', answer: [`10-244-0-10.shop.pod.${Z}. 5 IN A 10.244.0.10`] },
  ];
  it.each(rows)('$name', async (row) => {
    const response = await ask(responderFor(SHOP, fakeUpstream()), row.qname, row.qtype);
    expect(response.rcode).toBe(row.rcode ?? 'NOERROR');
    expect(response.aa).toBe(true);
    expect(sorted(response.answer)).toEqual(sorted(row.answer));
    expect(sorted(response.authority)).toEqual(sorted(row.authority ?? []));
    expect(sorted(response.additional)).toEqual(sorted(row.additional ?? []));
  });

  it('asks the upstream only for A/AAAA of hostname names, never for literals or names in the zone', async () => {
    const asked: string[] = [];
    const responder = responderFor(SHOP, fakeUpstream(asked));
    await ask(responder, `orders.shop.svc.${Z}`, 'A');
    await ask(responder, `web-0.nginx.shop.svc.${Z}`, 'A');
    await ask(responder, `catalog.shop.svc.${Z}`, 'TXT');
    expect(asked).toEqual([]);
    await ask(responder, `catalog.shop.svc.${Z}`, 'A');
    expect(asked).toEqual([`catalog ${RRType.A}`]);
  });

  it('a hostname inside the cluster domain is never sent upstream: NODATA', async () => {
    const yaml = SHOP.replace('clusterdns.io/address: catalog', `clusterdns.io/address: orders.shop.svc.${Z}`);
    const asked: string[] = [];
    const response = await ask(responderFor(yaml, fakeUpstream(asked)), `catalog.shop.svc.${Z}`, 'A');
    expect(response.rcode).toBe('NOERROR');
    expect(response.answer).toEqual([]);
    expect(asked).toEqual([]);
  });
});

describe('hostnames that do not resolve', () => {
  it('no upstream: NODATA for the name, and the hook is told (unreachable)', async () => {
    const told: string[] = [];
    const responder = responderFor(SHOP, undefined, (hostname, reason) => told.push(`${hostname} ${reason}`));
    const response = await ask(responder, `catalog.shop.svc.${Z}`, 'A');
    expect(response.rcode).toBe('NOERROR');
    expect(response.answer).toEqual([]);
    expect(response.authority).toEqual([SOA]);
    expect(told).toEqual(['catalog unreachable']);
  });

  it('no upstream: a headless service still answers its literal endpoints', async () => {
    const response = await ask(responderFor(SHOP), `nginx.shop.svc.${Z}`, 'A');
    expect(sorted(response.answer)).toEqual(sorted([`nginx.shop.svc.${Z}. 5 IN A 10.1.2.3`, `nginx.shop.svc.${Z}. 5 IN A 10.244.0.12`]));
  });

  it('upstream NXDOMAIN for the hostname: NODATA, the hook is told (nxdomain)', async () => {
    const told: string[] = [];
    const response = await ask(responderFor(SHOP, fakeUpstream(), (h, r) => told.push(`${h} ${r}`)), `ghost.shop.svc.${Z}`, 'A');
    expect(response.rcode).toBe('NOERROR');
    expect(response.answer).toEqual([]);
    expect(told).toEqual(['ghost.compose nodata']);
  });
});

describe('annotation errors name the file, document and field', () => {
  const service = (annotations: string, type = 'ClusterIP') =>
    `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n${annotations}\nspec:\n  type: ${type}\n${type === 'ExternalName' ? '  externalName: example.com\n' : '  ports: [{port: 80}]\n'}`;
  const rows = [
    { name: 'not an address or hostname', yaml: service('    clusterdns.io/address: "orders_db"'), want: /shop\.yaml, document 1 \(line \d+\): metadata\.annotations\["clusterdns\.io\/address"\]: expected an IP address .* got "orders_db"/ },
    { name: 'an address with a port', yaml: service('    clusterdns.io/address: "172.18.0.5:8080"'), want: /metadata\.annotations\["clusterdns\.io\/address"\]: expected an IP address/ },
    { name: 'empty', yaml: service('    clusterdns.io/address: ""'), want: /metadata\.annotations\["clusterdns\.io\/address"\]: expected an IP address or a hostname, got an empty value/ },
    { name: 'a label longer than 63 characters', yaml: service(`    clusterdns.io/address: ${'a'.repeat(64)}.test`), want: /expected an IP address/ },
    { name: 'on an ExternalName service', yaml: service('    clusterdns.io/address: 10.0.0.1', 'ExternalName'), want: /metadata\.annotations\["clusterdns\.io\/address"\]: not allowed here \(an ExternalName service is a CNAME/ },
    {
      name: 'in a pod template',
      yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n      labels: {app: web}\n      annotations: {clusterdns.io/address: "bad name"}\n',
      want: /spec\.template\.metadata\.annotations\["clusterdns\.io\/address"\]: expected an IP address/,
    },
  ];
  it.each(rows)('$name', ({ yaml, want }) => {
    const load = parseManifestText(yaml, 'shop.yaml');
    const errors = load.problems.filter((problem) => problem.level === 'error').map(formatProblem);
    expect(errors).toEqual([expect.stringMatching(want)]);
  });

  it('on a workload\'s own metadata: a warning pointing at the template', () => {
    const yaml = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {clusterdns.io/address: 10.0.0.1}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n      labels: {app: web}\n';
    const load = parseManifestText(yaml, 'shop.yaml');
    expect(load.problems.map((problem) => `${problem.level}: ${formatProblem(problem)}`)).toEqual([
      expect.stringMatching(/^warning: shop\.yaml, document 1 \(line \d+\): metadata\.annotations\["clusterdns\.io\/address"\]: ignored here \(read on Services, Pods and pod templates \(spec\.template\.metadata\), not on a Deployment\)$/),
    ]);
  });

  const valid = ['172.18.0.5', 'fd00::5', 'FD00:0:0::5', 'orders', 'Orders.Test.Internal.', 'web-1.compose'];
  it.each(valid)('accepts %s', (value) => {
    const load = parseManifestText(service(`    clusterdns.io/address: "${value}"`), 'shop.yaml');
    expect(load.problems.map(formatProblem)).toEqual([]);
  });
});
