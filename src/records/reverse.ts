// PTR records (spec §3.7): a cluster IP names its service only; an endpoint
// address names `<ep>.<svc>.<ns>.svc.<zone>` once per service holding it.

import { RRType } from '../dns/types.js';
import { IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE, ipFamilyOf, reverseName } from '../dns/names.js';
import type { Service } from '../cluster/state.js';
import { record, type NameTable } from './table.js';
import { endpointName, readyEndpoints, serviceName, type BuildContext } from './services.js';

export function reverseZoneOf(ip: string): string {
  return ipFamilyOf(ip) === 'IPv6' ? IPV6_REVERSE_ZONE : IPV4_REVERSE_ZONE;
}

export function addReverse(table: NameTable, services: readonly Service[], context: BuildContext): void {
  const { zone, ttl } = context;
  const clusterIPs = new Set<string>();
  for (const service of services) {
    if (service.kind !== 'ClusterIP') continue;
    for (const ip of service.clusterIPs) {
      // The first service declaring an IP keeps it (CoreDNS returns one match).
      if (clusterIPs.has(ip)) continue;
      clusterIPs.add(ip);
      addPtr(table, ip, serviceName(service, zone), ttl);
    }
  }
  for (const service of services) {
    if (service.kind === 'ExternalName') continue;
    const owner = serviceName(service, zone);
    for (const endpoint of readyEndpoints(service)) {
      // Endpoints are not searched once a cluster IP matches.
      if (clusterIPs.has(endpoint.address)) continue;
      addPtr(table, endpoint.address, `${endpointName(endpoint)}.${owner}`, ttl);
    }
  }
}

function addPtr(table: NameTable, ip: string, target: string, ttl: number): void {
  const name = reverseName(ip);
  table.add(name, reverseZoneOf(ip), RRType.PTR, [record(name, ttl, { type: 'PTR', target })]);
}
