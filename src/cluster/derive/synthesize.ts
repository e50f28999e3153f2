// Workload templates → the pods their controllers would create
// (spec §5.2, [emulator]). Names follow the controllers' patterns; the
// random parts come from NameRegistry, so they are deterministic.
//
// A 150,000-replica cluster runs the loops here once per pod, so whatever
// the replicas of one workload share (origin, labels, the name hash of the
// workload) is made once per workload, outside the loop.

import { addressOverrideOf, type DaemonSetObject, type DeploymentObject, flat, type JobObject, type Labels, podEntry, type PodEntry, type PodOrigin, type Problem, type ReplicaSetObject, type ReplicationControllerObject, type StatefulSetObject, type WorkloadObject } from '../model/index.js';
import { Hash64 } from '../addresses/index.js';
import type { NameRegistry } from './names.js';
import { podTemplateHash } from './names.js';

interface SynthesisResult {
  readonly pods: readonly PodEntry[];
  readonly warnings: readonly Problem[];
  /** Per workload (in the order given): where its pods and its warnings end in `pods` and `warnings`. */
  readonly podEnds: readonly number[];
  readonly warningEnds: readonly number[];
}

/** Generated pods for every workload; call with workloads in a deterministic order. */
export function synthesizePods(
  workloads: readonly WorkloadObject[],
  names: NameRegistry,
  nodeCount: number,
): SynthesisResult {
  const pods: PodEntry[] = [];
  const warnings: Problem[] = [];
  const ordinals = new OrdinalTexts();
  const podEnds: number[] = [];
  const warningEnds: number[] = [];
  for (const workload of workloads) {
    switch (workload.kind) {
      case 'StatefulSet':
        statefulSetPods(workload, names, ordinals, pods, warnings);
        break;
      case 'Deployment':
        deploymentPods(workload, names, pods);
        break;
      case 'ReplicaSet':
      case 'ReplicationController':
        replicaSetPods(workload, names, pods);
        break;
      case 'DaemonSet':
        daemonSetPods(workload, names, nodeCount, pods);
        break;
      case 'Job':
        jobPods(workload, names, ordinals, pods);
        break;
    }
    podEnds.push(pods.length);
    warningEnds.push(warnings.length);
  }
  return { pods, warnings, podEnds, warningEnds };
}

/**
 * What every pod of `workload` shares; `subdomain` as the controller sets
 * it (falsy = none). Generated pods are Running and Ready, with synthesized IPs.
 */
function originOf(workload: WorkloadObject, subdomain: string | undefined): PodOrigin {
  const origin: { -readonly [K in keyof PodOrigin]: PodOrigin[K] } = {
    namespace: workload.meta.namespace,
    spec: workload.template.spec,
    source: workload.meta.source,
    owner: `${workload.kind}/${workload.meta.name}`,
    phase: 'Running',
    ready: true,
    terminating: false,
  };
  if (subdomain) origin.subdomain = subdomain;
  const address = addressOverrideOf(workload.template.annotations);
  if (address) origin.address = address;
  return origin;
}

/** Hash state of the name seed `namespace/Kind/name/` that every replica's seed starts with. */
function seedStart(workload: WorkloadObject): Hash64 {
  return new Hash64().update(`${workload.meta.namespace}/${workload.kind}/${workload.meta.name}/`);
}

/** The template's labels and then the controller's (a key in both keeps the template's place, as a spread does). */
function copyLabels(labels: Labels): Record<string, string> {
  const copy: Record<string, string> = {};
  // for-in, not Object.keys(): no array per StatefulSet pod.
  for (const key in labels) if (Object.hasOwn(labels, key)) setLabel(copy, key, labels[key] as string);
  return copy;
}

function setLabel(labels: Record<string, string>, key: string, value: string): void {
  // The loader keeps a `__proto__` label as a plain key; an assignment would set the prototype.
  if (key === '__proto__') Object.defineProperty(labels, key, { value, enumerable: true, writable: true, configurable: true });
  else labels[key] = value;
}

/** `String(n)` once per number: the pod-index labels of every StatefulSet share them. */
class OrdinalTexts {
  private readonly texts: string[] = [];

  text(n: number): string {
    if (n < 0 || n > 100_000) return String(n);
    return (this.texts[n] ??= String(n));
  }
}

function statefulSetPods(
  sts: StatefulSetObject,
  names: NameRegistry,
  ordinals: OrdinalTexts,
  out: PodEntry[],
  warnings: Problem[],
): void {
  const origin = originOf(sts, sts.serviceName);
  for (let ordinal = sts.ordinalsStart; ordinal < sts.ordinalsStart + sts.replicas; ordinal++) {
    const name = flat(`${sts.meta.name}-${ordinal}`);
    if (names.has(sts.meta.namespace, name)) {
      warnings.push({
        level: 'warning',
        source: sts.meta.source,
        message: `pod ${sts.meta.namespace}/${name} already exists; StatefulSet ${sts.meta.name} does not create it`,
      });
      continue;
    }
    names.add(sts.meta.namespace, name);
    const labels = copyLabels(sts.template.labels);
    setLabel(labels, 'statefulset.kubernetes.io/pod-name', name);
    setLabel(labels, 'apps.kubernetes.io/pod-index', ordinals.text(ordinal));
    out.push(podEntry(origin, name, labels, name));
  }
}

function deploymentPods(deploy: DeploymentObject, names: NameRegistry, out: PodEntry[]): void {
  const hash = podTemplateHash(deploy.template);
  const prefix = `${deploy.meta.name}-${hash}-`;
  const labels = copyLabels(deploy.template.labels);
  setLabel(labels, 'pod-template-hash', hash);
  replicas(deploy, names, prefix, labels, deploy.replicas, (i) => String(i), out);
}

/** ReplicaSet and ReplicationController pods: `<name>-<5 chars>`, as both controllers name them. */
function replicaSetPods(rs: ReplicaSetObject | ReplicationControllerObject, names: NameRegistry, out: PodEntry[]): void {
  replicas(rs, names, `${rs.meta.name}-`, rs.template.labels, rs.replicas, (i) => String(i), out);
}

function daemonSetPods(ds: DaemonSetObject, names: NameRegistry, nodeCount: number, out: PodEntry[]): void {
  replicas(ds, names, `${ds.meta.name}-`, ds.template.labels, nodeCount, (node) => `node-${node}`, out);
}

/** `count` interchangeable pods named `prefix` + a suffix from the seed `…/<seedEnd(i)>`. */
function replicas(
  workload: WorkloadObject,
  names: NameRegistry,
  prefix: string,
  labels: Labels,
  count: number,
  seedEnd: (i: number) => string,
  out: PodEntry[],
): void {
  const { namespace } = workload.meta;
  const origin = originOf(workload, workload.template.spec.subdomain);
  const hostname = workload.template.spec.hostname;
  const seed = seedStart(workload);
  for (let i = 0; i < count; i++) {
    out.push(podEntry(origin, names.unique(namespace, prefix, seed, seedEnd(i)), labels, hostname));
  }
}

/**
 * Job pods. Like the controller, never more pods than completions:
 * NonIndexed runs min(parallelism, completions), Indexed runs indexes
 * 0 … min(parallelism, completions)−1 with hostname `<job>-<index>`.
 */
function jobPods(job: JobObject, names: NameRegistry, ordinals: OrdinalTexts, out: PodEntry[]): void {
  const count = Math.min(job.parallelism, job.completions ?? job.parallelism);
  const labels = copyLabels(job.template.labels);
  setLabel(labels, 'batch.kubernetes.io/job-name', job.meta.name);
  setLabel(labels, 'job-name', job.meta.name);
  if (job.completionMode !== 'Indexed') {
    replicas(job, names, `${job.meta.name}-`, labels, count, (i) => String(i), out);
    return;
  }
  const origin = originOf(job, job.template.spec.subdomain);
  const seed = seedStart(job);
  for (let i = 0; i < count; i++) {
    const base = `${job.meta.name}-${i}`;
    const indexed = copyLabels(labels);
    setLabel(indexed, 'batch.kubernetes.io/job-completion-index', ordinals.text(i));
    out.push(podEntry(origin, names.unique(job.meta.namespace, `${base}-`, seed, String(i)), indexed, base));
  }
}
