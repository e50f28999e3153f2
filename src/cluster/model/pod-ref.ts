// Pods by name, for code that holds an Endpoint's `pod` reference.
//
// An endpoint refers to the Pod object it came from, but that object is not
// the pod's identity: a rebuild makes new Pod objects with the same names,
// and a live readiness override replaces a Pod in the state while the
// endpoint keeps the old one. So pods are compared and looked up by
// namespace and name, without building a `namespace/name` string per lookup.

import type { PodRef } from './state.js';

/** The same pod (namespace and name), or both absent. */
export function samePod(a: PodRef | undefined, b: PodRef | undefined): boolean {
  if (a === b) return true;
  return a !== undefined && b !== undefined && a.name === b.name && a.namespace === b.namespace;
}

/** Values by pod, looked up by name. */
export interface ReadonlyPodMap<T> {
  readonly size: number;
  get(pod: PodRef | undefined): T | undefined;
  has(pod: PodRef | undefined): boolean;
}

/** Values by pod namespace, then name. */
export class PodMap<T> implements ReadonlyPodMap<T> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private count = 0;

  /** From `namespace/name` keys (as the control API names pods). */
  static fromKeys<T>(entries: Iterable<readonly [string, T]>): PodMap<T> {
    const map = new PodMap<T>();
    for (const [key, value] of entries) {
      const slash = key.indexOf('/');
      map.set({ namespace: key.slice(0, slash), name: key.slice(slash + 1) }, value);
    }
    return map;
  }

  get size(): number {
    return this.count;
  }

  set(pod: PodRef, value: T): this {
    let byName = this.byNamespace.get(pod.namespace);
    if (!byName) {
      byName = new Map();
      this.byNamespace.set(pod.namespace, byName);
    }
    if (!byName.has(pod.name)) this.count++;
    byName.set(pod.name, value);
    return this;
  }

  // Usually empty (few pods have an address annotation): then no lookup at all.
  get(pod: PodRef | undefined): T | undefined {
    return pod === undefined || this.count === 0 ? undefined : this.byNamespace.get(pod.namespace)?.get(pod.name);
  }

  has(pod: PodRef | undefined): boolean {
    return pod !== undefined && this.count !== 0 && this.byNamespace.get(pod.namespace)?.has(pod.name) === true;
  }
}
