// The name table the record families fill: for every name they answer, its
// records per query type. Plain data, no wire encoding. The index fills one
// small table per service on that service's first query (service-tables.ts);
// the listing fills one for the whole cluster (listing.ts).

import { formatData } from '../dns/zonetext.js';
import { RRType, type RecordData, type ResourceRecord } from '../dns/types.js';
import { ipFamilyOf } from '../net/ip.js';

/** Records answering one (name, qtype), plus what goes in the additional section. */
export interface RRSet {
  readonly answer: ResourceRecord[];
  readonly additional: ResourceRecord[];
  /**
   * False for sets that are answered but would only confuse a listing: the
   * A/AAAA CoreDNS gives at `_port._proto` names, and an ExternalName's
   * CNAME-plus-target answers (its CNAME set is listed instead).
   */
  listed: boolean;
}

/** An ExternalName A/AAAA whose chain leaves the zone (resolved per query). */
export interface ExternalTarget {
  readonly cnames: readonly ResourceRecord[];
  readonly target: string;
}

export interface NameEntry {
  /** Lower-case, no trailing dot. */
  readonly name: string;
  /** Apex of the zone whose SOA goes into this name's negative answers. */
  readonly apex: string;
  readonly sets: Map<number, RRSet>;
  readonly external: Map<number, ExternalTarget>;
  /** What a qtype with no set gets: NODATA normally, NXDOMAIN for dns-version (§3.8). */
  otherTypes: 'nodata' | 'nxdomain';
  /** For an ExternalName service's own name: the CNAME it answers (chains follow it). */
  cname?: ResourceRecord;
}

/** Finds the entry of any name inside the cluster zone (lower-case), wherever it is kept. */
export type EntryLookup = (name: string) => NameEntry | undefined;

/** Sets up to this size are deduplicated by comparing records; larger ones keep a key set. */
const SCAN_LIMIT = 16;

export class NameTable {
  private readonly entries = new Map<string, NameEntry>();
  /** Keys of the records in large sets; dropped by seal() once the table is built. */
  private seen = new Map<RRSet, Set<string>>();

  /** The entry for `name`, created (existing, empty: NODATA for every type) when missing. */
  touch(name: string, apex: string): NameEntry {
    let entry = this.entries.get(name);
    if (!entry) {
      entry = { name, apex, sets: new Map(), external: new Map(), otherTypes: 'nodata' };
      this.entries.set(name, entry);
    }
    return entry;
  }

  get(name: string): NameEntry | undefined {
    return this.entries.get(name);
  }

  get size(): number {
    return this.entries.size;
  }

  all(): IterableIterator<NameEntry> {
    return this.entries.values();
  }

  /** Building is over: free what only deduplication needed. */
  seal(): void {
    this.seen = new Map();
  }

  /** Add records (deduplicated: same owner ignoring case, TTL, type and data) to `name`'s set for `qtype`. */
  add(
    name: string,
    apex: string,
    qtype: number,
    answer: readonly ResourceRecord[],
    additional: readonly ResourceRecord[] = [],
  ): RRSet {
    const entry = this.touch(name, apex);
    let set = entry.sets.get(qtype);
    if (!set) {
      set = { answer: [], additional: [], listed: true };
      entry.sets.set(qtype, set);
    }
    for (const rr of answer) if (!this.holds(set, 'answer', rr)) set.answer.push(rr);
    for (const rr of additional) if (!this.holds(set, 'additional', rr)) set.additional.push(rr);
    return set;
  }

  /** Whether `set[section]` already has `rr`; remembers it as held when it does not. */
  private holds(set: RRSet, section: 'answer' | 'additional', rr: ResourceRecord): boolean {
    const records = set[section];
    if (records.length + 1 < SCAN_LIMIT && !this.seen.has(set)) return records.some((other) => sameRecord(other, rr));
    let keys = this.seen.get(set);
    if (!keys) {
      keys = new Set([...set.answer.map((r) => `answer ${recordKey(r)}`), ...set.additional.map((r) => `additional ${recordKey(r)}`)]);
      this.seen.set(set, keys);
    }
    const key = `${section} ${recordKey(rr)}`;
    if (keys.has(key)) return true;
    keys.add(key);
    return false;
  }
}

function sameRecord(a: ResourceRecord, b: ResourceRecord): boolean {
  if (a.ttl !== b.ttl || a.data.type !== b.data.type) return false;
  if (a.name !== b.name && a.name.toLowerCase() !== b.name.toLowerCase()) return false;
  if ((a.data.type === 'A' || a.data.type === 'AAAA') && (b.data.type === 'A' || b.data.type === 'AAAA')) {
    return a.data.address.toLowerCase() === b.data.address.toLowerCase();
  }
  if (a.data.type === 'SRV' && b.data.type === 'SRV') {
    const [x, y] = [a.data, b.data];
    return x.port === y.port && x.priority === y.priority && x.weight === y.weight && x.target.toLowerCase() === y.target.toLowerCase();
  }
  return formatData(a.data).toLowerCase() === formatData(b.data).toLowerCase();
}

/** What sameRecord compares, as one string (addresses and SRV fields written directly: formatData is slow). */
function recordKey(rr: ResourceRecord): string {
  const data = rr.data;
  let text: string;
  if (data.type === 'A' || data.type === 'AAAA') text = data.address;
  else if (data.type === 'SRV') text = `${data.priority} ${data.weight} ${data.port} ${data.target}`;
  else text = formatData(data);
  return `${rr.name} ${rr.ttl} ${data.type} ${text}`.toLowerCase();
}

export function record(name: string, ttl: number, data: RecordData): ResourceRecord {
  return { name, ttl, data };
}

/** A or AAAA for an address, by its family. */
export function addressRecord(name: string, ttl: number, address: string): ResourceRecord {
  return ipFamilyOf(address) === 'IPv6'
    ? record(name, ttl, { type: 'AAAA', address })
    : record(name, ttl, { type: 'A', address });
}

/** Add one address record per address to `name`, each under its own type (A or AAAA). */
export function addAddresses(
  table: NameTable,
  name: string,
  apex: string,
  ttl: number,
  addresses: readonly string[],
): void {
  table.touch(name, apex);
  for (const address of addresses) {
    const rr = addressRecord(name, ttl, address);
    table.add(name, apex, rr.data.type === 'A' ? RRType.A : RRType.AAAA, [rr]);
  }
}

/** One SRV target before weights are known. */
export interface SrvTarget {
  readonly port: number;
  readonly target: string;
  /** Address records of the target, for the additional section. */
  readonly addresses: readonly ResourceRecord[];
}

/**
 * SRV records for `owner`: priority 0 and weight floor(100 / N), at least
 * 1, with N the number of candidates *before* duplicates (same target and
 * port) collapse, as CoreDNS counts (docs/behaviour.md#coredns-corners).
 */
export function addSrv(table: NameTable, owner: string, apex: string, ttl: number, targets: readonly SrvTarget[]): void {
  const unique = new Map<string, SrvTarget>();
  for (const target of targets) unique.set(`${target.port} ${target.target}`, target);
  if (unique.size === 0) return;
  const weight = Math.max(1, Math.floor(100 / targets.length));
  const answer: ResourceRecord[] = [];
  const additional: ResourceRecord[] = [];
  for (const target of unique.values()) {
    answer.push(record(owner, ttl, { type: 'SRV', priority: 0, weight, port: target.port, target: target.target }));
    additional.push(...target.addresses);
  }
  table.add(owner, apex, RRType.SRV, answer, additional);
}
