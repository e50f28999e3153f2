// manifests → ClusterState (spec §2, §4, §5, §6). A pure function: same
// objects and options in, same snapshot out, warnings included.
//
// Order of work matters for allocation: every explicit address is collected
// first, then the reserved service IPs (the first host, kube-dns's), then services and pods are
// allocated in namespace/name order.
//
// A 150,000-pod cluster comes through here at start and on every reload
// (bench/scale-phases.mjs measures it), so the per-pod steps make no
// throwaway copies and the snapshot shares whatever many pods or endpoints
// hold alike; test/cluster/build-golden.test.ts pins the result.
//
// A rebuild of a running cluster (rebuildCluster with the last build's
// memory) keeps every pod's address while the pod exists: only new pods get
// one, placed around the others. It also keeps the last
// build's pods and endpoints wherever nothing they are made of changed
// (pod-cache.ts, service-endpoints.ts), and gives exactly what placing every
// pod again with those addresses kept gives (test/cluster/settled-reuse.test.ts).
// Without a memory (a start, `records`) the state depends on the objects alone.

import { FamilyPool, implicitKubeDnsAddress, scanExplicitAddressSteps, type SettledPods, type SettledService, settleServiceSteps, type TakenAddresses } from './addresses/index.js';
import { attachEndpointSteps, type BuiltPods, givenEndpoints, type RememberedEndpoints, type ServiceShape } from './derive/index.js';
import { BUILTIN_NAMESPACES, type CIDR, type ClusterOptions, type ClusterState, type EndpointSliceObject, type EndpointsObject, keyOf, type ManifestObject, parseCIDR, type Pod, type PodEntry, type PodObject, PortLists, type Problem, type ServiceObject, type WorkloadObject } from './model/index.js';
import { type PodCache, resettlePodSteps, settleAllPods } from './rebuild/index.js';
import { ITEMS_PER_STEP, runNow, type Steps } from './slicer.js';

interface Partitioned {
  readonly services: ServiceObject[];
  readonly pods: PodObject[];
  readonly workloads: WorkloadObject[];
  readonly slices: EndpointSliceObject[];
  readonly endpoints: EndpointsObject[];
}

/**
 * What a build leaves for the next build of the same cluster: its pods
 * (each keeps its address there) and what can be reused. Hand it only to
 * the next build of the cluster it came from, and only once.
 */
export class ClusterMemory {
  /** @internal */
  constructor(
    /** The build's pods, sorted: their addresses are kept. */
    readonly entries: () => readonly PodEntry[],
    /** The pod CIDRs they were placed in. */
    readonly cidrs: string,
    /** Pods to reuse; taken (undefined) by the first build that uses it, which changes it. */
    public pods: PodCache | undefined,
    readonly endpoints: RememberedEndpoints | undefined,
  ) {}
}

export interface BuiltCluster {
  readonly state: ClusterState;
  readonly memory: ClusterMemory;
}

/** The state of `objects` alone: every address from the objects, nothing kept from an earlier build. */
export function buildCluster(objects: readonly ManifestObject[], options: ClusterOptions): ClusterState {
  return rebuildCluster(objects, options).state;
}

/** The state of `objects`; with `previous` (the last build's memory), every pod that still exists keeps its address. */
export function rebuildCluster(objects: readonly ManifestObject[], options: ClusterOptions, previous?: ClusterMemory): BuiltCluster {
  return runNow(rebuildSteps(objects, options, previous));
}

/** rebuildCluster in steps: a reload runs them through a Slicer, so queries are answered between them. */
export function* rebuildSteps(objects: readonly ManifestObject[], options: ClusterOptions, previous?: ClusterMemory): Steps<BuiltCluster> {
  const warnings: Problem[] = [];
  const parts = partition(objects);
  const serviceCIDRs = parseCIDRs(options.serviceCIDRs, 'service', warnings);
  const podCIDRs = parseCIDRs(options.podCIDRs, 'pod', warnings);
  yield;

  const explicit = yield* scanExplicitAddressSteps(objects);
  yield;
  const servicePool = new FamilyPool(serviceCIDRs, explicit.taken);
  for (const family of servicePool.families) {
    const first = servicePool.allocator(family)?.firstHost();
    if (first) explicit.taken.add(first);
  }
  const kubeDns = implicitKubeDnsAddress(parts.services, servicePool, explicit);
  if (kubeDns) explicit.taken.add(kubeDns);
  const podPool = new FamilyPool(podCIDRs, explicit.taken);
  const portLists = new PortLists();
  const settled = yield* settleServiceSteps(parts.services, servicePool, explicit, portLists, kubeDns);
  yield;
  const pods = yield* settledPodsFor(parts, podPool, options.nodeCount, explicit.taken, previous);
  yield;
  // Only given endpoints are checked against the Services' shapes: most manifests give none.
  const shaped = parts.slices.length + parts.endpoints.length === 0 ? new Map<string, ServiceShape>() : yield* shapes(settled.services);
  const given = givenEndpoints(parts.slices, parts.endpoints, shaped);
  yield;
  const attached = yield* attachEndpointSteps(settled.services, parts.services, pods, given.byService, portLists, previous?.endpoints);
  yield;

  const state: ClusterState = {
    namespaces: namespacesOf(objects),
    services: attached.services,
    pods: pods.list(),
    // concat, not push(...): tens of thousands of warnings would overflow the stack.
    warnings: warnings.concat(explicit.warnings, settled.warnings, pods.warnings, given.warnings),
  };
  return { state, memory: new ClusterMemory(pods.entryList, cidrText(podPool), pods.cache, attached.remembered) };
}

/**
 * Readies a build's pods for reuse (indexes them by namespace, ~0.1 s at
 * 150,000 pods) ahead of the first rebuild, which would do it itself: a
 * server that watches its files runs these steps through a Slicer once it
 * has settled after start.
 */
export function* prepareRebuildSteps(memory: ClusterMemory | undefined): Steps<void> {
  const pods = memory?.pods;
  if (pods) yield* pods.namespaceSteps();
}

/** The same addresses kept, nothing reused: what a rebuild must equal (tests). */
export function withoutReuse(memory: ClusterMemory): ClusterMemory {
  return new ClusterMemory(memory.entries, memory.cidrs, undefined, undefined);
}

/** A build's pods, their endpoints' view of them, and the public list. */
interface BuildPods extends SettledPods, BuiltPods {
  list(): readonly Pod[];
  entryList(): readonly PodEntry[];
  /** For the next build; undefined when it cannot reuse them. */
  readonly cache: PodCache | undefined;
}

function* settledPodsFor(parts: Partitioned, pool: FamilyPool, nodeCount: number, taken: TakenAddresses, previous: ClusterMemory | undefined): Steps<BuildPods> {
  // What is taken in the pod CIDRs before any pod is placed (few addresses, if any).
  const explicit = pool.cidrs().map((cidr) => new Set(taken.valuesWithin(cidr)));
  const last = previous?.pods;
  // Taken out first: reusing changes it in place, so no second build may use it.
  if (previous) previous.pods = undefined;
  // Only what pods are made of: the cache keeps it until the next build.
  const inputs = { pods: parts.pods, workloads: parts.workloads };
  const reused = last && (yield* resettlePodSteps(last, inputs, pool, nodeCount, explicit));
  const keep = previous && previous.cidrs === cidrText(pool) ? previous.entries() : undefined;
  const cache = reused || settleAllPods(inputs, pool, nodeCount, taken, explicit, keep);
  // A settled pod is its own Pod: the entries are the state's pod list.
  if (!('occupied' in cache)) return { ...cache, changed: undefined, list: () => cache.entries, entryList: () => cache.entries, cache: undefined };
  return { ...cache.pods, changed: cache.changed, entriesOf: cache.entriesOf, list: cache.podList, entryList: cache.podList, cache };
}

function cidrText(pool: FamilyPool): string {
  return pool
    .cidrs()
    .map((cidr) => cidr.text)
    .join(',');
}

function partition(objects: readonly ManifestObject[]): Partitioned {
  const parts: Partitioned = { services: [], pods: [], workloads: [], slices: [], endpoints: [] };
  for (const object of objects) {
    switch (object.kind) {
      case 'Namespace':
        break;
      case 'Service':
        parts.services.push(object);
        break;
      case 'Pod':
        parts.pods.push(object);
        break;
      case 'EndpointSlice':
        parts.slices.push(object);
        break;
      case 'Endpoints':
        parts.endpoints.push(object);
        break;
      default:
        parts.workloads.push(object);
    }
  }
  return { ...parts, workloads: withoutLoadedPods(parts.workloads, parts.pods) };
}

/**
 * The workloads whose pods are to be made. A cluster dump holds the pods a
 * controller made (each names it as its controller ownerReference; a
 * Deployment's pods name its ReplicaSet `<deployment>-<hash>`) and the
 * ReplicaSets a Deployment made: such a workload makes no pods of its own,
 * or every pod would be there twice.
 */
function withoutLoadedPods(workloads: WorkloadObject[], pods: readonly PodObject[]): WorkloadObject[] {
  if (!pods.some((pod) => pod.controller !== undefined) && !workloads.some((workload) => workload.controller !== undefined)) return workloads;
  const covered = new Set<string>();
  for (const pod of pods) {
    if (pod.controller === undefined) continue;
    covered.add(`${pod.meta.namespace}/${pod.controller}`);
    const replicaSet = /^ReplicaSet\/(.+)-[^-]+$/.exec(pod.controller);
    if (replicaSet) covered.add(`${pod.meta.namespace}/Deployment/${replicaSet[1]}`);
  }
  const loaded = new Set(workloads.map((workload) => `${workload.meta.namespace}/${workload.kind}/${workload.meta.name}`));
  return workloads.filter((workload) => {
    const key = `${workload.meta.namespace}/${workload.kind}/${workload.meta.name}`;
    const owner = workload.controller === undefined ? undefined : `${workload.meta.namespace}/${workload.controller}`;
    return !covered.has(key) && (owner === undefined || !loaded.has(owner));
  });
}

/** Declared, used by any loaded object, or built in (spec §2). */
function namespacesOf(objects: readonly ManifestObject[]): ReadonlySet<string> {
  const namespaces = new Set<string>(BUILTIN_NAMESPACES);
  for (const object of objects) namespaces.add(object.kind === 'Namespace' ? object.meta.name : object.meta.namespace);
  return namespaces;
}

/** Options are validated by config; a bad entry here is still reported, never thrown. */
function parseCIDRs(texts: readonly string[], what: string, warnings: Problem[]): CIDR[] {
  const cidrs: CIDR[] = [];
  for (const text of texts) {
    const cidr = parseCIDR(text);
    if (!cidr) warnings.push({ level: 'warning', message: `${what} CIDR ${JSON.stringify(text)} is not a CIDR; ignored` });
    else if (cidrs.some((c) => c.family === cidr.family)) {
      warnings.push({ level: 'warning', message: `${what} CIDR ${text}: a second ${cidr.family} CIDR; ignored` });
    } else cidrs.push(cidr);
  }
  return cidrs;
}

function* shapes(services: readonly SettledService[]): Steps<Map<string, ServiceShape>> {
  const shaped = new Map<string, ServiceShape>();
  for (let i = 0; i < services.length; i++) {
    if (i % ITEMS_PER_STEP === 0) yield;
    const s = services[i]!;
    shaped.set(keyOf(s), { kind: s.kind, hasSelector: s.selector !== undefined });
  }
  return shaped;
}
