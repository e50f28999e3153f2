// The record index: every answer the cluster gives, built once per load from
// a ClusterState. Per-query work is a map lookup; only names that cannot be
// listed in advance (pod `<dashed-ip>` names, SRV names written without
// underscores) are computed on demand and memoized.

import { RCode, RRType, type ResourceRecord } from '../dns/types.js';
import { IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE, isSubdomain, stripZone } from '../dns/names.js';
import { nameWireLength, prepareAnswer, type PreparedAnswer } from '../dns/wire.js';
import type { ClusterState } from '../cluster/state.js';
import { AddressOverrides, withHostnameAddresses } from './address-override.js';
import { addApex } from './apex.js';
import { addExternalNames, resolveExternalNames } from './externalname.js';
import { NegativeAnswers } from './negative.js';
import { parseQueryName } from './parse.js';
import { PodNames } from './pods.js';
import { addReverse } from './reverse.js';
import { addService } from './services.js';
import { NameTable, type NameEntry } from './table.js';
import type { IndexOptions, Lookup, RecordIndex } from './types.js';

export type { IndexOptions, Lookup, PodMode, RecordIndex } from './types.js';

/** On-demand answers kept before the memo starts over (bounds memory under random names). */
const DYNAMIC_MEMO_LIMIT = 10_000;

export function buildRecordIndex(state: ClusterState, options: IndexOptions): RecordIndex {
  const overrides = new AddressOverrides(state);
  const context = { zone: options.zone, ttl: options.ttl, overrides };
  const table = new NameTable();
  const pods = new PodNames(state, options.podMode, options.zone, options.ttl);
  addApex(table, state, options);
  for (const service of state.services) addService(table, service, context);
  addExternalNames(table, state.services, context);
  resolveExternalNames(table, pods, context);
  addReverse(table, state.services, context);
  return withHostnameAddresses(new Index(table, pods, options), overrides, options.ttl);
}

class Index implements RecordIndex {
  readonly zone: string;
  readonly serial: number;
  readonly nameCount: number;
  private readonly negative: NegativeAnswers;
  private readonly dynamic = new Map<string, Lookup>();
  private counted: number | undefined;

  /**
   * Answers are encoded on a name's first query, not here: a 150,000-pod
   * cluster loads in a fraction of the time and memory, and names nobody
   * asks for cost only their table entry.
   */
  constructor(
    private readonly table: NameTable,
    private readonly pods: PodNames,
    private readonly options: IndexOptions,
  ) {
    this.zone = options.zone;
    this.serial = options.serial;
    this.negative = new NegativeAnswers(options.serial, options.ttl);
    table.seal();
    this.nameCount = table.size;
  }

  get recordCount(): number {
    this.counted ??= countListed(this.table) + this.pods.count();
    return this.counted;
  }

  lookup(name: string, qtype: number): Lookup {
    const relative = stripZone(name, this.zone);
    if (relative === undefined) return this.outside(name, qtype);
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) return { kind: 'refused' };
    const known = this.table.get(name);
    if (known) return this.typed(known, qtype) ?? this.otherType(known, name);
    return this.memoized(name, qtype, () => this.computed(name, relative, qtype));
  }

  records(): ResourceRecord[] {
    return [...listRecords(this.table), ...this.pods.listing()];
  }

  /** The entry's answer for `qtype`, encoded on first use; undefined when it has no such set. */
  private typed(entry: NameEntry, qtype: number): Lookup | undefined {
    const answers = (entry.answers ??= new Map());
    let lookup = answers.get(qtype);
    if (lookup === undefined) {
      lookup = this.prepare(entry, qtype) ?? null;
      answers.set(qtype, lookup);
    }
    return lookup ?? undefined;
  }

  /** Names outside the cluster zone: the reverse zones are ours, the rest is not. */
  private outside(name: string, qtype: number): Lookup {
    const apex = [IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE].find((zone) => isSubdomain(name, zone));
    if (apex === undefined) return { kind: 'not-ours' };
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) return { kind: 'refused' };
    const known = this.table.get(name);
    if (known) return this.typed(known, qtype) ?? this.otherType(known, name);
    const nxdomain = this.negative.nxdomain(apex, nameWireLength(name));
    if (this.options.reverseFallthrough) return { kind: 'reverse-miss', nxdomain };
    return { kind: 'answer', answer: nxdomain };
  }

  private otherType(entry: NameEntry, name: string): Lookup {
    const length = nameWireLength(name);
    const answer =
      entry.otherTypes === 'nxdomain'
        ? this.negative.nxdomain(entry.apex, length)
        : this.negative.nodata(entry.apex, length);
    return { kind: 'answer', answer };
  }

  /** Names not in the table: pod names, SRV names without underscores, else NXDOMAIN. */
  private computed(name: string, relative: string, qtype: number): Lookup {
    const parsed = parseQueryName(relative);
    if (parsed.kind === 'pod') {
      const rr = this.pods.record(parsed.namespace, parsed.label, name);
      if (rr) {
        const type = rr.data.type === 'A' ? RRType.A : RRType.AAAA;
        if (type !== qtype) return this.nodata(name);
        return this.positive(name, [rr], []);
      }
    }
    if (parsed.kind === 'srv') {
      const canonical = `_${parsed.port}._${parsed.protocol}.${parsed.service}.${parsed.namespace}.svc.${this.zone}`;
      const known = canonical === name ? undefined : this.table.get(canonical);
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

  private memoized(name: string, qtype: number, compute: () => Lookup): Lookup {
    const key = `${qtype} ${name}`;
    const hit = this.dynamic.get(key);
    if (hit) return hit;
    const result = compute();
    if (this.dynamic.size >= DYNAMIC_MEMO_LIMIT) this.dynamic.clear();
    this.dynamic.set(key, result);
    return result;
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

function listRecords(table: NameTable): ResourceRecord[] {
  const records: ResourceRecord[] = [];
  for (const entry of table.all()) {
    for (const set of entry.sets.values()) if (set.listed) records.push(...set.answer);
  }
  return records;
}

function countListed(table: NameTable): number {
  let count = 0;
  for (const entry of table.all()) {
    for (const set of entry.sets.values()) if (set.listed) count += set.answer.length;
  }
  return count;
}
