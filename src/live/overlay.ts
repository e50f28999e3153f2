// Changes made through the control API, layered over what the files say.
//
// The overlay is plain data and pure functions: a file reload re-applies it
// to the new file objects, `reset` drops it. Nothing here builds a cluster.

import { type ClusterState, type Endpoint, ITEMS_PER_STEP, type ManifestObject, objectKey, type Pod, PodMap, podWithReadiness, runNow, type Service, type Steps } from '../cluster/index.js';

export type ScalableKind = 'StatefulSet' | 'Deployment' | 'ReplicaSet';
export const SCALABLE_KINDS: readonly ScalableKind[] = ['StatefulSet', 'Deployment', 'ReplicaSet'];

export interface Overlay {
  /** Objects created or replaced by `apply`, by `kind/namespace/name`. */
  readonly upserts: ReadonlyMap<string, ManifestObject>;
  /** Keys deleted through the API (a file object or an earlier upsert). */
  readonly deletions: ReadonlySet<string>;
  /** Replica counts set by `scale`, by workload key. */
  readonly replicas: ReadonlyMap<string, number>;
  /** Readiness set for a pod (`namespace/name`), file or synthesized. */
  readonly podReady: ReadonlyMap<string, boolean>;
}

export const EMPTY_OVERLAY: Overlay = { upserts: new Map(), deletions: new Set(), replicas: new Map(), podReady: new Map() };

/** A later apply of the same object replaces it and undoes an earlier delete. */
export function withUpserts(overlay: Overlay, objects: readonly ManifestObject[]): Overlay {
  const upserts = new Map(overlay.upserts);
  const deletions = new Set(overlay.deletions);
  for (const object of objects) {
    const key = objectKey(object);
    upserts.set(key, object);
    deletions.delete(key);
  }
  return { ...overlay, upserts, deletions };
}

export function withDeletion(overlay: Overlay, key: string): Overlay {
  const upserts = new Map(overlay.upserts);
  upserts.delete(key);
  const replicas = new Map(overlay.replicas);
  replicas.delete(key);
  return { ...overlay, upserts, replicas, deletions: new Set(overlay.deletions).add(key) };
}

export function withReplicas(overlay: Overlay, key: string, count: number): Overlay {
  return { ...overlay, replicas: new Map(overlay.replicas).set(key, count) };
}

export function withPodReady(overlay: Overlay, pod: string, ready: boolean): Overlay {
  return { ...overlay, podReady: new Map(overlay.podReady).set(pod, ready) };
}

/**
 * The objects the cluster is built from: file objects minus deletions, with
 * upserts replacing same-key objects in place (new ones appended), then the
 * replica overrides.
 */
export function overlayObjects(files: readonly ManifestObject[], overlay: Overlay): ManifestObject[] {
  return runNow(overlayObjectSteps(files, overlay));
}

/** overlayObjects in steps (a change runs them through a Slicer: 15,000 file objects take tens of milliseconds). */
export function* overlayObjectSteps(files: readonly ManifestObject[], overlay: Overlay): Steps<ManifestObject[]> {
  const empty = overlay.deletions.size === 0 && overlay.upserts.size === 0 && overlay.replicas.size === 0;
  if (empty) return [...files];
  const result: ManifestObject[] = [];
  const placed = new Set<string>();
  // Keys are made only for objects named like an upsert or a deletion: 15,000 key strings per change were garbage.
  const names = new Set([...overlay.upserts.keys(), ...overlay.deletions].map((key) => key.slice(key.lastIndexOf('/') + 1)));
  let count = 0;
  for (const object of files) {
    if (++count % OBJECTS_PER_STEP === 0) yield;
    if (!names.has(object.meta.name)) {
      result.push(object);
      continue;
    }
    const key = objectKey(object);
    if (overlay.deletions.has(key)) continue;
    const replaced = overlay.upserts.get(key);
    placed.add(key);
    result.push(replaced ?? object);
  }
  for (const [key, object] of overlay.upserts) if (!placed.has(key)) result.push(object);
  if (overlay.replicas.size === 0) return result;
  for (let i = 0; i < result.length; i++) {
    if (i % OBJECTS_PER_STEP === 0) yield;
    const object = result[i]!;
    if (SCALABLE_KINDS.includes(object.kind as ScalableKind)) result[i] = scaled(object, overlay.replicas.get(objectKey(object)));
  }
  return result;
}

/** Objects between two yields: a key, a lookup or two each. */
const OBJECTS_PER_STEP = 4 * ITEMS_PER_STEP;

function scaled(object: ManifestObject, replicas: number | undefined): ManifestObject {
  if (replicas === undefined) return object;
  switch (object.kind) {
    case 'StatefulSet':
    case 'Deployment':
    case 'ReplicaSet':
      return { ...object, replicas };
    default:
      return object;
  }
}

/**
 * Readiness overrides act on the built state, so they reach synthesized pods
 * too: the pod's flag, and every endpoint that came from it (published when
 * ready, or always when the service publishes not-ready addresses).
 */
export function applyPodReadiness(state: ClusterState, podReadyByKey: ReadonlyMap<string, boolean>): ClusterState {
  if (podReadyByKey.size === 0) return state;
  // By name, not by object: endpoints refer to the Pod objects of their build.
  const podReady = PodMap.fromKeys(podReadyByKey);
  const pods = state.pods.map((pod): Pod => {
    const ready = podReady.get(pod);
    return ready === undefined ? pod : podWithReadiness(pod, ready);
  });
  const services = state.services.map((service): Service => {
    if (!service.endpoints.some((endpoint) => podReady.has(endpoint.pod))) return service;
    const endpoints = service.endpoints.map((endpoint): Endpoint => {
      const ready = podReady.get(endpoint.pod);
      return ready === undefined ? endpoint : { ...endpoint, ready: ready || service.publishNotReadyAddresses };
    });
    return { ...service, endpoints };
  });
  return { ...state, pods, services };
}
