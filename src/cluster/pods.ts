// Pods before addresses are settled: what a Pod object says (spec §5.1) or
// what a workload generates (§5.2), plus the spec fields endpoint derivation
// needs and the public Pod type does not carry.

import { parseIP, type ParsedIP } from './ip.js';
import type { Labels, PodObject, PodSpec, SourceRef } from './model.js';
import type { Pod } from './state.js';
import { addressOverrideOf, type AddressOverride } from './annotations.js';

export interface PodDraft {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly spec: PodSpec;
  readonly phase?: string;
  readonly ready: boolean;
  readonly terminating: boolean;
  /** IPs as written (parsed, duplicates dropped); `undefined` = synthesize one per configured pod family. */
  readonly givenIPs?: readonly ParsedIP[];
  readonly owner?: string;
  readonly source: SourceRef;
  readonly address?: AddressOverride;
}

/** A settled pod, with the spec and phase that endpoint derivation reads. */
export interface PodEntry {
  readonly pod: Pod;
  /** pod.ips parsed, same order. */
  readonly addresses: readonly ParsedIP[];
  readonly spec: PodSpec;
  readonly phase?: string;
}

/**
 * A Pod object taken literally. No status ⇒ Running/Ready with synthesized
 * IPs [emulator]. With a status, Ready is the Ready condition when present,
 * else phase === Running.
 */
export function draftFromPodObject(object: PodObject): PodDraft {
  const status = object.status;
  // Written out rather than spread: this runs once per pod.
  const draft: { -readonly [K in keyof PodDraft]: PodDraft[K] } = {
    name: object.meta.name,
    namespace: object.meta.namespace,
    labels: object.meta.labels,
    spec: object.spec,
    ready: status ? (status.readyCondition ?? status.phase === 'Running') : true,
    terminating: object.meta.deletionTimestamp !== undefined,
    source: object.meta.source,
  };
  const address = addressOverrideOf(object.meta.annotations);
  if (address) draft.address = address;
  if (!status) draft.phase = 'Running';
  else {
    if (status.phase !== undefined) draft.phase = status.phase;
    draft.givenIPs = parseIPs(status.podIPs);
  }
  return draft;
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
  switch (entry.spec.restartPolicy) {
    case 'Never':
      return entry.phase === 'Succeeded' || entry.phase === 'Failed';
    case 'OnFailure':
      return entry.phase === 'Succeeded';
    case 'Always':
      return false;
  }
}

export function podKey(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}
