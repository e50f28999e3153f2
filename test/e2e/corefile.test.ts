// End to end: `clusterdns serve --corefile` with the cluster's own Corefile,
// asked with the real `dig`: a rewrite, a hosts entry, a stub domain block (to
// a fake upstream on loopback, its address from {$ENV}), namespaces limiting,
// endpoint_pod_names, flags winning over the file, and a bad Corefile refused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { runCli, startServe, type ServerProcess } from '../helpers/server-process.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { RCode, RRType } from '../../src/dns/types.js';

const FIXTURES = 'test/fixtures/corefile';
let upstream: FakeUpstream;
let server: ServerProcess;
const savedEnv = process.env['CORP_DNS'];

beforeAll(async () => {
  upstream = await startFakeUpstream((query) => {
    if (query.name.toLowerCase() === 'intranet.corp.example' && query.qtype === RRType.A) {
      return { kind: 'reply', answer: [{ name: 'intranet.corp.example', ttl: 300, data: { type: 'A', address: '10.20.30.40' } }] };
    }
    return { kind: 'reply', rcode: RCode.NXDOMAIN };
  });
  // The Corefile's stub block says `forward . {$CORP_DNS}`; the child inherits this environment.
  process.env['CORP_DNS'] = `127.0.0.1:${upstream.port}`;
  // No --upstream: serve would use the Corefile's /etc/resolv.conf; tests stay on loopback, so `none` wins.
  server = await startServe(['-f', `${FIXTURES}/cluster.yaml`, '--corefile', `${FIXTURES}/Corefile`, '--upstream', 'none']);
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
  if (savedEnv === undefined) delete process.env['CORP_DNS'];
  else process.env['CORP_DNS'] = savedEnv;
});

describe('serve --corefile', () => {
  it('rewrite name exact: the outside name answers with the service, under the question name', async () => {
    const result = await dig(server.port, ['shop.example.com']);
    expect(result.status).toBe('NOERROR');
    expect(result.answer).toEqual(['shop.example.com. 30 IN A 10.96.0.50']);
  });

  it('hosts: A and AAAA from the inline entries, TTL capped by `cache 30`; other names fall through to the cluster', async () => {
    expect((await dig(server.port, ['gateway.internal'])).answer).toEqual(['gateway.internal. 30 IN A 192.0.2.10']);
    expect((await dig(server.port, ['+tcp', 'gateway.internal', 'AAAA'])).answer).toEqual(['gateway.internal. 30 IN AAAA 2001:db8::10']);
    expect((await dig(server.port, ['web.shop.svc.cluster.local'])).answer).toEqual(['web.shop.svc.cluster.local. 30 IN A 10.96.0.50']);
  });

  it('a stub domain server block forwards its zone to its own upstream (TTL capped by its `cache 30`)', async () => {
    const result = await dig(server.port, ['intranet.corp.example']);
    expect(result.status).toBe('NOERROR');
    expect(result.answer).toEqual(['intranet.corp.example. 30 IN A 10.20.30.40']);
    expect(upstream.received.some((q) => q.query.name.toLowerCase() === 'intranet.corp.example')).toBe(true);
  });

  it('namespaces: a service in a namespace the Corefile does not list is NXDOMAIN', async () => {
    const result = await dig(server.port, ['secret.hidden.svc.cluster.local']);
    expect(result.status).toBe('NXDOMAIN');
    expect(result.flags).toContain('aa');
  });

  it('endpoint_pod_names: a headless endpoint answers under its pod name, not its dashed IP', async () => {
    expect((await dig(server.port, ['db-primary.db.shop.svc.cluster.local'])).answer).toEqual([
      'db-primary.db.shop.svc.cluster.local. 30 IN A 10.244.0.21',
    ]);
    expect((await dig(server.port, ['10-244-0-21.db.shop.svc.cluster.local'])).status).toBe('NXDOMAIN');
    expect((await dig(server.port, ['-x', '10.244.0.21'])).answer).toEqual(['21.0.244.10.in-addr.arpa. 30 IN PTR db-primary.db.shop.svc.cluster.local.']);
  });

  it('endpoint_pod_names: given EndpointSlice endpoints take the targetRef pod name; without one, the dashed IP', async () => {
    expect((await dig(server.port, ['cache-6f8d7c9b5-q4xzt.cache.shop.svc.cluster.local'])).answer).toEqual([
      'cache-6f8d7c9b5-q4xzt.cache.shop.svc.cluster.local. 30 IN A 10.244.0.31',
    ]);
    expect((await dig(server.port, ['10-244-0-32.cache.shop.svc.cluster.local'])).answer).toEqual([
      '10-244-0-32.cache.shop.svc.cluster.local. 30 IN A 10.244.0.32',
    ]);
  });

  it('lists the directives it does not model once, in one info line', () => {
    const lines = server.logs.filter((line) => line['module'] === 'corefile' && String(line['msg']).includes('not modelled'));
    expect(lines).toHaveLength(1);
    expect(lines[0]!['ignored']).toEqual(['errors', 'health', 'ready', 'prometheus', 'reload', 'cache outside the root block']);
  });
});

describe('flags and a bad Corefile', () => {
  it('flags given on the command line win over the file', async () => {
    const flagged = await startServe(['-f', `${FIXTURES}/cluster.yaml`, '--corefile', `${FIXTURES}/Corefile`, '--upstream', 'none', '--ttl', '7', '--pods', 'disabled']);
    try {
      expect((await dig(flagged.port, ['web.shop.svc.cluster.local'])).answer).toEqual(['web.shop.svc.cluster.local. 7 IN A 10.96.0.50']);
      expect((await dig(flagged.port, ['10-244-0-21.shop.pod.cluster.local'])).status).toBe('NXDOMAIN');
      const told = flagged.logs.find((line) => String(line['msg']).includes('the command line wins'));
      expect([...(told?.['flags'] as string[])].sort()).toEqual(['--pods', '--ttl', '--upstream']);
    } finally {
      await flagged.stop();
    }
  });

  it('a Corefile with mistakes stops the start, naming file, line and directive for each', async () => {
    const result = await runCli(['serve', '-f', `${FIXTURES}/cluster.yaml`, '--corefile', `${FIXTURES}/bad.Corefile`, '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${FIXTURES}/bad.Corefile:3: kubernetes pods: must be one of insecure, verified, disabled, got "all"`);
    expect(result.stderr).toContain(`${FIXTURES}/bad.Corefile:6: forward policy: must be one of sequential, random, round_robin, got "fastest"`);
  });
});
