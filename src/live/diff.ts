// What a reload changed, by name: the one-line summary a reload logs.
//
// Records are compared as zone-file lines per owner name. The SOA moves on
// every reload (its serial), so the apex SOA is left out: it would make every
// reload report a "changed" zone apex.

import type { ResourceRecord } from '../dns/types.js';
import { formatRecord } from '../dns/zonetext.js';

export interface RecordDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

export function diffRecords(before: readonly ResourceRecord[], after: readonly ResourceRecord[]): RecordDiff {
  const old = byName(before);
  const now = byName(after);
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [name, lines] of now) {
    const previous = old.get(name);
    if (previous === undefined) added.push(name);
    else if (previous !== lines) changed.push(name);
  }
  for (const name of old.keys()) if (!now.has(name)) removed.push(name);
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

/** Names listed in full up to `limit` per kind, then "+N more". */
export function summarizeDiff(diff: RecordDiff, limit = 5): string {
  if (diff.added.length + diff.removed.length + diff.changed.length === 0) return 'no record changes';
  const part = (label: string, names: readonly string[]): string | undefined => {
    if (names.length === 0) return undefined;
    const shown = names.slice(0, limit).join(' ');
    const more = names.length > limit ? ` +${names.length - limit} more` : '';
    return `${label} ${names.length} (${shown}${more})`;
  };
  return [part('added', diff.added), part('removed', diff.removed), part('changed', diff.changed)]
    .filter((text): text is string => text !== undefined)
    .join(', ');
}

function byName(records: readonly ResourceRecord[]): Map<string, string> {
  const lines = new Map<string, string[]>();
  for (const record of records) {
    if (record.data.type === 'SOA') continue;
    const name = record.name.toLowerCase();
    const list = lines.get(name) ?? [];
    list.push(formatRecord({ ...record, name }));
    lines.set(name, list);
  }
  return new Map([...lines].map(([name, list]) => [name, list.sort().join('\n')]));
}
