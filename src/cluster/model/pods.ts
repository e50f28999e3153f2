// Pods before and while their addresses are settled: what a Pod object says
// (spec §5.1) or what a workload generates (§5.2), plus what endpoint
// derivation needs and the public Pod type does not carry.
//
// Built once per pod of a 150,000-pod cluster and kept for the next build
// (pod-cache.ts), so a pod is one small object (SettledPod) and whatever the
// replicas of a workload have in common lives once, in their PodOrigin.

import { parseIP, type ParsedIP } from './ip.js';
import type { Labels, PodObject, PodSpec, SourceRef } from './model.js';
import type { Endpoint, Pod, PodIPs } from './state.js';
import { addressOverrideOf, type AddressOverride } from './annotations.js';
import { NO_IPS, packIPs } from './pod-ip-list.js';

/** What every pod of one workload (or the one pod of a Pod object) has in common. */
export interface PodOrigin {
  readonly namespace: string;
  /** restartPolicy and containerPorts; hostname/subdomain as the pods carry them are on the Pod. */
  readonly spec: PodSpec;
  readonly source: SourceRef;
  readonly subdomain?: string;
  /** `StatefulSet/web` etc.; absent for Pod objects. */
  readonly owner?: string;
  readonly address?: AddressOverride;
  readonly phase: string | undefined;
  readonly ready: boolean;
  readonly terminating: boolean;
  /** IPs as written (parsed, duplicates dropped); `undefined` = synthesize one per configured pod family. */
  readonly givenIPs?: readonly ParsedIP[];
}

/**
 * A pod and what endpoint derivation reads about it, in one object: the
 * public Pod of the state is this very object (`pod` is itself), so a pod
 * costs one object, not a Pod and an entry (at 150,000 pods the two were
 * 88–104 and 64 bytes each). Only the name, IPs, labels and hostname are
 * the pod's own; everything its workload's replicas share is read from
 * `origin` through getters on the prototype (no copy per pod, no
 * allocation per read).
 *
 * Every instance gets the same fields in the same order (hostname
 * `undefined` when there is none), so code reading pods stays monomorphic.
 * `origin`, `firstKey` and the endpoint cache are typed on this class only:
 * a reader of `Pod` does not see them.
 */
export class SettledPod implements Pod {
  readonly name: string;
  /** Canonical text, packed (see PodIPs); set by settleIPs. */
  ips: PodIPs;
  readonly labels: Labels;
  readonly hostname: string | undefined;
  readonly origin: PodOrigin;
  /** The pod's first IP as a sort key (an IPv4 address as a number, IPv6 as a BigInt); set with the IPs. */
  firstKey: number | bigint;
  /**
   * Endpoints made for this pod so far (the first, then any others): a
   * Service that sees the pod alike reuses them. A second one is kept bare,
   * not in an array: a StatefulSet pod has two (with and without its
   * hostname), and 78,000 two-slot arrays were 4 MB.
   */
  endpoint: Endpoint | undefined;
  otherEndpoints: Endpoint | Endpoint[] | undefined;

  /** `hostname` is the pod's own (falsy = none), the rest comes from `origin`. */
  constructor(origin: PodOrigin, name: string, labels: Labels, hostname: string | undefined) {
    this.name = name;
    this.ips = NO_IPS;
    this.labels = labels;
    this.hostname = hostname || undefined;
    this.origin = origin;
    this.firstKey = 0;
    this.endpoint = undefined;
    this.otherEndpoints = undefined;
  }

  /** The public Pod: this object (kept so entry-minded code reads `entry.pod.name`). */
  get pod(): Pod {
    return this;
  }

  get namespace(): string {
    return this.origin.namespace;
  }

  get ready(): boolean {
    return this.origin.ready;
  }

  get terminating(): boolean {
    return this.origin.terminating;
  }

  get source(): SourceRef {
    return this.origin.source;
  }

  get subdomain(): string | undefined {
    return this.origin.subdomain;
  }

  get owner(): string | undefined {
    return this.origin.owner;
  }

  get address(): AddressOverride | undefined {
    return this.origin.address;
  }

  /** As JSON, the Pod it is (not the entry: the endpoint cache refers back to it). */
  toJSON(): Pod {
    return plainPod(this, this.ready);
  }
}

/** The name endpoint derivation and the pod cache know a settled pod by. */
export type PodEntry = SettledPod;

/** A new pod; `hostname` is the pod's own (falsy = none), the rest comes from `origin`. */
export function podEntry(origin: PodOrigin, name: string, labels: Labels, hostname: string | undefined): PodEntry {
  return new SettledPod(origin, name, labels, hostname);
}

/** Sets the pod's settled IPs (canonical text, held packed); `firstKey` is the first one's sort key. */
export function settleIPs(entry: PodEntry, ips: PodIPs, firstKey: number | bigint): void {
  entry.ips = packIPs(ips);
  entry.firstKey = firstKey;
}

type MutablePod = { -readonly [K in keyof Pod]: Pod[K] };

/** The same pod with another readiness (a live readiness override), as a plain Pod. */
export function podWithReadiness(pod: Pod, ready: boolean): Pod {
  return plainPod(pod, ready);
}

/**
 * A Pod's fields as a plain object, absent ones left out, in the order a
 * Pod literal always had them. Field by field, not a spread: a spread copies
 * own fields only, and a SettledPod reads most of its fields through getters.
 */
function plainPod(pod: Pod, ready: boolean): Pod {
  const { name, namespace, ips, labels, terminating, source, hostname, subdomain, owner, address } = pod;
  const copy: MutablePod = { name, namespace, ips, labels, ready, terminating, source };
  if (hostname !== undefined) copy.hostname = hostname;
  if (subdomain !== undefined) copy.subdomain = subdomain;
  if (owner !== undefined) copy.owner = owner;
  if (address !== undefined) copy.address = address;
  return copy;
}

/**
 * A Pod object taken literally. No status ⇒ Running/Ready with synthesized
 * IPs [emulator]. With a status, Ready is the Ready condition when present,
 * else phase === Running.
 */
export function entryFromPodObject(object: PodObject): PodEntry {
  const { meta, spec, status } = object;
  const origin: { -readonly [K in keyof PodOrigin]: PodOrigin[K] } = {
    namespace: meta.namespace,
    spec,
    source: meta.source,
    phase: status ? status.phase : 'Running',
    ready: status ? (status.readyCondition ?? status.phase === 'Running') : true,
    terminating: meta.deletionTimestamp !== undefined,
  };
  if (spec.subdomain) origin.subdomain = spec.subdomain;
  const address = addressOverrideOf(meta.annotations);
  if (address) origin.address = address;
  if (status) origin.givenIPs = parseIPs(status.podIPs);
  return podEntry(origin, meta.name, meta.labels, spec.hostname);
}

/** The parseable entries, first occurrence of each address kept. */
function parseIPs(ips: readonly string[]): ParsedIP[] {
  const out: ParsedIP[] = [];
  for (const text of ips) {
    const ip = parseIP(text);
    if (ip && (out.length === 0 || !out.some((seen) => seen.text === ip.text))) out.push(ip);
  }
  return out;
}

/** Pods that finished for good are never endpoints (spec §4.1). */
export function isFinished(entry: PodEntry): boolean {
  switch (entry.origin.spec.restartPolicy) {
    case 'Never':
      return entry.origin.phase === 'Succeeded' || entry.origin.phase === 'Failed';
    case 'OnFailure':
      return entry.origin.phase === 'Succeeded';
    case 'Always':
      return false;
  }
}
