import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import type { ManifestObject } from '../../src/cluster/model/model.js';
import type { ClusterOptions, ClusterState } from '../../src/cluster/model/state.js';
import { deployment, pod, service, slice } from './objects.js';
import { ipAt, ipCount, ipList } from '../../src/cluster/model/pod-ip-list.js';

const options = (serviceCIDRs: string[], podCIDRs: string[] = ['10.244.0.0/16']): ClusterOptions => ({
  serviceCIDRs,
  podCIDRs,
  nodeCount: 1,
});
const ipsOf = (state: ClusterState, name: string) => state.services.find((s) => s.name === name)?.clusterIPs;
const messages = (state: ClusterState) => state.warnings.map((w) => w.message);

describe('synthesized addresses skip reserved and used ones (§6)', () => {
  it('skips network, broadcast, the kubernetes.default address and every explicit address', () => {
    // 10.96.0.0/29: hosts .1–.6; .1 is kubernetes.default; .2–.5 are written in manifests.
    const state = buildCluster(
      [
        service('a', { clusterIP: '10.96.0.2' }),
        service('b', { clusterIPs: ['10.96.0.3'] }),
        pod('p', { status: { phase: 'Running', podIPs: ['10.244.0.9'] } }),
        service('c', { clusterIP: '10.96.0.4' }),
        slice('s', { serviceName: 'c', endpoints: [{ addresses: ['10.96.0.5'], ready: true, terminating: false }] }),
        service('free', {}),
      ],
      options(['10.96.0.0/29']),
    );
    expect(ipsOf(state, 'kubernetes')).toEqual(['10.96.0.1']);
    expect(ipsOf(state, 'free')).toEqual(['10.96.0.6']);
    expect(messages(state)).toEqual([]);
  });

  it('finds the one free address at the very top of the IPv4 space', () => {
    // Taken addresses are a bitmap per /16 block: the last block, last bits.
    const state = buildCluster(
      [
        service('a', { clusterIP: '255.255.255.250' }),
        service('b', { clusterIP: '255.255.255.251' }),
        service('c', { clusterIP: '255.255.255.252' }),
        service('d', { clusterIP: '255.255.255.254' }),
        service('free', {}),
      ],
      options(['255.255.255.248/29']),
    );
    expect(ipsOf(state, 'kubernetes')).toEqual(['255.255.255.249']);
    expect(ipsOf(state, 'free')).toEqual(['255.255.255.253']);
  });

  it('a full service CIDR ⇒ warning and no address of that family', () => {
    // /30: .1 kubernetes, .2 the only other host; .0 and .3 are never handed out.
    const state = buildCluster([service('one', {}), service('two', {})], options(['10.96.0.0/30']));
    const all = [ipsOf(state, 'one'), ipsOf(state, 'two')];
    expect(all).toContainEqual(['10.96.0.2']);
    expect(all).toContainEqual([]);
    expect(messages(state)).toEqual([expect.stringMatching(/service CIDR 10\.96\.0\.0\/30 is full/)]);
  });

  it('a full pod CIDR ⇒ one warning per workload, pods without address', () => {
    const state = buildCluster([deployment('web', { replicas: 4 })], options(['10.96.0.0/12'], ['10.244.0.0/30']));
    expect(state.pods.map((p) => ipCount(p.ips)).sort()).toEqual([0, 0, 1, 1]);
    expect(messages(state)).toEqual([expect.stringMatching(/pod CIDR 10\.244\.0\.0\/30 is full; pods of Deployment\/web/)]);
  });

  it('IPv6: the subnet-router address and the kubernetes.default address are skipped', () => {
    const state = buildCluster(
      [service('v6', { ipFamilies: ['IPv6'] })],
      options(['fd00:10:96::/126'], ['fd00:10:244::/126']),
    );
    expect(ipsOf(state, 'kubernetes')).toEqual(['fd00:10:96::1']);
    expect(ipsOf(state, 'v6')?.[0]).toMatch(/^fd00:10:96::[23]$/);
  });

  it('dual-stack pods get one address per pod family, inside wide IPv6 CIDRs', () => {
    const state = buildCluster(
      [pod('solo'), deployment('web', { replicas: 3 })],
      options(['10.96.0.0/12', 'fd00:10:96::/112'], ['10.244.0.0/16', 'fd00:10:244::/56']),
    );
    expect(state.pods).toHaveLength(4);
    for (const p of state.pods) {
      expect(ipList(p.ips)).toHaveLength(2);
      expect(ipAt(p.ips, 0)).toMatch(/^10\.244\.\d+\.\d+$/);
      expect(ipAt(p.ips, 1)).toMatch(/^fd00:10:244:(0:|[0-9a-f]{1,2}:|:)/);
    }
  });

  it('synthesized pod IPs skip explicit pod IPs and each other', () => {
    const state = buildCluster(
      [pod('given', { status: { phase: 'Running', podIPs: ['10.244.0.1'] } }), deployment('web', { replicas: 5 })],
      options(['10.96.0.0/12'], ['10.244.0.0/29']),
    );
    const ips = state.pods.flatMap((p) => ipList(p.ips));
    expect(new Set(ips).size).toBe(6);
    expect(ips.sort()).toEqual(['10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5', '10.244.0.6']);
  });
});

describe('explicit address collisions (§6)', () => {
  const rows: { name: string; objects: ManifestObject[]; want: RegExp[] }[] = [
    {
      name: 'two services with one clusterIP',
      objects: [service('a', { clusterIP: '10.96.0.10' }), service('b', { clusterIP: '10.96.0.10' })],
      want: [/cluster IP 10\.96\.0\.10 of Service default\/b is also used by Service default\/a \(test\.yaml, document \d+\)/],
    },
    {
      name: 'two pods with one podIP',
      objects: [
        pod('a', { status: { phase: 'Running', podIPs: ['10.244.1.1'] } }),
        pod('b', { status: { phase: 'Running', podIPs: ['10.244.1.1'] } }),
      ],
      want: [/pod IP 10\.244\.1\.1 of Pod default\/b is also used by Pod default\/a/],
    },
    {
      name: 'a service IP equal to a pod IP',
      objects: [
        service('a', { clusterIP: '10.96.0.10' }),
        pod('b', { status: { phase: 'Running', podIPs: ['10.96.0.10'] } }),
      ],
      want: [/pod IP 10\.96\.0\.10 of Pod default\/b is also used by Service default\/a/],
    },
    {
      name: 'a declared service on the implicit kubernetes.default address',
      objects: [service('a', { clusterIP: '10.96.0.1' })],
      want: [/10\.96\.0\.1 of Service default\/a is also used by the implicit Service default\/kubernetes/],
    },
    {
      name: 'explicit addresses outside the CIDRs are accepted without a warning (issue 5)',
      objects: [service('a', { clusterIP: '172.30.0.10' }), pod('b', { status: { phase: 'Running', podIPs: ['172.17.0.3'] } })],
      want: [],
    },
    {
      name: 'two services on one address outside the CIDRs: only the collision is warned, naming both',
      objects: [service('a', { clusterIP: '172.18.0.5' }), service('b', { clusterIP: '172.18.0.5' })],
      want: [/cluster IP 172\.18\.0\.5 of Service default\/b is also used by Service default\/a \(test\.yaml, document/],
    },
    {
      name: 'an EndpointSlice repeating a pod IP is no collision',
      objects: [
        service('web', { clusterIP: 'None' }),
        pod('a', { status: { phase: 'Running', podIPs: ['10.244.1.1'] } }),
        slice('s', { serviceName: 'web', endpoints: [{ addresses: ['10.244.1.1'], ready: true, terminating: false }] }),
      ],
      want: [],
    },
  ];
  it.each(rows)('$name', ({ objects, want }) => {
    const state = buildCluster(objects, options(['10.96.0.0/12']));
    expect(messages(state)).toEqual(want.map((re) => expect.stringMatching(re)));
    for (const warning of state.warnings) {
      expect(warning.level).toBe('warning');
      expect(warning.source?.file).toBe('test.yaml');
    }
  });
});
