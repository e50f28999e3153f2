// `recordCount` without listing: what `records().length` would be, counted
// per service from the same rules the tables follow (an address once per
// name, an SRV record once per port and target, named-port SRV names, one
// CNAME per ExternalName, one PTR per address and owner name). Metrics read
// it on every reload, where a 150,000-pod listing takes seconds.

import type { Endpoint, Service } from '../cluster/index.js';
import { canonicalIP } from '../net/ip.js';
import { byEndpointName, endpointPlan, readyEndpoints, servicePlan, type BuildContext } from './services.js';
import type { NameTable } from './table.js';

/** Records a service group lists; groups of several services (hand-made states only) are counted from their table. */
export function countGroup(services: readonly Service[], context: BuildContext, table: () => NameTable): number {
  const service = services[0]!;
  if (services.length > 1) return countListed(table());
  if (service.kind === 'ExternalName') {
    const target = service.externalName?.replace(/\.$/, '') ?? '';
    return target !== '' && canonicalIP(target) === undefined ? 1 : 0;
  }
  const ready = readyEndpoints(service);
  const groups = groupByName(ready);
  let count = 0;
  if (service.kind === 'ClusterIP') {
    count += new Set(servicePlan(service, ready, context).ips).size;
    count += new Set(service.ports.map((port) => port.port)).size;
    count += new Set(service.ports.filter((port) => port.name).map((port) => `${port.name!.toLowerCase()} ${port.protocol} ${port.port}`)).size;
  } else if (ready.length > 0) {
    count += new Set(servicePlan(service, ready, context).ips).size;
    const targets = new Set<string>();
    const named = new Set<string>();
    for (const [label, endpoints] of groups) {
      for (const endpoint of endpoints) {
        for (const port of endpoint.ports) {
          targets.add(`${port.port} ${label}`);
          if (port.name) named.add(`${port.name.toLowerCase()} ${port.protocol} ${port.port} ${label}`);
        }
      }
    }
    count += targets.size + named.size;
  }
  for (const endpoints of groups.values()) {
    count += new Set(endpointPlan(endpoints, context).ips).size;
    const ports = new Set<number>();
    for (const endpoint of endpoints) for (const port of endpoint.ports) ports.add(port.port);
    count += ports.size;
  }
  return count;
}

/**
 * Ready endpoints grouped as byEndpointName groups them, keyed by address
 * where there is no hostname: writing every dashed name costs more than the
 * rest of the count. Exact unless a hostname could be a dashed address (hex
 * digits and dashes only); then the names are written after all.
 */
function groupByName(ready: readonly Endpoint[]): Map<string, Endpoint[]> {
  if (ready.some((endpoint) => endpoint.hostname !== undefined && DASHED.test(endpoint.hostname))) return byEndpointName(ready);
  const groups = new Map<string, Endpoint[]>();
  for (const endpoint of ready) {
    const key = endpoint.hostname === undefined ? endpoint.address : `=${endpoint.hostname.toLowerCase()}`;
    const group = groups.get(key);
    if (group) group.push(endpoint);
    else groups.set(key, [endpoint]);
  }
  return groups;
}

const DASHED = /^[0-9a-f-]*$/i;

export function countListed(table: NameTable): number {
  let count = 0;
  for (const entry of table.all()) for (const set of entry.sets.values()) if (set.listed) count += set.answer.length;
  return count;
}
