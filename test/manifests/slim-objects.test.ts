// How decoded objects are built (src/manifests/decode/defined.ts, reader.ts
// stringMap): absent fields are left out rather than set to undefined, and
// every empty label/annotation map is one frozen object. Both keep a 150,000
// pod cluster's memory down; these rows pin what a reader of the objects sees.

import { describe, expect, it } from 'vitest';
import { definedFields } from '../../src/manifests/decode/defined.js';
import { parseManifestText } from '../../src/manifests/index.js';
import type { ManifestObject, ServiceObject, StatefulSetObject } from '../../src/cluster/model/model.js';

describe('definedFields', () => {
  const rows: { name: string; input: Record<string, unknown>; want: Record<string, unknown>; keys: string[] }[] = [
    { name: 'undefined fields are left out', input: { a: 1, b: undefined, c: 'x' }, want: { a: 1, c: 'x' }, keys: ['a', 'c'] },
    { name: 'falsy values stay', input: { zero: 0, empty: '', no: false, nil: null }, want: { zero: 0, empty: '', no: false, nil: null }, keys: ['zero', 'empty', 'no', 'nil'] },
    { name: 'nothing defined: an empty object', input: { a: undefined }, want: {}, keys: [] },
    { name: 'key order is kept', input: { z: 1, a: 2, m: undefined, b: 3 }, want: { z: 1, a: 2, b: 3 }, keys: ['z', 'a', 'b'] },
  ];
  it.each(rows)('$name', ({ input, want, keys }) => {
    const out = definedFields(input);
    expect(out).toEqual(want);
    expect(Object.keys(out)).toEqual(keys);
    expect(out).not.toBe(input);
  });
});

function load(text: string): ManifestObject[] {
  const result = parseManifestText(text, 'm.yaml');
  expect(result.problems).toEqual([]);
  return [...result.objects];
}

const SERVICES = `apiVersion: v1
kind: Service
metadata: {name: plain}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: full, labels: {tier: web}}
spec:
  clusterIP: 10.96.0.9
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

const STATEFULSET = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, ports: [{containerPort: 8080}]}]
`;

describe('decoded objects carry no undefined fields', () => {
  it('a service without the optional fields has no such keys', () => {
    const [plain] = load(SERVICES) as ServiceObject[];
    expect(Object.keys(plain ?? {}).sort()).toEqual(['kind', 'meta', 'ports', 'publishNotReadyAddresses', 'type']);
    expect(Object.keys(plain?.ports[0] ?? {}).sort()).toEqual(['port', 'protocol']);
    expect(Object.keys(plain?.meta ?? {}).sort()).toEqual(['annotations', 'labels', 'name', 'namespace', 'source']);
  });
  it('a service with them has them', () => {
    const [, full] = load(SERVICES) as ServiceObject[];
    expect(full).toMatchObject({ clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], selector: { app: 'web' } });
    expect(full?.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }]);
  });
  it('a pod template spec and its container ports', () => {
    const [sts] = load(STATEFULSET) as StatefulSetObject[];
    expect(sts?.template.spec).toEqual({ restartPolicy: 'Always', containerPorts: [{ containerPort: 8080, protocol: 'TCP' }] });
    expect('serviceName' in (sts ?? {})).toBe(false);
  });
});

describe('empty label and annotation maps', () => {
  it('are one shared object that cannot be written to', () => {
    const [plain, full] = load(SERVICES) as ServiceObject[];
    expect(plain?.meta.labels).toEqual({});
    expect(plain?.meta.labels).toBe(full?.meta.annotations);
    expect(Object.isFrozen(plain?.meta.labels)).toBe(true);
    expect(() => {
      (plain?.meta.labels as Record<string, string>).x = 'y';
    }).toThrow(TypeError);
  });
  it('non-empty maps are the object’s own', () => {
    const [, full] = load(SERVICES) as ServiceObject[];
    expect(full?.meta.labels).toEqual({ tier: 'web' });
    expect(Object.isFrozen(full?.meta.labels)).toBe(false);
  });
});
