// A running pod keeps its address (issue 15 item 4): through every apply,
// scale, delete, reset and reload of other objects, web-0.nginx.default
// answers the same address and no other pod moves; a change that would run
// the pod CIDR out or pass --max-pods is refused whole (400, the last good
// state kept), before anything is built. The real CLI, asked with dig.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { startLive, tempDir, waitFor, type LiveServer } from './helpers.js';

const WEB0 = 'web-0.nginx.default.svc.cluster.local';
let server: LiveServer;
let temp: { dir: string; remove(): Promise<void> };
let file: string;

const statefulSet = (name: string, namespace: string, replicas: number, service = name): string =>
  `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  replicas: ${replicas}\n  serviceName: ${service}\n  selector: {matchLabels: {app: ${name}}}\n  template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: c, image: x}]}}\n`;
const deployment = (name: string, namespace: string, replicas: number): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: ${name}}}\n  template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: c, image: x}]}}\n`;
const headless = (name: string, app: string): string =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {clusterIP: None, selector: {app: ${app}}, ports: [{port: 80}]}\n`;
const FILES = [statefulSet('web', 'default', 3, 'nginx'), headless('nginx', 'web'), deployment('api', 'default', 20)].join('---\n');

async function web0(): Promise<string[]> {
  return (await dig(server.port, [WEB0])).answer.map((line) => line.split(' ').pop()!);
}

/** `namespace/name` → addresses, as the control API lists them. */
async function pods(): Promise<Map<string, string>> {
  const { pods: list } = (await (await fetch(`${server.http}/v1/objects`)).json()) as { pods: { namespace: string; name: string; ips: string[] }[] };
  return new Map(list.map((pod) => [`${pod.namespace}/${pod.name}`, pod.ips.join(',')]));
}

const post = (route: string, body: string, type = 'application/yaml'): Promise<Response> =>
  fetch(`${server.http}${route}`, { method: 'POST', headers: { 'content-type': type }, body });
const scale = (kind: string, namespace: string, name: string, replicas: number): Promise<Response> =>
  post('/v1/scale', JSON.stringify({ kind, namespace, name, replicas }), 'application/json');

beforeAll(async () => {
  temp = await tempDir();
  file = path.join(temp.dir, 'cluster.yaml');
  await writeFile(file, FILES);
  server = await startLive(['-f', file, '--max-pods', '40000']);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await temp?.remove();
});

describe('web-0.nginx.default keeps its address', () => {
  let address: string;
  const first = (): Promise<string[]> => web0();

  it('has one to begin with', async () => {
    const answer = await first();
    expect(answer).toHaveLength(1);
    address = answer[0]!;
  });

  const rows: { what: string; change: () => Promise<Response | undefined>; status?: number; error?: RegExp }[] = [
    {
      what: 'apply 30 StatefulSets x 10,000 replicas (the issue): refused, the pod CIDR would run out',
      change: () => post('/v1/apply', Array.from({ length: 30 }, (_, i) => statefulSet(`big${i}`, 'aaa', 10_000)).join('---\n')),
      status: 400,
      error: /pod CIDR 10\.244\.0\.0\/16 would run out: 300,023 pods need an IPv4 address from it and it has 65,534 .*pods added by StatefulSet\/aaa\/big0 \(\+10,000\)/,
    },
    {
      what: 'apply 3 StatefulSets x 2,000 replicas in a namespace that sorts first',
      change: () => post('/v1/apply', Array.from({ length: 3 }, (_, i) => statefulSet(`crowd${i}`, 'aaa', 2000)).join('---\n')),
      status: 200,
    },
    { what: 'scale the Deployment beside it to 10,000', change: () => scale('Deployment', 'default', 'api', 10_000), status: 200 },
    { what: 'apply a Deployment of 20,000 (36,003 pods in all)', change: () => post('/v1/apply', deployment('more', 'b', 20_000)), status: 200 },
    {
      what: 'scale past --max-pods 40,000: refused, naming the cap',
      change: () => scale('StatefulSet', 'aaa', 'crowd0', 10_000),
      status: 400,
      error: /^44,003 pods would pass the pod cap of 40,000 \(--max-pods\); pods added by StatefulSet\/aaa\/crowd0 \(\+8,000\)$/m,
    },
    {
      what: 'apply a Pod that writes web-0\'s address as its own',
      change: async () => post('/v1/apply', `apiVersion: v1\nkind: Pod\nmetadata: {name: squat, namespace: default}\nspec: {containers: [{name: c}]}\nstatus: {phase: Running, podIP: ${address}}\n`),
      status: 200,
    },
    { what: 'scale web itself to 5 (its other pods)', change: () => scale('StatefulSet', 'default', 'web', 5), status: 200 },
    { what: 'delete a StatefulSet', change: () => fetch(`${server.http}/v1/objects/StatefulSet/aaa/crowd1`, { method: 'DELETE' }), status: 200 },
    { what: 'reset (back to the files)', change: () => post('/v1/reset', ''), status: 200 },
    {
      what: 'a file reload (SIGHUP) adding 20,000 pods in a namespace that sorts first',
      change: async () => {
        await writeFile(file, `${FILES}---\n${deployment('early', 'a', 20_000)}`);
        server.child.kill('SIGHUP');
        await waitFor(async () => (await pods()).size > 20_000, 'the reload');
        return undefined;
      },
    },
    {
      what: 'a file reload that would pass --max-pods: refused, the error logged',
      change: async () => {
        await writeFile(file, `${FILES}---\n${deployment('early', 'a', 20_000)}---\n${deployment('late', 'z', 20_000)}`);
        server.child.kill('SIGHUP');
        await waitFor(async () => ((await (await fetch(`${server.http}/ready`)).text()).includes('--max-pods')), 'the refusal on /ready');
        return undefined;
      },
    },
  ];

  for (const row of rows) {
    it(row.what, async () => {
      const before = await pods();
      const response = await row.change();
      if (row.status !== undefined) expect(response?.status).toBe(row.status);
      if (row.error) expect(((await response!.json()) as { problems: string[] }).problems.join('\n')).toMatch(row.error);
      expect(await first()).toEqual([address]);
      const after = await pods();
      expect([...after].filter(([pod, ips]) => before.has(pod) && before.get(pod) !== ips)).toEqual([]);
      if (row.error) expect(after).toEqual(before);
    }, 60_000);
  }

  it('the refused reload was logged as an error, with the cap', () => {
    expect(server.logs.some((line) => line['level'] === 50 && String(line['msg']).includes('reload (SIGHUP) refused') && String(line['msg']).includes('--max-pods'))).toBe(true);
  });
});
