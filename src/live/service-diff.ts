// What a reload changed in a big cluster, by service.
//
// The record diff (diff.ts) lists and formats every record of the old and the
// new index: a fraction of a second for a few thousand objects, tens of
// seconds for 150,000 pods, all of it spent before the new state could be
// answered. Past BY_RECORD_LIMIT objects a reload compares services instead:
// one fingerprint string per service (its kind, addresses, ports and
// endpoints: everything its names answer), the old state's kept from the
// previous reload. The summary then names services (`web.default.svc.<zone>`),
// not every record name under them.

import type { ClusterState, Service } from '../cluster/state.js';
import type { RecordDiff } from './diff.js';

/** Services + pods up to which a reload diffs every record; above it, services. */
export const BY_RECORD_LIMIT = 5_000;

export function diffByRecordIsCheap(state: ClusterState): boolean {
  return state.services.length + state.pods.length <= BY_RECORD_LIMIT;
}

/** Fingerprints per state, computed once: the next reload compares against them. */
const fingerprintsOf = new WeakMap<ClusterState, Map<string, string>>();

export function diffServices(before: ClusterState, after: ClusterState, zone: string): RecordDiff {
  const old = fingerprints(before, zone);
  const now = fingerprints(after, zone);
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [name, print] of now) {
    const previous = old.get(name);
    if (previous === undefined) added.push(name);
    else if (previous !== print) changed.push(name);
  }
  for (const name of old.keys()) if (!now.has(name)) removed.push(name);
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

function fingerprints(state: ClusterState, zone: string): Map<string, string> {
  let prints = fingerprintsOf.get(state);
  if (!prints) {
    prints = new Map();
    for (const service of state.services) prints.set(`${service.name}.${service.namespace}.svc.${zone}`, fingerprint(service));
    fingerprintsOf.set(state, prints);
  }
  return prints;
}

/** Everything a service's names answer from; endpoints in their (deterministic) order. */
function fingerprint(service: Service): string {
  return JSON.stringify([
    service.kind,
    service.clusterIPs,
    service.ports,
    service.externalName ?? null,
    service.address ?? null,
    service.endpoints.map((endpoint) => [endpoint.address, endpoint.hostname ?? null, endpoint.ready, endpoint.ports]),
  ]);
}
