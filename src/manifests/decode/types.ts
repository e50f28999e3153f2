// The loader's public result shapes.

import type { ManifestObject, Problem, SourceRef } from '../../cluster/index.js';

/**
 * The outcome of one load. `ok` is false when any problem is an error; then
 * `objects` is empty, so a caller can never build half a cluster from a
 * broken manifest set. Warnings never make a load fail.
 */
export interface LoadResult {
  readonly ok: boolean;
  readonly objects: ManifestObject[];
  /** Every error and warning, in file/document order (duplicates last). */
  readonly problems: Problem[];
  /** Objects of kinds the DNS does not use (ConfigMap, Ingress, CRDs, ...): one log line each. */
  readonly skipped: SkippedObject[];
  /** Files actually read, in reading order (`<stdin>` for stdin). */
  readonly files: string[];
}

export interface SkippedObject {
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly source: SourceRef;
}
