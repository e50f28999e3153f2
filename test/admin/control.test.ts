// The /v1 control API with a real HTTP client against the real CLI
// (issue 4 part 3): every call, bad bodies, unknown objects, the token.

import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { startLive, tempDir, type LiveServer } from '../live/helpers.js';

const TOKEN = 's3cret-token';
const FILES = `apiVersion: v1
kind: Service
metadata: {name: nginx}
spec: {clusterIP: None, selector: {app: nginx}, ports: [{name: web, port: 80}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 2
  selector: {matchLabels: {app: nginx}}
  template: {metadata: {labels: {app: nginx}}, spec: {containers: [{name: c}]}}
`;
const API_SERVICE = `apiVersion: v1
kind: Service
metadata: {name: api, namespace: prod}
spec: {clusterIP: 10.96.7.7, ports: [{port: 80}]}
`;

let server: LiveServer;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir();
  remove = temp.remove;
  const file = path.join(temp.dir, 'cluster.yaml');
  await writeFile(file, FILES);
  server = await startLive(['--http-token', TOKEN, '-f', file]);
});
afterAll(async () => {
  await server.stop();
  await remove();
});
beforeEach(async () => {
  expect((await call('POST', '/v1/reset')).status).toBe(200);
});

/** Writes carry the Content-Type the API requires: YAML for text bodies, JSON otherwise (access.test.ts covers the rest). */
async function call(method: string, url: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; json: Record<string, unknown> }> {
  const type: Record<string, string> = method === 'GET' ? {} : { 'content-type': typeof body === 'string' ? 'application/yaml' : 'application/json' };
  const response = await fetch(`${server.http}${url}`, {
    method,
    headers: { ...type, ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function addresses(name: string, type = 'A'): Promise<string[]> {
  return (await dig(server.port, [name, type])).answer.map((line) => line.split(' ').pop()!).sort();
}

describe('control API', () => {
  it('apply: YAML body creates objects the DNS answers at once; JSON works too', async () => {
    const applied = await call('POST', '/v1/apply', API_SERVICE);
    expect(applied).toMatchObject({ status: 200, json: { added: expect.arrayContaining(['api.prod.svc.cluster.local']) } });
    expect(await addresses('api.prod.svc.cluster.local')).toEqual(['10.96.7.7']);
    const json = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'prod' }, spec: { clusterIP: '10.96.7.8', ports: [{ port: 80 }] } };
    expect((await call('POST', '/v1/apply', json)).json['changed']).toContain('api.prod.svc.cluster.local');
    expect(await addresses('api.prod.svc.cluster.local')).toEqual(['10.96.7.8']);
  });

  it('apply: a bad body changes nothing and answers 400 with every problem', async () => {
    const bad = 'apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec: {ports: [{port: "http"}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {}\n';
    const reply = await call('POST', '/v1/apply', bad);
    expect(reply.status).toBe(400);
    expect(reply.json['problems']).toEqual([
      '<api>, document 1 (line 4): spec.ports[0].port: expected an integer 1-65535, got "http"',
      expect.stringMatching(/^<api>, document 2 \(line \d+\): metadata\.name: /),
    ]);
    expect((await dig(server.port, ['bad.default.svc.cluster.local'])).status).toBe('NXDOMAIN');
    expect((await call('POST', '/v1/apply', '')).status).toBe(400);
  });

  it('delete: removes a file object; unknown objects are 404', async () => {
    expect((await call('DELETE', '/v1/objects/Service/default/nginx')).status).toBe(200);
    expect((await dig(server.port, ['nginx.default.svc.cluster.local'])).status).toBe('NXDOMAIN');
    expect((await call('DELETE', '/v1/objects/services/default/nope')).status).toBe(404);
    expect((await call('DELETE', '/v1/objects/Gadget/default/nginx')).status).toBe(404);
  });

  it('scale: StatefulSet ordinals grow and shrink from the top; bad requests are 400, unknown 404', async () => {
    expect((await call('POST', '/v1/scale', { kind: 'StatefulSet', namespace: 'default', name: 'web', replicas: 4 })).status).toBe(200);
    expect((await dig(server.port, ['web-3.nginx.default.svc.cluster.local'])).status).toBe('NOERROR');
    expect((await call('POST', '/v1/scale', { kind: 'StatefulSet', namespace: 'default', name: 'web', replicas: 1 })).status).toBe(200);
    expect((await dig(server.port, ['web-1.nginx.default.svc.cluster.local'])).status).toBe('NXDOMAIN');
    expect((await dig(server.port, ['web-0.nginx.default.svc.cluster.local'])).status).toBe('NOERROR');
    const rows = [
      { body: '{not json', status: 400 },
      { body: { kind: 'StatefulSet', namespace: 'default', name: 'web', replicas: -1 }, status: 400 },
      { body: { kind: 'DaemonSet', namespace: 'default', name: 'web', replicas: 1 }, status: 400 },
      { body: { kind: 'StatefulSet', name: 'web', replicas: 1 }, status: 400 },
      { body: { kind: 'Deployment', namespace: 'default', name: 'web', replicas: 1 }, status: 404 },
    ];
    for (const row of rows) expect({ row, status: (await call('POST', '/v1/scale', row.body)).status }).toEqual({ row, status: row.status });
  });

  it('pods/ready: a synthesized pod leaves and rejoins its headless service', async () => {
    expect((await addresses('nginx.default.svc.cluster.local')).length).toBe(2);
    expect((await call('POST', '/v1/pods/default/web-0/ready', { ready: false })).status).toBe(200);
    expect((await addresses('nginx.default.svc.cluster.local')).length).toBe(1);
    expect((await dig(server.port, ['web-0.nginx.default.svc.cluster.local'])).status).toBe('NXDOMAIN');
    expect((await call('POST', '/v1/pods/default/web-0/ready', { ready: true })).status).toBe(200);
    expect((await addresses('nginx.default.svc.cluster.local')).length).toBe(2);
    expect((await call('POST', '/v1/pods/default/web-0/ready', { ready: 'yes' })).status).toBe(400);
    expect((await call('POST', '/v1/pods/default/nope/ready', { ready: true })).status).toBe(404);
  });

  it('reset: back to what the files say', async () => {
    await call('POST', '/v1/apply', API_SERVICE);
    await call('DELETE', '/v1/objects/Service/default/nginx');
    expect((await call('POST', '/v1/reset')).status).toBe(200);
    expect((await dig(server.port, ['api.prod.svc.cluster.local'])).status).toBe('NXDOMAIN');
    expect((await dig(server.port, ['nginx.default.svc.cluster.local'])).status).toBe('NOERROR');
  });

  it('records and objects: what the server would answer, and the current state', async () => {
    const records = await call('GET', '/v1/records?name=web-1.nginx.default.svc.cluster.local.&type=a');
    expect(records.status).toBe(200);
    expect(records.json['records']).toEqual([
      expect.objectContaining({ name: 'web-1.nginx.default.svc.cluster.local', type: 'A', text: expect.stringMatching(/^web-1\.nginx\.default\.svc\.cluster\.local\. 5 IN A 10\.244\./) }),
    ]);
    expect((await call('GET', '/v1/records?type=BOGUS')).status).toBe(400);
    const objects = await call('GET', '/v1/objects');
    expect(objects.json['objects']).toEqual([
      expect.objectContaining({ key: 'Service/default/nginx' }),
      expect.objectContaining({ key: 'StatefulSet/default/web' }),
    ]);
    expect(objects.json['pods']).toEqual([
      expect.objectContaining({ name: 'web-0', ips: [expect.stringMatching(/^10\.244\./)], ready: true, owner: 'StatefulSet/web' }),
      expect.objectContaining({ name: 'web-1', ips: [expect.stringMatching(/^10\.244\./)], ready: true, owner: 'StatefulSet/web' }),
    ]);
    expect(objects.json['lastReloadError']).toBeNull();
  });

  it('token: missing or wrong is 401 on /v1, probes need none', async () => {
    expect((await call('GET', '/v1/objects', undefined, null)).status).toBe(401);
    expect((await call('GET', '/v1/objects', undefined, 'wrong')).status).toBe(401);
    expect((await fetch(`${server.http}/health`)).status).toBe(200);
  });

  it('unknown endpoints are 404, wrong methods 405', async () => {
    expect((await call('GET', '/v1/nothing')).status).toBe(404);
    expect((await call('GET', '/v1/apply')).status).toBe(405);
  });
});
