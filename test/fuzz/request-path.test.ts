// Short fuzz run of the request path in-process (layer a): every invariant is
// its own test, named with the counts of this run. The long run is
// `npm run fuzz` (test/fuzz/long/).

import { describe, expect, it } from 'vitest';
import { startInProcess } from './in-process.js';
import { newStats, runInProcess } from './run.js';

/** Generated datagrams; each goes through the UDP and the TCP path. */
const DATAGRAMS = 15_000;
const SEED = 7_2026;

const stats = newStats();
await runInProcess(await startInProcess(), DATAGRAMS, SEED, stats);
const counts = `${stats.inputs} inputs, ${stats.replies} replies checked`;

describe(`request path fuzz, in-process (${DATAGRAMS} datagrams, seed ${SEED})`, () => {
  it(`every reply parses strictly (${counts}): ${stats.findings.parses.length} unparseable`, () => {
    expect(stats.findings.parses).toEqual([]);
  });
  it(`every reply's ID, opcode and echoed question match the query (${counts}): ${stats.findings['id-and-question'].length} mismatches`, () => {
    expect(stats.findings['id-and-question']).toEqual([]);
  });
  it(`no reply is larger than the client may receive (${counts}): ${stats.findings.size.length} oversized`, () => {
    expect(stats.findings.size).toEqual([]);
  });
  it(`nothing is answered for QR=1 or headerless messages (${counts}): ${stats.findings['qr-silent'].length} replies`, () => {
    expect(stats.findings['qr-silent']).toEqual([]);
  });
  it(`nothing throws or logs an error (${counts}): crashes = ${stats.findings.crash.length}`, () => {
    expect(stats.findings.crash).toEqual([]);
  });
  it(`the UDP fast path reads what the full path reads (${stats.scanned} datagrams scanned): ${stats.findings['fast-path'].length} disagreements`, () => {
    expect(stats.findings['fast-path']).toEqual([]);
  });
  it(`questions with a "." or "\\" inside a label are echoed as sent (${stats.dottedLabels} replies, in the mismatch count above)`, () => {
    expect(stats.dottedLabels).toBeGreaterThan(0);
  });
});
