// Counting before building (issue 15 item 4): the pod cap and CIDRs that
// would run out, named with the objects that grew.

import { describe, expect, it } from 'vitest';
import { capacityProblems, type CapacityOptions } from '../../src/cluster/addresses/capacity.js';
import type { ManifestObject } from '../../src/cluster/model/model.js';
import { parseManifestText } from '../../src/manifests/index.js';

const OPTIONS: CapacityOptions = { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 3, maxPods: 1_000_000 };

const objects = (yaml: string): ManifestObject[] => {
  const load = parseManifestText(yaml, 'test.yaml');
  if (!load.ok) throw new Error(load.problems.map((p) => p.message).join('\n'));
  return load.objects;
};
const workload = (kind: string, name: string, replicas: number, namespace = 'default'): string =>
  `apiVersion: apps/v1\nkind: ${kind}\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  replicas: ${replicas}\n  serviceName: ${name}\n  selector: {matchLabels: {app: ${name}}}\n  template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: c, image: x}]}}\n`;
const statefulSets = (count: number, replicas: number): string =>
  Array.from({ length: count }, (_, i) => workload('StatefulSet', `s${i}`, replicas)).join('---\n');
const pod = (name: string, ip?: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec: {containers: [{name: c, image: x}]}\n${ip ? `status: {phase: Running, podIP: ${ip}}\n` : ''}`;
const service = (name: string, clusterIP?: string): string =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {${clusterIP ? `clusterIP: ${clusterIP}, ` : ''}ports: [{port: 80}]}\n`;

describe('capacityProblems', () => {
  const rows: { what: string; yaml: string; options?: Partial<CapacityOptions>; before?: string; problems: (string | RegExp)[] }[] = [
    { what: 'a small cluster fits', yaml: statefulSets(3, 100), problems: [] },
    { what: 'exactly the /16 (65,534 pods) fits', yaml: workload('Deployment', 'd', 65_534), problems: [] },
    {
      what: 'one pod past the /16',
      yaml: `${workload('Deployment', 'd', 65_534)}---\n${pod('extra')}`,
      problems: ['pod CIDR 10.244.0.0/16 would run out: 65,535 pods need an IPv4 address from it and it has 65,534 (65,534 less 0 written in manifests); pods added by Deployment/default/d (+65,534), Pod/default/extra (+1)'],
    },
    {
      what: 'a written pod IP in the CIDR takes a slot; a Pod with a written IP needs none',
      yaml: `${workload('Deployment', 'd', 65_533)}---\n${pod('given', '10.244.9.9')}---\n${pod('bare')}`,
      problems: [/^pod CIDR 10\.244\.0\.0\/16 would run out: 65,534 pods need an IPv4 address from it and it has 65,533 \(65,534 less 1 written/],
    },
    {
      what: '30 StatefulSets x 10,000 (the issue): the growth is named, largest first',
      yaml: statefulSets(30, 10_000),
      before: statefulSets(1, 3),
      problems: [
        'pod CIDR 10.244.0.0/16 would run out: 300,000 pods need an IPv4 address from it and it has 65,534 (65,534 less 0 written in manifests); ' +
          'pods added by StatefulSet/default/s1 (+10,000), StatefulSet/default/s10 (+10,000), StatefulSet/default/s11 (+10,000), StatefulSet/default/s12 (+10,000), ' +
          'StatefulSet/default/s13 (+10,000) and 25 more objects (+249,997)',
      ],
    },
    {
      what: 'past --max-pods',
      yaml: statefulSets(3, 10),
      options: { maxPods: 25 },
      problems: [/^30 pods would pass the pod cap of 25 \(--max-pods\); pods added by StatefulSet\/default\/s0 \(\+10\)/],
    },
    {
      what: 'DaemonSets count one pod a node, Jobs their parallelism',
      yaml: `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds}\nspec:\n  selector: {matchLabels: {app: ds}}\n  template: {metadata: {labels: {app: ds}}, spec: {containers: [{name: c}]}}\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  parallelism: 4\n  template: {spec: {containers: [{name: c}]}}\n`,
      options: { maxPods: 6 },
      problems: ['7 pods would pass the pod cap of 6 (--max-pods); pods added by Job/default/j (+4), DaemonSet/default/ds (+3)'],
    },
    {
      what: 'a service CIDR that runs out (/30: two hosts, the first the kubernetes Service\'s)',
      yaml: `${service('a')}---\n${service('b')}`,
      options: { serviceCIDRs: ['10.96.0.0/30'] },
      problems: ['service CIDR 10.96.0.0/30 would run out: 2 Services need an IPv4 cluster IP from it and it has 1'],
    },
    { what: 'headless Services and written cluster IPs need none', yaml: `${service('a', 'None')}---\n${service('b', '10.96.0.2')}`, options: { serviceCIDRs: ['10.96.0.0/30'] }, problems: [] },
  ];

  it.each(rows)('$what', ({ yaml, options, before, problems }) => {
    const found = capacityProblems(objects(yaml), { ...OPTIONS, ...options }, before ? objects(before) : []);
    expect(found).toEqual(problems.map((p) => (typeof p === 'string' ? p : expect.stringMatching(p))));
  });

  it('counts 101 StatefulSets x 10,000 replicas without building them', () => {
    const input = objects(statefulSets(101, 10_000));
    const started = performance.now();
    const found = capacityProblems(input, OPTIONS);
    const ms = performance.now() - started;
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^1,010,000 pods would pass the pod cap of 1,000,000/);
    // Not a timing test: building those pods takes seconds; counting them is a loop over 100 objects.
    expect(ms).toBeLessThan(1000);
  });
});
