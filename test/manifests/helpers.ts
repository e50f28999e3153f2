// Shared helpers for the loader tests.

import { formatProblem } from '../../src/cluster/model/problems.js';
import type { LoadResult } from '../../src/manifests/index.js';

export const VALID = 'test/fixtures/manifests/valid';
export const INVALID = 'test/fixtures/manifests/invalid';

/** Problems as a user reads them, prefixed by their level. */
export function messages(result: LoadResult): string[] {
  return result.problems.map((problem) => `${problem.level}: ${formatProblem(problem)}`);
}

/** Only the error lines. */
export function errors(result: LoadResult): string[] {
  return messages(result).filter((line) => line.startsWith('error: '));
}

/** `Kind/namespace/name` of every loaded object, in load order. */
export function keys(result: LoadResult): string[] {
  return result.objects.map((object) => `${object.kind}/${object.meta.namespace}/${object.meta.name}`);
}
