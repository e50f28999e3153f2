// Whether a set of objects fits before anything is built:
// the pods they make against the pod cap (--max-pods) and the pods and
// cluster IPs they need against the free addresses of each CIDR. Counted
// from replica fields alone, so a change that does not fit is refused in
// microseconds, not after building hundreds of thousands of pods; a
// StatefulSet that skips a name a Pod object holds makes one pod fewer than
// counted, the only way the count is ever high.

import { hostCount } from './allocate.js';
import { scanExplicitAddressSteps } from './explicit.js';
import { resolveAddressing } from './families.js';
import { type CIDR, type ClusterOptions, type IPFamily, type ManifestObject, objectKey, parseCIDR } from '../model/index.js';
import { ITEMS_PER_STEP, runNow, type Steps } from '../slicer.js';

export interface CapacityOptions extends ClusterOptions {
  /** Most pods a state may hold (--max-pods). */
  readonly maxPods: number;
}

/** Problems (none: it fits). `before`: the objects of the state being replaced, to name what grew. */
export function capacityProblems(objects: readonly ManifestObject[], options: CapacityOptions, before: readonly ManifestObject[] = []): string[] {
  return runNow(capacitySteps(objects, options, before));
}

/** capacityProblems in steps (a reload runs them through a Slicer). */
export function* capacitySteps(objects: readonly ManifestObject[], options: CapacityOptions, before: readonly ManifestObject[] = []): Steps<string[]> {
  // Summed without a record per object: a reload at 150,000 pods runs this over every object it loaded.
  let pods = 0;
  let synthesized = 0;
  for (let i = 0; i < objects.length; i++) {
    if (i % ITEMS_PER_STEP === 0) yield;
    const object = objects[i]!;
    const made = podsOf(object, options.nodeCount);
    pods += made;
    // Pods that get synthesized addresses: a Pod object with a status has its own.
    synthesized += object.kind === 'Pod' ? (object.status === undefined ? 1 : 0) : made;
  }
  const problems: string[] = [];
  const culprits = (): string => largestGrowth(objects, before, options.nodeCount);
  if (pods > options.maxPods) {
    problems.push(`${n(pods)} pods would pass the pod cap of ${n(options.maxPods)} (--max-pods); ${culprits()}`);
  }
  const podCIDRs = cidrsOf(options.podCIDRs);
  const serviceCIDRs = cidrsOf(options.serviceCIDRs);
  const needs = yield* servicesNeed(objects, serviceCIDRs.map((cidr) => cidr.family));
  const explicit = (yield* scanExplicitAddressSteps(objects)).taken;
  yield;
  for (const cidr of podCIDRs) {
    const written = explicit.valuesWithin(cidr).length;
    const free = hostCount(cidr) - BigInt(written);
    if (BigInt(synthesized) <= free) continue;
    problems.push(
      `pod CIDR ${cidr.text} would run out: ${n(synthesized)} pods need an ${cidr.family} address from it and it has ${n(free)} ` +
        `(${n(hostCount(cidr))} less ${n(written)} written in manifests); ${culprits()}`,
    );
  }
  for (const cidr of serviceCIDRs) {
    const need = needs.get(cidr.family) ?? 0;
    // The first host is the kubernetes Service's, whether declared or not.
    const written = new Set([...explicit.valuesWithin(cidr), cidr.network + (cidr.size <= 2n ? 0n : 1n)]).size;
    const free = hostCount(cidr) - BigInt(written);
    if (BigInt(need) <= free) continue;
    problems.push(`service CIDR ${cidr.text} would run out: ${n(need)} Services need an ${cidr.family} cluster IP from it and it has ${n(free)}`);
  }
  return problems;
}

/** Pods an object makes, as derive/synthesize.ts makes them. */
function podsOf(object: ManifestObject, nodeCount: number): number {
  switch (object.kind) {
    case 'Pod':
      return 1;
    case 'StatefulSet':
    case 'Deployment':
    case 'ReplicaSet':
      return object.replicas;
    case 'DaemonSet':
      return nodeCount;
    case 'Job':
      return Math.min(object.parallelism, object.completions ?? object.parallelism);
    default:
      return 0;
  }
}

/** Cluster IPs to allocate, per family (written ones are counted as taken instead). */
function* servicesNeed(objects: readonly ManifestObject[], families: readonly IPFamily[]): Steps<Map<IPFamily, number>> {
  const need = new Map<IPFamily, number>();
  for (let i = 0; i < objects.length; i++) {
    if ((i + 1) % ITEMS_PER_STEP === 0) yield;
    const object = objects[i]!;
    if (object.kind !== 'Service') continue;
    if (object.meta.namespace === 'default' && object.meta.name === 'kubernetes') continue;
    for (const family of resolveAddressing(object, families).missing) need.set(family, (need.get(family) ?? 0) + 1);
  }
  return need;
}

/** The objects that add the most pods over `before` (all of them when nothing grew, as at start). */
function largestGrowth(objects: readonly ManifestObject[], before: readonly ManifestObject[], nodeCount: number): string {
  const was = new Map(before.map((object) => [objectKey(object), podsOf(object, nodeCount)]));
  const grown = objects
    .map((object) => {
      const key = objectKey(object);
      return { key, added: podsOf(object, nodeCount) - (was.get(key) ?? 0) };
    })
    .filter((count) => count.added > 0)
    .sort((a, b) => b.added - a.added || (a.key < b.key ? -1 : 1));
  if (grown.length === 0) return 'no object adds pods';
  const shown = grown.slice(0, 5).map((count) => `${count.key} (+${n(count.added)})`);
  const more = grown.length > 5 ? ` and ${n(grown.length - 5)} more objects (+${n(sum(grown.slice(5), (c) => c.added))})` : '';
  return `pods added by ${shown.join(', ')}${more}`;
}

function cidrsOf(texts: readonly string[]): CIDR[] {
  const cidrs: CIDR[] = [];
  for (const text of texts) {
    const cidr = parseCIDR(text);
    if (cidr && !cidrs.some((c) => c.family === cidr.family)) cidrs.push(cidr);
  }
  return cidrs;
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}

/** 1,000,000: counts a reader compares at a glance. */
function n(value: number | bigint): string {
  return value.toLocaleString('en-US');
}
