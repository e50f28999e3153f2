// Inputs the fuzzers found, kept as table rows: each must keep its verdict.

import { describe, expect, it } from 'vitest';
import { readRequest } from '../../src/dns/request.js';
import { startInProcess } from './in-process.js';

/** A query whose question name is given as raw labels (a label may hold a '.'). */
function queryWithLabels(labels: readonly string[], opcode = 0): Buffer {
  const header = Buffer.from([0x12, 0x34, 0x01 | (opcode << 3), 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const name = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
  return Buffer.concat([header, name, Buffer.from([0, 1, 0, 1])]);
}

// A '.' or '\' inside a label is kept escaped in the name text
// (src/dns/escape.ts) and echoed as sent; these rows were FORMERR or echoed
// split while the server read names with dns2 (which joins labels with '.').
const rows = [
  { labels: ['a.', 'cluster', 'local'], verdict: 'query', name: 'a\\..cluster.local', why: 'label ending in a dot: was an error log and SERVFAIL, then FORMERR' },
  { labels: ['.b', 'cluster', 'local'], verdict: 'query', name: '\\.b.cluster.local', why: 'label starting with a dot (was FORMERR)' },
  { labels: ['a..b'], verdict: 'query', name: 'a\\.\\.b', why: 'two dots inside one label (was FORMERR)' },
  { labels: ['x.'], verdict: 'query', name: 'x\\.', why: 'a one-label name ending in a dot (was echoed without it, then FORMERR)' },
  { labels: ['-588406', 'Ñ.'], opcode: 1, verdict: 'reject', rcode: 4, name: '-588406.Ñ\\.', why: 'opcode 1 with a label ending in a dot: NOTIMP, question echoed' },
  { labels: ['a', 'b'], verdict: 'query', name: 'a.b', why: 'plain two-label name' },
  { labels: ['a.b'], verdict: 'query', name: 'a\\.b', why: 'one label holding a dot (was echoed as two labels)' },
  { labels: ['a\\b'], verdict: 'query', name: 'a\\\\b', why: 'a backslash inside a label' },
] as const;

describe(`fuzz findings in src/dns/request.ts (${rows.length} rows)`, () => {
  it.each(rows)('$labels: $verdict ($why)', (row) => {
    const bytes = queryWithLabels(row.labels, 'opcode' in row ? row.opcode : 0);
    const verdict = readRequest(bytes, 'udp');
    expect(verdict.kind).toBe(row.verdict);
    if ((verdict.kind === 'reject-header' || verdict.kind === 'reject') && 'rcode' in row) expect(verdict.rcode).toBe(row.rcode);
    if (verdict.kind === 'query' || verdict.kind === 'reject') expect(verdict.query.name).toBe(row.name);
  });

  it('no error is logged for any of them through the whole request path', async () => {
    const target = await startInProcess();
    for (const row of rows) {
      for (const transport of ['udp', 'tcp'] as const) {
        const result = await target.exchange(queryWithLabels(row.labels, 'opcode' in row ? row.opcode : 0), transport);
        expect(result.reply).toBeDefined();
        expect(result.violations).toEqual([]);
      }
    }
    expect(target.errors).toEqual([]);
  });
});
