// Short fuzz run of the manifest loader: random and mutated YAML, alias
// bombs, deep nesting, many documents. It returns problems, never throws, and
// never hangs. The long run is `npm run fuzz`.

import { expect, it } from 'vitest';
import { newManifestStats, PER_INPUT_BOUND_MS, runManifests } from './manifest-run.js';

const INPUTS = 1_000;
const stats = newManifestStats();
await runManifests(INPUTS, 5_2026, 1, stats);

it(`loadManifests returns problems and never throws or hangs (${stats.inputs} texts, ${stats.withErrors} refused, ${stats.problems} problems, slowest ${Math.round(stats.slowestMs)} ms < ${PER_INPUT_BOUND_MS} ms): findings = ${stats.findings.length}`, () => {
  expect(stats.inputs).toBe(INPUTS);
  expect(stats.findings).toEqual([]);
});
