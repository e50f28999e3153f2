// PTR records (spec §3.7): a cluster IP names its service only; an endpoint
// address names `<ep>.<svc>.<ns>.svc.<zone>` once per service holding it.
//
// The index answers them from ReverseNames, whose compact address index
// (address-index.ts) is built on the first reverse query (most loads never
// get one). Listing and counting walk the services again instead.

import { RRType, type ResourceRecord } from '../dns/types.js';
import { IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE, parseReverseName, reverseName } from '../dns/names.js';
import { ipFamilyOf } from '../net/ip.js';
import { type Endpoint, ITEMS_PER_STEP, runNow, type Service, type Steps } from '../cluster/index.js';
import { AddressIndex, type OwnerPosition } from './address-index.js';
import { NameTable, record, type NameEntry } from './table.js';
import { endpointName, serviceName, type BuildContext } from './services.js';

function reverseZoneOf(ip: string): string {
  return ipFamilyOf(ip) === 'IPv6' ? IPV6_REVERSE_ZONE : IPV4_REVERSE_ZONE;
}

/** What one address names: a service by its cluster IP, or one of its ready endpoints. */
type AddressOwner = Service | { readonly service: Service; readonly endpoint: Endpoint };

/**
 * Every address's owners in PTR order: the first service with it as cluster
 * IP, else every endpoint holding it. With `only`, other addresses are
 * skipped. Owners are given as positions: `services[service]`, and
 * `.endpoints[endpoint]` or -1 for the service's cluster IP.
 */
function eachOwner(
  services: readonly Service[],
  visit: (ip: string, service: number, endpoint: number) => void,
  only?: ReadonlySet<string>,
): void {
  runNow(eachOwnerSteps(services, visit, only));
}

/** eachOwner in steps, a yield every few services (a reload's diff runs them through a Slicer). */
function* eachOwnerSteps(
  services: readonly Service[],
  visit: (ip: string, service: number, endpoint: number) => void,
  only?: ReadonlySet<string>,
): Steps<void> {
  // With `only`, just its addresses are remembered: a diff asks for a few among 150,000.
  const clusterIPs = new Set<string>();
  for (let position = 0; position < services.length; position++) {
    if (position % ITEMS_PER_STEP === 0) yield;
    const service = services[position]!;
    if (service.kind !== 'ClusterIP') continue;
    for (const ip of service.clusterIPs) {
      // The first service declaring an IP keeps it (CoreDNS returns one match).
      if ((only && !only.has(ip)) || clusterIPs.has(ip)) continue;
      clusterIPs.add(ip);
      visit(ip, position, -1);
    }
  }
  let endpoints = 0;
  for (let position = 0; position < services.length; position++) {
    const service = services[position]!;
    const held = service.endpoints;
    // Services hold up to thousands of endpoints: a yield every few dozen of them.
    endpoints += held.length + 1;
    if (endpoints >= ITEMS_PER_STEP) {
      endpoints = 0;
      yield;
    }
    if (service.kind === 'ExternalName') continue;
    for (let index = 0; index < held.length; index++) {
      const endpoint = held[index]!;
      // Endpoints are not searched once a cluster IP matches.
      if ((only && !only.has(endpoint.address)) || !endpoint.ready || clusterIPs.has(endpoint.address)) continue;
      visit(endpoint.address, position, index);
    }
  }
}

function ownerAt(services: readonly Service[], position: OwnerPosition): AddressOwner {
  const service = services[position.service]!;
  return position.endpoint < 0 ? service : { service, endpoint: service.endpoints[position.endpoint]! };
}

function ptrTarget(owner: AddressOwner, zone: string): string {
  if ('kind' in owner) return serviceName(owner, zone);
  return `${endpointName(owner.endpoint)}.${serviceName(owner.service, zone)}`;
}

function addPtr(table: NameTable, ip: string, target: string, ttl: number): void {
  const name = reverseName(ip);
  table.add(name, reverseZoneOf(ip), RRType.PTR, [record(name, ttl, { type: 'PTR', target })]);
}

/** The PTR names of the cluster's addresses, answered per name. */
export class ReverseNames {
  /** The owners of every address, for queries; built on the first one. */
  private index: AddressIndex | undefined;

  constructor(
    private readonly services: readonly Service[],
    private readonly context: BuildContext,
  ) {}

  /** The entry of a full reverse name of a cluster address; undefined for any other name. */
  entry(name: string): NameEntry | undefined {
    const ip = parseReverseName(name);
    if (ip === undefined) return undefined;
    this.index ??= new AddressIndex((visit) => eachOwner(this.services, visit));
    const owners = this.index.owners(ip);
    // A name spelling the address otherwise (leading zeros, ...) is not the PTR name.
    if (owners.length === 0 || reverseName(ip) !== name) return undefined;
    const table = new NameTable();
    for (const owner of owners) addPtr(table, ip, ptrTarget(ownerAt(this.services, owner), this.context.zone), this.context.ttl);
    return table.get(name);
  }

  /** Every PTR record, in the order addReverse writes them, and how many names hold them. */
  listing(): { records: ResourceRecord[]; names: number } {
    const { zone, ttl } = this.context;
    const byAddress = this.addresses();
    const records: ResourceRecord[] = [];
    for (const [ip, owners] of byAddress) {
      const name = reverseName(ip);
      if (!Array.isArray(owners)) {
        records.push(record(name, ttl, { type: 'PTR', target: ptrTarget(owners, zone) }));
        continue;
      }
      const table = new NameTable();
      for (const owner of owners) addPtr(table, ip, ptrTarget(owner, zone), ttl);
      for (const rr of table.get(name)?.sets.get(RRType.PTR)?.answer ?? []) records.push(rr);
    }
    return { records, names: byAddress.size };
  }

  /** How many PTR records listing() gives. */
  count(): number {
    let count = 0;
    for (const owners of this.addresses().values()) {
      if (!Array.isArray(owners)) count++;
      // Owners from distinct services always name distinct targets; only same-named services (hand-made states) need the names written.
      else if (distinctServices(owners)) count += owners.length;
      else count += new Set(owners.map((owner) => ptrTarget(owner, this.context.zone).toLowerCase())).size;
    }
    return count;
  }

  /** The PTR records of each of `ips` the cluster holds, found by one pass over the services. */
  recordsOf(ips: ReadonlySet<string>): ResourceRecord[] {
    return runNow(this.recordsOfSteps(ips));
  }

  /** recordsOf in steps (a reload's diff runs them through a Slicer). */
  *recordsOfSteps(ips: ReadonlySet<string>): Steps<ResourceRecord[]> {
    const table = new NameTable();
    const { zone, ttl } = this.context;
    yield* eachOwnerSteps(this.services, (ip, service, endpoint) => addPtr(table, ip, ptrTarget(ownerAt(this.services, { service, endpoint }), zone), ttl), ips);
    const records: ResourceRecord[] = [];
    for (const entry of table.all()) for (const rr of entry.sets.get(RRType.PTR)?.answer ?? []) records.push(rr);
    return records;
  }

  /** Addresses whose PTR targets differ between this cluster and `other` (same zone). */
  changedAddresses(other: ReverseNames): string[] {
    return runNow(this.changedAddressSteps(other));
  }

  /** changedAddresses in steps (a reload's diff runs them through a Slicer). */
  *changedAddressSteps(other: ReverseNames): Steps<string[]> {
    const mine = yield* this.addressSteps();
    const theirs = yield* other.addressSteps();
    const changed: string[] = [];
    for (const [ip, owners] of mine) if (!sameOwners(owners, theirs.get(ip))) changed.push(ip);
    for (const ip of theirs.keys()) if (!mine.has(ip)) changed.push(ip);
    return changed;
  }

  /** Every address → its owner(s), in first-seen order: for listing and counting, built each time and not kept. */
  private addresses(): Map<string, AddressOwner | AddressOwner[]> {
    return runNow(this.addressSteps());
  }

  private *addressSteps(): Steps<Map<string, AddressOwner | AddressOwner[]>> {
    const byAddress = new Map<string, AddressOwner | AddressOwner[]>();
    yield* eachOwnerSteps(this.services, (ip, service, endpoint) => {
      const owner = ownerAt(this.services, { service, endpoint });
      const known = byAddress.get(ip);
      if (known === undefined) byAddress.set(ip, owner);
      else if (Array.isArray(known)) known.push(owner);
      else byAddress.set(ip, [known, owner]);
    });
    return byAddress;
  }
}

/** Whether two owner lists name the same PTR targets, in the same order. */
function sameOwners(a: AddressOwner | AddressOwner[], b: AddressOwner | AddressOwner[] | undefined): boolean {
  if (b === undefined) return false;
  const left = Array.isArray(a) ? a : [a];
  const right = Array.isArray(b) ? b : [b];
  return left.length === right.length && left.every((owner, i) => sameOwner(owner, right[i]!));
}

function sameOwner(a: AddressOwner, b: AddressOwner): boolean {
  if ('kind' in a) return 'kind' in b && a.namespace === b.namespace && a.name === b.name;
  if ('kind' in b) return false;
  return (
    a.service.namespace === b.service.namespace &&
    a.service.name === b.service.name &&
    endpointName(a.endpoint) === endpointName(b.endpoint)
  );
}

function distinctServices(owners: readonly AddressOwner[]): boolean {
  const serviceOf = (owner: AddressOwner) => ('kind' in owner ? owner : owner.service);
  return owners.every((owner, i) => {
    const service = serviceOf(owner);
    return owners.slice(0, i).every((other) => serviceOf(other).name !== service.name || serviceOf(other).namespace !== service.namespace);
  });
}
