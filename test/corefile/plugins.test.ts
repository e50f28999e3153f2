// The answer-shaping parts of a Corefile, in process over the real responder
// and record index: rewrite name (every match type, the response mapped back),
// hosts (answers, NODATA, fallthrough, SERVFAIL, PTR), and the kubernetes
// plugin's namespaces and endpoint_pod_names (records/served.ts).

import { describe, expect, it } from 'vitest';
import { buildRecordIndex, type IndexOptions } from '../../src/records/index.js';
import { createResponder } from '../../src/resolve/responder.js';
import { interpretText, rootBlockPlugins, withHosts, withRewrites, type CorefileValues } from '../../src/corefile/index.js';
import { applyRewrites } from '../../src/corefile/rewrite.js';
import { cluster, endpoint, exampleCluster, headless, port, pod } from '../helpers/cluster.js';
import { decode, query, sorted } from '../helpers/dns.js';
import type { ClusterState, Endpoint } from '../../src/cluster/model/state.js';

const Z = 'cluster.local';
const OPTIONS: IndexOptions = { zone: Z, ttl: 5, podMode: 'insecure', serial: 42, nameserverAddresses: ['127.0.0.1'] };

function valuesOf(corefile: string): CorefileValues {
  const load = interpretText('Corefile', corefile);
  if (!load.ok) throw new Error(load.problems.join('\n'));
  return load.settings.values;
}

/** The chain serve builds: rewrite, hosts, then the cluster; names outside answer REFUSED (no upstream). */
function chainFor(corefile: string, state: ClusterState = exampleCluster(), options: Partial<IndexOptions> = {}) {
  const values = valuesOf(corefile);
  const index = buildRecordIndex(state, { ...OPTIONS, ...options });
  const responder = createResponder({ index: () => index });
  const respond = withRewrites(values.rewrites ?? [], withHosts(values.hosts ?? null, (q) => responder.respond(q)));
  return async (name: string, type: string) => decode(await respond(query(name, type)));
}

describe('rewrite name: which names each match type rewrites', () => {
  const rows: { rule: string; name: string; rewritten: string | undefined }[] = [
    { rule: 'rewrite name exact foo.example.com web.prod.svc.cluster.local', name: 'foo.example.com.', rewritten: 'web.prod.svc.cluster.local.' },
    { rule: 'rewrite name foo.example.com web.prod.svc.cluster.local', name: 'foo.example.com.', rewritten: 'web.prod.svc.cluster.local.' },
    { rule: 'rewrite name exact foo.example.com web.prod.svc.cluster.local', name: 'x.foo.example.com.', rewritten: undefined },
    { rule: 'rewrite name prefix old- new-', name: 'old-web.example.', rewritten: undefined },
    { rule: 'rewrite name prefix old new', name: 'old.example.', rewritten: 'new.example.' },
    { rule: 'rewrite name suffix .example.com .prod.svc.cluster.local', name: 'web.example.com.', rewritten: 'web.prod.svc.cluster.local.' },
    { rule: 'rewrite name substring corp svc', name: 'web.prod.corp.cluster.local.', rewritten: 'web.prod.svc.cluster.local.' },
    { rule: 'rewrite name regex (.*)\\.corp\\.example {1}.prod.svc.cluster.local', name: 'web.corp.example.', rewritten: 'web.prod.svc.cluster.local.' },
    { rule: 'rewrite name regex ^(.*)-(prod)\\.example\\.$ {1}.{2}.svc.cluster.local', name: 'db-prod.example.', rewritten: 'db.prod.svc.cluster.local.' },
    { rule: 'rewrite name regex (?P<svc>[a-z]+)\\.x\\. {1}.prod.svc.cluster.local', name: 'web.x.', rewritten: 'web.prod.svc.cluster.local.' },
  ];
  it.each(rows)('$rule: $name', ({ rule, name, rewritten }) => {
    const rules = valuesOf(`. {\n ${rule}\n}\n`).rewrites!;
    expect(applyRewrites(rules, name)?.name).toBe(rewritten);
  });

  it('stop (the default) ends at the first match; continue passes the new name on', () => {
    const stop = valuesOf('. {\n rewrite name exact a.x b.x\n rewrite name exact b.x c.x\n}\n').rewrites!;
    expect(applyRewrites(stop, 'a.x.')?.name).toBe('b.x.');
    const go = valuesOf('. {\n rewrite continue name exact a.x b.x\n rewrite name exact b.x c.x\n}\n').rewrites!;
    expect(applyRewrites(go, 'a.x.')?.name).toBe('c.x.');
  });
});

describe('rewrite name: the client sees its own question', () => {
  it('exact: a cluster service under an outside name, in any case', async () => {
    const ask = chainFor('. {\n rewrite name exact shop.example.com web.prod.svc.cluster.local\n}\n');
    const response = await ask('Shop.Example.com', 'A');
    expect(response.rcode).toBe('NOERROR');
    expect(response.question).toBe('Shop.Example.com. A');
    // The owner keeps the client's case (0x20), as every clusterdns answer does.
    expect(response.answer).toEqual(['Shop.Example.com. 5 IN A 10.96.30.1']);
  });

  it('exact: a negative answer keeps the rewritten zone in its SOA, as CoreDNS does', async () => {
    const ask = chainFor('. {\n rewrite name exact shop.example.com web.prod.svc.cluster.local\n}\n');
    const response = await ask('shop.example.com', 'TXT');
    expect(response.question).toBe('shop.example.com. TXT');
    expect(response.answer).toEqual([]);
    expect(response.authority[0]).toMatch(/^cluster\.local\. 5 IN SOA /);
  });

  it('exact: SRV owners and the headless records map back', async () => {
    const ask = chainFor('. {\n rewrite name exact _pg._tcp.db.example.com _pg._tcp.db.prod.svc.cluster.local\n}\n');
    const response = await ask('_pg._tcp.db.example.com', 'SRV');
    expect(response.answer.every((line) => line.startsWith('_pg._tcp.db.example.com. 5 IN SRV '))).toBe(true);
    expect(response.answer).toHaveLength(3);
  });

  it('regex without an answer rule leaves the answer under the rewritten name (CoreDNS without answer auto)', async () => {
    const ask = chainFor('. {\n rewrite name regex (.*)\\.corp\\.example {1}.prod.svc.cluster.local\n}\n');
    const response = await ask('web.corp.example', 'A');
    expect(response.question).toBe('web.corp.example. A');
    expect(response.answer).toEqual(['web.prod.svc.cluster.local. 5 IN A 10.96.30.1']);
  });

  it('regex with answer name, and with answer auto', async () => {
    for (const answer of ['answer name (.*)\\.prod\\.svc\\.cluster\\.local {1}.corp.example', 'answer auto']) {
      const ask = chainFor(`. {\n rewrite name regex (.*)\\.corp\\.example {1}.prod.svc.cluster.local ${answer}\n}\n`);
      const response = await ask('web.corp.example', 'A');
      expect(response.answer).toEqual(['web.corp.example. 5 IN A 10.96.30.1']);
    }
  });

  it('suffix with answer auto maps CNAME targets back too (answer value)', async () => {
    const ask = chainFor('. {\n rewrite name suffix .corp.example .prod.svc.cluster.local answer auto\n}\n');
    const response = await ask('extin.corp.example', 'A');
    expect(sorted(response.answer)).toEqual(sorted(['extin.corp.example. 5 IN CNAME web.corp.example.', 'web.corp.example. 5 IN A 10.96.30.1']));
  });

  it('a rule that makes an impossible name gets SERVFAIL', async () => {
    const ask = chainFor(`. {\n rewrite name exact a.example ${'x'.repeat(64)}.example\n}\n`);
    expect((await ask('a.example', 'A')).rcode).toBe('SERVFAIL');
  });
});

describe('hosts', () => {
  const corefile = (options: string) => `. {\n hosts {\n  192.0.2.10 gw.internal gateway\n  2001:db8::10 gw.internal\n  ${options}\n }\n}\n`;

  it('answers A and AAAA for listed names, authoritative, TTL 3600 by default', async () => {
    const ask = chainFor(corefile(''));
    const a = await ask('GW.internal', 'A');
    expect(a).toMatchObject({ rcode: 'NOERROR', aa: true, answer: ['GW.internal. 3600 IN A 192.0.2.10'] });
    expect((await ask('gw.internal', 'AAAA')).answer).toEqual(['gw.internal. 3600 IN AAAA 2001:db8::10']);
    expect((await ask('gateway', 'AAAA'))).toMatchObject({ rcode: 'NOERROR', answer: [] });
    expect((await ask('gw.internal', 'MX'))).toMatchObject({ rcode: 'NOERROR', answer: [] });
  });

  it('PTR for listed addresses unless no_reverse', async () => {
    expect((await chainFor(corefile(''))('10.2.0.192.in-addr.arpa', 'PTR')).answer).toEqual([
      '10.2.0.192.in-addr.arpa. 3600 IN PTR gw.internal.',
      '10.2.0.192.in-addr.arpa. 3600 IN PTR gateway.',
    ]);
    expect((await chainFor(corefile('no_reverse'))('10.2.0.192.in-addr.arpa', 'PTR')).rcode).toBe('NXDOMAIN');
  });

  it('without fallthrough, every other name in its zones gets SERVFAIL, cluster names included', async () => {
    expect((await chainFor(corefile(''))(`web.prod.svc.${Z}`, 'A')).rcode).toBe('SERVFAIL');
  });

  it('with fallthrough, other names go on to the cluster', async () => {
    const ask = chainFor(corefile('fallthrough'));
    expect((await ask(`web.prod.svc.${Z}`, 'A')).answer).toEqual([`web.prod.svc.${Z}. 5 IN A 10.96.30.1`]);
    expect((await ask('gw.internal', 'A')).answer).toEqual(['gw.internal. 3600 IN A 192.0.2.10']);
  });

  it('zones limit what it answers; ttl sets the TTL', async () => {
    const ask = chainFor('. {\n hosts /nonexistent internal {\n  192.0.2.10 gw.internal gw.elsewhere\n  ttl 60\n }\n}\n');
    expect((await ask('gw.internal', 'A')).answer).toEqual(['gw.internal. 60 IN A 192.0.2.10']);
    expect((await ask('gw.elsewhere', 'A')).rcode).toBe('REFUSED');
    expect((await ask(`web.prod.svc.${Z}`, 'A')).rcode).toBe('NOERROR');
  });
});

describe('other server blocks', () => {
  it("names under a stub domain block skip the root block's hosts and rewrite, as CoreDNS routes them to that block", async () => {
    const values = valuesOf('. {\n hosts {\n  192.0.2.10 gw.internal\n }\n rewrite name suffix .corp.example .prod.svc.cluster.local\n}\ncorp.example {\n forward . 10.0.0.1\n}\n');
    expect(values.otherBlockZones).toEqual(['corp.example']);
    const seen: string[] = [];
    const respond = rootBlockPlugins(
      { rewrites: values.rewrites ?? [], hosts: values.hosts ?? null, otherBlockZones: values.otherBlockZones ?? [] },
      (q) => {
        seen.push(q.name);
        return withHosts(null, () => Buffer.alloc(0))(q);
      },
    );
    await respond(query('web.corp.example', 'A'));
    expect(seen).toEqual(['web.corp.example']);
    expect(decode(await respond(query('other.example', 'A'))).rcode).toBe('SERVFAIL');
  });
});

describe('kubernetes namespaces and endpoint_pod_names (records/served.ts)', () => {
  it('namespaces: names in other namespaces are NXDOMAIN, their addresses get no PTR', async () => {
    const ask = chainFor('. {\n}\n', exampleCluster(), { namespaces: ['team'] });
    expect((await ask(`web.prod.svc.${Z}`, 'A')).rcode).toBe('NXDOMAIN');
    expect((await ask(`prod.svc.${Z}`, 'A')).rcode).toBe('NXDOMAIN');
    expect((await ask('1.30.96.10.in-addr.arpa', 'PTR')).rcode).toBe('NXDOMAIN');
    expect((await ask(`10-244-5-5.team.pod.${Z}`, 'A')).answer).toEqual([`10-244-5-5.team.pod.${Z}. 5 IN A 10.244.5.5`]);
    expect((await ask(`10-244-5-5.prod.pod.${Z}`, 'A')).rcode).toBe('NXDOMAIN');
  });

  function fromPod(address: string, name: string, hostname?: string): Endpoint {
    return { ...endpoint(address, { ports: [port('pg', 5432)], ...(hostname ? { hostname } : {}) }), pod: { namespace: 'prod', name } };
  }
  const state = cluster({
    services: [
      headless('prod/db', {
        ports: [port('pg', 5432)],
        endpoints: [
          fromPod('10.244.2.10', 'db-7d9f8-abcde'),
          fromPod('10.244.2.11', 'db-7d9f8-fghij', 'primary'),
          fromPod('10.244.2.12', `long-${'x'.repeat(60)}`),
        ],
      }),
    ],
    pods: [pod('prod/db-7d9f8-abcde', ['10.244.2.10'])],
  });

  it('endpoint_pod_names: the pod name when the endpoint has no hostname and the name is a DNS label', async () => {
    const ask = chainFor('. {\n}\n', state, { endpointPodNames: true });
    expect((await ask(`db-7d9f8-abcde.db.prod.svc.${Z}`, 'A')).answer).toEqual([`db-7d9f8-abcde.db.prod.svc.${Z}. 5 IN A 10.244.2.10`]);
    expect((await ask(`primary.db.prod.svc.${Z}`, 'A')).rcode).toBe('NOERROR');
    expect((await ask(`db-7d9f8-fghij.db.prod.svc.${Z}`, 'A')).rcode).toBe('NXDOMAIN');
    expect((await ask(`10-244-2-12.db.prod.svc.${Z}`, 'A')).answer).toEqual([`10-244-2-12.db.prod.svc.${Z}. 5 IN A 10.244.2.12`]);
    expect((await ask('10.2.244.10.in-addr.arpa', 'PTR')).answer).toEqual([`10.2.244.10.in-addr.arpa. 5 IN PTR db-7d9f8-abcde.db.prod.svc.${Z}.`]);
    expect(sorted((await ask(`_pg._tcp.db.prod.svc.${Z}`, 'SRV')).answer)).toContain(`_pg._tcp.db.prod.svc.${Z}. 5 IN SRV 0 33 5432 db-7d9f8-abcde.db.prod.svc.${Z}.`);
  });

  it('without it, the dashed IP', async () => {
    const ask = chainFor('. {\n}\n', state);
    expect((await ask(`10-244-2-10.db.prod.svc.${Z}`, 'A')).rcode).toBe('NOERROR');
    expect((await ask(`db-7d9f8-abcde.db.prod.svc.${Z}`, 'A')).rcode).toBe('NXDOMAIN');
  });
});
