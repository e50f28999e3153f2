// `records()`, `recordCount` and `nameCount`: every finite record, gathered
// when asked (the `records` command, a reload's diff, metrics) one service
// table at a time, in the order a whole-cluster table would hold them: the
// apex names (reverse apexes included), each service's names, ExternalName
// CNAMEs, PTRs, then pod names (verified mode). Nothing of it is kept: lookups never need it.

import type { ResourceRecord } from '../dns/types.js';
import type { PodNames } from './pods.js';
import type { ReverseNames } from './reverse.js';
import type { ServiceTables } from './service-tables.js';
import type { NameTable } from './table.js';

export interface Listing {
  readonly records: ResourceRecord[];
  /** Names holding records or existing empty (pod `<dashed-ip>` names and SRV spellings without underscores left out). */
  readonly nameCount: number;
}

interface ListingSources {
  readonly apex: NameTable;
  /** `<ns>.svc` and `<ns>.pod` nodes that exist. */
  readonly namespaceNodes: number;
  readonly services: ServiceTables;
  readonly reverse: ReverseNames;
  readonly pods: PodNames;
}

export function listCluster(sources: ListingSources): Listing {
  const records: ResourceRecord[] = [];
  let nameCount = sources.namespaceNodes;
  const add = (table: NameTable): void => {
    nameCount += table.size;
    for (const entry of table.all()) {
      for (const set of entry.sets.values()) if (set.listed) for (const rr of set.answer) records.push(rr);
    }
  };
  add(sources.apex);
  for (const table of sources.services.listingTables()) add(table);
  const reverse = sources.reverse.listing();
  nameCount += reverse.names;
  for (const rr of reverse.records) records.push(rr);
  for (const rr of sources.pods.listing()) records.push(rr);
  return { records, nameCount };
}
