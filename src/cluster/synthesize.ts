// Workload templates → the pods their controllers would create
// (spec §5.2, [emulator]). Names follow the controllers' patterns; the
// random parts come from NameRegistry, so they are deterministic.

import type {
  DaemonSetObject,
  DeploymentObject,
  JobObject,
  Labels,
  PodSpec,
  ReplicaSetObject,
  StatefulSetObject,
  WorkloadObject,
} from './model.js';
import type { NameRegistry } from './names.js';
import { podTemplateHash } from './names.js';
import type { PodDraft } from './pods.js';
import type { Problem } from './problems.js';
import { addressOverrideOf } from './annotations.js';

export interface SynthesisResult {
  readonly pods: readonly PodDraft[];
  readonly warnings: readonly Problem[];
}

/** Generated pods for every workload; call with workloads in a deterministic order. */
export function synthesizePods(
  workloads: readonly WorkloadObject[],
  names: NameRegistry,
  nodeCount: number,
): SynthesisResult {
  const pods: PodDraft[] = [];
  const warnings: Problem[] = [];
  for (const workload of workloads) {
    switch (workload.kind) {
      case 'StatefulSet':
        append(pods, statefulSetPods(workload, names, warnings));
        break;
      case 'Deployment':
        append(pods, deploymentPods(workload, names));
        break;
      case 'ReplicaSet':
        append(pods, replicaSetPods(workload, names));
        break;
      case 'DaemonSet':
        append(pods, daemonSetPods(workload, names, nodeCount));
        break;
      case 'Job':
        append(pods, jobPods(workload, names));
        break;
    }
  }
  return { pods, warnings };
}

/** push(...list) would overflow the call stack for a workload with ~100,000 replicas. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

/** Labels and spec every pod of one workload shares (replicas differ only by name). */
interface PodShape {
  readonly labels: Labels;
  readonly spec: PodSpec;
}

/**
 * The template's labels plus the controller's, the template's spec with
 * hostname/subdomain overridden where the controller does (`null` clears).
 */
function shape(
  workload: WorkloadObject,
  labels: Labels,
  overrides: { hostname?: string | null; subdomain?: string | null } = {},
): PodShape {
  const spec: { -readonly [K in keyof PodSpec]: PodSpec[K] } = { ...workload.template.spec };
  for (const key of ['hostname', 'subdomain'] as const) {
    const value = overrides[key];
    if (value === null || value === '') delete spec[key];
    else if (value !== undefined) spec[key] = value;
  }
  return { labels: { ...workload.template.labels, ...labels }, spec };
}

/** A Running/Ready generated pod; shapes may be shared between replicas (they are never mutated). */
function generated(workload: WorkloadObject, name: string, podShape: PodShape): PodDraft {
  const address = addressOverrideOf(workload.template.annotations);
  return {
    ...(address ? { address } : {}),
    name,
    namespace: workload.meta.namespace,
    labels: podShape.labels,
    spec: podShape.spec,
    phase: 'Running',
    ready: true,
    terminating: false,
    owner: `${workload.kind}/${workload.meta.name}`,
    source: workload.meta.source,
  };
}

function seed(workload: WorkloadObject, index: number | string): string {
  return `${workload.meta.namespace}/${workload.kind}/${workload.meta.name}/${index}`;
}

function statefulSetPods(sts: StatefulSetObject, names: NameRegistry, warnings: Problem[]): PodDraft[] {
  const pods: PodDraft[] = [];
  for (let ordinal = sts.ordinalsStart; ordinal < sts.ordinalsStart + sts.replicas; ordinal++) {
    const name = `${sts.meta.name}-${ordinal}`;
    if (names.has(sts.meta.namespace, name)) {
      warnings.push({
        level: 'warning',
        source: sts.meta.source,
        message: `pod ${sts.meta.namespace}/${name} already exists; StatefulSet ${sts.meta.name} does not create it`,
      });
      continue;
    }
    names.add(sts.meta.namespace, name);
    const labels = { 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal) };
    pods.push(generated(sts, name, shape(sts, labels, { hostname: name, subdomain: sts.serviceName ?? null })));
  }
  return pods;
}

function deploymentPods(deploy: DeploymentObject, names: NameRegistry): PodDraft[] {
  const hash = podTemplateHash(deploy.template);
  const prefix = `${deploy.meta.name}-${hash}-`;
  const podShape = shape(deploy, { 'pod-template-hash': hash });
  const pods: PodDraft[] = [];
  for (let i = 0; i < deploy.replicas; i++) {
    pods.push(generated(deploy, names.unique(deploy.meta.namespace, prefix, seed(deploy, i)), podShape));
  }
  return pods;
}

function replicaSetPods(rs: ReplicaSetObject, names: NameRegistry): PodDraft[] {
  const podShape = shape(rs, {});
  const pods: PodDraft[] = [];
  for (let i = 0; i < rs.replicas; i++) {
    pods.push(generated(rs, names.unique(rs.meta.namespace, `${rs.meta.name}-`, seed(rs, i)), podShape));
  }
  return pods;
}

function daemonSetPods(ds: DaemonSetObject, names: NameRegistry, nodeCount: number): PodDraft[] {
  const podShape = shape(ds, {});
  const pods: PodDraft[] = [];
  for (let node = 0; node < nodeCount; node++) {
    pods.push(generated(ds, names.unique(ds.meta.namespace, `${ds.meta.name}-`, seed(ds, `node-${node}`)), podShape));
  }
  return pods;
}

/**
 * Job pods. Like the controller, never more pods than completions:
 * NonIndexed runs min(parallelism, completions), Indexed runs indexes
 * 0 … min(parallelism, completions)−1 with hostname `<job>-<index>`.
 */
function jobPods(job: JobObject, names: NameRegistry): PodDraft[] {
  const count = Math.min(job.parallelism, job.completions ?? job.parallelism);
  const jobLabels = { 'batch.kubernetes.io/job-name': job.meta.name, 'job-name': job.meta.name };
  const nonIndexed = shape(job, jobLabels);
  const pods: PodDraft[] = [];
  for (let i = 0; i < count; i++) {
    if (job.completionMode === 'Indexed') {
      const base = `${job.meta.name}-${i}`;
      const labels = { ...jobLabels, 'batch.kubernetes.io/job-completion-index': String(i) };
      pods.push(generated(job, names.unique(job.meta.namespace, `${base}-`, seed(job, i)), shape(job, labels, { hostname: base })));
    } else {
      pods.push(generated(job, names.unique(job.meta.namespace, `${job.meta.name}-`, seed(job, i)), nonIndexed));
    }
  }
  return pods;
}
