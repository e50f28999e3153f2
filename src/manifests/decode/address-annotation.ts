// Checks the `clusterdns.io/address` annotation where the loader reads
// metadata (Service, Pod, and workload pod templates), so a typo fails the
// load with the file, document and field named like every other error.

import { ADDRESS_ANNOTATION, addressAnnotationProblem } from '../../cluster/index.js';
import type { Field } from './reader.js';

/**
 * `metadata` is the object's (or the pod template's) metadata field.
 * `allowed`: true where the annotation is read; false where it contradicts
 * the object (an error); 'ignored' where it would silently do nothing (a
 * warning, e.g. on a Deployment's own metadata instead of its template).
 */
export function checkAddressAnnotation(metadata: Field, options: { allowed: boolean | 'ignored'; why?: string }): void {
  const field = metadata.get('annotations').get(ADDRESS_ANNOTATION);
  if (typeof field.value !== 'string') return; // absent, or already reported by stringMap()
  if (options.allowed === 'ignored') {
    field.warn(`ignored here${options.why ? ` (${options.why})` : ''}`);
    return;
  }
  if (!options.allowed) {
    field.error(`not allowed here${options.why ? ` (${options.why})` : ''}`);
    return;
  }
  const problem = addressAnnotationProblem(field.value);
  if (problem !== undefined) field.error(problem);
}
