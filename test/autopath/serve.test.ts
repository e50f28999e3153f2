// End to end: `clusterdns serve --search-namespace` asked by real resolvers
// (dig, and Node's c-ares Resolver, which has no search list of its own
// here), forwarding what the cluster does not have to a loopback fake upstream.

import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { runCli, startServe, type ServerProcess } from '../helpers/server-process.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { RCode, RRType } from '../../src/dns/types.js';

const FIXTURE = 'test/fixtures/autopath/users.yaml';
let upstream: FakeUpstream;
let server: ServerProcess;

beforeAll(async () => {
  upstream = await startFakeUpstream((query) => {
    if (query.name.toLowerCase() === 'intranet' && query.qtype === RRType.A) {
      return { kind: 'reply', answer: [{ name: query.name, ttl: 60, data: { type: 'A', address: '192.0.2.80' } }] };
    }
    return { kind: 'reply', rcode: RCode.NXDOMAIN };
  });
  server = await startServe(['-f', FIXTURE, '--search-namespace', 'user03', '--upstream', `127.0.0.1:${upstream.port}`]);
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

function upstreamAsked(): string[] {
  return upstream.received.map((received) => received.query.name.toLowerCase());
}

describe('dig asks short names', () => {
  it('userlist-svc-hl: the service of the search namespace, CNAME first', async () => {
    const result = await dig(server.port, ['userlist-svc-hl']);
    expect(result.status).toBe('NOERROR');
    expect(result.flags).toContain('aa');
    expect(result.answer).toEqual([
      'userlist-svc-hl. 5 IN CNAME userlist-svc-hl.user03.svc.cluster.local.',
      'userlist-svc-hl.user03.svc.cluster.local. 5 IN A 10.244.3.10',
    ]);
  });

  it('userlist-svc-hl.user03: service.namespace', async () => {
    const result = await dig(server.port, ['userlist-svc-hl.user03']);
    expect(result.answer).toEqual([
      'userlist-svc-hl.user03. 5 IN CNAME userlist-svc-hl.user03.svc.cluster.local.',
      'userlist-svc-hl.user03.svc.cluster.local. 5 IN A 10.244.3.10',
    ]);
  });

  it('web-0.nginx (a pod of another namespace) is not found, forwarded and NXDOMAIN from the upstream', async () => {
    const result = await dig(server.port, ['web-0.nginx']);
    expect(result.status).toBe('NXDOMAIN');
    expect(result.flags).not.toContain('aa');
    expect(upstreamAsked()).toContain('web-0.nginx');
  });

  it('a name that is not in the cluster reaches the upstream and its answer comes back', async () => {
    const result = await dig(server.port, ['intranet']);
    expect(result.status).toBe('NOERROR');
    // §10: the upstream's 60 s is capped at the cache cap, 30 s, on the first reply too
    expect(result.answer).toEqual(['intranet. 30 IN A 192.0.2.80']);
    expect(upstreamAsked()).toContain('intranet');
  });

  it('over TCP too', async () => {
    const result = await dig(server.port, ['+tcp', 'userlist-svc-hl', 'SRV']);
    expect(result.answer[0]).toBe('userlist-svc-hl. 5 IN CNAME userlist-svc-hl.user03.svc.cluster.local.');
    expect(result.answer.slice(1)).toEqual(['userlist-svc-hl.user03.svc.cluster.local. 5 IN SRV 0 100 8080 10-244-3-10.userlist-svc-hl.user03.svc.cluster.local.']);
  });
});

describe("Node's resolver (c-ares) follows the CNAME", () => {
  function resolver(): Resolver {
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`127.0.0.1:${server.port}`]);
    return r;
  }

  it('resolve4 of a short name gives the cluster address', async () => {
    expect(await resolver().resolve4('userlist-svc-hl')).toEqual(['10.244.3.10']);
    expect(await resolver().resolve4('userlist-svc-hl.user03')).toEqual(['10.244.3.10']);
  });

  it('resolveSrv of a short name gives the cluster targets', async () => {
    // toMatchObject: Node 24's resolver adds `type: 'SRV'` to each record; Node 20's does not.
    expect(await resolver().resolveSrv('userlist-svc-hl')).toMatchObject([
      { name: '10-244-3-10.userlist-svc-hl.user03.svc.cluster.local', port: 8080, priority: 0, weight: 100 },
    ]);
  });

  it('resolve6 of an IPv4-only service is ENODATA (the name exists), not ENOTFOUND', async () => {
    await expect(resolver().resolve6('userlist-svc-hl')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('a name the cluster and the upstream lack is ENOTFOUND', async () => {
    await expect(resolver().resolve4('nothing-here')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('the flag on the command line', () => {
  it('rejects a namespace that is not a DNS-1123 label', async () => {
    const result = await runCli(['serve', '--port', '0', '-f', FIXTURE, '--search-namespace', 'User_03']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--search-namespace must be a namespace name: a DNS-1123 label .* got "User_03"/);
  });
});
