// changesSince: the names a reload changed, found without listing either
// cluster. Each row changes one thing and names what a comparison of the two
// listings reports.

import { describe, expect, it } from 'vitest';
import { buildRecordIndex, type IndexOptions } from '../../src/records/index.js';
import type { ClusterState, Service } from '../../src/cluster/model/state.js';
import { cluster, clusterIP, endpoint, headless, pod, port } from '../helpers/cluster.js';

const BASE: IndexOptions = { zone: 'cluster.local', ttl: 5, podMode: 'verified', serial: 1, nameserverAddresses: ['127.0.0.1'] };

function state(overrides: { web?: Partial<Service>; db?: Partial<Service>; pods?: ClusterState['pods'] } = {}): ClusterState {
  const pg = port('pg', 5432);
  return cluster({
    services: [
      { ...clusterIP('prod/web', ['10.96.30.1'], { ports: [port('http', 80)] }), ...overrides.web },
      {
        ...headless('prod/db', {
          ports: [pg],
          // A new reference per call, as every build makes its own Pod objects: compared by name.
          endpoints: [
            { ...endpoint('10.244.2.10', { hostname: 'db-0', ports: [pg] }), pod: { namespace: 'prod', name: 'db-0' } },
            { ...endpoint('10.244.2.11', { hostname: 'db-1', ports: [pg] }), pod: { namespace: 'prod', name: 'db-1' } },
          ],
        }),
        ...overrides.db,
      },
    ],
    pods: overrides.pods ?? [pod('prod/db-0', ['10.244.2.10']), pod('prod/db-1', ['10.244.2.11'])],
  });
}

describe('changesSince', () => {
  const rows: Array<{ why: string; next: ClusterState; added?: string[]; removed?: string[]; changed?: string[] }> = [
    { why: 'the same manifests built again', next: state() },
    {
      why: 'a cluster IP moves: its A record and both PTR names',
      next: state({ web: { clusterIPs: ['10.96.30.2'] } }),
      added: ['2.30.96.10.in-addr.arpa'],
      removed: ['1.30.96.10.in-addr.arpa'],
      changed: ['web.prod.svc.cluster.local'],
    },
    {
      why: 'an endpoint turns unready: its names, its PTR, the service and SRV sets',
      next: state({ db: { endpoints: state().services[1]!.endpoints.map((e, i) => (i === 1 ? { ...e, ready: false } : e)) } }),
      removed: ['11.2.244.10.in-addr.arpa', 'db-1.db.prod.svc.cluster.local'],
      changed: ['_pg._tcp.db.prod.svc.cluster.local', 'db.prod.svc.cluster.local'],
    },
    {
      why: "a pod's address annotation changes the endpoint names, not the service object",
      next: state({ pods: [pod('prod/db-0', ['10.244.2.10'], { address: { kind: 'ip', ip: '192.0.2.7' } }), pod('prod/db-1', ['10.244.2.11'])] }),
      changed: ['db-0.db.prod.svc.cluster.local', 'db.prod.svc.cluster.local'],
    },
    {
      why: 'a pod is gone (verified mode lists pod names)',
      next: state({ pods: [pod('prod/db-0', ['10.244.2.10'])] }),
      removed: ['10-244-2-11.prod.pod.cluster.local'],
    },
    {
      why: "a pod's only address moves (verified mode)",
      next: state({ pods: [pod('prod/db-0', ['10.244.2.10']), pod('prod/db-1', ['10.244.2.12'])] }),
      added: ['10-244-2-12.prod.pod.cluster.local'],
      removed: ['10-244-2-11.prod.pod.cluster.local'],
    },
    {
      why: 'a pod gains an IPv6 address (verified mode)',
      next: state({ pods: [pod('prod/db-0', ['10.244.2.10']), pod('prod/db-1', ['10.244.2.11', 'fd00:10:244::11'])] }),
      added: ['fd00-10-244--11.prod.pod.cluster.local'],
    },
    {
      why: 'a pod loses its address (verified mode)',
      next: state({ pods: [pod('prod/db-0', ['10.244.2.10']), pod('prod/db-1', [])] }),
      removed: ['10-244-2-11.prod.pod.cluster.local'],
    },
  ];
  it.each(rows)('$why', async ({ next, added = [], removed = [], changed = [] }) => {
    const before = buildRecordIndex(state(), BASE);
    const after = buildRecordIndex(next, { ...BASE, serial: 2 });
    expect(await after.changesSince?.(before)).toEqual({ added, removed, changed });
  });

  it('gives up on another TTL, zone or pod mode: every name would change', () => {
    const before = buildRecordIndex(state(), BASE);
    for (const options of [{ ttl: 30 }, { zone: 'example.org' }, { podMode: 'insecure' as const }]) {
      expect(buildRecordIndex(state(), { ...BASE, ...options }).changesSince?.(before)).toBeUndefined();
    }
  });
});
