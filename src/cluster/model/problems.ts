// Problems found while loading manifests or building the cluster.
//
// One shape for both layers so that every message, wherever it is printed
// (CLI, log, control API), names the place the same way:
//   manifests/app.yaml, document 2 (line 14): spec.ports[0].port: expected an integer 1-65535, got "http"

import { describeSource, type SourceRef } from './model.js';

export type ProblemLevel = 'error' | 'warning';

export interface Problem {
  readonly level: ProblemLevel;
  /** Where the offending object or document came from, when there is one. */
  readonly source?: SourceRef;
  /** Dotted field path inside the document (`spec.ports[0].targetPort`), when one field is at fault. */
  readonly field?: string;
  /** What is wrong, and what was expected. */
  readonly message: string;
}

export function formatProblem(problem: Problem): string {
  const where = problem.source ? `${describeSource(problem.source)}: ` : '';
  const field = problem.field ? `${problem.field}: ` : '';
  return `${where}${field}${problem.message}`;
}

export function errorsOf(problems: readonly Problem[]): Problem[] {
  return problems.filter((problem) => problem.level === 'error');
}
