import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import type { ManifestObject } from '../../src/cluster/model/model.js';
import { randomSuffix, SUFFIX_ALPHABET } from '../../src/cluster/derive/names.js';
import { DEFAULT_CLUSTER_OPTIONS, type Pod } from '../../src/cluster/model/state.js';
import { ipList } from '../../src/cluster/model/pod-ip-list.js';
import { daemonSet, deployment, job, pod, replicaSet, service, statefulSet } from './objects.js';

const S = `[${SUFFIX_ALPHABET}]`;
const podsOf = (objects: ManifestObject[], nodeCount = 1): readonly Pod[] =>
  buildCluster(objects, { ...DEFAULT_CLUSTER_OPTIONS, nodeCount }).pods;

describe('workload pods (§5.2 table)', () => {
  const rows: {
    name: string;
    objects: ManifestObject[];
    nodeCount?: number;
    names: RegExp[];
    hostnames?: (string | undefined)[];
    subdomains?: (string | undefined)[];
    labels?: Record<string, string>[];
  }[] = [
    {
      name: 'StatefulSet: <sts>-<ordinal>, hostname = name, subdomain = serviceName',
      objects: [statefulSet('db', { replicas: 2, serviceName: 'db-hl' })],
      names: [/^db-0$/, /^db-1$/],
      hostnames: ['db-0', 'db-1'],
      subdomains: ['db-hl', 'db-hl'],
      labels: [
        { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0' },
        { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-1', 'apps.kubernetes.io/pod-index': '1' },
      ],
    },
    {
      name: 'StatefulSet: ordinals.start',
      objects: [statefulSet('db', { replicas: 2, ordinalsStart: 5 })],
      names: [/^db-5$/, /^db-6$/],
    },
    {
      name: 'Deployment: <deploy>-<hash>-<5>',
      objects: [deployment('web', { replicas: 2 })],
      names: [new RegExp(`^web-[4-9bcdf]{6,10}-${S}{5}$`), new RegExp(`^web-[4-9bcdf]{6,10}-${S}{5}$`)],
    },
    {
      name: 'ReplicaSet: <rs>-<5>',
      objects: [replicaSet('rs', 3)],
      names: [new RegExp(`^rs-${S}{5}$`), new RegExp(`^rs-${S}{5}$`), new RegExp(`^rs-${S}{5}$`)],
    },
    {
      name: 'DaemonSet: one per node',
      objects: [daemonSet('agent')],
      nodeCount: 3,
      names: [new RegExp(`^agent-${S}{5}$`), new RegExp(`^agent-${S}{5}$`), new RegExp(`^agent-${S}{5}$`)],
    },
    {
      name: 'Job NonIndexed: <job>-<5> × parallelism, job-name labels',
      objects: [job('batch', { parallelism: 2 })],
      names: [new RegExp(`^batch-${S}{5}$`), new RegExp(`^batch-${S}{5}$`)],
      labels: [
        { app: 'batch', 'batch.kubernetes.io/job-name': 'batch', 'job-name': 'batch' },
        { app: 'batch', 'batch.kubernetes.io/job-name': 'batch', 'job-name': 'batch' },
      ],
    },
    {
      name: 'Job Indexed: <job>-<index>-<5>, min(parallelism, completions), hostname <job>-<index>',
      objects: [job('work', { mode: 'Indexed', parallelism: 5, completions: 2, spec: { subdomain: 'workers' } })],
      names: [new RegExp(`^work-0-${S}{5}$`), new RegExp(`^work-1-${S}{5}$`)],
      hostnames: ['work-0', 'work-1'],
      subdomains: ['workers', 'workers'],
    },
    {
      name: 'template hostname/subdomain copied',
      objects: [deployment('web', { replicas: 1, spec: { hostname: 'h', subdomain: 's' } })],
      names: [/^web-/],
      hostnames: ['h'],
      subdomains: ['s'],
    },
  ];
  it.each(rows)('$name', ({ objects, nodeCount, names, hostnames, subdomains, labels }) => {
    const pods = [...podsOf(objects, nodeCount)];
    // Output is sorted by name; indexed rows sort the same way as their index.
    expect(pods).toHaveLength(names.length);
    pods.forEach((p, i) => expect(p.name).toMatch(names[i] as RegExp));
    if (hostnames) expect(pods.map((p) => p.hostname)).toEqual(hostnames);
    if (subdomains) expect(pods.map((p) => p.subdomain)).toEqual(subdomains);
    if (labels) expect(pods.map((p) => p.labels)).toEqual(labels);
    for (const p of pods) {
      expect(p.ready).toBe(true);
      expect(ipList(p.ips)).toHaveLength(1);
      expect(p.owner).toMatch(/^(StatefulSet|Deployment|ReplicaSet|DaemonSet|Job)\//);
    }
    expect(new Set(pods.map((p) => p.name)).size).toBe(pods.length);
  });

  it('Deployment pods carry pod-template-hash equal to the name part', () => {
    const [p] = podsOf([deployment('web')]);
    const hash = p?.labels['pod-template-hash'];
    expect(hash).toBeDefined();
    expect(p?.name.startsWith(`web-${hash}-`)).toBe(true);
  });

  it('generated names never collide with a declared pod', () => {
    const first = podsOf([statefulSet('db', { replicas: 1 })]);
    expect(first.map((p) => p.name)).toEqual(['db-0']);
    const state = buildCluster([pod('db-0'), statefulSet('db', { replicas: 1 })], DEFAULT_CLUSTER_OPTIONS);
    expect(state.pods.map((p) => p.owner)).toEqual([undefined]);
    expect(state.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/already exists/)]);
  });

  it('a random name already taken is drawn again from the seed `<seed>#1`', () => {
    const [first] = podsOf([replicaSet('rs')]);
    expect(first?.name).toBe(`rs-${randomSuffix('default/ReplicaSet/rs/0')}`);
    const names = podsOf([pod(first?.name ?? ''), replicaSet('rs')]).map((p) => p.name);
    expect(names).toContain(`rs-${randomSuffix('default/ReplicaSet/rs/0#1')}`);
    expect(names).toHaveLength(2);
  });
});

describe('determinism (§5.2, §6)', () => {
  const make = (): ManifestObject[] => [
    deployment('web', { replicas: 3 }),
    statefulSet('db', { replicas: 2, serviceName: 'db' }),
    job('batch', { parallelism: 2 }),
    service('web', { selector: { app: 'web' } }),
    service('db', { clusterIP: 'None', selector: { app: 'db' } }),
  ];
  const summary = (objects: ManifestObject[]) => {
    const state = buildCluster(objects, DEFAULT_CLUSTER_OPTIONS);
    return {
      pods: state.pods.map((p) => `${p.namespace}/${p.name}=${ipList(p.ips).join(',')}`),
      services: state.services.map((s) => `${s.namespace}/${s.name}=${s.clusterIPs.join(',')}`),
    };
  };

  it('same input twice ⇒ same names and IPs, whatever the object order', () => {
    const once = summary(make());
    expect(summary(make())).toEqual(once);
    expect(summary(make().reverse())).toEqual(once);
  });

  it('adding unrelated objects does not change existing names or IPs', () => {
    const before = summary(make());
    const after = summary([
      ...make(),
      deployment('other', { replicas: 20 }),
      service('zzz', {}),
      service('aaa', { namespace: 'a' }),
      pod('lonely'),
    ]);
    for (const line of before.pods) expect(after.pods).toContain(line);
    for (const line of before.services) expect(after.services).toContain(line);
  });
});
