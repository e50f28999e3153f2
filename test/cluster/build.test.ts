import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import type { ManifestObject } from '../../src/cluster/model/model.js';
import { DEFAULT_CLUSTER_OPTIONS } from '../../src/cluster/model/state.js';
import { deployment, namespace, pod, service, slice } from './objects.js';

describe('kubernetes.default (§6 last paragraph)', () => {
  it('implicit when not declared: first service host, https 443/TCP, no endpoints', () => {
    const state = buildCluster([], DEFAULT_CLUSTER_OPTIONS);
    expect(state.services.filter((s) => s.name === 'kubernetes')).toEqual([
      {
        name: 'kubernetes',
        namespace: 'default',
        kind: 'ClusterIP',
        clusterIPs: ['10.96.0.1'],
        ipFamilies: ['IPv4'],
        ports: [{ name: 'https', protocol: 'TCP', port: 443 }],
        publishNotReadyAddresses: false,
        implicit: true,
        endpoints: [],
      },
    ]);
  });

  it('dual-stack cluster: implicit service is primary-family only', () => {
    const state = buildCluster([], {
      serviceCIDRs: ['fd00:10:96::/112', '10.96.0.0/12'],
      podCIDRs: ['fd00:10:244::/56', '10.244.0.0/16'],
      nodeCount: 1,
    });
    expect(state.services[0]?.clusterIPs).toEqual(['fd00:10:96::1']);
  });

  const declaredRows: { name: string; object: ManifestObject; wantIPs: string[] }[] = [
    { name: 'declared without clusterIP takes the reserved first host', object: service('kubernetes', { ports: [{ name: 'https', protocol: 'TCP', port: 443 }] }), wantIPs: ['10.96.0.1'] },
    { name: 'declared with its own clusterIP keeps it', object: service('kubernetes', { clusterIP: '10.96.0.2' }), wantIPs: ['10.96.0.2'] },
  ];
  it.each(declaredRows)('$name', ({ object, wantIPs }) => {
    const state = buildCluster([object], DEFAULT_CLUSTER_OPTIONS);
    // kube-system/kube-dns is the other implicit one (§10).
    expect(state.services.map((s) => `${s.namespace}/${s.name}`)).toEqual(['default/kubernetes', 'kube-system/kube-dns']);
    expect(state.services[0]?.implicit).toBe(false);
    expect(state.services[0]?.clusterIPs).toEqual(wantIPs);
    expect(state.warnings).toEqual([]);
  });

  it('no other service is ever allocated the first host', () => {
    const objects = Array.from({ length: 200 }, (_, i) => service(`s${i}`, {}));
    const state = buildCluster(objects, { ...DEFAULT_CLUSTER_OPTIONS, serviceCIDRs: ['10.96.0.0/24'] });
    const owners = state.services.filter((s) => s.clusterIPs.includes('10.96.0.1')).map((s) => s.name);
    expect(owners).toEqual(['kubernetes']);
  });
});

describe('kube-system/kube-dns (§10: the cluster DNS Service always exists)', () => {
  const KUBE_DNS_PORTS = [
    { name: 'dns', protocol: 'UDP', port: 53 },
    { name: 'dns-tcp', protocol: 'TCP', port: 53 },
    { name: 'metrics', protocol: 'TCP', port: 9153 },
  ];
  const kubeDns = (objects: ManifestObject[], options = DEFAULT_CLUSTER_OPTIONS) =>
    buildCluster(objects, options).services.filter((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');

  it('implicit when not declared: 10.96.0.10, dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP, no endpoints', () => {
    expect(kubeDns([])).toEqual([
      {
        name: 'kube-dns',
        namespace: 'kube-system',
        kind: 'ClusterIP',
        clusterIPs: ['10.96.0.10'],
        ipFamilies: ['IPv4'],
        ports: KUBE_DNS_PORTS,
        publishNotReadyAddresses: false,
        implicit: true,
        endpoints: [],
      },
    ]);
  });

  const cidrRows = [
    { name: 'another IPv4 CIDR: its .10, as kubeadm picks it', serviceCIDRs: ['10.100.0.0/16'], want: ['10.100.0.10'] },
    { name: 'IPv6 primary: its ::a, single-stack', serviceCIDRs: ['fd00:10:96::/112', '10.96.0.0/12'], want: ['fd00:10:96::a'] },
  ];
  it.each(cidrRows)('$name', ({ serviceCIDRs, want }) => {
    const [service] = kubeDns([], { ...DEFAULT_CLUSTER_OPTIONS, serviceCIDRs });
    expect(service?.clusterIPs).toEqual(want);
  });

  it('declared: the manifest wins, nothing is added', () => {
    const declared = service('kube-dns', { namespace: 'kube-system', clusterIP: '10.96.0.53' });
    expect(kubeDns([declared]).map((s) => [s.implicit, s.clusterIPs])).toEqual([[false, ['10.96.0.53']]]);
  });

  it('.10 claimed by a manifest: kube-dns is allocated elsewhere, no collision', () => {
    const state = buildCluster([service('mine', { clusterIP: '10.96.0.10' })], DEFAULT_CLUSTER_OPTIONS);
    const owners = state.services.filter((s) => s.clusterIPs.includes('10.96.0.10')).map((s) => s.name);
    expect(owners).toEqual(['mine']);
    expect(state.services.find((s) => s.name === 'kube-dns')?.clusterIPs).toHaveLength(1);
    expect(state.warnings).toEqual([]);
  });

  it('no other service is ever allocated .10', () => {
    const objects = Array.from({ length: 200 }, (_, i) => service(`s${i}`, {}));
    const state = buildCluster(objects, { ...DEFAULT_CLUSTER_OPTIONS, serviceCIDRs: ['10.96.0.0/24'] });
    expect(state.services.filter((s) => s.clusterIPs.includes('10.96.0.10')).map((s) => s.name)).toEqual(['kube-dns']);
  });
});

describe('namespaces that exist (§2)', () => {
  const rows: { name: string; objects: ManifestObject[]; want: string[] }[] = [
    { name: 'built-ins only', objects: [], want: ['default', 'kube-node-lease', 'kube-public', 'kube-system'] },
    { name: 'declared Namespace', objects: [namespace('empty')], want: ['default', 'empty', 'kube-node-lease', 'kube-public', 'kube-system'] },
    {
      name: 'used by any object, even an orphan slice',
      objects: [
        service('a', { namespace: 'svc-ns' }),
        pod('p', { namespace: 'pod-ns' }),
        deployment('d', { namespace: 'deploy-ns' }),
        slice('s', { namespace: 'slice-ns', serviceName: 'x', endpoints: [] }),
      ],
      want: ['default', 'deploy-ns', 'kube-node-lease', 'kube-public', 'kube-system', 'pod-ns', 'slice-ns', 'svc-ns'],
    },
  ];
  it.each(rows)('$name', ({ objects, want }) => {
    expect([...buildCluster(objects, DEFAULT_CLUSTER_OPTIONS).namespaces].sort()).toEqual(want);
  });
});

describe('output order', () => {
  it('services and pods sorted by namespace/name, endpoints by address', () => {
    const state = buildCluster(
      [
        service('web', { namespace: 'b', selector: { app: 'web' } }),
        service('api', { namespace: 'a' }),
        pod('z', { namespace: 'b', labels: { app: 'web' }, status: { phase: 'Running', podIPs: ['10.244.0.10'] } }),
        pod('y', { namespace: 'b', labels: { app: 'web' }, status: { phase: 'Running', podIPs: ['10.244.0.9'] } }),
        pod('x', { namespace: 'a' }),
      ],
      DEFAULT_CLUSTER_OPTIONS,
    );
    expect(state.services.map((s) => `${s.namespace}/${s.name}`)).toEqual(['a/api', 'b/web', 'default/kubernetes', 'kube-system/kube-dns']);
    expect(state.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['a/x', 'b/y', 'b/z']);
    expect(state.services[1]?.endpoints.map((e) => e.address)).toEqual(['10.244.0.9', '10.244.0.10']);
  });
});
