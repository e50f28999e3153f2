// The whole state built from fixtures/mixed-cluster.yaml, pinned against
// fixtures/mixed-cluster.state.txt. The file was recorded before the cluster
// build was reworked for 150,000-pod clusters (issue 6), so it holds the
// build to "faster and smaller, nothing else": every pod name, address,
// endpoint, order and warning is a line here. A deliberate change of
// behaviour re-records it: npx vitest run test/cluster/build-golden.test.ts -u

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import type { ClusterOptions, ClusterState, Pod, PodRef } from '../../src/cluster/model/state.js';
import { ipList } from '../../src/cluster/model/pod-ip-list.js';
import { parseManifestText } from '../../src/manifests/index.js';

const OPTIONS: Record<string, ClusterOptions> = {
  ipv4: { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 2 },
  dual: { serviceCIDRs: ['10.96.0.0/12', 'fd00:10:96::/112'], podCIDRs: ['10.244.0.0/16', 'fd00:10:244::/64'], nodeCount: 2 },
  'ipv6-first': { serviceCIDRs: ['fd00:10:96::/112', '10.96.0.0/12'], podCIDRs: ['fd00:10:244::/64', '10.244.0.0/16'], nodeCount: 1 },
  full: { serviceCIDRs: ['10.96.0.0/29'], podCIDRs: ['10.244.0.0/29'], nodeCount: 3 },
};

/**
 * One line per object, keys sorted; source lines left out (the loader's
 * business, not the build's). An endpoint's `pod` (a reference to its Pod) is
 * written as the `namespace/name` it once was.
 */
function canonical(value: unknown, key?: string): string {
  if (key === 'pod' && value !== null && typeof value === 'object') {
    const { namespace, name } = value as PodRef;
    return JSON.stringify(`${namespace}/${name}`);
  }
  if (value instanceof Set) return canonical([...value]);
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object).filter((key) => key !== 'line').sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(object[key], key)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The Pod's fields by name, absent ones left out: a built pod reads most of
 * them through getters (src/cluster/model/pods.ts SettledPod), which neither
 * Object.keys nor a spread sees. IPs are listed as the array recorded (a pod
 * holds one address without an array, state.ts PodIPs).
 */
function podFields(pod: Pod): Record<string, unknown> {
  const { name, namespace, labels, ready, terminating, hostname, subdomain, owner, source, address } = pod;
  const fields: Record<string, unknown> = { name, namespace, ips: ipList(pod.ips), labels, ready, terminating, hostname, subdomain, owner, source, address };
  for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
  return fields;
}

function dump(state: ClusterState): string {
  const lines = [`namespaces ${canonical(state.namespaces)}`];
  for (const service of state.services) lines.push(`service ${canonical(service)}`);
  for (const pod of state.pods) lines.push(`pod ${canonical(podFields(pod))}`);
  for (const warning of state.warnings) lines.push(`warning ${canonical(warning)}`);
  return lines.join('\n');
}

describe('buildCluster on a mixed cluster', () => {
  const text = readFileSync(new URL('fixtures/mixed-cluster.yaml', import.meta.url), 'utf8');
  const load = parseManifestText(text, 'mixed-cluster.yaml');

  it('loads', () => {
    expect(load.problems.filter((problem) => problem.level === 'error')).toEqual([]);
  });

  it('builds the recorded state with every option set', async () => {
    const sections = Object.entries(OPTIONS).map(([name, options]) => `# ${name}\n${dump(buildCluster(load.objects, options))}\n`);
    await expect(sections.join('')).toMatchFileSnapshot('fixtures/mixed-cluster.state.txt');
  });
});
