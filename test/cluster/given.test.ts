import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import type { ManifestObject } from '../../src/cluster/model/model.js';
import { DEFAULT_CLUSTER_OPTIONS, type ClusterState } from '../../src/cluster/model/state.js';
import { endpointsObject, pod, service, slice } from './objects.js';

const build = (objects: ManifestObject[]): ClusterState => buildCluster(objects, DEFAULT_CLUSTER_OPTIONS);
const web = (state: ClusterState) => state.services.find((s) => s.namespace === 'default' && s.name === 'web');

describe('EndpointSlice given directly (§4.2)', () => {
  it('adds to selector-derived endpoints; duplicates by IP collapse, selector-derived wins', () => {
    const state = build([
      service('web', { selector: { app: 'web' }, ports: [{ name: 'http', protocol: 'TCP', port: 80 }] }),
      pod('p', { labels: { app: 'web' }, status: { phase: 'Running', podIPs: ['10.244.0.1'] } }),
      slice('web-extra', {
        serviceName: 'web',
        endpoints: [
          { addresses: ['10.244.0.1'], ready: false, terminating: false, hostname: 'dup' },
          { addresses: ['192.168.1.7'], ready: true, terminating: false, hostname: 'ext' },
        ],
        ports: [{ name: 'http', protocol: 'TCP', port: 8443 }],
      }),
    ]);
    expect(web(state)?.endpoints).toEqual([
      { address: '10.244.0.1', family: 'IPv4', ready: true, ports: [{ name: 'http', protocol: 'TCP', port: 80 }], pod: state.pods[0] },
      { address: '192.168.1.7', family: 'IPv4', hostname: 'ext', ready: true, ports: [{ name: 'http', protocol: 'TCP', port: 8443 }] },
    ]);
    expect(state.warnings).toEqual([]);
  });

  it('ready=false stays unpublished even with publishNotReadyAddresses; addressType not filtered', () => {
    const state = build([
      service('web', { clusterIP: 'None', publishNotReadyAddresses: true }),
      slice('a', { serviceName: 'web', endpoints: [{ addresses: ['10.1.0.1'], ready: false, terminating: false }] }),
      slice('b', { serviceName: 'web', addressType: 'IPv6', endpoints: [{ addresses: ['2001:DB8::1'], ready: true, terminating: false }] }),
    ]);
    expect(web(state)?.endpoints.map((e) => [e.address, e.ready])).toEqual([
      ['10.1.0.1', false],
      ['2001:db8::1', true],
    ]);
  });

  const warningRows: { name: string; objects: ManifestObject[]; want: RegExp }[] = [
    {
      name: 'no service-name label',
      objects: [slice('s', { endpoints: [{ addresses: ['10.1.0.1'], ready: true, terminating: false }] })],
      want: /no kubernetes\.io\/service-name label/,
    },
    {
      name: 'service does not exist',
      objects: [slice('s', { serviceName: 'ghost', endpoints: [{ addresses: ['10.1.0.1'], ready: true, terminating: false }] })],
      want: /Service default\/ghost does not exist/,
    },
    {
      name: 'FQDN slice ignored',
      objects: [service('web'), slice('s', { serviceName: 'web', addressType: 'FQDN', endpoints: [{ addresses: ['a.example'], ready: true, terminating: false }] })],
      want: /addressType FQDN/,
    },
  ];
  it.each(warningRows)('warns: $name', ({ objects, want }) => {
    const state = build(objects);
    expect(state.warnings.map((w) => w.message)).toEqual([expect.stringMatching(want)]);
    expect(state.warnings[0]?.level).toBe('warning');
    expect(state.warnings[0]?.source?.file).toBe('test.yaml');
    expect(web(state)?.endpoints ?? []).toEqual([]);
  });
});

describe('Endpoints objects (§4.2)', () => {
  const subsets = [
    {
      addresses: [{ ip: '10.1.0.1', hostname: 'one' }],
      notReadyAddresses: [{ ip: '10.1.0.2' }],
      ports: [{ name: 'pg', protocol: 'TCP' as const, port: 5432 }],
    },
  ];
  const rows: { name: string; objects: ManifestObject[]; want: [string, boolean, string | undefined][]; warning?: RegExp }[] = [
    {
      name: 'mirrored when the service has no selector',
      objects: [service('web', { clusterIP: 'None' }), endpointsObject('web', subsets)],
      want: [
        ['10.1.0.1', true, 'one'],
        ['10.1.0.2', false, undefined],
      ],
    },
    {
      name: 'skip-mirror label ⇒ not mirrored',
      objects: [service('web', { clusterIP: 'None' }), endpointsObject('web', subsets, true)],
      want: [],
    },
    {
      name: 'ignored with a warning when the service has a selector',
      objects: [service('web', { clusterIP: 'None', selector: { app: 'web' } }), endpointsObject('web', subsets)],
      want: [],
      warning: /ignored: Service default\/web has a selector/,
    },
    {
      name: 'service does not exist ⇒ warning',
      objects: [endpointsObject('web', subsets)],
      want: [],
      warning: /Service default\/web does not exist/,
    },
  ];
  it.each(rows)('$name', ({ objects, want, warning }) => {
    const state = build(objects);
    expect((web(state)?.endpoints ?? []).map((e) => [e.address, e.ready, e.hostname])).toEqual(want);
    expect(state.warnings.map((w) => w.message)).toEqual(warning ? [expect.stringMatching(warning)] : []);
  });

  it('mirrored ports come from the subset', () => {
    const state = build([service('web', { clusterIP: 'None' }), endpointsObject('web', subsets)]);
    expect(web(state)?.endpoints[0]?.ports).toEqual([{ name: 'pg', protocol: 'TCP', port: 5432 }]);
  });
});
