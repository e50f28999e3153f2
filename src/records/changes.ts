// What changed between two indexes, by name, without listing either cluster:
// the `records()` listings of a 150,000-pod cluster take seconds, a reload
// must not. Only the parts that can differ are listed: the apex names, the
// services whose objects (or whose pods' address annotations) changed, the
// addresses whose PTR owners changed and, in verified mode, the pod names
// added or removed. The result is what comparing the two listings name by
// name gives (SOA records left out, as their serial moves on every reload).

import { type AddressOverride, type Endpoint, ITEMS_PER_STEP, type NamedPort, type ReadonlyPodMap, samePod, type Service, Slicer, type Steps } from '../cluster/index.js';
import { formatRecord } from '../dns/zonetext.js';
import type { ResourceRecord } from '../dns/types.js';
import type { PodNames } from './pods.js';
import type { ReverseNames } from './reverse.js';
import type { ServiceTables } from './service-tables.js';
import type { NameTable } from './table.js';
import type { NameChanges } from './types.js';


/** What one index holds, as changesBetween reads it. */
export interface IndexParts {
  readonly zone: string;
  readonly apex: NameTable;
  readonly services: ServiceTables;
  readonly reverse: ReverseNames;
  readonly pods: PodNames;
  readonly podOverrides: ReadonlyPodMap<AddressOverride>;
}

/** Zone-file lines per owner name (lower-case), collected from the parts that may differ. */
class Lines {
  readonly byName = new Map<string, string[]>();

  add(rr: ResourceRecord): void {
    if (rr.data.type === 'SOA') return;
    const name = rr.name.toLowerCase();
    let lines = this.byName.get(name);
    if (!lines) this.byName.set(name, (lines = []));
    lines.push(formatRecord({ ...rr, name }));
  }

  addTable(table: NameTable): void {
    for (const entry of table.all()) {
      for (const set of entry.sets.values()) if (set.listed) for (const rr of set.answer) this.add(rr);
    }
  }

  text(name: string): string | undefined {
    return this.byName.get(name)?.sort().join('\n');
  }
}

/** Services compared between two looks at the slicer's clock. */
const SERVICES_PER_CHECK = 64;

/**
 * The changes from `before` to `after`; both must share zone, TTL and pod
 * mode. A reload runs this while serving, so it pauses through `slicer`
 * every few milliseconds and queries are answered in between.
 */
export async function changesBetween(before: IndexParts, after: IndexParts, slicer: Slicer = new Slicer()): Promise<NameChanges> {
  const old = new Lines();
  const now = new Lines();
  old.addTable(before.apex);
  now.addTable(after.apex);
  const changedGroups = new Set<string>();
  const touched = new Set<string>();
  let compared = 0;
  for (const [namespace, name] of before.services.keys(after.services)) {
    if (++compared % SERVICES_PER_CHECK === 0) await slicer.maybeYield();
    const was = before.services.group(namespace, name);
    const is = after.services.group(namespace, name);
    if (was && is && sameGroup(was, is, before.podOverrides, after.podOverrides)) continue;
    changedGroups.add(`${namespace}/${name}`);
    for (const [services, parts, lines] of [[was, before, old], [is, after, now]] as const) {
      if (!services) continue;
      lines.addTable(parts.services.listingTable(services));
      for (const service of services) {
        for (const ip of service.clusterIPs) touched.add(ip);
        for (const endpoint of service.endpoints) touched.add(endpoint.address);
      }
    }
  }
  // An address's PTRs depend on the services holding it, in service order:
  // when the others kept their order, only the changed services' addresses
  // can have changed PTRs.
  const sameOrder = await slicer.run(sameOrderBesidesSteps(before.services.all, after.services.all, changedGroups));
  const ptrs = sameOrder ? touched : undefined;
  const addresses = ptrs ?? new Set(await slicer.run(before.reverse.changedAddressSteps(after.reverse)));
  for (const rr of await slicer.run(before.reverse.recordsOfSteps(addresses))) old.add(rr);
  for (const rr of await slicer.run(after.reverse.recordsOfSteps(addresses))) now.add(rr);
  await slicer.maybeYield();
  if (!before.pods.listsSameAs(after.pods)) {
    for (const rr of before.pods.listingWithout(after.pods)) old.add(rr);
    for (const rr of after.pods.listingWithout(before.pods)) now.add(rr);
  }

  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  // A reset or a big apply changes thousands of names: their lines are sorted and compared in slices too.
  for (const name of now.byName.keys()) {
    if (++compared % SERVICES_PER_CHECK === 0) await slicer.maybeYield();
    const previous = old.text(name);
    if (previous === undefined) added.push(name);
    else if (previous !== now.text(name)) changed.push(name);
  }
  for (const name of old.byName.keys()) if (!now.byName.has(name)) removed.push(name);
  await slicer.maybeYield();
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

/** Whether the services outside `changed` (`namespace/name`) come in the same order in `a` and `b`; in steps. */
function* sameOrderBesidesSteps(a: readonly Service[], b: readonly Service[], changed: ReadonlySet<string>): Steps<boolean> {
  const isChanged = (service: Service) => changed.size > 0 && changed.has(`${service.namespace}/${service.name}`);
  // Walk both lists at once, skipping the changed services of each: no filtered copies.
  let i = 0;
  let j = 0;
  let count = 0;
  for (;;) {
    if (++count % ORDER_PER_STEP === 0) yield;
    if (i < a.length && isChanged(a[i]!)) i++;
    else if (j < b.length && isChanged(b[j]!)) j++;
    else if (i === a.length || j === b.length) return i === a.length && j === b.length;
    else if (a[i]!.namespace !== b[j]!.namespace || a[i]!.name !== b[j]!.name) return false;
    else {
      i++;
      j++;
    }
  }
}

/** Service pairs compared between two yields. */
const ORDER_PER_STEP = 4 * ITEMS_PER_STEP;

function sameGroup(
  a: readonly Service[],
  b: readonly Service[],
  overridesA: ReadonlyPodMap<AddressOverride>,
  overridesB: ReadonlyPodMap<AddressOverride>,
): boolean {
  if (a.length !== b.length) return false;
  // Loops, not every(): a reload compares all 10,000 services of a big cluster.
  for (let i = 0; i < a.length; i++) if (!sameService(a[i]!, b[i]!, overridesA, overridesB)) return false;
  return true;
}

/** Equal in everything the records of a service are made of. */
function sameService(
  a: Service,
  b: Service,
  overridesA: ReadonlyPodMap<AddressOverride>,
  overridesB: ReadonlyPodMap<AddressOverride>,
): boolean {
  if (a === b && overridesA === overridesB) return true;
  return (
    a.name === b.name &&
    a.namespace === b.namespace &&
    a.kind === b.kind &&
    a.externalName === b.externalName &&
    sameList(a.clusterIPs, b.clusterIPs, (x, y) => x === y) &&
    sameList(a.ports, b.ports, samePort) &&
    sameOverride(a.address, b.address) &&
    // The very same list: a rebuild kept it, as the pods behind it (and their address annotations) are the same.
    (a.endpoints === b.endpoints || sameList(a.endpoints, b.endpoints, (x, y) => sameEndpoint(x, y, overridesA, overridesB)))
  );
}

function sameEndpoint(
  a: Endpoint,
  b: Endpoint,
  overridesA: ReadonlyPodMap<AddressOverride>,
  overridesB: ReadonlyPodMap<AddressOverride>,
): boolean {
  return (
    a.address === b.address &&
    a.hostname === b.hostname &&
    a.ready === b.ready &&
    // By name: the two builds made their own Pod objects.
    samePod(a.pod, b.pod) &&
    sameList(a.ports, b.ports, samePort) &&
    (a.pod === undefined || sameOverride(overridesA.get(a.pod), overridesB.get(b.pod)))
  );
}

function samePort(a: NamedPort, b: NamedPort): boolean {
  return a.name === b.name && a.protocol === b.protocol && a.port === b.port;
}

function sameOverride(a: AddressOverride | undefined, b: AddressOverride | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind === 'ip') return b.kind === 'ip' && a.ip === b.ip;
  return b.kind === 'hostname' && a.hostname === b.hostname;
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i]!, b[i]!)) return false;
  return true;
}
