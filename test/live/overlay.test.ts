import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { DEFAULT_CLUSTER_OPTIONS } from '../../src/cluster/model/state.js';
import { objectKey } from '../../src/cluster/model/model.js';
import { parseManifestText } from '../../src/manifests/index.js';
import { buildRecordIndex } from '../../src/records/index.js';
import { formatRecord } from '../../src/dns/zonetext.js';
import {
  EMPTY_OVERLAY,
  applyPodReadiness,
  overlayObjects,
  withDeletion,
  withPodReady,
  withReplicas,
  withUpserts,
} from '../../src/live/overlay.js';

const FILES = parseManifestText(
  `apiVersion: v1
kind: Service
metadata: {name: nginx}
spec: {clusterIP: None, selector: {app: nginx}, ports: [{name: web, port: 80}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 3
  selector: {matchLabels: {app: nginx}}
  template: {metadata: {labels: {app: nginx}}, spec: {containers: [{name: c}]}}
`,
  'files.yaml',
).objects;

const podNames = (objects: ReturnType<typeof overlayObjects>) => buildCluster(objects, DEFAULT_CLUSTER_OPTIONS).pods.map((p) => p.name).sort();

describe('overlay', () => {
  it('scale: StatefulSet ordinals grow and shrink from the top', () => {
    const key = 'StatefulSet/default/web';
    expect(podNames(overlayObjects(FILES, withReplicas(EMPTY_OVERLAY, key, 5)))).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4']);
    expect(podNames(overlayObjects(FILES, withReplicas(EMPTY_OVERLAY, key, 1)))).toEqual(['web-0']);
  });

  it('apply replaces an object in place and adds new ones; delete hides file objects', () => {
    const extra = parseManifestText('apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {ports: [{port: 80}]}\n', '<api>').objects;
    const upserted = overlayObjects(FILES, withUpserts(EMPTY_OVERLAY, extra));
    expect(upserted.map(objectKey)).toEqual(['Service/default/nginx', 'StatefulSet/default/web', 'Service/default/api']);
    const deleted = overlayObjects(FILES, withDeletion(withUpserts(EMPTY_OVERLAY, extra), 'Service/default/nginx'));
    expect(deleted.map(objectKey)).toEqual(['StatefulSet/default/web', 'Service/default/api']);
  });

  it('applying a deleted object again brings it back', () => {
    const overlay = withUpserts(withDeletion(EMPTY_OVERLAY, 'Service/default/nginx'), [FILES[0]!]);
    expect(overlayObjects(FILES, overlay).map(objectKey)).toEqual(['Service/default/nginx', 'StatefulSet/default/web']);
  });

  it('pod readiness reaches synthesized pods and their endpoints', () => {
    const state = buildCluster(FILES, DEFAULT_CLUSTER_OPTIONS);
    const adjusted = applyPodReadiness(state, withPodReady(EMPTY_OVERLAY, 'default/web-1', false).podReady);
    expect(adjusted.pods.find((p) => p.name === 'web-1')?.ready).toBe(false);
    const nginx = adjusted.services.find((s) => s.name === 'nginx')!;
    const podsOf = (ready: boolean) => nginx.endpoints.filter((e) => e.ready === ready).map((e) => `${e.pod?.namespace}/${e.pod?.name}`);
    expect(podsOf(true).sort()).toEqual(['default/web-0', 'default/web-2']);
    expect(podsOf(false)).toEqual(['default/web-1']);
  });

  it("a readiness override keeps a pod's address annotation on its endpoints (found by name, not by Pod object)", () => {
    const objects = parseManifestText(
      `apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, labels: {app: db}, annotations: {clusterdns.io/address: 192.0.2.7}}
spec: {hostname: db-0, subdomain: db, containers: [{name: c}]}
status: {phase: Running, podIP: 10.244.1.10, conditions: [{type: Ready, status: "False"}]}
`,
      'db.yaml',
    ).objects;
    const state = applyPodReadiness(buildCluster(objects, DEFAULT_CLUSTER_OPTIONS), withPodReady(EMPTY_OVERLAY, 'default/db-0', true).podReady);
    // The state's pod is a new object; the endpoint still refers to the built one.
    expect(state.services.find((s) => s.name === 'db')?.endpoints[0]?.pod).not.toBe(state.pods[0]);
    const index = buildRecordIndex(state, { zone: 'cluster.local', ttl: 5, podMode: 'insecure', serial: 1, nameserverAddresses: ['127.0.0.1'] });
    const lines = index.records().map(formatRecord);
    expect(lines.filter((line) => line.includes(' IN A ') && line.includes('db'))).toEqual([
      'db.default.svc.cluster.local. 5 IN A 192.0.2.7',
      'db-0.db.default.svc.cluster.local. 5 IN A 192.0.2.7',
    ]);
  });
});
