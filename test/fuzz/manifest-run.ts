// One fuzz run of the manifest loader: every text goes through
// loadManifests (as stdin) and must come back as a LoadResult — problems,
// never a throw — within the time bound.

import fc from 'fast-check';
import { loadManifests, STDIN_NAME, type LoadResult } from '../../src/manifests/index.js';
import { anyManifest, seedTexts } from './yaml-arbitraries.js';

/** No input may take longer than this (a hang detector, not a speed target). */
export const PER_INPUT_BOUND_MS = 10_000;

export interface ManifestStats {
  inputs: number;
  withErrors: number;
  problems: number;
  slowestMs: number;
  findings: string[];
}

function check(text: string, result: LoadResult): string | undefined {
  if (typeof result.ok !== 'boolean' || !Array.isArray(result.problems)) return 'not a LoadResult';
  if (!result.ok && result.objects.length > 0) return 'objects returned from a failed load';
  if (result.ok !== result.problems.every((p) => p.level !== 'error')) return 'ok does not match the problems';
  for (const problem of result.problems) {
    if (typeof problem.message !== 'string' || problem.message === '') return 'a problem without a message';
    if (problem.source && problem.source.file !== STDIN_NAME) return `a problem naming another file: ${problem.source.file}`;
    if (/internal error/.test(problem.message)) return `internal error: ${problem.message}`;
  }
  return undefined;
}

export async function runManifests(count: number, seed: number, scale: number, stats: ManifestStats): Promise<void> {
  const seeds = seedTexts();
  const slice = 500;
  for (let done = 0; done < count; done += slice) {
    for (const text of fc.sample(anyManifest(seeds, scale), { numRuns: Math.min(slice, count - done), seed: seed + done })) {
      stats.inputs += 1;
      const started = performance.now();
      let result: LoadResult;
      try {
        result = await loadManifests(['-'], { stdin: async () => text });
      } catch (error) {
        stats.findings.push(`threw ${String(error)} on ${JSON.stringify(text.slice(0, 300))}`);
        continue;
      }
      const ms = performance.now() - started;
      stats.slowestMs = Math.max(stats.slowestMs, ms);
      if (ms > PER_INPUT_BOUND_MS) stats.findings.push(`took ${Math.round(ms)} ms on ${JSON.stringify(text.slice(0, 300))} (${text.length} chars)`);
      const wrong = check(text, result);
      if (wrong) stats.findings.push(`${wrong} on ${JSON.stringify(text.slice(0, 300))}`);
      if (!result.ok) stats.withErrors += 1;
      stats.problems += result.problems.length;
    }
  }
}

export function newManifestStats(): ManifestStats {
  return { inputs: 0, withErrors: 0, problems: 0, slowestMs: 0, findings: [] };
}
