// The Node API's `http` option: the same admin server and access rules as
// `serve --http` (test/admin/access.test.ts has every row), over real HTTP.

import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterDnsError, startClusterDns, type ClusterDns } from '../../src/index.js';

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {name: orders, namespace: shop}\nspec: {clusterIP: 10.96.50.1, ports: [{port: 80}]}\n';
const ADDED = 'apiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop}\nspec: {clusterIP: 10.96.50.2, ports: [{port: 80}]}\n';

/** One request with exactly these headers (fetch cannot set Host). */
function ask(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: { error?: string } }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: text.startsWith('{') ? (JSON.parse(text) as { error?: string }) : {} }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('startClusterDns({ http, httpToken, httpHosts })', () => {
  let dns: ClusterDns;
  beforeAll(async () => {
    dns = await startClusterDns({ manifests: SERVICE, http: '127.0.0.1:0', httpToken: 'tok', httpHosts: ['dns.test'] });
  });
  afterAll(() => dns.close());

  it('says where the admin server is', () => {
    expect(dns.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each<{ name: string; method: string; path: string; headers: Record<string, string>; status: number }>([
    { name: 'probe', method: 'GET', path: '/health', headers: {}, status: 200 },
    { name: 'objects with the token', method: 'GET', path: '/v1/objects', headers: { authorization: 'Bearer tok' }, status: 200 },
    { name: 'objects without it', method: 'GET', path: '/v1/objects', headers: {}, status: 401 },
    { name: 'a Host given with httpHosts', method: 'GET', path: '/v1/objects', headers: { authorization: 'Bearer tok', host: 'dns.test' }, status: 200 },
    { name: 'a foreign Host', method: 'GET', path: '/v1/objects', headers: { authorization: 'Bearer tok', host: 'evil.example' }, status: 403 },
    { name: 'a foreign Origin', method: 'GET', path: '/v1/objects', headers: { authorization: 'Bearer tok', origin: 'http://evil.example' }, status: 403 },
    { name: 'a text/plain write', method: 'POST', path: '/v1/reset', headers: { authorization: 'Bearer tok', 'content-type': 'text/plain' }, status: 415 },
    { name: 'a malformed path', method: 'GET', path: '/v1/objects/%E0', headers: {}, status: 400 },
  ])('$name → $status', async ({ method, path, headers, status }) => {
    expect((await ask(dns.http!, method, path, headers)).status).toBe(status);
  });

  it('an apply through HTTP is what the methods see', async () => {
    const reply = await ask(dns.http!, 'POST', '/v1/apply', { authorization: 'Bearer tok', 'content-type': 'application/yaml' }, ADDED);
    expect(reply.status).toBe(200);
    expect(dns.records('cart.shop.svc.cluster.local', 'A').map((record) => record.data)).toEqual(['10.96.50.2']);
  });
});

describe('the http option beyond loopback', () => {
  it('without a token: probes answer, /v1 is 403 and says how to set one', async () => {
    const dns = await startClusterDns({ manifests: SERVICE, http: '0.0.0.0:0' });
    try {
      expect(dns.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await ask(dns.http!, 'GET', '/ready', {})).status).toBe(200);
      const closed = await ask(dns.http!, 'GET', '/v1/objects', {});
      expect(closed.status).toBe(403);
      expect(closed.json.error).toMatch(/^the \/v1 control API is closed: --http listens on 0\.0\.0\.0, not loopback, and no token is set/);
    } finally {
      await dns.close();
    }
  });

  it('bad values are options errors in the API spelling', async () => {
    const error = await startClusterDns({ manifests: SERVICE, httpHosts: ['a:1'], httpToken: 'two words' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterDnsError);
    expect((error as ClusterDnsError).problems).toEqual([
      'httpToken: the token must be printable ASCII without spaces',
      'httpHosts must be a host name or address without a port, like clusterdns or dns.test, got "a:1"',
      'httpToken needs http ADDR:PORT',
      'httpHosts needs http ADDR:PORT',
    ]);
  });
});
