// metadata: name, namespace (default `default`), labels, annotations,
// deletionTimestamp — the parts of ObjectMeta clusterdns reads.

import type { ManifestKind, ObjectMeta } from '../../cluster/index.js';
import { readLabelName, readSubdomainName } from './names.js';
import { Field } from './reader.js';
import { checkAddressAnnotation } from './address-annotation.js';
import { definedFields } from './defined.js';

/** Kinds whose names become DNS labels (spec §1); the others need RFC 1123 subdomains. */
// Pods are not among them: a pod name may be a 253-character subdomain; such a
// pod cannot lend its name to a DNS label, and its endpoints are named by
// dashed IP, as CoreDNS does.
const LABEL_NAMED: ReadonlySet<ManifestKind> = new Set(['Namespace', 'Service', 'StatefulSet']);

const DEFAULT_NAMESPACE = 'default';

/**
 * Decodes `metadata` of a kept kind (`generated`: the name made from metadata.generateName). Returns undefined only when the name is
 * unusable; other field problems are recorded and the rest still decoded,
 * so one pass reports everything.
 */
export function readMeta(root: Field, kind: ManifestKind, generated?: string): ObjectMeta | undefined {
  const metadata = root.get('metadata');
  // A generated name is checked as the name it became, reported on generateName.
  const nameField = generated === undefined ? metadata.get('name') : new Field(root.ctx, generated, metadata, 'generateName');
  const name = LABEL_NAMED.has(kind) ? readLabelName(nameField) : readSubdomainName(nameField);
  const namespaceField = metadata.get('namespace');
  // Namespace is cluster-scoped: the API server ignores metadata.namespace on it,
  // and the model carries the namespace's own name there.
  const namespace = kind === 'Namespace' ? name : (readLabelName(namespaceField, { emptyIsAbsent: true }) ?? DEFAULT_NAMESPACE);
  const labels = metadata.get('labels').stringMap();
  const annotations = metadata.get('annotations').stringMap();
  if (kind === 'Service' || kind === 'Pod') checkAddressAnnotation(metadata, { allowed: true });
  else checkAddressAnnotation(metadata, { allowed: 'ignored', why: `read on Services, Pods and pod templates (spec.template.metadata), not on a ${kind}` });
  const deletionTimestamp = readTimestamp(metadata.get('deletionTimestamp'));
  if (name === undefined || namespace === undefined) return undefined;
  return definedFields({ name, namespace, labels, annotations, deletionTimestamp, source: root.ctx.source });
}

/** RFC 3339 text as YAML gives it; a Date (Node API objects from client libraries) is accepted too. */
function readTimestamp(field: Field): string | undefined {
  if (field.value instanceof Date && !Number.isNaN(field.value.getTime())) return field.value.toISOString();
  return field.string();
}

/**
 * The controller ownerReference (`controller: true`) as `Kind/name`, or
 * undefined. Read leniently: it only tells which loaded pods a workload
 * already has (a cluster dump), so a malformed entry is ignored.
 */
export function readController(root: Field): string | undefined {
  const references = root.get('metadata').get('ownerReferences').value;
  if (!Array.isArray(references)) return undefined;
  for (const reference of references as unknown[]) {
    if (typeof reference !== 'object' || reference === null) continue;
    const { controller, kind, name } = reference as Record<string, unknown>;
    if (controller === true && typeof kind === 'string' && typeof name === 'string') return `${kind}/${name}`;
  }
  return undefined;
}
