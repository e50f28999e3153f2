// The Node API (issue 5 part 4) from a test, the way a user's test suite uses
// it: start on port 0, ask through resolver() and dig, change the cluster
// with the methods, close — and nothing is left running.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterDnsError, startClusterDns, type ClusterDns } from '../../src/index.js';
import { dig } from '../helpers/dig.js';
import { ROOT } from '../helpers/server-process.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';

const EXAMPLES = path.join(ROOT, 'manifests');
const HEADLESS = 'userlist-svc-hl.user03.svc.cluster.local';

const ORDERS_TEXT = `apiVersion: v1
kind: Service
metadata: {name: orders, namespace: shop}
spec: {clusterIP: 10.96.50.1, ports: [{name: http, port: 8080}]}
`;
const CART_OBJECT = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'cart', namespace: 'shop' },
  spec: { clusterIP: '10.96.50.2', ports: [{ port: 80 }] },
};

/**
 * Kinds of live handles, timers and requests, counted: the "nothing left
 * open" check. In-flight file-system requests (the test runner's) are left out.
 */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (!kind.startsWith('FSReq') && kind !== 'CloseReq') counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/** Kinds with more live resources in `after` than in `before`. */
function added(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after].filter(([kind, count]) => count > (before.get(kind) ?? 0)).map(([kind, count]) => `${kind} x${count}`);
}

/** Node's undocumented (untyped) list of handles keeping the loop alive. */
function activeHandles(): unknown[] {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
}

describe('startClusterDns', () => {
  let dns: ClusterDns;
  beforeAll(async () => {
    dns = await startClusterDns({ manifests: [EXAMPLES, ORDERS_TEXT, CART_OBJECT] });
  });
  afterAll(() => dns.close());

  it('listens on 127.0.0.1 and a free port, and says where as host:port strings', () => {
    expect(dns.host).toBe('127.0.0.1');
    expect(dns.port).toBeGreaterThan(0);
    expect(dns.udp).toBe(`127.0.0.1:${dns.port}`);
    expect(dns.tcp).toBe(dns.udp);
  });

  it('answers paths, manifest text and objects alike through resolver()', async () => {
    const resolver = dns.resolver();
    expect(await resolver.resolve4('userlist-svc.user03.svc.cluster.local')).toEqual(['10.43.113.209']);
    expect(await resolver.resolve4('orders.shop.svc.cluster.local')).toEqual(['10.96.50.1']);
    expect(await resolver.resolve4('cart.shop.svc.cluster.local')).toEqual(['10.96.50.2']);
    // toMatchObject: Node 24's resolver adds `type: 'SRV'` to each record; Node 20's does not.
    expect(await resolver.resolveSrv('_http._tcp.orders.shop.svc.cluster.local')).toMatchObject([
      { name: 'orders.shop.svc.cluster.local', port: 8080, priority: 0, weight: 100 },
    ]);
    await expect(resolver.resolve4('nope.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('answers over TCP on the same address', async () => {
    const answer = await dig(dns.port, ['+tcp', '+short', 'orders.shop.svc.cluster.local']);
    expect(answer.text.trim()).toBe('10.96.50.1');
  });

  it('scale() changes the headless answer and reports what changed', async () => {
    const resolver = dns.resolver();
    expect(await resolver.resolve4(HEADLESS)).toHaveLength(2);
    const change = await dns.scale('Deployment', 'user03', 'userlist', 3);
    expect(change.changed).toContain(HEADLESS);
    expect(await resolver.resolve4(HEADLESS)).toHaveLength(3);
    await dns.scale('deployment', 'user03', 'userlist', 2);
    expect(await resolver.resolve4(HEADLESS)).toHaveLength(2);
  });

  it('setReady() takes a pod out of its headless service and puts it back', async () => {
    const resolver = dns.resolver();
    const name = '_web._tcp.nginx.default.svc.cluster.local';
    const targets = async () => (await resolver.resolveSrv(name)).map((srv) => srv.name).sort();
    expect(await targets()).toEqual(['web-0', 'web-1', 'web-2'].map((pod) => `${pod}.nginx.default.svc.cluster.local`));
    await dns.setReady('default', 'web-1', false);
    expect(await targets()).toEqual(['web-0', 'web-2'].map((pod) => `${pod}.nginx.default.svc.cluster.local`));
    await dns.setReady('default', 'web-1', true);
    expect(await targets()).toHaveLength(3);
  });

  it('apply() takes YAML text, an object or an array; delete() and reset() undo', async () => {
    const resolver = dns.resolver();
    await dns.apply('apiVersion: v1\nkind: Service\nmetadata: {name: pay, namespace: shop}\nspec: {clusterIP: 10.96.50.3, ports: [{port: 80}]}\n');
    await dns.apply([{ ...CART_OBJECT, spec: { ...CART_OBJECT.spec, clusterIP: '10.96.50.4' } }]);
    expect(await resolver.resolve4('pay.shop.svc.cluster.local')).toEqual(['10.96.50.3']);
    expect(await resolver.resolve4('cart.shop.svc.cluster.local')).toEqual(['10.96.50.4']);
    const removed = await dns.delete('service', 'shop', 'pay');
    expect(removed.removed).toContain('pay.shop.svc.cluster.local');
    await expect(resolver.resolve4('pay.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await dns.reset();
    expect(await resolver.resolve4('cart.shop.svc.cluster.local')).toEqual(['10.96.50.2']);
  });

  it('records() lists what a query finds, by name and type', () => {
    expect(dns.records('ORDERS.shop.svc.cluster.local.', 'a')).toEqual([
      {
        name: 'orders.shop.svc.cluster.local',
        ttl: 5,
        type: 'A',
        data: '10.96.50.1',
        text: 'orders.shop.svc.cluster.local. 5 IN A 10.96.50.1',
      },
    ]);
    expect(dns.records().length).toBeGreaterThan(20);
    expect(() => dns.records(undefined, 'BOGUS')).toThrow(/type must be a record type/);
  });

  it('rejects changes that name nothing, or bad bodies, with every problem and changes nothing', async () => {
    await expect(dns.scale('Deployment', 'user03', 'nope', 1)).rejects.toMatchObject({
      code: 'not-found',
      message: 'Deployment/user03/nope not found; nothing changed',
    });
    await expect(dns.setReady('default', 'web-9', false)).rejects.toMatchObject({ code: 'not-found' });
    const bad = dns.apply(
      'apiVersion: v1\nkind: Service\nmetadata: {namespace: shop}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: shop}\nspec: {ports: [{port: 70000}]}\n',
    );
    await expect(bad).rejects.toBeInstanceOf(ClusterDnsError);
    await expect(bad).rejects.toMatchObject({ code: 'invalid' });
    const error = (await bad.catch((e: unknown) => e)) as ClusterDnsError;
    expect(error.problems).toEqual([
      '<api>, document 1 (line 3): metadata.name: required field is missing (expected a string)',
      '<api>, document 2 (line 8): spec.ports[0].port: expected an integer 1-65535, got 70000',
    ]);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(await dns.resolver().resolve4('orders.shop.svc.cluster.local')).toEqual(['10.96.50.1']);
  });

  it('names outside the cluster are REFUSED: no forwarding unless upstreams are given', async () => {
    await expect(dns.resolver().resolve4('example.com')).rejects.toMatchObject({ code: 'EREFUSED' });
  });
});

describe('startClusterDns lifecycle', () => {
  let temp: string;
  let upstream: FakeUpstream | undefined;
  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'clusterdns-api-'));
  });
  afterAll(() => rm(temp, { recursive: true, force: true }));
  afterEach(async () => {
    await upstream?.close();
    upstream = undefined;
  });

  it('leaves no handle, listener or signal handler behind after close()', async () => {
    const file = path.join(temp, 'watched.yaml');
    await writeFile(file, ORDERS_TEXT);
    const before = resources();
    const handles = activeHandles().length;
    const signals = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => process.listenerCount(s));
    const dns = await startClusterDns({ manifests: [file], watch: true });
    expect((['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => process.listenerCount(s))).toEqual(signals);
    const resolver = dns.resolver();
    expect(await resolver.resolve4('orders.shop.svc.cluster.local')).toEqual(['10.96.50.1']);
    await dig(dns.port, ['+tcp', 'orders.shop.svc.cluster.local']);
    await dns.scale('Deployment', 'x', 'y', 1).catch(() => undefined);
    await dns.close();
    await dns.close();
    // Nothing more than before (the runner's own timers may come and go).
    expect(added(before, resources())).toEqual([]);
    expect(activeHandles().length).toBeLessThanOrEqual(handles);
    await expect(dns.reload()).rejects.toMatchObject({ code: 'closed' });
  });

  it('reload() re-reads files and keeps the text and objects it was given', async () => {
    const file = path.join(temp, 'reloaded.yaml');
    await writeFile(file, ORDERS_TEXT);
    const dns = await startClusterDns({ manifests: [file, CART_OBJECT] });
    try {
      await writeFile(file, ORDERS_TEXT.replace('10.96.50.1', '10.96.50.9'));
      const change = await dns.reload();
      expect(change.changed).toEqual(['orders.shop.svc.cluster.local']);
      expect(await dns.resolver().resolve4('orders.shop.svc.cluster.local')).toEqual(['10.96.50.9']);
      expect(await dns.resolver().resolve4('cart.shop.svc.cluster.local')).toEqual(['10.96.50.2']);
      await writeFile(file, 'kind: Service\n');
      await expect(dns.reload()).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('reloaded.yaml, document 1') });
      expect(await dns.resolver().resolve4('orders.shop.svc.cluster.local')).toEqual(['10.96.50.9']);
    } finally {
      await dns.close();
    }
  });

  it('bad manifests reject with every problem: input, document, field', async () => {
    const broken = path.join(temp, 'broken.yaml');
    await writeFile(broken, 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 70000}]}\n');
    const start = startClusterDns({
      manifests: [broken, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\nkind: Service\nmetadata: {name: s}\n', { kind: 'Service', apiVersion: 'v1' }],
    });
    const error = (await start.catch((e: unknown) => e)) as ClusterDnsError;
    expect(error).toBeInstanceOf(ClusterDnsError);
    expect(error.code).toBe('invalid');
    expect(error.problems).toEqual([
      `${broken}, document 1 (line 4): spec.ports[0].port: expected an integer 1-65535, got 70000`,
      'manifests[1], document 2 (line 5): apiVersion: required field is missing (the API group/version, e.g. "v1" or "apps/v1")',
      'manifests[2], document 1: metadata: required field is missing (expected a mapping)',
    ]);
    expect(error.message).toBe(`the manifests have errors:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
  });

  it('bad options reject with every problem, in the API spelling', async () => {
    const start = startClusterDns({ manifests: [], port: 70000, ttl: -1, upstreams: ['not an address'], colour: 'red' } as never);
    const error = (await start.catch((e: unknown) => e)) as ClusterDnsError;
    expect(error.code).toBe('options');
    expect(error.problems).toEqual([
      'unknown option "colour"',
      'manifests must name at least one path, manifest text or object',
      'port must be an integer from 0 to 65535, got 70000',
      'ttl must be an integer from 0 to 3600 (seconds), got -1',
      expect.stringMatching(/^upstreams: /),
    ]);
  });

  it('searchNamespace: short names resolve through resolver() as from a pod of that namespace', async () => {
    const short = await startClusterDns({ manifests: [ORDERS_TEXT], searchNamespace: 'shop' });
    try {
      expect(await short.resolver().resolve4('orders')).toEqual(['10.96.50.1']);
      expect(await short.resolver().resolve4('orders.shop')).toEqual(['10.96.50.1']);
    } finally {
      await short.close();
    }
    const bad = (await startClusterDns({ manifests: [ORDERS_TEXT], searchNamespace: 'Shop_1' }).catch((e: unknown) => e)) as ClusterDnsError;
    expect(bad.problems).toEqual([expect.stringMatching(/^searchNamespace must be a namespace name/)]);
  });

  it('a port in use rejects with code listen', async () => {
    const first = await startClusterDns({ manifests: [ORDERS_TEXT] });
    try {
      await expect(startClusterDns({ manifests: [ORDERS_TEXT], port: first.port })).rejects.toMatchObject({ code: 'listen' });
    } finally {
      await first.close();
    }
  });

  it('never reads resolv.conf unless asked; forwards to the upstreams it is given', async () => {
    const fake = await startFakeUpstream(() => ({ kind: 'reply', answer: [{ name: 'example.com', ttl: 60, data: { type: 'A', address: '192.0.2.7' } }] }));
    upstream = fake;
    const conf = path.join(temp, 'resolv.conf');
    // Were it read, 127.0.0.2:53 (nothing there) would turn REFUSED into a timeout.
    await writeFile(conf, 'nameserver 127.0.0.2\n');
    const quiet = await startClusterDns({ manifests: [ORDERS_TEXT], resolvConf: conf });
    try {
      await expect(quiet.resolver().resolve4('example.com')).rejects.toMatchObject({ code: 'EREFUSED' });
    } finally {
      await quiet.close();
    }
    expect(fake.received).toHaveLength(0);
    const forwarding = await startClusterDns({ manifests: [ORDERS_TEXT], upstreams: [`127.0.0.1:${fake.port}`] });
    try {
      expect(await forwarding.resolver().resolve4('example.com')).toEqual(['192.0.2.7']);
    } finally {
      await forwarding.close();
    }
    expect(fake.received.length).toBeGreaterThan(0);
  });
});
