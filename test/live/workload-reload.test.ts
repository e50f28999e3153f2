// Edits that make or remove pods, under --watch (issue 6, issue 15 item 4):
// the live server places only the new pods and every pod that stays keeps
// its address; it answers the same names a fresh start on the same files
// answers. A small pod CIDR (/26, 62 addresses for ~30 pods) makes new pods
// probe past kept ones.

import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { runCli } from '../helpers/server-process.js';
import { startLive, tempDir, waitFor, type LiveServer } from './helpers.js';

const POD_CIDR = ['--pod-cidr', '10.244.0.0/26'];
let server: LiveServer | undefined;
let cleanup: (() => Promise<void>) | undefined;

afterEach(async () => {
  await server?.stop();
  await cleanup?.();
  server = undefined;
  cleanup = undefined;
});

/** A workload of `replicas` pods and the headless Service selecting them (a StatefulSet names it as its serviceName). */
const workload = (kind: 'Deployment' | 'StatefulSet', name: string, namespace: string, replicas: number, port: number): string => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  replicas: ${replicas}${kind === 'StatefulSet' ? `\n  serviceName: ${name}` : ''}
  selector: {matchLabels: {app: ${name}}}
  template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: main, image: x}]}}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec: {clusterIP: None, selector: {app: ${name}}, ports: [{port: ${port}}]}
`;
const deployment = (name: string, namespace: string, replicas: number): string => workload('Deployment', name, namespace, replicas, 80);
const statefulSet = (name: string, namespace: string, replicas: number): string => workload('StatefulSet', name, namespace, replicas, 5432);

async function addresses(name: string): Promise<string[]> {
  return (await dig(server!.port, [name])).answer.map((line) => line.split(' ').pop()!).sort();
}

/** Every record but the SOAs (their serial moves), as `name type data` lines. */
const lines = (records: readonly { name: string; type: string; data: string }[]): string[] =>
  records.filter((r) => r.type !== 'SOA').map((r) => `${r.name.toLowerCase().replace(/\.$/, '')} ${r.type} ${r.data}`).sort();

async function liveRecords(): Promise<string[]> {
  const response = await fetch(`${server!.http}/v1/records`);
  return lines(((await response.json()) as { records: { name: string; type: string; data: string }[] }).records);
}

/** `namespace/name` → the pod's addresses, as the control API lists them. */
async function livePods(): Promise<Map<string, string>> {
  const response = await fetch(`${server!.http}/v1/objects`);
  const { pods } = (await response.json()) as { pods: { namespace: string; name: string; ips: string[] }[] };
  return new Map(pods.map((pod) => [`${pod.namespace}/${pod.name}`, pod.ips.join(',')]));
}

/** The record lines with every address and dashed-address label blanked: what must match a fresh start. */
const shapes = (records: readonly string[]): string[] =>
  records.map((line) => line.replace(/\d+-\d+-\d+-\d+/g, 'IP').replace(/\d+\.\d+\.\d+\.\d+(\.in-addr\.arpa)?/g, 'IP')).sort();

async function freshRecords(dir: string): Promise<string[]> {
  const result = await runCli(['records', '--format', 'json', '--log-level', 'silent', '-f', dir, ...POD_CIDR]);
  expect(result.code).toBe(0);
  return lines(JSON.parse(result.stdout) as { name: string; type: string; data: string }[]);
}

describe('--watch: edits that make or remove pods', () => {
  it('a new Deployment, a scaled one, a StatefulSet scaled down, a removed file: nobody moves, the names a fresh start has', async () => {
    const temp = await tempDir();
    cleanup = temp.remove;
    const file = (name: string) => path.join(temp.dir, name);
    await writeFile(file('a.yaml'), `${deployment('web', 'a', 5)}---\n${statefulSet('db', 'a', 4)}`);
    await writeFile(file('b.yaml'), deployment('api', 'b', 6));
    await writeFile(file('c.yaml'), deployment('jobs', 'c', 7));
    server = await startLive(['--watch', '-f', temp.dir, ...POD_CIDR]);
    expect(await addresses('web.a.svc.cluster.local')).toHaveLength(5);
    expect(await liveRecords()).toEqual(await freshRecords(temp.dir));

    const edits: { what: string; write: () => Promise<void>; settled: () => Promise<boolean> }[] = [
      {
        what: 'a new Deployment and its headless Service',
        write: () => writeFile(file('new.yaml'), deployment('fresh', 'a', 3)),
        settled: async () => (await addresses('fresh.a.svc.cluster.local')).length === 3,
      },
      {
        what: 'a Deployment scaled up',
        write: async () => writeFile(file('b.yaml'), (await readFile(file('b.yaml'), 'utf8')).replace('replicas: 6', 'replicas: 9')),
        settled: async () => (await addresses('api.b.svc.cluster.local')).length === 9,
      },
      {
        what: 'a StatefulSet scaled down',
        write: async () => writeFile(file('a.yaml'), (await readFile(file('a.yaml'), 'utf8')).replace('replicas: 4', 'replicas: 2')),
        settled: async () => (await addresses('db.a.svc.cluster.local')).length === 2,
      },
      {
        what: 'a file removed (its namespace empties)',
        write: () => rm(file('c.yaml')),
        settled: async () => (await dig(server!.port, ['jobs.c.svc.cluster.local'])).status === 'NXDOMAIN',
      },
      {
        what: 'a Deployment in a new namespace',
        write: () => writeFile(file('d.yaml'), deployment('late', 'aa', 4)),
        settled: async () => (await addresses('late.aa.svc.cluster.local')).length === 4,
      },
    ];
    let before = await livePods();
    for (const edit of edits) {
      await edit.write();
      await waitFor(edit.settled, edit.what);
      const after = await livePods();
      const moved = [...after].filter(([pod, ips]) => before.has(pod) && before.get(pod) !== ips);
      expect(moved, edit.what).toEqual([]);
      expect([...after.values()].filter((ips) => ips.split(',').length !== 1), edit.what).toEqual([]);
      expect(new Set(after.values()).size, `${edit.what}: one pod per address`).toBe(after.size);
      expect(shapes(await liveRecords()), edit.what).toEqual(shapes(await freshRecords(temp.dir)));
      before = after;
    }
    // Seven CLI runs and five reloads: past the default 20 s on a loaded machine.
  }, 60_000);
});
