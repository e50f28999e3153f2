// --search-namespace (issue 5, part 6) in process: which names are tried, in
// which order (spec §8), and what the answer looks like (CoreDNS autopath:
// CNAME from the asked name, then the records).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../src/manifests/index.js';
import { buildCluster } from '../../src/cluster/build.js';
import { buildRecordIndex } from '../../src/records/index.js';
import { createResponder } from '../../src/resolve/responder.js';
import { searchCandidates } from '../../src/resolve/autopath.js';
import type { Upstream } from '../../src/resolve/upstream.js';
import { RCode } from '../../src/dns/types.js';
import { writeEmptyResponse } from '../../src/dns/wire.js';
import type { Query } from '../../src/dns/query.js';
import { validateConfig } from '../../src/config.js';
import { flagOf } from '../../src/cli/options.js';
import { decode, query, sorted } from '../helpers/dns.js';

const Z = 'cluster.local';
const SOA = `${Z}. 5 IN SOA ns.dns.${Z}. hostmaster.${Z}. 42 7200 1800 86400 5`;
const USERS = readFileSync(new URL('../fixtures/autopath/users.yaml', import.meta.url), 'utf8');

describe('searchCandidates: the names a pod in the namespace would try (spec §8)', () => {
  const rows = [
    { name: 'svc form', qname: 'db', want: [`db.team.svc.${Z}`, `db.svc.${Z}`, `db.${Z}`] },
    { name: 'svc.ns form', qname: 'db.prod', want: [`db.prod.team.svc.${Z}`, `db.prod.svc.${Z}`, `db.prod.${Z}`] },
    { name: 'pod.svc form', qname: 'web-0.nginx', want: [`web-0.nginx.team.svc.${Z}`, `web-0.nginx.svc.${Z}`, `web-0.nginx.${Z}`] },
    { name: 'three labels: not a short name', qname: 'web-0.nginx.team', want: [] },
    { name: 'an ordinary domain with two dots', qname: 'www.example.org', want: [] },
    { name: 'the root', qname: '', want: [] },
  ];
  it.each(rows)('$name: $qname', ({ qname, want }) => {
    expect(searchCandidates(qname, 'team', Z)).toEqual(want);
  });
});

const FORWARDED_ID = 0xf0f0;

function responderFor(options: { searchNamespace?: string; forward?: boolean; upstream?: Upstream } = {}) {
  const load = parseManifestText(USERS, 'users.yaml');
  expect(load.problems.filter((problem) => problem.level === 'error')).toEqual([]);
  const state = buildCluster(load.objects, { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 1 });
  const index = buildRecordIndex(state, { zone: Z, ttl: 5, podMode: 'insecure', serial: 42, nameserverAddresses: ['127.0.0.1'] });
  const forwarded: string[] = [];
  const forward = (q: Query): Promise<Buffer> => {
    forwarded.push(q.name);
    // A recognisable stand-in for the upstream's answer.
    return Promise.resolve(writeEmptyResponse({ ...q, id: FORWARDED_ID }, { rcode: RCode.NXDOMAIN }));
  };
  const responder = createResponder({
    index: () => index,
    ...(options.searchNamespace ? { searchNamespace: options.searchNamespace } : {}),
    ...(options.forward === false ? {} : { forward }),
    ...(options.upstream ? { upstream: options.upstream } : {}),
  });
  return { responder, forwarded };
}

interface Row {
  readonly name: string;
  readonly qname: string;
  readonly qtype: string;
  readonly answer: readonly string[];
  readonly authority?: readonly string[];
}

describe('short names with --search-namespace team', () => {
  const rows: Row[] = [
    {
      name: 'service in the search namespace',
      qname: 'api',
      qtype: 'A',
      answer: [`api. 5 IN CNAME api.team.svc.${Z}.`, `api.team.svc.${Z}. 5 IN A 10.96.7.7`],
    },
    {
      name: 'service.namespace in another namespace (second candidate)',
      qname: 'userlist-svc-hl.user03',
      qtype: 'A',
      answer: [`userlist-svc-hl.user03. 5 IN CNAME userlist-svc-hl.user03.svc.${Z}.`, `userlist-svc-hl.user03.svc.${Z}. 5 IN A 10.244.3.10`],
    },
    {
      name: 'SRV of a short name',
      qname: 'api',
      qtype: 'SRV',
      answer: [`api. 5 IN CNAME api.team.svc.${Z}.`, `api.team.svc.${Z}. 5 IN SRV 0 100 80 api.team.svc.${Z}.`],
    },
    {
      name: 'NODATA ends the search as in a pod, passed on without a CNAME (CoreDNS autopath)',
      qname: 'api',
      qtype: 'AAAA',
      answer: [],
      authority: [SOA],
    },
    {
      name: 'an ExternalName found by the search: both CNAMEs',
      qname: 'search',
      qtype: 'CNAME',
      answer: [`search. 5 IN CNAME search.team.svc.${Z}.`, `search.team.svc.${Z}. 5 IN CNAME search.example.org.`],
    },
  ];
  it.each(rows)('$name: $qname $qtype', async (row) => {
    const { responder, forwarded } = responderFor({ searchNamespace: 'team' });
    const response = decode(await responder.respond(query(row.qname, row.qtype)));
    expect(response.rcode).toBe('NOERROR');
    expect(response.aa).toBe(true);
    // The CNAME comes first; the rest in any order.
    if (row.answer.length > 0) expect(response.answer[0]).toBe(row.answer[0]);
    expect(sorted(response.answer)).toEqual(sorted(row.answer));
    expect(sorted(response.authority)).toEqual(sorted(row.authority ?? []));
    expect(forwarded).toEqual([]);
  });

  it('pod.svc form: the StatefulSet pod by hostname', async () => {
    const { responder } = responderFor({ searchNamespace: 'team' });
    const response = decode(await responder.respond(query('web-0.nginx', 'A')));
    expect(response.answer[0]).toBe(`web-0.nginx. 5 IN CNAME web-0.nginx.team.svc.${Z}.`);
    expect(response.answer[1]).toMatch(new RegExp(`^web-0\\.nginx\\.team\\.svc\\.cluster\\.local\\. 5 IN A 10\\.244\\.`));
  });

  it('keeps the client\'s spelling in the question and the CNAME owner', async () => {
    const { responder } = responderFor({ searchNamespace: 'team' });
    const response = decode(await responder.respond(query('API', 'A')));
    expect(response.question).toBe('API. A');
    expect(response.answer[0]).toMatch(/^API\. 5 IN CNAME api\.team\.svc\.cluster\.local\.$/);
  });

  const forwardedRows = [
    { name: 'not in the cluster at all', qname: 'nothing-here' },
    { name: 'a service of another namespace without its namespace', qname: 'userlist-svc-hl' },
    { name: 'three labels are never searched', qname: 'web-0.nginx.team' },
    { name: 'an ordinary external name', qname: 'www.example.org' },
  ];
  it.each(forwardedRows)('$name ($qname): forwarded as is', async ({ qname }) => {
    const { responder, forwarded } = responderFor({ searchNamespace: 'team' });
    const response = decode(await responder.respond(query(qname, 'A')));
    expect(response.id).toBe(FORWARDED_ID);
    expect(forwarded).toEqual([qname]);
  });

  it('not found and no forwarding: REFUSED, exactly as without the flag', async () => {
    const { responder } = responderFor({ searchNamespace: 'team', forward: false });
    const response = decode(await responder.respond(query('nothing-here', 'A')));
    expect(response.rcode).toBe('REFUSED');
    expect(response.answer).toEqual([]);
  });

  it('names inside the cluster domain are answered as always (a missing one is NXDOMAIN, not searched)', async () => {
    const { responder, forwarded } = responderFor({ searchNamespace: 'team' });
    const response = decode(await responder.respond(query(`api.svc.${Z}`, 'A')));
    expect(response.rcode).toBe('NXDOMAIN');
    expect(forwarded).toEqual([]);
  });
});

describe('without --search-namespace', () => {
  it('a short name goes straight to forwarding', async () => {
    const { responder, forwarded } = responderFor();
    const response = decode(await responder.respond(query('api', 'A')));
    expect(response.id).toBe(FORWARDED_ID);
    expect(forwarded).toEqual(['api']);
  });
});

describe('--search-namespace validation', () => {
  const rows = [
    { value: 'Team', ok: false },
    { value: 'team_a', ok: false },
    { value: '-team', ok: false },
    { value: 'a'.repeat(64), ok: false },
    { value: 'team', ok: true },
    { value: 'user03', ok: true },
  ];
  it.each(rows)('$value ⇒ ok=$ok', ({ value, ok }) => {
    const result = validateConfig({ searchNamespace: value }, flagOf);
    expect(result.ok).toBe(ok);
    if (!result.ok) {
      expect(result.problems).toEqual([expect.stringMatching(/^--search-namespace must be a namespace name: a DNS-1123 label .* got "/)]);
    } else {
      expect(result.config.searchNamespace).toBe(value);
    }
  });

  it('is off by default', () => {
    const result = validateConfig({});
    expect(result.ok && result.config.searchNamespace).toBe(null);
  });
});
