// The records the server answers with right now, filtered by exact name and
// type: one lookup shared by the control API (GET /v1/records) and the Node
// API (`records()`), so both list exactly what a query would find.

import { rrTypeCode, rrTypeName } from '../dns/types.js';
import { formatData, formatRecord } from '../dns/zonetext.js';
import { normalizeName } from '../dns/names.js';
import type { RecordIndex } from '../records/index.js';

/** One record as the APIs show it. */
export interface RecordListing {
  /** Owner name, lower-case, no trailing dot. */
  readonly name: string;
  readonly ttl: number;
  /** `A`, `AAAA`, `SRV`, `PTR`, `CNAME`, `SOA`, `NS`, `TXT`. */
  readonly type: string;
  /** The data as zone-file text: `10.43.113.209`, `0 100 80 userlist-svc.user03.svc.cluster.local.` */
  readonly data: string;
  /** The whole record as a zone-file line. */
  readonly text: string;
}

type RecordLookup = { readonly ok: true; readonly records: RecordListing[] } | { readonly ok: false; readonly problem: string };

/** Every record, or those of one name (any case, trailing dot optional) and/or one type. */
export function listRecords(index: RecordIndex, name?: string, type?: string): RecordLookup {
  const qtype = type ? rrTypeCode(type.toUpperCase()) : undefined;
  if (type && qtype === undefined) return { ok: false, problem: `type must be a record type such as A, AAAA, SRV, PTR; got ${JSON.stringify(type)}` };
  const wanted = name ? normalizeName(name) : undefined;
  const typeName = qtype === undefined ? undefined : rrTypeName(qtype);
  const records = index
    .records()
    .filter((rr) => (wanted === undefined || rr.name.toLowerCase() === wanted) && (typeName === undefined || rr.data.type === typeName))
    .map((rr) => ({ name: rr.name, ttl: rr.ttl, type: rr.data.type, data: formatData(rr.data), text: formatRecord(rr) }));
  return { ok: true, records };
}
