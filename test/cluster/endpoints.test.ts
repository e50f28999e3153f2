import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import type { ManifestObject, PodStatus, RestartPolicy, ServicePort } from '../../src/cluster/model/model.js';
import { DEFAULT_CLUSTER_OPTIONS, type Endpoint, type Service } from '../../src/cluster/model/state.js';
import { pod, service, slice } from './objects.js';

function serviceOf(objects: ManifestObject[], name = 'web', options = DEFAULT_CLUSTER_OPTIONS): Service {
  const found = buildCluster(objects, options).services.find((s) => s.name === name);
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

const running = (ip: string, extra: Partial<PodStatus> = {}): PodStatus => ({ phase: 'Running', podIPs: [ip], ...extra });

describe('selector-derived endpoints: pod states (§4.1 table)', () => {
  const rows: {
    name: string;
    status?: PodStatus;
    restartPolicy?: RestartPolicy;
    deletionTimestamp?: string;
    publishNotReady?: boolean;
    want: { ready: boolean } | 'none';
  }[] = [
    { name: 'no IP ⇒ no endpoint', status: { phase: 'Pending', podIPs: [] }, want: 'none' },
    { name: 'Never + Succeeded ⇒ none', status: running('10.244.0.5', { phase: 'Succeeded' }), restartPolicy: 'Never', want: 'none' },
    { name: 'Never + Failed ⇒ none', status: running('10.244.0.5', { phase: 'Failed' }), restartPolicy: 'Never', want: 'none' },
    { name: 'OnFailure + Succeeded ⇒ none', status: running('10.244.0.5', { phase: 'Succeeded' }), restartPolicy: 'OnFailure', want: 'none' },
    { name: 'OnFailure + Failed ⇒ endpoint, not ready', status: running('10.244.0.5', { phase: 'Failed' }), restartPolicy: 'OnFailure', want: { ready: false } },
    { name: 'Always + Succeeded ⇒ endpoint (phase ignored)', status: running('10.244.0.5', { phase: 'Succeeded', readyCondition: true }), want: { ready: true } },
    { name: 'terminating ⇒ not ready', status: running('10.244.0.5', { readyCondition: true }), deletionTimestamp: '2024-01-01T00:00:00Z', want: { ready: false } },
    { name: 'terminating + publishNotReady ⇒ ready', status: running('10.244.0.5'), deletionTimestamp: '2024-01-01T00:00:00Z', publishNotReady: true, want: { ready: true } },
    { name: 'Ready condition False ⇒ not ready', status: running('10.244.0.5', { readyCondition: false }), want: { ready: false } },
    { name: 'Ready False + publishNotReady ⇒ ready', status: running('10.244.0.5', { readyCondition: false }), publishNotReady: true, want: { ready: true } },
    { name: 'no Ready condition, phase Running ⇒ ready', status: running('10.244.0.5'), want: { ready: true } },
    { name: 'no Ready condition, phase Pending ⇒ not ready', status: running('10.244.0.5', { phase: 'Pending' }), want: { ready: false } },
    { name: 'no status at all ⇒ synthesized IP, ready (§5.1)', want: { ready: true } },
  ];
  it.each(rows)('$name', ({ status, restartPolicy, deletionTimestamp, publishNotReady, want }) => {
    const objects = [
      service('web', { selector: { app: 'web' }, publishNotReadyAddresses: publishNotReady ?? false }),
      pod('p', {
        labels: { app: 'web' },
        spec: { restartPolicy: restartPolicy ?? 'Always' },
        ...(status ? { status } : {}),
        ...(deletionTimestamp ? { deletionTimestamp } : {}),
      }),
    ];
    const state = buildCluster(objects, DEFAULT_CLUSTER_OPTIONS);
    const endpoints = state.services.find((s) => s.name === 'web')?.endpoints;
    if (want === 'none') expect(endpoints).toEqual([]);
    else {
      expect(endpoints).toHaveLength(1);
      expect(endpoints?.[0]?.ready).toBe(want.ready);
      // The Pod object itself, not a copy of its name.
      expect(endpoints?.[0]?.pod).toBe(state.pods.find((p) => p.name === 'p'));
    }
  });
});

describe('selector matching scope (§4.1)', () => {
  it('only pods of the service namespace, all selector keys', () => {
    const objects = [
      service('web', { namespace: 'prod', selector: { app: 'web', tier: 'fe' } }),
      pod('a', { namespace: 'prod', labels: { app: 'web', tier: 'fe' }, status: running('10.244.0.1') }),
      pod('b', { namespace: 'prod', labels: { app: 'web' }, status: running('10.244.0.2') }),
      pod('c', { namespace: 'dev', labels: { app: 'web', tier: 'fe' }, status: running('10.244.0.3') }),
    ];
    expect(serviceOf(objects).endpoints.map((e) => e.address)).toEqual(['10.244.0.1']);
  });

  it('no selector ⇒ no derived endpoints', () => {
    const objects = [service('web', {}), pod('a', { labels: { app: 'web' }, status: running('10.244.0.1') })];
    expect(serviceOf(objects).endpoints).toEqual([]);
  });
});

describe('targetPort resolution (§4.1)', () => {
  const containerPorts = [
    { name: 'http', containerPort: 8080, protocol: 'TCP' as const },
    { name: 'dns', containerPort: 5353, protocol: 'UDP' as const },
  ];
  const rows: { name: string; port: ServicePort; want: Endpoint['ports'] }[] = [
    { name: 'number used as is', port: { name: 'a', protocol: 'TCP', port: 80, targetPort: 9000 }, want: [{ name: 'a', protocol: 'TCP', port: 9000 }] },
    { name: 'name looked up', port: { name: 'a', protocol: 'TCP', port: 80, targetPort: 'http' }, want: [{ name: 'a', protocol: 'TCP', port: 8080 }] },
    { name: 'missing name ⇒ port absent', port: { name: 'a', protocol: 'TCP', port: 80, targetPort: 'grpc' }, want: [] },
    { name: 'name with other protocol ⇒ absent', port: { name: 'a', protocol: 'TCP', port: 53, targetPort: 'dns' }, want: [] },
    { name: 'absent ⇒ equals port', port: { protocol: 'UDP', port: 53 }, want: [{ protocol: 'UDP', port: 53 }] },
  ];
  it.each(rows)('$name', ({ port, want }) => {
    const objects = [
      service('web', { selector: { app: 'web' }, ports: [port] }),
      pod('p', { labels: { app: 'web' }, spec: { containerPorts }, status: running('10.244.0.9') }),
    ];
    const endpoints = serviceOf(objects).endpoints;
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]?.ports).toEqual(want);
  });
});

describe('endpoint hostname (§4.1, §3.6)', () => {
  const rows: { name: string; hostname?: string; subdomain?: string; want: string | undefined }[] = [
    { name: 'hostname + subdomain = service ⇒ hostname', hostname: 'h', subdomain: 'web', want: 'h' },
    { name: 'subdomain names another service ⇒ none', hostname: 'h', subdomain: 'other', want: undefined },
    { name: 'hostname without subdomain ⇒ none', hostname: 'h', want: undefined },
    { name: 'subdomain without hostname ⇒ none', subdomain: 'web', want: undefined },
  ];
  it.each(rows)('$name', ({ hostname, subdomain, want }) => {
    const spec = { ...(hostname ? { hostname } : {}), ...(subdomain ? { subdomain } : {}) };
    const objects = [
      service('web', { clusterIP: 'None', selector: { app: 'web' } }),
      pod('p', { labels: { app: 'web' }, spec, status: running('10.244.0.9') }),
    ];
    expect(serviceOf(objects).endpoints[0]?.hostname).toBe(want);
  });
});

describe('endpoint families follow the service ipFamilies (§4.1, §6)', () => {
  const dual = { serviceCIDRs: ['10.96.0.0/12', 'fd00:10:96::/112'], podCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'], nodeCount: 1 };
  const rows: { name: string; ipFamilies?: ('IPv4' | 'IPv6')[]; want: string[] }[] = [
    { name: 'SingleStack default ⇒ primary family only', want: ['10.244.0.9'] },
    { name: 'IPv6 only', ipFamilies: ['IPv6'], want: ['fd00:10:244::9'] },
    { name: 'both', ipFamilies: ['IPv6', 'IPv4'], want: ['10.244.0.9', 'fd00:10:244::9'] },
  ];
  it.each(rows)('$name', ({ ipFamilies, want }) => {
    const objects = [
      service('web', { selector: { app: 'web' }, ...(ipFamilies ? { ipFamilies } : {}) }),
      pod('p', { labels: { app: 'web' }, status: { phase: 'Running', podIPs: ['10.244.0.9', 'FD00:10:244:0::9'] } }),
    ];
    expect(serviceOf(objects, 'web', dual).endpoints.map((e) => e.address)).toEqual(want);
  });
});

describe('ExternalName services have no endpoints', () => {
  it('ignores a selector', () => {
    const objects = [
      service('web', { type: 'ExternalName', externalName: 'example.com', selector: { app: 'web' } }),
      pod('p', { labels: { app: 'web' }, status: running('10.244.0.9') }),
    ];
    const web = serviceOf(objects);
    expect(web.endpoints).toEqual([]);
    expect(web.clusterIPs).toEqual([]);
    expect(web.kind).toBe('ExternalName');
  });
});

describe('endpoint order and duplicates (§4.1, §4.2)', () => {
  // A short list and a long one: they are sorted by different code paths.
  it.each([5, 90])('%i pods: sorted by address, IPv4 first; a pod address repeated in a slice keeps the pod', (count) => {
    const pods = Array.from({ length: count }, (_, i) =>
      pod(`p${i}`, { labels: { app: 'web' }, status: { phase: 'Running', podIPs: [`10.244.${(i * 7) % count}.${250 - i}`, `fd00::${(i + 1).toString(16)}`] } }),
    );
    const repeated = '10.244.0.250';
    const objects: ManifestObject[] = [
      service('web', { selector: { app: 'web' }, ipFamilyPolicy: 'PreferDualStack' }),
      ...pods,
      slice('extra', {
        serviceName: 'web',
        endpoints: [{ addresses: [repeated, '10.1.0.1'], ready: false, terminating: false, hostname: 'from-slice' }],
      }),
    ];
    const dual = { ...DEFAULT_CLUSTER_OPTIONS, serviceCIDRs: ['10.96.0.0/12', 'fd00:96::/112'], podCIDRs: ['10.244.0.0/16', 'fd00::/64'] };
    const endpoints = serviceOf(objects, 'web', dual).endpoints;
    const all = pods.flatMap((p) => p.status?.podIPs ?? []).concat('10.1.0.1');
    expect(endpoints.map((e) => e.address)).toEqual(all.sort(byAddress));
    expect(endpoints.find((e) => e.address === repeated)).toMatchObject({ pod: { namespace: 'default', name: 'p0' }, ready: true });
    expect(endpoints.find((e) => e.address === '10.1.0.1')).toMatchObject({ hostname: 'from-slice', ready: false });
  });
});

/** The order a reader expects: IPv4 numerically, then IPv6 numerically. */
function byAddress(a: string, b: string): number {
  const value = (ip: string) => (ip.includes(':') ? 2n ** 40n + BigInt(`0x${ip.split(':').pop()}`) : BigInt(ip.split('.').reduce((n, o) => n * 256 + Number(o), 0)));
  return value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0;
}

describe('a pod address seen alike by several services is one Endpoint object', () => {
  // Pod `p` (hostname h, subdomain hl) behind services that see it in four ways:
  // plain on port 80, with hostname (headless `hl`), plain on port 81, with hostname on 81.
  const port = (n: number): ServicePort => ({ name: 'http', protocol: 'TCP', port: n });
  const objects: ManifestObject[] = [
    service('a80', { selector: { app: 'web' }, ports: [port(80)] }),
    service('b80', { clusterIP: 'None', selector: { app: 'web' }, ports: [port(80)] }),
    service('hl', { clusterIP: 'None', selector: { app: 'web' }, ports: [port(80)] }),
    service('c81', { selector: { app: 'web' }, ports: [port(81)] }),
    service('d81', { selector: { app: 'web' }, ports: [port(81)] }),
    pod('p', { labels: { app: 'web' }, spec: { hostname: 'h', subdomain: 'hl' }, status: running('10.244.0.9') }),
  ];
  const state = buildCluster(objects, DEFAULT_CLUSTER_OPTIONS);
  const services = new Map(state.services.map((s) => [s.name, s]));
  const endpointOf = (name: string): Endpoint => {
    const endpoint = services.get(name)?.endpoints[0];
    if (!endpoint) throw new Error(`no endpoint for ${name}`);
    return endpoint;
  };
  const rows: { name: string; a: string; b: string; same: boolean }[] = [
    { name: 'ClusterIP and headless twin, same ports: shared', a: 'a80', b: 'b80', same: true },
    { name: 'the hostname makes a second one', a: 'a80', b: 'hl', same: false },
    { name: 'other ports make a third one', a: 'a80', b: 'c81', same: false },
    { name: 'the third one is shared too', a: 'c81', b: 'd81', same: true },
  ];
  it.each(rows)('$name', ({ a, b, same }) => {
    expect(endpointOf(a) === endpointOf(b)).toBe(same);
  });
  it('each is what its service sees', () => {
    const p = state.pods[0];
    expect(endpointOf('hl')).toEqual({ address: '10.244.0.9', family: 'IPv4', hostname: 'h', ready: true, ports: [port(80)], pod: p });
    expect(endpointOf('d81')).toEqual({ address: '10.244.0.9', family: 'IPv4', ready: true, ports: [port(81)], pod: p });
  });
  it('all of them refer to the one Pod object', () => {
    for (const name of ['a80', 'hl', 'c81']) expect(endpointOf(name).pod).toBe(state.pods[0]);
  });
});
