import { describe, expect, it } from 'vitest';
import type { ClusterState, Endpoint, Service } from '../../src/cluster/state.js';
import { BY_RECORD_LIMIT, diffByRecordIsCheap, diffServices } from '../../src/live/service-diff.js';
import { summarizeDiff } from '../../src/live/diff.js';

const endpoint = (address: string, hostname?: string): Endpoint => ({
  address,
  family: 'IPv4',
  ready: true,
  ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  ...(hostname ? { hostname } : {}),
});

const service = (name: string, changes: Partial<Service> = {}): Service => ({
  name,
  namespace: 'default',
  kind: 'ClusterIP',
  clusterIPs: ['10.96.0.10'],
  ipFamilies: ['IPv4'],
  ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
  publishNotReadyAddresses: false,
  endpoints: [endpoint('10.244.0.5')],
  implicit: false,
  ...changes,
});

const state = (...services: Service[]): ClusterState => ({ namespaces: new Set(['default']), services, pods: [], warnings: [] });

describe('diffServices (reloads of clusters past the record-diff limit)', () => {
  const rows: { name: string; before: Service[]; after: Service[]; summary: string }[] = [
    { name: 'nothing changed', before: [service('web')], after: [service('web')], summary: 'no record changes' },
    { name: 'a service added', before: [], after: [service('web')], summary: 'added 1 (web.default.svc.cluster.local)' },
    { name: 'a service removed', before: [service('web')], after: [], summary: 'removed 1 (web.default.svc.cluster.local)' },
    { name: 'its cluster IP moved', before: [service('web')], after: [service('web', { clusterIPs: ['10.96.0.11'] })], summary: 'changed 1 (web.default.svc.cluster.local)' },
    { name: 'a port renamed (SRV names)', before: [service('web')], after: [service('web', { ports: [{ name: 'https', protocol: 'TCP', port: 80 }] })], summary: 'changed 1 (web.default.svc.cluster.local)' },
    { name: 'an endpoint added', before: [service('web')], after: [service('web', { endpoints: [endpoint('10.244.0.5'), endpoint('10.244.0.6')] })], summary: 'changed 1 (web.default.svc.cluster.local)' },
    { name: 'an endpoint hostname given', before: [service('web')], after: [service('web', { endpoints: [endpoint('10.244.0.5', 'web-0')] })], summary: 'changed 1 (web.default.svc.cluster.local)' },
    { name: 'an endpoint not ready', before: [service('web')], after: [service('web', { endpoints: [{ ...endpoint('10.244.0.5'), ready: false }] })], summary: 'changed 1 (web.default.svc.cluster.local)' },
    { name: 'only the other service changed', before: [service('api'), service('web')], after: [service('api'), service('web', { kind: 'Headless', clusterIPs: [] })], summary: 'changed 1 (web.default.svc.cluster.local)' },
  ];
  it.each(rows)('$name', ({ before, after, summary }) => {
    expect(summarizeDiff(diffServices(state(...before), state(...after), 'cluster.local'))).toBe(summary);
  });

  it(`diffs by record up to ${BY_RECORD_LIMIT} services and pods, by service above`, () => {
    const many = (count: number): ClusterState => ({ ...state(), services: Array.from({ length: count }, (_, i) => service(`s${i}`)) });
    expect(diffByRecordIsCheap(many(BY_RECORD_LIMIT))).toBe(true);
    expect(diffByRecordIsCheap(many(BY_RECORD_LIMIT + 1))).toBe(false);
  });
});
