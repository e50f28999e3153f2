// ExternalName services (spec §3.4): a CNAME to the target; A/AAAA answer the
// CNAME followed by the target's records. Targets inside the zone are
// resolved here when the service's table is built (chains followed, loops
// cut); targets outside are left to the responder, which asks the upstream
// per query.

import { RRType, type ResourceRecord } from '../dns/types.js';
import { isSubdomain, normalizeName, stripZone } from '../dns/names.js';
import { canonicalIP } from '../net/ip.js';
import type { Service } from '../cluster/index.js';
import { parseQueryName } from './parse.js';
import type { PodNames } from './pods.js';
import { record, type EntryLookup, type ExternalTarget, type NameTable } from './table.js';
import { serviceName, type BuildContext } from './services.js';

/** CNAME hops followed inside the zone before giving up (CoreDNS stops at 8 too). */
const MAX_CHAIN = 8;

/** Add the CNAME of every ExternalName service; run before resolveExternalNames. */
export function addExternalNames(table: NameTable, services: readonly Service[], context: BuildContext): void {
  for (const service of services) {
    if (service.kind !== 'ExternalName' || !service.externalName) continue;
    const target = service.externalName.replace(/\.$/, '');
    // An IP-looking externalName is never a CNAME target: CoreDNS answers NXDOMAIN.
    if (canonicalIP(target) !== undefined || target === '') continue;
    const owner = serviceName(service, context.zone);
    const cname = record(owner, context.ttl, { type: 'CNAME', target });
    table.add(owner, context.zone, RRType.CNAME, [cname]);
    table.touch(owner, context.zone).cname = cname;
  }
}

type Resolution =
  | { readonly kind: 'records'; readonly records: ResourceRecord[] }
  | ({ readonly kind: 'external' } & ExternalTarget)
  | { readonly kind: 'none' };

/**
 * Give every ExternalName in `table` its A/AAAA answers. `entryAt` finds the
 * names the chains lead to, in this table or any other. Chains read only
 * CNAMEs and the records of names that are not ExternalNames, which nothing
 * here changes, so the order tables are resolved in does not matter.
 */
export function resolveExternalNames(table: NameTable, entryAt: EntryLookup, pods: PodNames, context: BuildContext): void {
  const owners = [...table.all()].filter((entry) => entry.cname).map((entry) => entry.name);
  for (const owner of owners) {
    for (const qtype of [RRType.A, RRType.AAAA]) {
      const resolution = follow(entryAt, pods, owner, qtype, context.zone);
      if (resolution.kind === 'records') table.add(owner, context.zone, qtype, resolution.records).listed = false;
      else if (resolution.kind === 'external') table.touch(owner, context.zone).external.set(qtype, resolution);
      // 'none': nothing found inside the zone → NODATA, the CNAME dropped too.
    }
  }
}

function follow(entryAt: EntryLookup, pods: PodNames, start: string, qtype: number, zone: string): Resolution {
  const cnames: ResourceRecord[] = [];
  const seen = new Set<string>();
  let current = start;
  let owner = start; // the spelling the previous CNAME used for `current`
  for (let hop = 0; hop <= MAX_CHAIN; hop++) {
    const entry = entryAt(current);
    if (!entry?.cname) {
      const found = entry ? (entry.sets.get(qtype)?.answer ?? []) : podRecords(pods, current, zone, qtype);
      if (found.length === 0) return { kind: 'none' };
      return { kind: 'records', records: [...cnames, ...found.map((rr) => ({ ...rr, name: owner }))] };
    }
    if (seen.has(current)) return { kind: 'none' };
    seen.add(current);
    cnames.push({ ...entry.cname, name: owner });
    if (entry.cname.data.type !== 'CNAME') return { kind: 'none' };
    owner = entry.cname.data.target;
    current = normalizeName(owner);
    if (!isSubdomain(current, zone)) return { kind: 'external', cnames, target: owner };
  }
  return { kind: 'none' };
}

function podRecords(pods: PodNames, name: string, zone: string, qtype: number): ResourceRecord[] {
  const parsed = parseQueryName(stripZone(name, zone) ?? '');
  if (parsed.kind !== 'pod') return [];
  const rr = pods.record(parsed.namespace, parsed.label, name);
  return rr && (rr.data.type === 'A' ? RRType.A : RRType.AAAA) === qtype ? [rr] : [];
}
