// The records of each service, built on the first query of one of its names
// (the service name, `_port._proto` names, endpoint names) rather than for
// every service at load: a load only groups the services by namespace and
// name. Every name a service answers ends in `<name>.<namespace>.svc.<zone>`
// and no other service's does, so one small table answers all of them.
//
// Built tables are kept in two generations, like the answer memo, bounded by
// the names they hold: answers are memoized anyway, so a table is needed
// again only for names of that service not asked yet.

import type { Service } from '../cluster/index.js';
import type { HostnameNames } from './address-override.js';
import type { NameTable } from './table.js';
import { ITEMS_PER_STEP, runNow, type Steps } from '../cluster/slicer.js';

/** One service's (or, in a hand-made state, same-named services') names. */
export interface ServiceTable {
  readonly table: NameTable;
  /** Names whose A/AAAA resolve `clusterdns.io/address` hostnames per query. */
  readonly hostnames: HostnameNames;
}

/** Names held by built tables before a generation turns; two generations are kept. */
export const TABLE_GENERATION_NAMES = 50_000;

type Group = Service | Service[];

interface ServiceTableBuilder {
  /** The group's records; ExternalName chains are not followed yet. */
  build(services: readonly Service[]): ServiceTable;
  /** Follow the ExternalName chains; runs once `table` can be found, so chains that loop back end. */
  complete(table: ServiceTable): void;
}

/** The services grouped by namespace and name, as ServiceTables holds them. */
export type ServiceGroups = ReadonlyMap<string, ReadonlyMap<string, Group>>;

/** Group `services` by namespace and name, in steps (a reload runs them through a Slicer). */
export function* groupServiceSteps(services: readonly Service[]): Steps<ServiceGroups> {
  const byNamespace = new Map<string, Map<string, Group>>();
  let count = 0;
  for (const service of services) {
    if (++count % GROUPED_PER_STEP === 0) yield;
    let byName = byNamespace.get(service.namespace);
    if (!byName) byNamespace.set(service.namespace, (byName = new Map()));
    const known = byName.get(service.name);
    if (known === undefined) byName.set(service.name, service);
    else if (Array.isArray(known)) known.push(service);
    else byName.set(service.name, [known, service]);
  }
  return byNamespace;
}

/** Services grouped between two yields: two map lookups each. */
const GROUPED_PER_STEP = 4 * ITEMS_PER_STEP;

export class ServiceTables {
  private current = new Map<Group, ServiceTable>();
  private previous = new Map<Group, ServiceTable>();
  private names = 0;

  constructor(
    private readonly services: readonly Service[],
    private readonly builder: ServiceTableBuilder,
    private readonly limit: number = TABLE_GENERATION_NAMES,
    /** `groupServiceSteps(services)`'s result, when already built in slices. */
    private readonly byNamespace: ServiceGroups = runNow(groupServiceSteps(services)),
  ) {}

  /** The table of the service(s) `<name>.<namespace>`, or undefined when there is none. */
  get(namespace: string, name: string): ServiceTable | undefined {
    const group = this.byNamespace.get(namespace)?.get(name);
    if (group === undefined) return undefined;
    const built = this.current.get(group);
    if (built) return built;
    const kept = this.previous.get(group);
    if (kept) {
      this.remember(group, kept);
      return kept;
    }
    const fresh = this.builder.build(Array.isArray(group) ? group : [group]);
    this.remember(group, fresh);
    this.builder.complete(fresh);
    return fresh;
  }

  /**
   * Every group's table in listing order, built afresh and not kept (the
   * listing reads each once): groups with a ClusterIP or headless service in
   * the order of its first one, then ExternalName-only groups. Groups with an
   * ExternalName come from get(), as their chains need the other tables.
   */
  *listingTables(): Generator<NameTable> {
    const seen = new Set<Group>();
    const externalOnly: Group[] = [];
    for (const service of this.services) {
      const group = this.byNamespace.get(service.namespace)?.get(service.name);
      if (group === undefined || seen.has(group)) continue;
      const services = Array.isArray(group) ? group : [group];
      if (services.every((member) => member.kind === 'ExternalName')) {
        seen.add(group);
        externalOnly.push(group);
      } else if (service.kind !== 'ExternalName') {
        seen.add(group);
        yield this.listingTable(services);
      }
    }
    for (const group of externalOnly) yield this.listingTable(Array.isArray(group) ? group : [group]);
  }

  /** Every group of same-named services (almost always one service). */
  *groups(): Generator<readonly Service[]> {
    for (const byName of this.byNamespace.values()) for (const group of byName.values()) yield Array.isArray(group) ? group : [group];
  }

  /** The services in state order. */
  get all(): readonly Service[] {
    return this.services;
  }

  /** Every `[namespace, name]` with a service here or in `other`. */
  *keys(other: ServiceTables): Generator<[string, string]> {
    for (const [namespace, byName] of this.byNamespace) for (const name of byName.keys()) yield [namespace, name];
    for (const [namespace, byName] of other.byNamespace) {
      const mine = this.byNamespace.get(namespace);
      for (const name of byName.keys()) if (!mine?.has(name)) yield [namespace, name];
    }
  }

  /** The service(s) named `<name>.<namespace>`. */
  group(namespace: string, name: string): readonly Service[] | undefined {
    const group = this.byNamespace.get(namespace)?.get(name);
    if (group === undefined) return undefined;
    return Array.isArray(group) ? group : [group];
  }

  /** A group's listed records, as listingTables gives them. */
  listingTable(services: readonly Service[]): NameTable {
    const first = services[0]!;
    if (services.some((service) => service.kind === 'ExternalName')) return this.get(first.namespace, first.name)!.table;
    return this.builder.build(services).table;
  }

  private remember(group: Group, table: ServiceTable): void {
    if (this.names >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
      this.names = 0;
    }
    this.current.set(group, table);
    this.names += table.table.size;
  }
}
