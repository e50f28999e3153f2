// Turning what was decoded into a LoadResult: the duplicate check across
// everything loaded together, and the all-or-nothing rule (any error -> no
// objects).

import { describeSource, errorsOf, ITEMS_PER_STEP, type ManifestObject, objectKey, type Problem, runNow, type Steps } from '../../cluster/index.js';
import type { LoadResult, SkippedObject } from '../decode/index.js';

/** What a load collects before it is finished into a LoadResult. */
export interface Collected {
  readonly objects: ManifestObject[];
  readonly problems: Problem[];
  readonly skipped: SkippedObject[];
  readonly files: string[];
}

export function newCollected(): Collected {
  return { objects: [], problems: [], skipped: [], files: [] };
}

/** Adds duplicate errors (`duplicates`, when already found) and applies the all-or-nothing rule. */
export function finish(collected: Collected, duplicates: readonly Problem[] = findDuplicates(collected.objects)): LoadResult {
  const problems = [...collected.problems, ...duplicates];
  const ok = errorsOf(problems).length === 0;
  return {
    ok,
    objects: ok ? [...collected.objects] : [],
    problems,
    skipped: [...collected.skipped],
    files: [...collected.files],
  };
}

/**
 * Merges separately loaded results (e.g. files plus a control-API body) and
 * re-runs the duplicate check across all of them. Objects of a failed part
 * are already gone, so a duplicate involving only a failed part is not
 * reported again.
 */
export function combineLoads(results: readonly LoadResult[]): LoadResult {
  const collected = newCollected();
  for (const result of results) {
    collected.objects.push(...result.objects);
    collected.problems.push(...result.problems);
    collected.skipped.push(...result.skipped);
    collected.files.push(...result.files);
  }
  return finish(collected);
}

/** Two objects with the same kind/namespace/name: an error at the later one naming the earlier one. */
function findDuplicates(objects: readonly ManifestObject[]): Problem[] {
  return runNow(findDuplicateSteps(objects));
}

/** findDuplicates in steps (a reload runs them through a Slicer). */
export function* findDuplicateSteps(objects: readonly ManifestObject[]): Steps<Problem[]> {
  const first = new Map<string, ManifestObject>();
  const problems: Problem[] = [];
  for (let i = 0; i < objects.length; i++) {
    if ((i + 1) % (4 * ITEMS_PER_STEP) === 0) yield;
    const object = objects[i]!;
    const key = objectKey(object);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, object);
      continue;
    }
    const name = object.kind === 'Namespace' ? object.meta.name : `${object.meta.namespace}/${object.meta.name}`;
    problems.push({
      level: 'error',
      source: object.meta.source,
      field: 'metadata.name',
      message: `duplicate ${object.kind} "${name}": also defined at ${describeSource(earlier.meta.source)}`,
    });
  }
  return problems;
}
