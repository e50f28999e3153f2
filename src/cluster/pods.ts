// Pods before and while their addresses are settled: what a Pod object says
// (spec §5.1) or what a workload generates (§5.2), plus what endpoint
// derivation needs and the public Pod type does not carry.
//
// Built once per pod of a 150,000-pod cluster and kept until the endpoints
// are done, so the per-pod entry is small and whatever the replicas of a
// workload have in common lives once, in their PodOrigin.

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

/** A pod with what endpoint derivation reads. */
export interface PodEntry {
  readonly pod: Pod;
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
}

type MutablePod = { -readonly [K in keyof Pod]: Pod[K] };

/**
 * The public Pod. The shapes generated pods have are exact literals: a
 * literal with optional fields assigned afterwards keeps those in a separate
 * property array, 40 bytes more a pod. Every branch has the same key order.
 */
function newPod(name: string, labels: Labels, hostname: string | undefined, origin: PodOrigin): MutablePod {
  const { namespace, source, subdomain, owner, address, ready, terminating } = origin;
  const ips = NO_IPS;
  if (owner && !address) {
    if (!hostname && !subdomain) return { name, namespace, ips, labels, ready, terminating, source, owner };
    if (hostname && subdomain) return { name, namespace, ips, labels, ready, terminating, source, hostname, subdomain, owner };
    if (hostname) return { name, namespace, ips, labels, ready, terminating, source, hostname, owner };
  }
  const pod: MutablePod = { name, namespace, ips, labels, ready, terminating, source };
  if (hostname) pod.hostname = hostname;
  if (subdomain) pod.subdomain = subdomain;
  if (owner) pod.owner = owner;
  if (address) pod.address = address;
  return pod;
}

/** A new entry; `hostname` is the pod's own (falsy = none), the rest comes from `origin`. */
export function podEntry(origin: PodOrigin, name: string, labels: Labels, hostname: string | undefined): PodEntry {
  return { pod: newPod(name, labels, hostname, origin), origin, firstKey: 0, endpoint: undefined, otherEndpoints: undefined };
}

/** Sets the pod's settled IPs (canonical text, held packed); `firstKey` is the first one's sort key. */
export function settleIPs(entry: PodEntry, ips: PodIPs, firstKey: number | bigint): void {
  (entry.pod as MutablePod).ips = packIPs(ips);
  entry.firstKey = firstKey;
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
export function parseIPs(ips: readonly string[]): ParsedIP[] {
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
