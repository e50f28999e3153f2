// Pods with one address, two (dual-stack) and none (a status without podIP),
// given and synthesized, on an IPv4 and a dual-stack cluster: what `dig`
// gets for their service and pod names, and the IP lists pods() hands out.
// A pod holds one address without an array (state.ts PodIPs); nothing a
// user sees may tell.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDns, type ClusterDns } from '../../src/index.js';
import { dig } from '../helpers/dig.js';

const MANIFEST = `apiVersion: v1
kind: Service
metadata: {name: db, namespace: mixed}
spec: {clusterIP: None, ipFamilyPolicy: PreferDualStack, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: mixed}
spec: {clusterIP: None, ipFamilyPolicy: PreferDualStack, selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: single, namespace: mixed, labels: {app: db}}
spec: {containers: [{name: c, image: i}]}
status: {phase: Running, podIP: 10.244.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: dual, namespace: mixed, labels: {app: db}}
spec: {containers: [{name: c, image: i}]}
status: {phase: Running, podIP: 10.244.1.2, podIPs: [{ip: 10.244.1.2}, {ip: "fd00:10:244::2"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: none, namespace: mixed, labels: {app: db}}
spec: {containers: [{name: c, image: i}]}
status: {phase: Pending}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: mixed}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: i}]}
`;

const CLUSTERS = {
  ipv4: {},
  dual: { serviceCIDR: ['10.96.0.0/12', 'fd00:10:96::/112'], podCIDR: ['10.244.0.0/16', 'fd00:10:244::/64'] },
} as const;
type ClusterName = keyof typeof CLUSTERS;

const servers = new Map<ClusterName, ClusterDns>();

beforeAll(async () => {
  for (const [name, options] of Object.entries(CLUSTERS)) {
    servers.set(name as ClusterName, await startClusterDns({ manifests: [MANIFEST], pods: 'verified', ...options }));
  }
});
afterAll(async () => {
  for (const server of servers.values()) await server.close();
});

/** The addresses dig gets, sorted, or the status when there are none. */
async function ask(cluster: ClusterName, name: string, type: 'A' | 'AAAA'): Promise<string[] | string> {
  const result = await dig(servers.get(cluster)!.port, [name, type]);
  if (result.status !== 'NOERROR') return result.status;
  return result.answer.map((line) => line.split(' ').at(-1)!).sort();
}

describe('pods with one, two and no addresses', () => {
  const rows: { cluster: ClusterName; name: string; type: 'A' | 'AAAA'; answer: string[] | string }[] = [
    // The headless service: every ready pod with an address of its families; `none` has none.
    { cluster: 'ipv4', name: 'db.mixed.svc.cluster.local', type: 'A', answer: ['10.244.1.1', '10.244.1.2'] },
    { cluster: 'ipv4', name: 'db.mixed.svc.cluster.local', type: 'AAAA', answer: [] },
    { cluster: 'dual', name: 'db.mixed.svc.cluster.local', type: 'A', answer: ['10.244.1.1', '10.244.1.2'] },
    { cluster: 'dual', name: 'db.mixed.svc.cluster.local', type: 'AAAA', answer: ['fd00:10:244::2'] },
    // --pods verified: each of a pod's addresses under its dashed name, and nothing else.
    { cluster: 'ipv4', name: '10-244-1-1.mixed.pod.cluster.local', type: 'A', answer: ['10.244.1.1'] },
    { cluster: 'ipv4', name: '10-244-1-2.mixed.pod.cluster.local', type: 'A', answer: ['10.244.1.2'] },
    { cluster: 'ipv4', name: 'fd00-10-244--2.mixed.pod.cluster.local', type: 'AAAA', answer: ['fd00:10:244::2'] },
    { cluster: 'ipv4', name: '10-244-1-3.mixed.pod.cluster.local', type: 'A', answer: 'NXDOMAIN' },
    { cluster: 'dual', name: '10-244-1-1.mixed.pod.cluster.local', type: 'A', answer: ['10.244.1.1'] },
    { cluster: 'dual', name: '10-244-1-2.mixed.pod.cluster.local', type: 'A', answer: ['10.244.1.2'] },
    { cluster: 'dual', name: 'fd00-10-244--2.mixed.pod.cluster.local', type: 'AAAA', answer: ['fd00:10:244::2'] },
    { cluster: 'dual', name: 'fd00-10-244--1.mixed.pod.cluster.local', type: 'AAAA', answer: 'NXDOMAIN' },
  ];
  it.each(rows)('$cluster: $name $type → $answer', async ({ cluster, name, type, answer }) => {
    expect(await ask(cluster, name, type)).toEqual(answer);
  });

  it.each(Object.keys(CLUSTERS) as ClusterName[])('%s: pods() lists each pod’s addresses as an array', (cluster) => {
    const listed = servers.get(cluster)!.pods('mixed').filter((pod) => !pod.owner);
    expect(listed).toEqual([
      { namespace: 'mixed', name: 'dual', ips: ['10.244.1.2', 'fd00:10:244::2'], ready: true },
      { namespace: 'mixed', name: 'none', ips: [], ready: false },
      { namespace: 'mixed', name: 'single', ips: ['10.244.1.1'], ready: true },
    ]);
  });

  it.each(Object.keys(CLUSTERS) as ClusterName[])('%s: synthesized pods get one address per pod family, and answer with it', async (cluster) => {
    const web = servers.get(cluster)!.pods('mixed').filter((pod) => pod.owner === 'Deployment/web');
    expect(web).toHaveLength(2);
    const families = cluster === 'dual' ? 2 : 1;
    for (const pod of web) expect(pod.ips).toHaveLength(families);
    const v4 = web.map((pod) => pod.ips[0]!).sort();
    const v6 = web.flatMap((pod) => pod.ips.slice(1)).sort();
    expect(await ask(cluster, 'web.mixed.svc.cluster.local', 'A')).toEqual(v4);
    expect(await ask(cluster, 'web.mixed.svc.cluster.local', 'AAAA')).toEqual(v6);
    for (const ip of [...v4, ...v6]) {
      const dashed = ip.includes(':') ? ip.replaceAll(':', '-') : ip.replaceAll('.', '-');
      expect(await ask(cluster, `${dashed}.mixed.pod.cluster.local`, ip.includes(':') ? 'AAAA' : 'A')).toEqual([ip]);
    }
  });
});
