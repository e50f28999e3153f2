import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import type { IPFamily, IPFamilyPolicy, Labels, ServiceType } from '../../src/cluster/model/model.js';
import type { ClusterOptions } from '../../src/cluster/model/state.js';
import { service } from './objects.js';

const single: ClusterOptions = { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: ['10.244.0.0/16'], nodeCount: 1 };
const dual: ClusterOptions = {
  serviceCIDRs: ['10.96.0.0/12', 'fd00:10:96::/112'],
  podCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'],
  nodeCount: 1,
};
const dualV6First: ClusterOptions = {
  serviceCIDRs: ['fd00:10:96::/112', '10.96.0.0/12'],
  podCIDRs: ['fd00:10:244::/56', '10.244.0.0/16'],
  nodeCount: 1,
};

const V4 = /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/;
const V6 = /^fd00:10:96::[0-9a-f]{1,4}$/;

describe('service families and cluster IPs (§6)', () => {
  const rows: {
    name: string;
    cluster: ClusterOptions;
    type?: ServiceType;
    policy?: IPFamilyPolicy;
    ipFamilies?: IPFamily[];
    clusterIP?: string;
    clusterIPs?: string[];
    selector?: Labels;
    wantKind: string;
    wantFamilies: IPFamily[];
    wantIPs: (RegExp | string)[];
    wantWarning?: RegExp;
  }[] = [
    { name: 'single-stack default', cluster: single, wantKind: 'ClusterIP', wantFamilies: ['IPv4'], wantIPs: [V4] },
    { name: 'dual-stack cluster, no policy ⇒ primary only', cluster: dual, wantKind: 'ClusterIP', wantFamilies: ['IPv4'], wantIPs: [V4] },
    { name: 'IPv6-primary cluster ⇒ IPv6', cluster: dualV6First, wantKind: 'ClusterIP', wantFamilies: ['IPv6'], wantIPs: [V6] },
    { name: 'PreferDualStack on dual ⇒ both, primary first', cluster: dual, policy: 'PreferDualStack', wantKind: 'ClusterIP', wantFamilies: ['IPv4', 'IPv6'], wantIPs: [V4, V6] },
    { name: 'PreferDualStack on single ⇒ primary', cluster: single, policy: 'PreferDualStack', wantKind: 'ClusterIP', wantFamilies: ['IPv4'], wantIPs: [V4] },
    { name: 'RequireDualStack on single ⇒ primary + warning', cluster: single, policy: 'RequireDualStack', wantKind: 'ClusterIP', wantFamilies: ['IPv4'], wantIPs: [V4], wantWarning: /RequireDualStack on a single-stack cluster/ },
    { name: 'ipFamilies given ⇒ used in order', cluster: dual, policy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'], wantKind: 'ClusterIP', wantFamilies: ['IPv6', 'IPv4'], wantIPs: [V6, V4] },
    { name: 'ipFamilies inferred from clusterIPs', cluster: dual, clusterIP: 'fd00:10:96::5', clusterIPs: ['fd00:10:96::5'], wantKind: 'ClusterIP', wantFamilies: ['IPv6'], wantIPs: ['fd00:10:96::5'] },
    { name: 'clusterIP alone is canonicalized', cluster: dual, clusterIP: 'FD00:10:96:0:0:0:0:5', wantKind: 'ClusterIP', wantFamilies: ['IPv6'], wantIPs: ['fd00:10:96::5'] },
    { name: 'one given IP + PreferDualStack ⇒ other family synthesized', cluster: dual, policy: 'PreferDualStack', clusterIP: '10.96.0.50', wantKind: 'ClusterIP', wantFamilies: ['IPv4', 'IPv6'], wantIPs: ['10.96.0.50', V6] },
    { name: 'headless without selector on dual ⇒ RequireDualStack, no IPs', cluster: dual, clusterIP: 'None', wantKind: 'Headless', wantFamilies: ['IPv4', 'IPv6'], wantIPs: [] },
    { name: 'headless with selector on dual ⇒ primary', cluster: dual, clusterIP: 'None', selector: { app: 'x' }, wantKind: 'Headless', wantFamilies: ['IPv4'], wantIPs: [] },
    { name: 'headless without selector on single ⇒ primary', cluster: single, clusterIP: 'None', wantKind: 'Headless', wantFamilies: ['IPv4'], wantIPs: [] },
    { name: 'family with no CIDR ⇒ warning, no address', cluster: single, ipFamilies: ['IPv6'], wantKind: 'ClusterIP', wantFamilies: ['IPv6'], wantIPs: [], wantWarning: /no IPv6 service CIDR is configured/ },
    { name: 'explicit IPv6 on an IPv4 cluster ⇒ honoured silently (issue 5: any address)', cluster: single, clusterIP: '2001:db8::1', wantKind: 'ClusterIP', wantFamilies: ['IPv6'], wantIPs: ['2001:db8::1'] },
    { name: 'NodePort behaves as ClusterIP', cluster: single, type: 'NodePort', wantKind: 'ClusterIP', wantFamilies: ['IPv4'], wantIPs: [V4] },
    { name: 'LoadBalancer behaves as ClusterIP', cluster: single, type: 'LoadBalancer', wantKind: 'ClusterIP', wantFamilies: ['IPv4'], wantIPs: [V4] },
  ];
  it.each(rows)('$name', (row) => {
    const object = service('svc', {
      namespace: 'prod',
      ...(row.type ? { type: row.type } : {}),
      ...(row.policy ? { ipFamilyPolicy: row.policy } : {}),
      ...(row.ipFamilies ? { ipFamilies: row.ipFamilies } : {}),
      ...(row.clusterIP ? { clusterIP: row.clusterIP } : {}),
      ...(row.clusterIPs ? { clusterIPs: row.clusterIPs } : {}),
      ...(row.selector ? { selector: row.selector } : {}),
    });
    const state = buildCluster([object], row.cluster);
    const svc = state.services.find((s) => s.name === 'svc');
    expect(svc?.kind).toBe(row.wantKind);
    expect(svc?.ipFamilies).toEqual(row.wantFamilies);
    expect(svc?.clusterIPs).toHaveLength(row.wantIPs.length);
    row.wantIPs.forEach((want, i) => {
      if (typeof want === 'string') expect(svc?.clusterIPs[i]).toBe(want);
      else expect(svc?.clusterIPs[i]).toMatch(want);
    });
    expect(state.warnings.map((w) => w.message)).toEqual(row.wantWarning ? [expect.stringMatching(row.wantWarning)] : []);
  });
});
