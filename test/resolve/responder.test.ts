// Responder behaviour beyond the spec tables: rotation, 0x20, truncation,
// EDNS, ExternalName targets asked upstream, forwarding, classes.
import { describe, expect, it } from 'vitest';
import { buildRecordIndex, type IndexOptions } from '../../src/records/index.js';
import { createResponder } from '../../src/resolve/responder.js';
import type { Upstream, UpstreamResult } from '../../src/resolve/upstream.js';
import type { ClusterState } from '../../src/cluster/model/state.js';
import type { Query } from '../../src/dns/query.js';
import { cluster, clusterIP, endpoint, exampleCluster, headless, port } from '../helpers/cluster.js';
import { decode, query, sorted } from '../helpers/dns.js';

const Z = 'cluster.local';
const SOA = 'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 5';
const OPTIONS: IndexOptions = { zone: Z, ttl: 5, podMode: 'insecure', serial: 42, nameserverAddresses: ['127.0.0.1'] };

function responderFor(state: ClusterState = exampleCluster(), extra: { upstream?: Upstream; options?: Partial<IndexOptions>; forward?: (query: Query) => Promise<Buffer> } = {}) {
  const index = buildRecordIndex(state, { ...OPTIONS, ...extra.options });
  return createResponder({
    index: () => index,
    ...(extra.upstream ? { upstream: extra.upstream } : {}),
    ...(extra.forward ? { forward: extra.forward } : {}),
  });
}

async function ask(responder: ReturnType<typeof responderFor>, name: string, type: string, options = {}) {
  return decode(await responder.respond(query(name, type, options)));
}

describe('rotation (§7, CoreDNS loadbalance)', () => {
  it('two consecutive queries give different first records, same set', async () => {
    const responder = responderFor();
    const first = await ask(responder, `db.prod.svc.${Z}`, 'A');
    const second = await ask(responder, `db.prod.svc.${Z}`, 'A');
    expect(first.answer[0]).not.toBe(second.answer[0]);
    expect(sorted(first.answer)).toEqual(sorted(second.answer));
  });
});

describe('0x20: the owner name keeps the client\'s case', () => {
  const rows = [
    { name: `WeB.PrOd.SvC.ClUsTeR.LoCaL`, type: 'A', owner: 'WeB.PrOd.SvC.ClUsTeR.LoCaL.' },
    { name: `10-244-3-1.TEAM.pod.${Z}`, type: 'A', owner: `10-244-3-1.TEAM.pod.${Z}.` },
    { name: `_HTTP._tcp.web.prod.svc.${Z}`, type: 'SRV', owner: `_HTTP._tcp.web.prod.svc.${Z}.` },
    { name: '1.30.96.10.IN-ADDR.ARPA', type: 'PTR', owner: '1.30.96.10.IN-ADDR.ARPA.' },
  ];
  it.each(rows)('$name', async ({ name, type, owner }) => {
    const response = await ask(responderFor(), name, type);
    expect(response.rcode).toBe('NOERROR');
    expect(response.question.startsWith(owner)).toBe(true);
    expect(response.answer[0]?.startsWith(`${owner} `)).toBe(true);
  });
});

describe('truncation and EDNS', () => {
  const big = cluster({
    services: [
      headless('prod/big', {
        ports: [port('pg', 5432)],
        endpoints: Array.from({ length: 100 }, (_, i) => endpoint(`10.244.9.${i + 1}`, { ports: [port('pg', 5432)] })),
      }),
    ],
  });
  const rows = [
    { label: 'UDP without EDNS: 512 octets, TC', options: {}, tc: true, max: 512, edns: false },
    { label: 'UDP with EDNS 1232: TC, larger', options: { edns: 1232 }, tc: true, max: 1232, edns: true },
    { label: 'TCP: everything', options: { transport: 'tcp' as const }, tc: false, max: 65535, edns: false },
  ];
  it.each(rows)('$label', async ({ options, tc, max, edns }) => {
    const response = await ask(responderFor(big), `big.prod.svc.${Z}`, 'A', options);
    expect(response.tc).toBe(tc);
    expect(response.size).toBeLessThanOrEqual(max);
    expect(response.edns !== undefined).toBe(edns);
    if (!tc) expect(response.answer).toHaveLength(100);
    else expect(response.answer.length).toBeLessThan(100);
  });

  it('echoes an OPT record on a negative answer', async () => {
    const response = await ask(responderFor(), `missing.prod.svc.${Z}`, 'A', { edns: 4096 });
    expect(response.rcode).toBe('NXDOMAIN');
    expect(response.edns).toBeDefined();
    expect(response.authority).toEqual([SOA]);
  });
});

describe('ExternalName target outside the zone (§3.4)', () => {
  function fake(result: UpstreamResult): Upstream & { asked: string[] } {
    const asked: string[] = [];
    return {
      asked,
      lookup: (name, qtype) => {
        asked.push(`${name} ${qtype}`);
        return Promise.resolve(result);
      },
    };
  }
  const cname = `ext.prod.svc.${Z}. 5 IN CNAME example.com.`;
  const rows: Array<{ label: string; result: UpstreamResult; answer: string[]; authority: string[] }> = [
    {
      label: 'upstream answer: CNAME first, upstream TTLs kept',
      result: {
        kind: 'answer',
        records: [
          { name: 'example.com', ttl: 300, data: { type: 'A', address: '93.184.216.34' } },
          { name: 'example.com', ttl: 300, data: { type: 'A', address: '93.184.216.35' } },
        ],
      },
      answer: [cname, 'example.com. 300 IN A 93.184.216.34', 'example.com. 300 IN A 93.184.216.35'],
      authority: [],
    },
    { label: 'upstream NXDOMAIN: the CNAME alone', result: { kind: 'nxdomain' }, answer: [cname], authority: [] },
    { label: 'upstream NODATA: the CNAME alone', result: { kind: 'nodata' }, answer: [cname], authority: [] },
    // §10: CoreDNS answers the CNAME alone when the target cannot be resolved
    { label: 'upstream unreachable: the CNAME alone (§10)', result: { kind: 'unreachable' }, answer: [cname], authority: [] },
  ];
  it.each(rows)('$label', async ({ result, answer, authority }) => {
    const upstream = fake(result);
    const response = await ask(responderFor(exampleCluster(), { upstream }), `ext.prod.svc.${Z}`, 'A');
    expect(upstream.asked).toEqual(['example.com 1']);
    expect(response.rcode).toBe('NOERROR');
    expect(response.aa).toBe(true);
    expect(response.answer[0] === cname || answer.length === 0).toBe(true);
    expect(sorted(response.answer)).toEqual(sorted(answer));
    expect(response.authority).toEqual(authority);
  });

  it('CNAME query does not ask the upstream', async () => {
    const upstream = fake({ kind: 'unreachable' });
    const response = await ask(responderFor(exampleCluster(), { upstream }), `ext.prod.svc.${Z}`, 'CNAME');
    expect(upstream.asked).toEqual([]);
    expect(response.answer).toEqual([cname]);
  });
});

describe('§10 corners that need their own cluster or options', () => {
  it('a dual-stack kube-dns gives one NS per cluster IP, each address in additional', async () => {
    const state = cluster({ services: [clusterIP('kube-system/kube-dns', ['10.96.0.10', 'fd00:10:96::a'])] });
    const response = await ask(responderFor(state), Z, 'NS');
    expect(response.answer).toEqual([`${Z}. 5 IN NS kube-dns.kube-system.svc.${Z}.`, `${Z}. 5 IN NS kube-dns.kube-system.svc.${Z}.`]);
    expect(sorted(response.additional)).toEqual(
      sorted([`kube-dns.kube-system.svc.${Z}. 5 IN A 10.96.0.10`, `kube-dns.kube-system.svc.${Z}. 5 IN AAAA fd00:10:96::a`]),
    );
  });

  it('no kube-dns cluster IP: NS ns.dns.<zone>, the listen address in additional', async () => {
    const response = await ask(responderFor(cluster({})), Z, 'NS');
    expect(response.answer).toEqual([`${Z}. 5 IN NS ns.dns.${Z}.`]);
    expect(response.additional).toEqual([`ns.dns.${Z}. 5 IN A 127.0.0.1`]);
  });

  const ttlRows = [
    { label: 'cache cap 30: dns-version is 30', options: { maxTtl: 30 }, name: `dns-version.${Z}`, type: 'TXT', ttl: 30 },
    { label: 'no cap (cache off): dns-version keeps 28800', options: {}, name: `dns-version.${Z}`, type: 'TXT', ttl: 28800 },
    { label: 'cluster TTL 60 under cap 30: 30', options: { ttl: 60, maxTtl: 30 }, name: `web.prod.svc.${Z}`, type: 'A', ttl: 30 },
    { label: 'cluster TTL 5 under cap 30: 5', options: { maxTtl: 30 }, name: `web.prod.svc.${Z}`, type: 'A', ttl: 5 },
  ];
  it.each(ttlRows)('$label', async ({ options, name, type, ttl }) => {
    const response = await ask(responderFor(exampleCluster(), { options }), name, type);
    expect(response.answer[0]?.split(' ')[1]).toBe(String(ttl));
  });
});

describe('dispatch', () => {
  const relayed = Buffer.from('relayed');
  // §10: CoreDNS refuses non-IN classes only when no plugin opens them; `forward` does.
  const rows = [
    { label: 'CLASS CH without forwarding → REFUSED', name: `web.prod.svc.${Z}`, qclass: 3, rcode: 'REFUSED' },
    { label: 'CLASS ANY without forwarding → REFUSED', name: `web.prod.svc.${Z}`, qclass: 255, rcode: 'REFUSED' },
    { label: 'CLASS HS without forwarding → REFUSED', name: 'version.bind', qclass: 4, rcode: 'REFUSED' },
  ];
  it.each(rows)('$label', async ({ name, qclass, rcode }) => {
    expect((await ask(responderFor(), name, 'A', { qclass })).rcode).toBe(rcode);
  });

  const forwardingRows = [
    { label: 'CLASS CH inside the zone, forwarding on: answered as IN', qclass: 3 },
    { label: 'CLASS ANY inside the zone, forwarding on: answered as IN', qclass: 255 },
    { label: 'CLASS HS inside the zone, forwarding on: answered as IN', qclass: 4 },
  ];
  it.each(forwardingRows)('$label (§10)', async ({ qclass }) => {
    const responder = responderFor(exampleCluster(), { forward: () => Promise.resolve(relayed) });
    const response = await ask(responder, `web.prod.svc.${Z}`, 'A', { qclass });
    expect(response.rcode).toBe('NOERROR');
    expect(response.aa).toBe(true);
    expect(response.answer).toEqual([`web.prod.svc.${Z}. 5 IN A 10.96.30.1`]);
  });

  it('CLASS CH outside the zone, forwarding on: forwarded like any name (§10)', async () => {
    const forwarded: number[] = [];
    const forward = (asked: Query) => {
      forwarded.push(asked.qclass);
      return Promise.resolve(relayed);
    };
    const responder = responderFor(exampleCluster(), { forward });
    expect(await responder.respond(query('version.bind', 'TXT', { qclass: 3 }))).toBe(relayed);
    expect(forwarded).toEqual([3]);
  });

  it('non-PTR types at a known reverse name fall through like unknown names (§10)', async () => {
    const forward = () => Promise.resolve(relayed);
    const withForward = responderFor(exampleCluster(), { options: { reverseFallthrough: true }, forward });
    expect(await withForward.respond(query('1.30.96.10.in-addr.arpa', 'A'))).toBe(relayed);
    expect(await withForward.respond(query('1.30.96.10.in-addr.arpa', 'TXT'))).toBe(relayed);
    // SOA below the apex is never forwarded; PTR stays ours.
    expect((await ask(withForward, '1.30.96.10.in-addr.arpa', 'SOA')).rcode).toBe('NOERROR');
    expect((await ask(withForward, '9.9.9.10.in-addr.arpa', 'SOA')).authority).toHaveLength(1);
    expect((await ask(withForward, '1.30.96.10.in-addr.arpa', 'PTR')).answer).toHaveLength(1);
    // No upstream: the local answer, NODATA for a known name.
    const alone = responderFor(exampleCluster(), { options: { reverseFallthrough: true } });
    const local = await ask(alone, '1.30.96.10.in-addr.arpa', 'A');
    expect([local.rcode, local.answer.length, local.authority.length]).toEqual(['NOERROR', 0, 1]);
  });

  it('names outside our zones go to forward when given', async () => {
    const responder = responderFor(exampleCluster(), { forward: () => Promise.resolve(relayed) });
    expect(await responder.respond(query('example.com', 'A'))).toBe(relayed);
    // Never forwarded: names inside the cluster zone.
    expect(decode(await responder.respond(query(`nothing.${Z}`, 'A'))).rcode).toBe('NXDOMAIN');
  });

  it('unknown reverse names: forwarded with reverseFallthrough, NXDOMAIN without a forwarder', async () => {
    const forward = () => Promise.resolve(relayed);
    const withForward = responderFor(exampleCluster(), { options: { reverseFallthrough: true }, forward });
    expect(await withForward.respond(query('9.9.9.10.in-addr.arpa', 'PTR'))).toBe(relayed);
    // Known reverse names are still ours.
    expect(decode(await withForward.respond(query('1.30.96.10.in-addr.arpa', 'PTR'))).rcode).toBe('NOERROR');
    const alone = responderFor(exampleCluster(), { options: { reverseFallthrough: true } });
    expect((await ask(alone, '9.9.9.10.in-addr.arpa', 'PTR')).rcode).toBe('NXDOMAIN');
  });

  it('reads the index through the getter on every query (reload)', async () => {
    let state = cluster({});
    const responder = createResponder({ index: () => buildRecordIndex(state, OPTIONS) });
    expect((await ask(responder, `db.prod.svc.${Z}`, 'A')).rcode).toBe('NXDOMAIN');
    state = exampleCluster();
    expect((await ask(responder, `db.prod.svc.${Z}`, 'A')).rcode).toBe('NOERROR');
  });
});
