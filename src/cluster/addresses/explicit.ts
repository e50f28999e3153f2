// Every address written in a manifest, collected before anything is
// allocated so that no synthesized address can land on one (spec §6).
// Cluster IPs and pod IPs are claims: two objects claiming one address is a
// warning naming both. Any address is accepted, inside the configured CIDRs
// or not: a test points names at the containers that really play them.
// Endpoint addresses are only marked taken — they normally repeat
// pod IPs on purpose.

import { TakenAddresses } from './allocate.js';
import { describeSource, type ManifestObject, parseIP, type Problem, type SourceRef } from '../model/index.js';
import { serviceKind } from './families.js';
import { ITEMS_PER_STEP, runNow, type Steps } from '../slicer.js';

interface AddressOwner {
  /** `Service prod/web`, `Pod team/db-0`. */
  readonly what: string;
  readonly source: SourceRef;
}

export interface ExplicitAddresses {
  readonly taken: TakenAddresses;
  /** Canonical address → the first object that claimed it (cluster IPs and pod IPs). */
  readonly owners: ReadonlyMap<string, AddressOwner>;
  readonly warnings: readonly Problem[];
}

export function scanExplicitAddresses(objects: readonly ManifestObject[]): ExplicitAddresses {
  return runNow(scanExplicitAddressSteps(objects));
}

/** scanExplicitAddresses in steps (a reload runs them through a Slicer: 10,000 cluster IPs take milliseconds). */
export function* scanExplicitAddressSteps(objects: readonly ManifestObject[]): Steps<ExplicitAddresses> {
  const taken = new TakenAddresses();
  const owners = new Map<string, AddressOwner>();
  const warnings: Problem[] = [];

  const claim = (text: string, owner: AddressOwner, field: string, label: string): void => {
    const ip = parseIP(text);
    if (!ip) return;
    taken.add(ip);
    const previous = owners.get(ip.text);
    if (previous && previous.what !== owner.what) {
      const message = `${label} ${ip.text} of ${owner.what} is also used by ${previous.what} (${describeSource(previous.source)})`;
      warnings.push({ level: 'warning', source: owner.source, field, message });
    } else if (!previous) owners.set(ip.text, owner);
  };
  const mark = (text: string): void => {
    const ip = parseIP(text);
    if (ip) taken.add(ip);
  };

  const ownerOf = (object: ManifestObject): AddressOwner => ({
    what: `${object.kind} ${object.meta.namespace}/${object.meta.name}`,
    source: object.meta.source,
  });
  // Indexed, and an owner made only for an object that writes an address: a reload runs this over every object.
  for (let i = 0; i < objects.length; i++) {
    if ((i + 1) % ITEMS_PER_STEP === 0) yield;
    const object = objects[i]!;
    switch (object.kind) {
      case 'Service':
        if ((object.clusterIPs?.length ?? (object.clusterIP === undefined ? 0 : 1)) > 0 && serviceKind(object) === 'ClusterIP') {
          const owner = ownerOf(object);
          for (const ip of clusterIPsOf(object)) claim(ip, owner, 'spec.clusterIPs', 'cluster IP');
        }
        break;
      case 'Pod': {
        const podIPs = object.status?.podIPs;
        if (!podIPs || podIPs.length === 0) break;
        const owner = ownerOf(object);
        for (const ip of new Set(podIPs)) claim(ip, owner, 'status.podIPs', 'pod IP');
        break;
      }
      case 'EndpointSlice':
        for (const endpoint of object.endpoints) endpoint.addresses.forEach(mark);
        break;
      case 'Endpoints':
        for (const subset of object.subsets) {
          for (const address of [...subset.addresses, ...subset.notReadyAddresses]) mark(address.ip);
        }
        break;
      default:
        break;
    }
  }
  return { taken, owners, warnings };
}

function clusterIPsOf(service: { clusterIP?: string; clusterIPs?: readonly string[] }): string[] {
  const written = service.clusterIPs ?? (service.clusterIP === undefined ? [] : [service.clusterIP]);
  const canonical = written.map((text) => parseIP(text)?.text).filter((text): text is string => text !== undefined);
  return [...new Set(canonical)];
}
