// Inputs the fuzzers found, kept as table rows: each must keep its verdict.

import { Packet } from 'dns2';
import { describe, expect, it } from 'vitest';
import { readRequest } from '../../src/server/request.js';
import { startInProcess } from './in-process.js';

/** A query whose question name is given as raw labels (a label may hold a '.'). */
function queryWithLabels(labels: readonly string[], opcode = 0): Buffer {
  const header = Buffer.from([0x12, 0x34, 0x01 | (opcode << 3), 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const name = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
  return Buffer.concat([header, name, Buffer.from([0, 1, 0, 1])]);
}

const rows = [
  { labels: ['a.', 'cluster', 'local'], verdict: 'reject-header', rcode: 1, why: 'label ending in a dot: was an error log and SERVFAIL' },
  { labels: ['.b', 'cluster', 'local'], verdict: 'reject-header', rcode: 1, why: 'label starting with a dot' },
  { labels: ['a..b'], verdict: 'reject-header', rcode: 1, why: 'two dots inside one label' },
  { labels: ['x.'], verdict: 'reject-header', rcode: 1, why: 'a one-label name ending in a dot (was echoed without it)' },
  { labels: ['-588406', 'Ñ.'], opcode: 1, verdict: 'reject-header', rcode: 4, why: 'opcode 1 with a label ending in a dot (was echoed without it)' },
  { labels: ['a', 'b'], verdict: 'query', name: 'a.b', why: 'plain two-label name' },
  { labels: ['a.b'], verdict: 'query', name: 'a.b', why: 'known limitation: read as two labels' },
] as const;

describe('fuzz findings in src/server/request.ts', () => {
  it.each(rows)('$labels: $verdict ($why)', (row) => {
    const verdict = readRequest(Packet.parse(queryWithLabels(row.labels, 'opcode' in row ? row.opcode : 0)), 'udp');
    expect(verdict.kind).toBe(row.verdict);
    if (verdict.kind === 'reject-header' && 'rcode' in row) expect(verdict.rcode).toBe(row.rcode);
    if (verdict.kind === 'query' && 'name' in row) expect(verdict.query.name).toBe(row.name);
  });

  it('no error is logged for any of them through the whole request path', async () => {
    const target = await startInProcess();
    for (const row of rows) {
      for (const transport of ['udp', 'tcp'] as const) {
        const result = await target.exchange(queryWithLabels(row.labels, 'opcode' in row ? row.opcode : 0), transport);
        expect(result.reply).toBeDefined();
        expect(result.violations.filter((v) => !v.startsWith('known'))).toEqual([]);
      }
    }
    expect(target.errors).toEqual([]);
  });
});
