// The record index: what the cluster answers for any (name, qtype), built
// from a ClusterState. Building it only groups the services by name; a name
// is answered by parsing it, building its service's records on that
// service's first query (service-tables.ts), encoding the answer and
// memoizing it (memo.ts). A repeated query is two map lookups.

import { RCode, RRType, type ResourceRecord } from '../dns/types.js';
import { IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE, isSubdomain, stripZone } from '../dns/names.js';
import { nameWireLength, prepareAnswer } from '../dns/wire.js';
import { type AddressOverride, type ClusterState, type ReadonlyPodMap, runNow, type Service, type Slicer, type Steps } from '../cluster/index.js';
import { AddressOverrides, podAddressOverrideSteps, type HostnameNames } from './address-override.js';
import { addApex, namespaceNodeExists } from './apex.js';
import { changesBetween, type IndexParts } from './changes.js';
import { countGroup, countListed } from './count.js';
import { addExternalNames, resolveExternalNames } from './externalname.js';
import { listCluster, type Listing } from './listing.js';
import { AnswerMemo } from './memo.js';
import { NegativeAnswers } from './negative.js';
import { parseQueryName, type ParsedName } from './parse.js';
import { PodNames } from './pods.js';
import { ReverseNames } from './reverse.js';
import { groupServiceSteps, ServiceTables, TABLE_GENERATION_NAMES, type ServiceGroups, type ServiceTable } from './service-tables.js';
import { sameServing, servedState } from './served.js';
import { addService, type BuildContext } from './services.js';
import { NameTable, type NameEntry } from './table.js';
import type { IndexOptions, Lookup, NameChanges, RecordIndex } from './types.js';

export type { IndexOptions, Lookup, NameChanges, PodMode, RecordIndex } from './types.js';

const NOT_OURS: Lookup = { kind: 'not-ours' };
const REFUSED: Lookup = { kind: 'refused' };

export function buildRecordIndex(state: ClusterState, options: IndexOptions): RecordIndex {
  return runNow(buildRecordIndexSteps(state, options));
}

/**
 * buildRecordIndex in steps: the loops over every pod and service run with
 * pauses (a reload runs them through a Slicer), the rest is a few maps.
 */
export function* buildRecordIndexSteps(given: ClusterState, givenOptions: IndexOptions): Steps<RecordIndex> {
  const options = withTtlCap(givenOptions);
  const state = servedState(given, options);
  yield;
  const podOverrides = yield* podAddressOverrideSteps(state);
  const serviceGroups = yield* groupServiceSteps(state.services);
  return new Index(state, options, podOverrides, serviceGroups);
}

/** The cache cap bounds every TTL we answer (CoreDNS `cache 30`). */
function withTtlCap(options: IndexOptions): IndexOptions {
  return options.maxTtl === undefined ? options : { ...options, ttl: Math.min(options.ttl, options.maxTtl) };
}

class Index implements RecordIndex {
  readonly zone: string;
  readonly serial: number;
  private readonly negative: NegativeAnswers;
  private readonly memo = new AnswerMemo();
  /** The apex, `ns.dns`, `dns-version`, `svc`, `pod` and the reverse apexes. */
  private readonly apex = new NameTable();
  private readonly services: ServiceTables;
  private readonly reverse: ReverseNames;
  private readonly pods: PodNames;
  private readonly podOverrides: ReadonlyPodMap<AddressOverride>;
  /** Counted when first asked (an index's state never changes). */
  private recordTotal: number | undefined;
  private names: number | undefined;

  private readonly state: ClusterState;
  private readonly options: IndexOptions;

  /** `state`: servedState of the cluster state; `options`: TTL already capped (buildRecordIndexSteps). */
  constructor(state: ClusterState, options: IndexOptions, podOverrides: ReadonlyPodMap<AddressOverride>, serviceGroups: ServiceGroups) {
    this.options = options;
    this.state = state;
    this.zone = options.zone;
    this.serial = options.serial;
    this.negative = new NegativeAnswers(options.serial, options.ttl);
    this.pods = new PodNames(state, options.podMode, options.zone, options.ttl);
    this.podOverrides = podOverrides;
    addApex(this.apex, state, options);
    this.apex.seal();
    const builder = {
      build: (services: readonly Service[]) => this.buildServiceTable(services),
      complete: (built: ServiceTable) => resolveExternalNames(built.table, (name) => this.entryInZone(name)?.entry, this.pods, this.context()),
    };
    this.services = new ServiceTables(state.services, builder, TABLE_GENERATION_NAMES, serviceGroups);
    this.reverse = new ReverseNames(state.services, this.context());
  }

  get nameCount(): number {
    if (this.names === undefined) this.listing();
    return this.names!;
  }

  get recordCount(): number {
    this.recordTotal ??= this.countRecords();
    return this.recordTotal;
  }

  lookup(name: string, qtype: number): Lookup {
    const known = this.memo.get(name, qtype);
    if (known !== undefined) return known;
    const lookup = this.compute(name, qtype);
    // Names outside our zones go upstream and zone transfers are refused: nothing worth keeping.
    if (lookup !== NOT_OURS && lookup !== REFUSED) this.memo.set(name, qtype, lookup);
    return lookup;
  }

  records(): ResourceRecord[] {
    return this.listing().records;
  }

  changesSince(previous: RecordIndex, slicer?: Slicer): Promise<NameChanges> | undefined {
    if (!(previous instanceof Index) || previous.zone !== this.zone) return undefined;
    if (previous.options.ttl !== this.options.ttl || previous.options.podMode !== this.options.podMode) return undefined;
    if (previous.options.maxTtl !== this.options.maxTtl) return undefined;
    if (!sameServing(previous.options, this.options)) return undefined;
    return changesBetween(previous.parts(), this.parts(), slicer);
  }

  private parts(): IndexParts {
    const { zone, apex, services, reverse, pods, podOverrides } = this;
    return { zone, apex, services, reverse, pods, podOverrides };
  }

  private listing(): Listing {
    const namespaces = this.state.namespaces.size;
    const listing = listCluster({
      apex: this.apex,
      namespaceNodes: this.options.podMode === 'disabled' ? namespaces : 2 * namespaces,
      services: this.services,
      reverse: this.reverse,
      pods: this.pods,
    });
    this.names = listing.nameCount;
    return listing;
  }

  /** What records().length gives, counted without listing. */
  private countRecords(): number {
    const context = { zone: this.zone, ttl: this.options.ttl, overrides: new AddressOverrides(this.podOverrides) };
    let count = countListed(this.apex) + this.reverse.count() + this.pods.count();
    for (const group of this.services.groups()) count += countGroup(group, context, () => this.services.listingTable(group));
    return count;
  }

  private context(): BuildContext {
    return { zone: this.zone, ttl: this.options.ttl };
  }

  private buildServiceTable(services: readonly Service[]): ServiceTable {
    const overrides = new AddressOverrides(this.podOverrides);
    const context = { zone: this.zone, ttl: this.options.ttl, overrides };
    const table = new NameTable();
    for (const service of services) addService(table, service, context);
    addExternalNames(table, services, context);
    table.seal();
    return { table, hostnames: overrides.hostnameNames(this.zone, this.options.ttl) };
  }

  private compute(name: string, qtype: number): Lookup {
    const relative = stripZone(name, this.zone);
    if (relative === undefined) return this.outside(name, qtype);
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) return REFUSED;
    const parsed = parseQueryName(relative);
    const corner = this.corner(name, parsed, qtype);
    if (corner) return corner;
    const found = this.entryInZone(name, parsed);
    if (found) return this.fromEntry(found.entry, name, qtype, found.hostnames);
    return this.computed(name, parsed, qtype);
  }

  /**
   * The CoreDNS corners no table holds (docs/behaviour.md#coredns-corners):
   * SOA below the apex is NODATA whether the name exists or not; TXT at the
   * names without service records (apex, `svc`/`pod`, namespace nodes) and
   * TXT or PTR at `ns.dns` are NXDOMAIN.
   */
  private corner(name: string, parsed: ParsedName, qtype: number): Lookup | undefined {
    if (qtype === RRType.SOA) return parsed.kind === 'apex' ? undefined : this.nodata(name);
    const nxdomain =
      (qtype === RRType.TXT && (parsed.kind === 'apex' || parsed.kind === 'type-label' || parsed.kind === 'namespace')) ||
      (parsed.kind === 'nameserver' && (qtype === RRType.TXT || qtype === RRType.PTR));
    return nxdomain ? { kind: 'answer', answer: this.negative.nxdomain(this.zone, nameWireLength(name)) } : undefined;
  }

  /** The entry of a name inside the cluster zone (lower-case), with its table's hostname names. */
  private entryInZone(name: string, parsed = parseInZone(name, this.zone)): { entry: NameEntry; hostnames?: HostnameNames } | undefined {
    switch (parsed.kind) {
      case 'apex':
      case 'dns-version':
      case 'nameserver':
      case 'type-label': {
        const entry = this.apex.get(name);
        return entry && { entry };
      }
      case 'namespace':
        if (!namespaceNodeExists(this.state, this.options.podMode, parsed.type, parsed.namespace)) return undefined;
        return { entry: new NameTable().touch(name, this.zone) };
      case 'service':
      case 'endpoint':
      case 'srv': {
        const built = this.services.get(parsed.namespace, parsed.service);
        const entry = built?.table.get(name);
        return entry && { entry, hostnames: built!.hostnames };
      }
      case 'pod':
      case 'invalid':
        return undefined;
    }
  }

  /** Names outside the cluster zone: the reverse zones are ours, the rest is not. */
  private outside(name: string, qtype: number): Lookup {
    const apex = [IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE].find((zone) => isSubdomain(name, zone));
    if (apex === undefined) return NOT_OURS;
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) return REFUSED;
    const apexEntry = this.apex.get(name);
    if (apexEntry) return this.fromEntry(apexEntry, name, qtype);
    // Below a reverse apex SOA is NODATA, known name or not, and never forwarded (CoreDNS).
    if (qtype === RRType.SOA) return { kind: 'answer', answer: this.negative.nodata(apex, nameWireLength(name)) };
    const known = this.reverse.entry(name);
    if (known && qtype === RRType.PTR) return this.fromEntry(known, name, qtype);
    // CoreDNS answers only PTR at the reverse names it knows: other types fall through like unknown names.
    const local = known ? this.negative.nodata(apex, nameWireLength(name)) : this.negative.nxdomain(apex, nameWireLength(name));
    if (this.options.reverseFallthrough) return { kind: 'reverse-miss', local };
    return { kind: 'answer', answer: local };
  }

  /**
   * A name that exists: its set for `qtype`, else NODATA (NXDOMAIN at
   * dns-version). A/AAAA of a name with `clusterdns.io/address` hostnames
   * become an `external` lookup whose fallback is that answer.
   */
  private fromEntry(entry: NameEntry, name: string, qtype: number, hostnames?: HostnameNames): Lookup {
    const lookup = this.prepare(entry, qtype) ?? this.otherType(entry, name);
    const targets = lookup.kind === 'answer' ? hostnames?.get(name)?.get(qtype) : undefined;
    if (!targets || lookup.kind !== 'answer') return lookup;
    return { kind: 'external', cnames: [], target: targets.targets[0] ?? '', nodata: lookup.answer, hostnames: targets };
  }

  private otherType(entry: NameEntry, name: string): Lookup {
    const length = nameWireLength(name);
    const answer =
      entry.otherTypes === 'nxdomain'
        ? this.negative.nxdomain(entry.apex, length)
        : this.negative.nodata(entry.apex, length);
    return { kind: 'answer', answer };
  }

  /** Names no table holds: pod names, SRV names without underscores, else NXDOMAIN. */
  private computed(name: string, parsed: ParsedName, qtype: number): Lookup {
    if (parsed.kind === 'pod') {
      const rr = this.pods.record(parsed.namespace, parsed.label, name);
      if (rr) {
        // SRV at a pod name: `0 100 0 <name>.`, the address in additional (CoreDNS).
        if (qtype === RRType.SRV) {
          const srv = { name, ttl: rr.ttl, data: { type: 'SRV', priority: 0, weight: 100, port: 0, target: name } } as const;
          return this.positive(name, [srv], [rr]);
        }
        const type = rr.data.type === 'A' ? RRType.A : RRType.AAAA;
        if (type !== qtype) return this.nodata(name);
        return this.positive(name, [rr], []);
      }
    }
    if (parsed.kind === 'srv') {
      const canonical = `_${parsed.port}._${parsed.protocol}.${parsed.service}.${parsed.namespace}.svc.${this.zone}`;
      const known = canonical === name ? undefined : this.services.get(parsed.namespace, parsed.service)?.table.get(canonical);
      if (known) {
        const set = known.sets.get(qtype);
        if (!set) return this.nodata(name);
        const rename = (rr: ResourceRecord): ResourceRecord => (rr.name === canonical ? { ...rr, name } : rr);
        return this.positive(name, set.answer.map(rename), set.additional);
      }
    }
    return { kind: 'answer', answer: this.negative.nxdomain(this.zone, nameWireLength(name)) };
  }

  private nodata(name: string): Lookup {
    return { kind: 'answer', answer: this.negative.nodata(this.zone, nameWireLength(name)) };
  }

  private positive(name: string, answer: ResourceRecord[], additional: readonly ResourceRecord[]): Lookup {
    const prepared = prepareAnswer(name, RCode.NOERROR, { answer, authority: [], additional }, { authoritative: true });
    return { kind: 'answer', answer: prepared };
  }

  /** Encode the record set of a name for `qtype`, or the ExternalName lookup that goes upstream. */
  private prepare(entry: NameEntry, qtype: number): Lookup | undefined {
    const external = entry.external.get(qtype);
    if (external) {
      const nodata = this.negative.nodata(entry.apex, nameWireLength(entry.name));
      return { kind: 'external', cnames: external.cnames, target: external.target, nodata };
    }
    const set = entry.sets.get(qtype);
    if (!set || set.answer.length === 0) return undefined;
    return this.positive(entry.name, set.answer, set.additional);
  }
}

/** The shape of a name, or `invalid` when it is not inside `zone`. */
function parseInZone(name: string, zone: string): ParsedName {
  const relative = stripZone(name, zone);
  return relative === undefined ? { kind: 'invalid', reason: 'unknown-type-label' } : parseQueryName(relative);
}
