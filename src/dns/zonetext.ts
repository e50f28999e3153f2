// Zone-file text for our records: what `clusterdns records` prints and what
// the answer tests compare against (CoreDNS handler_test.go writes its
// expectations the same way).

import type { RecordData, ResourceRecord } from './types.js';

/** `name` made absolute: trailing dot, the root as `.`. */
export function absolute(name: string): string {
  return name === '' ? '.' : `${name}.`;
}

function quote(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The RDATA of a record in presentation format. */
export function formatData(data: RecordData): string {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return data.address;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return absolute(data.target);
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${absolute(data.target)}`;
    case 'TXT':
      return data.text.map(quote).join(' ');
    case 'SOA':
      return [
        absolute(data.mname),
        absolute(data.rname),
        data.serial,
        data.refresh,
        data.retry,
        data.expire,
        data.minimum,
      ].join(' ');
  }
}

/** `name. TTL IN TYPE rdata`, one space between fields. */
export function formatRecord(rr: ResourceRecord): string {
  return `${absolute(rr.name)} ${rr.ttl} IN ${rr.data.type} ${formatData(rr.data)}`;
}

/**
 * Records in a stable order: names in DNS canonical order (compared label by
 * label from the right, case-insensitive, so a zone's names stay together and
 * a parent comes before its children), then type, then text.
 */
export function sortRecords(records: readonly ResourceRecord[]): ResourceRecord[] {
  const keyed = records.map((rr) => ({
    rr,
    labels: rr.name === '' ? [] : rr.name.toLowerCase().split('.').reverse(),
    text: formatRecord(rr),
  }));
  keyed.sort(
    (a, b) => compareLabels(a.labels, b.labels) || compare(a.rr.data.type, b.rr.data.type) || compare(a.text, b.text),
  );
  return keyed.map((entry) => entry.rr);
}

function compareLabels(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = compare(a[i] ?? '', b[i] ?? '');
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
