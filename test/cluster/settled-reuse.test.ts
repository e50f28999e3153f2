// A rebuild reuses the last build's settled pods when the pod and workload
// objects are the very same ones (the loader hands back unchanged files'
// objects) and nothing new is taken in the pod CIDRs. Whatever changed, the
// state must be exactly what a fresh build gives.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import type { ManifestObject } from '../../src/cluster/model.js';
import type { ClusterOptions, ClusterState } from '../../src/cluster/state.js';
import { parseManifestText } from '../../src/manifests/index.js';

const OPTIONS: ClusterOptions = { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 2 };
const base = parseManifestText(readFileSync(new URL('fixtures/mixed-cluster.yaml', import.meta.url), 'utf8'), 'mixed-cluster.yaml').objects;

const objects = (yaml: string): ManifestObject[] => parseManifestText(yaml, 'edit.yaml').objects;
const plus = (yaml: string): ManifestObject[] => [...base, ...objects(yaml)];
const without = (kind: string, name: string): ManifestObject[] => base.filter((o) => !(o.kind === kind && o.meta.name === name));

/** Everything the state holds, in order. */
function dump(state: ClusterState): string {
  return JSON.stringify({ services: state.services, pods: state.pods, warnings: state.warnings, namespaces: [...state.namespaces] });
}

/** A build with nothing to reuse: the one before it had other pod objects. */
function fresh(input: readonly ManifestObject[], options = OPTIONS): ClusterState {
  buildCluster([], options);
  return buildCluster(input, options);
}

const firstPodAddress = fresh(base).pods[0]!.ips[0]!;

describe('a rebuild after an edit', () => {
  const rows: { edit: string; next: ManifestObject[]; options?: ClusterOptions; reused: boolean }[] = [
    { edit: 'nothing changed', next: [...base], reused: true },
    { edit: 'a Service added', next: plus('apiVersion: v1\nkind: Service\nmetadata: {name: extra, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 81}]}\n'), reused: true },
    { edit: 'a Service removed', next: without('Service', 'web'), reused: true },
    { edit: 'a Deployment scaled (a new object)', next: [...without('Deployment', 'web'), ...objects('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 6\n  selector: {matchLabels: {app: web}}\n  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: w, image: x}]}}\n')], reused: false },
    { edit: 'a Pod added', next: plus('apiVersion: v1\nkind: Pod\nmetadata: {name: extra, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}\n'), reused: false },
    { edit: `a Service claiming a pod's address (${firstPodAddress}) as its cluster IP`, next: plus(`apiVersion: v1\nkind: Service\nmetadata: {name: squatter, namespace: shop}\nspec: {clusterIP: ${firstPodAddress}, ports: [{port: 80}]}\n`), reused: false },
    { edit: "Endpoints naming a pod's address", next: plus(`apiVersion: v1\nkind: Service\nmetadata: {name: ext, namespace: shop}\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: ext, namespace: shop}\nsubsets: [{addresses: [{ip: ${firstPodAddress}}], ports: [{port: 80}]}]\n`), reused: false },
    { edit: 'another node count', next: [...base], options: { ...OPTIONS, nodeCount: 3 }, reused: false },
    { edit: 'another pod CIDR', next: [...base], options: { ...OPTIONS, podCIDRs: ['10.245.0.0/16'] }, reused: false },
  ];

  it.each(rows)('$edit: the state a fresh build gives', ({ next, options, reused }) => {
    const expected = dump(fresh(next, options));
    const before = buildCluster(base, OPTIONS);
    const after = buildCluster(next, options ?? OPTIONS);
    expect(dump(after)).toBe(expected);
    // Reused pods are the same objects; recomputed ones are new.
    expect(after.pods.includes(before.pods[0]!)).toBe(reused);
  });

  it('twice in a row: the second build shares no endpoint with the first beyond what it rebuilds', () => {
    const first = buildCluster(base, OPTIONS);
    const second = buildCluster([...base], OPTIONS);
    expect(dump(second)).toBe(dump(first));
    expect(second.services.find((s) => s.endpoints.length > 0)!.endpoints[0]).not.toBe(first.services.find((s) => s.endpoints.length > 0)!.endpoints[0]);
  });
});
