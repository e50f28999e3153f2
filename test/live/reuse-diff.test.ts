// The names a reload reports as changed, when the rebuild kept the last
// build's pods and endpoints (and changesSince skips endpoint lists it kept):
// always what comparing the two full listings gives.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rebuildCluster } from '../../src/cluster/build.js';
import type { ManifestObject } from '../../src/cluster/model/model.js';
import type { ClusterOptions } from '../../src/cluster/model/state.js';
import { diffRecords } from '../../src/live/diff.js';
import { parseManifestText } from '../../src/manifests/index.js';
import { buildRecordIndex, type IndexOptions } from '../../src/records/index.js';

const OPTIONS: ClusterOptions = { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 2 };
const INDEX: Omit<IndexOptions, 'serial'> = { zone: 'cluster.local', ttl: 5, podMode: 'verified', nameserverAddresses: ['127.0.0.1'] };
const fixture = new URL('../cluster/fixtures/mixed-cluster.yaml', import.meta.url);
const base = parseManifestText(readFileSync(fixture, 'utf8'), 'mixed-cluster.yaml').objects;
const objects = (yaml: string): ManifestObject[] => parseManifestText(yaml, 'edit.yaml').objects;
const without = (kind: string, name: string): ManifestObject[] => base.filter((o) => !(o.kind === kind && o.meta.name === name));

const web = (replicas: number, annotations = '{}'): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: web}}\n` +
  `  template:\n    metadata: {labels: {app: web, tier: front}, annotations: ${annotations}}\n` +
  `    spec: {containers: [{name: main, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]}\n`;

describe('changesSince after a rebuild that kept pods and endpoints', () => {
  const rows: { edit: string; next: ManifestObject[] }[] = [
    { edit: 'nothing', next: [...base] },
    { edit: 'a Service added elsewhere', next: [...base, ...objects('apiVersion: v1\nkind: Service\nmetadata: {name: extra, namespace: default}\nspec: {selector: {app: cache}, ports: [{port: 81}]}\n')] },
    { edit: 'a Deployment scaled', next: [...without('Deployment', 'web'), ...objects(web(6))] },
    { edit: "a Deployment's pods get an address annotation", next: [...without('Deployment', 'web'), ...objects(web(4, '{clusterdns.io/address: 192.0.2.7}'))] },
    { edit: 'a Deployment added in a new namespace', next: [...base, ...objects(web(2).replace('namespace: shop', 'namespace: other'))] },
    { edit: 'a StatefulSet removed', next: without('StatefulSet', 'db') },
  ];

  it.each(rows)('$edit: the names a full comparison gives', async ({ next }) => {
    const first = rebuildCluster(base, OPTIONS);
    const before = buildRecordIndex(first.state, { ...INDEX, serial: 1 });
    const after = buildRecordIndex(rebuildCluster(next, OPTIONS, first.memory).state, { ...INDEX, serial: 2 });
    const changes = await after.changesSince!(before);
    expect(changes).toEqual(diffRecords(before.records(), after.records()));
  });
});
