// A built pod is one object (SettledPod, src/cluster/model/pods.ts) whose shared
// fields are getters on its workload's origin. What a reader sees must be
// the Pod it always was: the same fields, absent ones absent, in JSON and in
// the copy a live readiness override makes.

import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import type { ManifestObject } from '../../src/cluster/model/model.js';
import { podWithReadiness } from '../../src/cluster/model/pods.js';
import { DEFAULT_CLUSTER_OPTIONS, type Pod } from '../../src/cluster/model/state.js';
import { deployment, pod, statefulSet } from './objects.js';

const BASE = ['name', 'namespace', 'ips', 'labels', 'ready', 'terminating', 'source'];

const rows: { name: string; object: ManifestObject; keys: string[]; fields: Partial<Pod> }[] = [
  {
    name: 'StatefulSet pod: hostname, subdomain and owner',
    object: statefulSet('db', { replicas: 1, serviceName: 'db-hl' }),
    keys: [...BASE, 'hostname', 'subdomain', 'owner'],
    fields: { name: 'db-0', namespace: 'default', hostname: 'db-0', subdomain: 'db-hl', owner: 'StatefulSet/db', ready: true, terminating: false },
  },
  {
    name: 'Deployment pod: no hostname, no subdomain',
    object: deployment('web', { replicas: 1, namespace: 'shop' }),
    keys: [...BASE, 'owner'],
    fields: { namespace: 'shop', hostname: undefined, subdomain: undefined, owner: 'Deployment/web', ready: true },
  },
  {
    name: 'Pod object, not ready and terminating, with hostname and subdomain',
    object: pod('one', {
      spec: { hostname: 'h', subdomain: 'sub' },
      status: { phase: 'Running', podIPs: ['10.244.9.9'], readyCondition: false },
      deletionTimestamp: '2024-01-01T00:00:00Z',
    }),
    keys: [...BASE, 'hostname', 'subdomain'],
    fields: { name: 'one', ips: '10.244.9.9', hostname: 'h', subdomain: 'sub', owner: undefined, ready: false, terminating: true },
  },
  {
    name: 'Pod object with an empty hostname: none',
    object: pod('two', { spec: { hostname: '' } }),
    keys: BASE,
    fields: { name: 'two', hostname: undefined, subdomain: undefined, owner: undefined, address: undefined },
  },
];

describe('a built pod reads as a plain Pod', () => {
  for (const row of rows) {
    const [built] = buildCluster([row.object], DEFAULT_CLUSTER_OPTIONS).pods as [Pod];

    it(`${row.name}: its fields`, () => {
      expect({ ...Object.fromEntries(Object.keys(row.fields).map((key) => [key, built[key as keyof Pod]])) }).toEqual(row.fields);
    });

    it(`${row.name}: JSON has the Pod's fields only, absent ones left out`, () => {
      expect(Object.keys(JSON.parse(JSON.stringify(built)))).toEqual(row.keys);
    });

    it(`${row.name}: a readiness override copies every field`, () => {
      const copy = podWithReadiness(built, !built.ready);
      expect(Object.keys(copy)).toEqual(row.keys);
      expect(copy).toEqual({ ...JSON.parse(JSON.stringify(built)), source: built.source, ready: !built.ready });
    });
  }
});
