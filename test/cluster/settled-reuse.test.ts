// A rebuild keeps the last build's pods where the edit did not reach: the
// pods of namespaces whose Pod and workload objects are the very same ones
// (the loader hands back unchanged files' objects), and in a changed
// namespace those of unchanged workloads that keep their names; only new
// pods get addresses placed, and every pod that still exists keeps its
// address. Whatever changed, the state must be exactly what placing every pod
// again with the last build's addresses kept gives.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCluster, rebuildCluster, withoutReuse, type BuiltCluster } from '../../src/cluster/build.js';
import type { ManifestObject } from '../../src/cluster/model/model.js';
import type { ClusterOptions, ClusterState, Pod } from '../../src/cluster/model/state.js';
import { ipAt } from '../../src/cluster/model/pod-ip-list.js';
import { parseManifestText } from '../../src/manifests/index.js';

const OPTIONS: ClusterOptions = { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 2 };
const base = parseManifestText(readFileSync(new URL('fixtures/mixed-cluster.yaml', import.meta.url), 'utf8'), 'mixed-cluster.yaml').objects;

const objects = (yaml: string): ManifestObject[] => parseManifestText(yaml, 'edit.yaml').objects;
const plus = (yaml: string): ManifestObject[] => [...base, ...objects(yaml)];
const without = (kind: string, name: string, list = base): ManifestObject[] => list.filter((o) => !(o.kind === kind && o.meta.name === name));
const replacing = (kind: string, name: string, yaml: string): ManifestObject[] => [...without(kind, name), ...objects(yaml)];

const deployment = (name: string, namespace: string, replicas: number, spec = '{containers: [{name: w, image: x}]}', app = name): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: ${app}}}\n  template: {metadata: {labels: {app: ${app}, tier: front}}, spec: ${spec}}\n`;
const pod = (name: string, namespace: string, ip?: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}\n${ip ? `status: {phase: Running, podIP: ${ip}}\n` : ''}`;

/** Everything the state holds, in order. */
function dump(state: ClusterState): string {
  return JSON.stringify({ services: state.services, pods: state.pods, warnings: state.warnings, namespaces: [...state.namespaces] });
}

/** A build from nothing (`after`: every pod of that build keeping its address, nothing reused). */
function fresh(input: readonly ManifestObject[], options = OPTIONS, after?: BuiltCluster): ClusterState {
  return after ? rebuildCluster(input, options, withoutReuse(after.memory)).state : buildCluster(input, options);
}

/** The namespaces whose pods `after` took over from `before` (the very same objects), and those it made anew. */
function kept(before: ClusterState, after: ClusterState): { kept: string[]; renewed: string[] } {
  const old = new Set<Pod>(before.pods);
  const [keptIn, renewedIn] = [new Set<string>(), new Set<string>()];
  for (const pod of after.pods) (old.has(pod) ? keptIn : renewedIn).add(pod.namespace);
  return { kept: [...keptIn].sort(), renewed: [...renewedIn].sort() };
}

/**
 * Endpoints whose `pod` is not a Pod of their own state: a kept endpoint list
 * would keep the last build's Pod objects alive (endpoints refer to their
 * Pod, they do not copy its name).
 */
function strayPods(state: ClusterState): string[] {
  const own = new Set<Pod>(state.pods);
  const stray = state.services.flatMap((s) => s.endpoints.filter((e) => e.pod !== undefined && !own.has(e.pod as Pod)));
  return stray.map((e) => `${e.pod!.namespace}/${e.pod!.name} ${e.address}`);
}

const firstPod = fresh(base).pods[0]!;
const shopPod = fresh(base).pods.find((p) => p.namespace === 'shop' && p.name.startsWith('db-'))!;
const firstIP = ipAt(firstPod.ips, 0)!;
const shopIP = ipAt(shopPod.ips, 0)!;

describe('a rebuild after an edit', () => {
  const rows: { edit: string; next: ManifestObject[]; options?: ClusterOptions; renewed: string[]; moved?: string[] | 'every' }[] = [
    { edit: 'nothing changed', next: [...base], renewed: [] },
    { edit: 'a Service added', next: plus('apiVersion: v1\nkind: Service\nmetadata: {name: extra, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 81}]}\n'), renewed: [] },
    { edit: 'a Service removed', next: without('Service', 'web'), renewed: [] },
    { edit: 'a Deployment scaled up (a new object)', next: replacing('Deployment', 'web', deployment('web', 'shop', 6, undefined, 'web')), renewed: ['shop'] },
    { edit: 'a Deployment scaled down', next: replacing('Deployment', 'web', deployment('web', 'shop', 1, undefined, 'web')), renewed: ['shop'] },
    { edit: 'a Deployment scaled to zero', next: replacing('Deployment', 'web', deployment('web', 'shop', 0, undefined, 'web')), renewed: [] },
    { edit: 'a Deployment removed', next: without('Deployment', 'web'), renewed: [] },
    { edit: "a Deployment's pod template changed (new pod names)", next: replacing('Deployment', 'web', deployment('web', 'shop', 4, '{containers: [{name: w, image: y}]}', 'web')), renewed: ['shop'] },
    { edit: 'a Deployment added', next: plus(deployment('api', 'shop', 3)), renewed: ['shop'] },
    { edit: 'a Deployment added in a new namespace', next: plus(deployment('api', 'fresh-ns', 3)), renewed: ['fresh-ns'] },
    { edit: 'a Deployment added in the first namespace', next: plus(deployment('api', 'aaa', 5)), renewed: ['aaa'] },
    {
      edit: "a StatefulSet's hostname and subdomain changed",
      next: replacing('StatefulSet', 'db', 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\nspec:\n  replicas: 3\n  serviceName: db2\n  ordinals: {start: 2}\n  selector: {matchLabels: {app: db}}\n  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db}]}}\n'),
      renewed: ['shop'],
    },
    {
      edit: 'a pod template hostname and subdomain set',
      next: replacing('Deployment', 'web', deployment('web', 'shop', 4, '{hostname: h, subdomain: web-hl, containers: [{name: w, image: x}]}', 'web')),
      renewed: ['shop'],
    },
    {
      edit: 'a StatefulSet scaled up',
      next: replacing('StatefulSet', 'cache', 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: cache}\nspec:\n  replicas: 5\n  selector: {matchLabels: {app: cache}}\n  template: {metadata: {labels: {app: cache}}, spec: {containers: [{name: c}]}}\n'),
      renewed: ['default'],
    },
    { edit: 'a DaemonSet removed (its namespace empties)', next: without('DaemonSet', 'agent'), renewed: [] },
    { edit: 'a Pod added', next: plus(pod('extra', 'shop')), renewed: ['shop'] },
    { edit: 'a Pod removed', next: without('Pod', 'web-leaving'), renewed: [] },
    { edit: 'a Pod with a written IP removed (its address is free again)', next: without('Pod', 'web-manual'), renewed: [] },
    { edit: `a Pod written with a kept pod's address (${firstIP})`, next: plus(pod('squat', 'shop', firstIP)), renewed: ['shop'] },
    { edit: `a Pod written with a same-namespace pod's address (${shopIP})`, next: plus(pod('squat', 'shop', shopIP)), renewed: ['shop'] },
    { edit: "a Pod named like a StatefulSet's pod (the StatefulSet skips it)", next: plus(pod('db-3', 'shop')), renewed: ['shop'] },
    { edit: "a Pod named like a Deployment's pod (the Deployment names another)", next: plus(pod(fresh(base).pods.find((p) => p.name.startsWith('web-') && p.owner)!.name, 'shop')), renewed: ['shop'] },
    { edit: `a Service claiming a pod's address (${firstIP}) as its cluster IP`, next: plus(`apiVersion: v1\nkind: Service\nmetadata: {name: squatter, namespace: shop}\nspec: {clusterIP: ${firstIP}, ports: [{port: 80}]}\n`), renewed: [] },
    { edit: "Endpoints naming a pod's address", next: plus(`apiVersion: v1\nkind: Service\nmetadata: {name: ext2, namespace: shop}\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: ext2, namespace: shop}\nsubsets: [{addresses: [{ip: ${firstIP}}], ports: [{port: 80}]}]\n`), renewed: [] },
    { edit: 'Endpoints naming a free address', next: plus('apiVersion: v1\nkind: Service\nmetadata: {name: ext2, namespace: shop}\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: ext2, namespace: shop}\nsubsets: [{addresses: [{ip: 10.244.200.200}], ports: [{port: 80}]}]\n'), renewed: [] },
    { edit: 'another node count', next: [...base], options: { ...OPTIONS, nodeCount: 3 }, renewed: ['default', 'kube-system', 'shop'] },
    { edit: 'another pod CIDR', next: [...base], options: { ...OPTIONS, podCIDRs: ['10.245.0.0/16'] }, renewed: ['default', 'kube-system', 'shop'], moved: 'every' },
  ];

  it.each(rows)('$edit: what placing every pod again with the old addresses kept gives', ({ next, options, renewed, moved: movedPods = [] }) => {
    const before = rebuildCluster(base, OPTIONS);
    const expected = dump(fresh(next, options, before));
    const after = rebuildCluster(next, options ?? OPTIONS, before.memory);
    expect(dump(after.state)).toBe(expected);
    expect(kept(before.state, after.state).renewed).toEqual(renewed);
    expect(strayPods(after.state)).toEqual([]);
    // Another pod CIDR: nobody can keep an address outside it.
    const every = before.state.pods.filter((p) => !(p as { origin?: { givenIPs?: unknown } }).origin?.givenIPs).map((p) => `${p.namespace}/${p.name}`);
    expect(moved(before.state, after.state)).toEqual(movedPods === 'every' ? every : movedPods);
  });

  it('in a changed namespace, the pods of unchanged workloads are kept', () => {
    const before = rebuildCluster(base, OPTIONS);
    const after = rebuildCluster(plus(deployment('api', 'shop', 3)), OPTIONS, before.memory).state;
    const reused = new Set(before.state.pods);
    expect(after.pods.filter((p) => p.namespace === 'shop' && !reused.has(p)).map((p) => p.owner)).toEqual(['Deployment/api', 'Deployment/api', 'Deployment/api']);
  });

  it('twice in a row: every Service keeps its endpoints', () => {
    const built = rebuildCluster(base, OPTIONS);
    const first = built.state;
    const second = rebuildCluster([...base], OPTIONS, built.memory).state;
    expect(dump(second)).toBe(dump(first));
    const withEndpoints = second.services.filter((service) => service.endpoints.length > 0);
    expect(withEndpoints.length).toBeGreaterThan(5);
    for (const service of withEndpoints) expect(service.endpoints).toBe(first.services[second.services.indexOf(service)]!.endpoints);
  });

  it("a Service edited: only its endpoints are derived again", () => {
    const built = rebuildCluster(base, OPTIONS);
    const first = built.state;
    const second = rebuildCluster(replacing('Service', 'web-hl', 'apiVersion: v1\nkind: Service\nmetadata: {name: web-hl, namespace: shop}\nspec: {clusterIP: None, selector: {app: web}, ports: [{port: 80}]}\n'), OPTIONS, built.memory).state;
    const derived = second.services.filter((service) => service.endpoints.length > 0 && service.endpoints !== first.services.find((s) => s.name === service.name && s.namespace === service.namespace)?.endpoints);
    expect(derived.map((s) => `${s.namespace}/${s.name}`)).toEqual(['shop/web-hl']);
  });

  it("a namespace's pods changed: its Services' endpoints are made anew, sharing no endpoint with the last build's", () => {
    const built = rebuildCluster(base, OPTIONS);
    const first = built.state;
    const second = rebuildCluster(plus(deployment('api', 'shop', 3)), OPTIONS, built.memory).state;
    const before = new Set(first.services.flatMap((s) => s.endpoints));
    for (const service of second.services) {
      const old = first.services.find((s) => s.name === service.name && s.namespace === service.namespace)!;
      if (service.endpoints.length === 0) continue;
      if (service.namespace !== 'shop') expect(service.endpoints).toBe(old.endpoints);
      else expect(service.endpoints.filter((e) => before.has(e) && e.pod !== undefined)).toEqual([]);
    }
  });

  it('a memory is used once: a second build from it keeps the addresses and reuses nothing', () => {
    const built = rebuildCluster(base, OPTIONS);
    const next = plus(deployment('api', 'shop', 3));
    const once = rebuildCluster(next, OPTIONS, built.memory).state;
    const twice = rebuildCluster(next, OPTIONS, built.memory).state;
    expect(dump(twice)).toBe(dump(once));
    expect(kept(once, twice).kept).toEqual([]);
  });

  it('two clusters in one process do not share addresses or pods', () => {
    const a = rebuildCluster(base, OPTIONS);
    const crowding = plus(`apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: aaa, namespace: aaa}\nspec:\n  replicas: 400\n  selector: {matchLabels: {app: a}}\n  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c}]}}\n`);
    rebuildCluster(crowding, OPTIONS);
    expect(dump(rebuildCluster([...base], OPTIONS, a.memory).state)).toBe(dump(a.state));
    expect(dump(buildCluster(base, OPTIONS))).toBe(dump(a.state));
  });
});

/** Pods in both states, with synthesized addresses in both, whose addresses differ. */
function moved(before: ClusterState, after: ClusterState): string[] {
  const was = new Map(before.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  return after.pods
    .filter((p) => {
      const old = was.get(`${p.namespace}/${p.name}`);
      return old !== undefined && JSON.stringify(old.ips) !== JSON.stringify(p.ips) && !(p as { origin?: { givenIPs?: unknown } }).origin?.givenIPs && !(old as { origin?: { givenIPs?: unknown } }).origin?.givenIPs;
    })
    .map((p) => `${p.namespace}/${p.name}`);
}

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('edits in a crowded pod CIDR (addresses probe past each other)', () => {
  // 50 to 110 pods in 126 or 510 addresses: many new pods land on a taken
  // slot, so every path of resettle.ts (vacated slots, new pods probing past
  // kept ones, placing every pod again) runs, and each rebuild is checked
  // against placing every pod with the old addresses kept.
  const cidrs = { crowded: ['10.244.0.0/25', 'fd00:10:244::/121'], roomy: ['10.244.0.0/23', 'fd00:10:244::/119'] };
  const namespaces = ['a', 'b', 'c'];

  function cluster(size: Map<string, number>, pods: Map<string, string | undefined>): ManifestObject[] {
    const yaml: string[] = [];
    for (const [key, replicas] of size) {
      const [namespace, name] = key.split('/') as [string, string];
      yaml.push(deployment(name, namespace, replicas));
      if (replicas % 2 === 0) yaml.push(`apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {clusterIP: None, selector: {app: ${name}}, ports: [{port: 80}]}\n`);
    }
    for (const namespace of namespaces) {
      yaml.push(`apiVersion: v1\nkind: Service\nmetadata: {name: front, namespace: ${namespace}}\nspec: {selector: {tier: front}, ports: [{port: 80}]}\n`);
      yaml.push(`apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${namespace}}\nspec: {clusterIP: None, selector: {app: web}, ports: [{port: 80}]}\n`);
    }
    for (const [key, ip] of pods) {
      const [namespace, name] = key.split('/') as [string, string];
      yaml.push(pod(name, namespace, ip));
    }
    return objects(yaml.join('---\n'));
  }

  it.each([
    { seed: 1, space: 'crowded' },
    { seed: 2, space: 'crowded' },
    { seed: 3, space: 'roomy' },
    { seed: 4, space: 'roomy' },
  ] as const)('seed $seed, $space: 40 edits in a row, nobody moves, each what placing every pod with the old addresses kept gives', ({ seed, space }) => {
    const crowded: ClusterOptions = { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: cidrs[space], nodeCount: 2 };
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const size = new Map<string, number>();
    for (let i = 0; i < 12; i++) size.set(`${pick(namespaces)}/d${i}`, 2 + Math.floor(next() * 8));
    const pods = new Map<string, string | undefined>();
    // Objects of untouched workloads stay the same ones from edit to edit, as the loader keeps them.
    let previous = cluster(size, pods);
    const sameObjects = (list: ManifestObject[]): ManifestObject[] =>
      list.map((object) => previous.find((o) => o.kind === object.kind && o.meta.namespace === object.meta.namespace && o.meta.name === object.meta.name && JSON.stringify(o) === JSON.stringify(object)) ?? object);
    let before = rebuildCluster(previous, crowded);
    let keptAny = false;
    for (let edit = 0; edit < 40; edit++) {
      const roll = next();
      if (roll < 0.35) size.set(pick([...size.keys()]), Math.floor(next() * 10));
      else if (roll < 0.5) size.set(`${pick(namespaces)}/n${edit}`, 1 + Math.floor(next() * 4));
      else if (roll < 0.6 && size.size > 1) size.delete(pick([...size.keys()]));
      else if (roll < 0.75) pods.set(`${pick(namespaces)}/p${edit}`, undefined);
      else if (roll < 0.85) pods.set(`${pick(namespaces)}/q${edit}`, `10.244.0.${1 + Math.floor(next() * 126)}`);
      else if (pods.size > 0) pods.delete(pick([...pods.keys()]));
      const input = sameObjects(cluster(size, pods));
      const expected = dump(fresh(input, crowded, before));
      const after = rebuildCluster(input, crowded, before.memory);
      expect(dump(after.state), `edit ${edit}`).toBe(expected);
      expect(strayPods(after.state), `edit ${edit}`).toEqual([]);
      expect(moved(before.state, after.state), `edit ${edit}`).toEqual([]);
      const reuse = kept(before.state, after.state);
      if (reuse.kept.length > 0) keptAny = true;
      if (process.env.REUSE_STATS) console.log(`seed ${seed} edit ${edit}: kept ${reuse.kept.join(',')} renewed ${reuse.renewed.join(',')}`);
      [previous, before] = [input, after];
    }
    expect(keptAny).toBe(true);
  });
});
