// What real manifest sources hold (issue 18): typed lists without item
// kinds, kinds clusterdns skips (never refused for their own fields),
// generateName, long pod names, long Service port names, ReplicationControllers,
// and the warnings for a kind that is probably a typo or an apiVersion that
// does not serve a kind.

import { describe, expect, test } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { formatProblem } from '../../src/cluster/model/problems.js';
import { parseManifestText } from '../../src/manifests/index.js';
import { editDistance, nearModelledKind } from '../../src/manifests/decode/kinds.js';
import { buildRecordIndex } from '../../src/records/index.js';

const F = 'dump.yaml';

function load(text: string) {
  const result = parseManifestText(text, F);
  return { result, problems: result.problems.map((problem) => `${problem.level}: ${formatProblem(problem)}`) };
}

function recordsOf(text: string): string[] {
  const { result, problems } = load(text);
  expect(problems.filter((line) => line.startsWith('error'))).toEqual([]);
  const state = buildCluster(result.objects, { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 1 });
  const index = buildRecordIndex(state, { zone: 'cluster.local', ttl: 5, podMode: 'verified', serial: 1, nameserverAddresses: ['127.0.0.1'] });
  return index.records().map((record) => `${record.name} ${record.data.type}`);
}

describe('typed lists (PodList, DeploymentList, ... as the API server writes them)', () => {
  test('items without kind and apiVersion take the list kind without "List" and the list apiVersion', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: DeploymentList',
      'metadata: {resourceVersion: "12"}',
      'items:',
      '- metadata: {name: web, namespace: shop}',
      '  spec:',
      '    selector: {matchLabels: {app: web}}',
      '    template: {metadata: {labels: {app: web}}}',
      '- metadata: {name: api, namespace: shop}',
      '  spec:',
      '    replicas: 2',
      '    selector: {matchLabels: {app: api}}',
      '    template: {metadata: {labels: {app: api}}}',
      '',
    ].join('\n');
    const { result, problems } = load(text);
    expect(problems).toEqual([]);
    expect(result.objects.map((o) => `${o.kind}/${o.meta.namespace}/${o.meta.name} ${JSON.stringify(o.meta.source)}`)).toEqual([
      `Deployment/shop/web {"file":"${F}","document":1,"line":5,"item":0}`,
      `Deployment/shop/api {"file":"${F}","document":1,"line":9,"item":1}`,
    ]);
  });

  test('a JSON PodList (kubectl get -o json through the API) loads; a wrong item kind is still refused', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'PodList',
      items: [{ metadata: { name: 'a', namespace: 'x' }, spec: { containers: [] }, status: { podIP: '10.244.0.9', phase: 'Running' } }],
    };
    expect(load(JSON.stringify(list, null, 2)).result.objects.map((o) => o.kind)).toEqual(['Pod']);
    const wrong = { ...list, items: [{ ...list.items[0], apiVersion: 'apps/v1' }] };
    expect(load(JSON.stringify(wrong, null, 2)).problems).toEqual([
      `error: ${F}, document 1, item 0 (line 17): apiVersion: kind Pod is served as apiVersion "v1", got "apps/v1" (no matches for kind "Pod" in version "apps/v1")`,
    ]);
  });

  test('in a plain `kind: List` every item still needs its kind', () => {
    expect(load('apiVersion: v1\nkind: List\nitems:\n- metadata: {name: a}\n').problems).toEqual([
      `error: ${F}, document 1, item 0 (line 4): kind: required field is missing (the kind of object, e.g. "Service")`,
      `error: ${F}, document 1, item 0 (line 4): apiVersion: required field is missing (the API group/version, e.g. "v1" or "apps/v1")`,
    ]);
  });
});

describe('kinds clusterdns skips', () => {
  test('are skipped without metadata (kustomization.yaml, IstioOperator, a scheduler Policy)', () => {
    const text = [
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]',
      'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  namespace: istio-system',
      'kind: Policy\napiVersion: v1\npredicates: []',
    ].join('\n---\n');
    const { result, problems } = load(text);
    expect(problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.skipped.map((s) => s.kind)).toEqual(['Kustomization', 'IstioOperator', 'Policy']);
  });

  test('a kind one typo away from a modelled one is a warning naming the likely kind', () => {
    const text = 'apiVersion: v1\nkind: Servcie\nmetadata: {name: web}\n---\napiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: web}\n---\napiVersion: v1\nkind: service\nmetadata: {name: x}\n';
    const { result, problems } = load(text);
    expect(result.ok).toBe(true);
    expect(problems).toEqual([
      `warning: ${F}, document 1 (line 2): kind: kind "Servcie" is not one clusterdns models, so this object is skipped; did you mean "Service"?`,
      `warning: ${F}, document 2 (line 6): kind: kind "Deploymnet" is not one clusterdns models, so this object is skipped; did you mean "Deployment"?`,
      `warning: ${F}, document 3 (line 10): kind: kind "service" is not one clusterdns models, so this object is skipped; did you mean "Service"?`,
    ]);
  });

  test('a built-in kind under an apiVersion that does not serve it is a warning', () => {
    const { problems } = load('apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web}\n');
    expect(problems).toEqual([
      `warning: ${F}, document 1 (line 1): apiVersion: kind Ingress is served as apiVersion "networking.k8s.io/v1", got "extensions/v1beta1" (no matches for kind "Ingress" in version "extensions/v1beta1"; the API server would refuse it)`,
    ]);
  });

  test.each([
    { kind: 'Servcie', near: 'Service' },
    { kind: 'Deploymnet', near: 'Deployment' },
    { kind: 'Statefulset', near: 'StatefulSet' },
    { kind: 'EndpointSlices', near: 'EndpointSlice' },
    { kind: 'Node', near: undefined },
    { kind: 'Secret', near: undefined },
    { kind: 'Role', near: undefined },
    { kind: 'Gateway', near: undefined },
    { kind: 'CronJob', near: undefined },
  ])('nearModelledKind($kind) is $near', ({ kind, near }) => {
    expect(nearModelledKind(kind)).toBe(near);
  });

  test('editDistance counts a swap of neighbours as one edit', () => {
    expect(editDistance('servcie', 'service')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('names', () => {
  test('generateName gives a deterministic name: the prefix and five controller-style characters', () => {
    const text = 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n  namespace: shop\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n';
    const first = load(text).result.objects.map((o) => o.meta.name);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(/^migrate-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(load(text).result.objects.map((o) => o.meta.name)).toEqual(first);
    // Two of them in one file get two names.
    const two = load(`${text}---\n${text}`).result;
    expect(two.ok).toBe(true);
    expect(new Set(two.objects.map((o) => o.meta.name)).size).toBe(2);
  });

  test('a pod name longer than 63 characters loads; its endpoint is named by dashed IP', () => {
    const long = 'test-name-longer-than-63-characters-making-it-an-invalid-dns-label';
    const text = [
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${long}\n  labels: {app: l}\nspec:\n  containers: []\nstatus:\n  phase: Running\n  podIP: 10.244.0.7\n  conditions: [{type: Ready, status: "True"}]`,
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: l\nspec:\n  clusterIP: None\n  selector: {app: l}',
    ].join('\n---\n');
    const records = recordsOf(text);
    expect(records).toContain('l.default.svc.cluster.local A');
    expect(records).toContain('10-244-0-7.l.default.svc.cluster.local A');
    expect(records.some((line) => line.includes(long))).toBe(false);
  });

  test('a Service port name of up to 63 characters answers SRV', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: jaeger}\nspec:\n  ports:\n  - {name: jaeger-collector-http, port: 14268}\n  - {name: jaeger-collector-grpc, port: 14250}\n';
    expect(recordsOf(text)).toEqual(
      expect.arrayContaining([
        '_jaeger-collector-http._tcp.jaeger.default.svc.cluster.local SRV',
        '_jaeger-collector-grpc._tcp.jaeger.default.svc.cluster.local SRV',
      ]),
    );
  });
});

describe('ReplicationController', () => {
  const rc = (selector: string) =>
    `apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: redis\nspec:\n  replicas: 2\n${selector}  template:\n    metadata:\n      labels: {app: redis}\n    spec:\n      containers: [{name: r, ports: [{containerPort: 6379, name: redis}]}]\n`;
  const svc = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: redis\nspec:\n  clusterIP: None\n  selector: {app: redis}\n  ports: [{name: redis, port: 6379}]\n';

  test('its pods are `<rc>-<5 chars>`, the same every build, and back a headless Service', () => {
    for (const selector of ['', '  selector: {app: redis}\n']) {
      const { result, problems } = load(`${rc(selector)}---\n${svc}`);
      expect(problems).toEqual([]);
      const options = { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 1 };
      const pods = buildCluster(result.objects, options).pods.filter((pod) => pod.owner === 'ReplicationController/redis');
      expect(pods.map((pod) => pod.name)).toEqual(buildCluster(result.objects, options).pods.filter((p) => p.owner).map((p) => p.name));
      expect(pods).toHaveLength(2);
      for (const pod of pods) expect(pod.name).toMatch(/^redis-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      const headless = buildCluster(result.objects, options).services.find((s) => s.name === 'redis');
      expect(headless?.endpoints).toHaveLength(2);
    }
  });
});

describe('a cluster dump: workloads next to the pods they made', () => {
  const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template: {metadata: {labels: {app: web}}}\nstatus: {replicas: 2}\n';
  const replicaSet =
    'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-7c5d\n  namespace: shop\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true, uid: u}]\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template: {metadata: {labels: {app: web}}}\n';
  const pod = (name: string, ip: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: shop\n  labels: {app: web}\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7c5d, controller: true, uid: u}]\nspec: {containers: []}\nstatus: {phase: Running, podIP: ${ip}, conditions: [{type: Ready, status: "True"}]}\n`;
  const podsOf = (text: string) =>
    buildCluster(load(text).result.objects, { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 1 }).pods.map((p) => p.name);

  test('the loaded pods are the pods: the Deployment and its ReplicaSet make none of their own', () => {
    expect(podsOf([deployment, replicaSet, pod('web-7c5d-abcde', '10.244.1.1'), pod('web-7c5d-fghjk', '10.244.1.2')].join('---\n'))).toEqual(['web-7c5d-abcde', 'web-7c5d-fghjk']);
  });

  test('a Deployment and its ReplicaSet without pods make the replicas once', () => {
    expect(podsOf([deployment, replicaSet].join('---\n'))).toHaveLength(2);
  });
});

describe('skipped kinds are logged once per kind', () => {
  test('skippedKinds counts per kind, in order of first appearance, with the first place', async () => {
    const { skippedKinds } = await import('../../src/pipeline/index.js');
    const text = ['ConfigMap', 'Secret', 'ConfigMap', 'ConfigMap'].map((kind, i) => `apiVersion: v1\nkind: ${kind}\nmetadata: {name: o${i}}\n`).join('---\n');
    expect(skippedKinds(load(text).result.skipped)).toEqual([
      { kind: 'ConfigMap', count: 3, first: { file: F, document: 1, line: 1 } },
      { kind: 'Secret', count: 1, first: { file: F, document: 2, line: 5 } },
    ]);
  });
});
