// One document -> zero or more model objects: checks the envelope (mapping,
// apiVersion, kind, metadata.name), unwraps `kind: List`, skips kinds the DNS
// does not use, and hands each kept kind to its decoder.

import { MANIFEST_KINDS, type ManifestKind, type ManifestObject, type ObjectMeta } from '../cluster/model.js';
import { decodeEndpoints, decodeEndpointSlice } from './endpoints.js';
import { readMeta } from './meta.js';
import { decodePod } from './pod.js';
import { type DocContext, Field, describeValue, isPlainObject } from './reader.js';
import { decodeService } from './service.js';
import type { SkippedObject } from './types.js';
import { decodeDaemonSet, decodeDeployment, decodeJob, decodeReplicaSet, decodeStatefulSet } from './workloads.js';

/** The apiVersion each kept kind is served as. */
const API_VERSIONS: Readonly<Record<ManifestKind, string>> = {
  Namespace: 'v1',
  Service: 'v1',
  Pod: 'v1',
  Endpoints: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  StatefulSet: 'apps/v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
};

type KindDecoder = (root: Field, meta: ObjectMeta) => ManifestObject | undefined;

const DECODERS: Readonly<Record<ManifestKind, KindDecoder>> = {
  Namespace: (_root, meta) => ({ kind: 'Namespace', meta }),
  Service: decodeService,
  Pod: decodePod,
  Endpoints: decodeEndpoints,
  EndpointSlice: decodeEndpointSlice,
  StatefulSet: decodeStatefulSet,
  Deployment: decodeDeployment,
  ReplicaSet: decodeReplicaSet,
  DaemonSet: decodeDaemonSet,
  Job: decodeJob,
};

export interface DecodeOutput {
  readonly objects: ManifestObject[];
  readonly skipped: SkippedObject[];
}

/** Decodes one parsed document (already known to be non-empty). */
export function decodeDocument(value: unknown, ctx: DocContext, out: DecodeOutput): void {
  const root = new Field(ctx, value);
  if (!isPlainObject(value)) {
    root.expected('a mapping (a Kubernetes object with apiVersion, kind and metadata)');
    return;
  }
  const kind = root.get('kind').value;
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(root.get('items').value)) {
    decodeList(root, out);
    return;
  }
  decodeObject(root, out);
}

/**
 * `kind: List` (what `kubectl get -o yaml` prints) and typed lists
 * (`ServiceList` from the raw API): each item is an object of its own,
 * with SourceRef.item and its own line.
 */
function decodeList(list: Field, out: DecodeOutput): void {
  list.get('items').list().forEach((item, index) => {
    const prefix = [...list.ctx.prefix, 'items', index];
    const line = list.ctx.locate?.(prefix) ?? list.ctx.source.line;
    const source = { ...list.ctx.source, item: index, ...(line === undefined ? {} : { line }) };
    const root = new Field({ ...list.ctx, source, prefix }, item.value);
    if (!root.mapping()) return;
    if (typeof root.get('kind').value === 'string' && Array.isArray(root.get('items').value)) {
      root.get('kind').error('a List inside a List is not supported; flatten the items');
      return;
    }
    decodeObject(root, out);
  });
}

function decodeObject(root: Field, out: DecodeOutput): void {
  const kind = readEnvelope(root.get('kind'), 'the kind of object, e.g. "Service"');
  const apiVersion = readEnvelope(root.get('apiVersion'), 'the API group/version, e.g. "v1" or "apps/v1"');
  if (!hasName(root) || kind === undefined || apiVersion === undefined) return;
  if (!isManifestKind(kind)) {
    out.skipped.push(skippedOf(root, kind));
    return;
  }
  const expected = API_VERSIONS[kind];
  if (apiVersion !== expected) {
    root
      .get('apiVersion')
      .error(`kind ${kind} is served as apiVersion "${expected}", got ${describeValue(apiVersion)} (no matches for kind "${kind}" in version "${apiVersion}")`);
  }
  const meta = readMeta(root, kind);
  const object = meta === undefined ? undefined : DECODERS[kind](root, meta);
  if (object !== undefined) out.objects.push(object);
}

function readEnvelope(field: Field, what: string): string | undefined {
  if (!field.present) return field.error(`required field is missing (${what})`);
  return field.string();
}

/** metadata must be a mapping with a string name, for every kind (skipped ones included). */
function hasName(root: Field): boolean {
  const metadata = root.get('metadata');
  if (!metadata.mapping({ required: true })) return false;
  const name = metadata.get('name');
  if (!name.present && metadata.get('generateName').present) {
    name.error('required field is missing: metadata.generateName is not supported here, give each object a metadata.name');
    return false;
  }
  return name.string({ required: true }) !== undefined;
}

function isManifestKind(kind: string): kind is ManifestKind {
  return (MANIFEST_KINDS as readonly string[]).includes(kind);
}

function skippedOf(root: Field, kind: string): SkippedObject {
  const metadata = root.get('metadata');
  const name = metadata.get('name').value;
  const namespace = metadata.get('namespace').value;
  return {
    kind,
    ...(typeof namespace === 'string' ? { namespace } : {}),
    ...(typeof name === 'string' ? { name } : {}),
    source: root.ctx.source,
  };
}
