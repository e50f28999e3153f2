// One document -> zero or more model objects: checks the envelope (mapping,
// apiVersion, kind, metadata.name), unwraps `kind: List`, skips kinds the DNS
// does not use, and hands each kept kind to its decoder.

import { MANIFEST_KINDS, type ManifestKind, type ManifestObject, type ObjectMeta, randomSuffix } from '../../cluster/index.js';
import { decodeEndpoints, decodeEndpointSlice } from './endpoints.js';
import { checkSkippedKind } from './kinds.js';
import { readController, readMeta } from './meta.js';
import { decodePod } from './pod.js';
import { type DocContext, Field, describeValue, isPlainObject } from './reader.js';
import { decodeService } from './service.js';
import type { SkippedObject } from './types.js';
import { decodeDaemonSet, decodeDeployment, decodeJob, decodeReplicaSet, decodeReplicationController, decodeStatefulSet } from './workloads.js';

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
  ReplicationController: 'v1',
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
  ReplicationController: decodeReplicationController,
  DaemonSet: decodeDaemonSet,
  Job: decodeJob,
};

export interface DecodeOutput {
  readonly objects: ManifestObject[];
  readonly skipped: SkippedObject[];
}

/**
 * A List item decoded on its own (a big List streamed item by item,
 * stream.ts): `implied` is what a typed list gives items without kind or
 * apiVersion; undefined for a plain `kind: List` or while not known.
 */
export interface ListItemOf {
  readonly implied: Envelope | undefined;
}

/** Decodes one parsed document (already known to be non-empty), or one List item when `asItem` is given. */
export function decodeDocument(value: unknown, ctx: DocContext, out: DecodeOutput, asItem?: ListItemOf): void {
  const root = new Field(ctx, value);
  if (asItem !== undefined) {
    decodeItem(root, out, asItem.implied);
    return;
  }
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
 * (`ServiceList`, `PodList` from the API and client libraries, whose items
 * leave out kind and apiVersion): each item is an object of its own, with
 * SourceRef.item and its own line.
 */
function decodeList(list: Field, out: DecodeOutput): void {
  const implied = impliedEnvelope(list);
  list.get('items').list().forEach((item, index) => {
    const prefix = [...list.ctx.prefix, 'items', index];
    const line = list.ctx.locate?.(prefix) ?? list.ctx.source.line;
    const source = { ...list.ctx.source, item: index, ...(line === undefined ? {} : { line }) };
    decodeItem(new Field({ ...list.ctx, source, prefix }, item.value), out, implied);
  });
}

function decodeItem(root: Field, out: DecodeOutput, implied: Envelope | undefined): void {
  if (!root.mapping()) return;
  if (typeof root.get('kind').value === 'string' && Array.isArray(root.get('items').value)) {
    root.get('kind').error('a List inside a List is not supported; flatten the items');
    return;
  }
  decodeObject(root, out, implied);
}

export interface Envelope {
  readonly kind: string;
  readonly apiVersion: string;
}

/** A typed list's items are of its kind without `List` and of its apiVersion (`apps/v1` DeploymentList -> Deployment). */
function impliedEnvelope(list: Field): Envelope | undefined {
  const kind = list.get('kind').value;
  const apiVersion = list.get('apiVersion').value;
  if (typeof kind !== 'string' || kind === 'List' || typeof apiVersion !== 'string') return undefined;
  return { kind: kind.slice(0, -'List'.length), apiVersion };
}

function decodeObject(root: Field, out: DecodeOutput, implied?: Envelope): void {
  const kindField = root.get('kind');
  const apiVersionField = root.get('apiVersion');
  const kind = implied && !kindField.present ? implied.kind : readEnvelope(kindField, 'the kind of object, e.g. "Service"');
  const apiVersion =
    implied && !apiVersionField.present ? implied.apiVersion : readEnvelope(apiVersionField, 'the API group/version, e.g. "v1" or "apps/v1"');
  if (kind !== undefined && !isManifestKind(kind)) {
    // Skipped kinds are never refused for their own fields (a kustomization.yaml has no metadata).
    if (apiVersion !== undefined) checkSkippedKind(root, kind, apiVersion);
    out.skipped.push(skippedOf(root, kind));
    return;
  }
  const name = nameOf(root);
  if (name === undefined || kind === undefined || apiVersion === undefined) return;
  const expected = API_VERSIONS[kind];
  if (apiVersion !== expected) {
    root
      .get('apiVersion')
      .error(`kind ${kind} is served as apiVersion "${expected}", got ${describeValue(apiVersion)} (no matches for kind "${kind}" in version "${apiVersion}")`);
  }
  const meta = readMeta(root, kind, name.generated ? name.value : undefined);
  const object = meta === undefined ? undefined : DECODERS[kind](root, meta);
  if (object === undefined) return;
  const controller = object.kind === 'Pod' || !('template' in object) ? undefined : readController(root);
  out.objects.push(controller === undefined ? object : ({ ...object, controller } as ManifestObject));
}

function readEnvelope(field: Field, what: string): string | undefined {
  if (!field.present) return field.error(`required field is missing (${what})`);
  return field.string();
}

/**
 * metadata must be a mapping with a string name, or a generateName: then the
 * object gets the name its controller or the API server would give it, the
 * prefix (cut to 58 characters) plus 5 characters derived from the file and
 * the place in it, so the same file gives the same name every time.
 */
function nameOf(root: Field): { value: string; generated: boolean } | undefined {
  const metadata = root.get('metadata');
  if (!metadata.mapping({ required: true })) return undefined;
  const name = metadata.get('name');
  const generateName = metadata.get('generateName');
  if (!name.present && generateName.present) {
    const prefix = generateName.string();
    if (prefix === undefined) return undefined;
    const { file, document, item } = root.ctx.source;
    const namespace = metadata.get('namespace').value;
    const seed = `${String(namespace)}/${String(root.get('kind').value)}/${prefix}/${file}/${document}/${item ?? ''}`;
    return { value: `${prefix.slice(0, 58)}${randomSuffix(seed)}`, generated: true };
  }
  const value = name.string({ required: true });
  return value === undefined ? undefined : { value, generated: false };
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
