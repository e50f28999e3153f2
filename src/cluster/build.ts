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
// hold alike; test/cluster/build-golden.test.ts pins the result. A rebuild
// keeps the last build's pods and endpoints wherever nothing they are made
// of changed (pod-cache.ts, service-endpoints.ts), and gives exactly what a
// fresh build gives (test/cluster/settled-reuse.test.ts).

import { FamilyPool, type TakenAddresses } from './allocate.js';
import { scanExplicitAddresses } from './explicit.js';
import { givenEndpoints, type ServiceShape } from './given.js';
import { parseCIDR, type CIDR } from './ip.js';
import type {
  EndpointSliceObject,
  EndpointsObject,
  ManifestObject,
  PodObject,
  ServiceObject,
  WorkloadObject,
} from './model.js';
import { keyOf } from './order.js';
import { resettlePods, settleAllPods, type PodCache } from './pod-cache.js';
import type { SettledPods } from './podips.js';
import { PortLists } from './ports.js';
import type { Problem } from './problems.js';
import { attachEndpoints, forgetEndpoints, type BuiltPods } from './service-endpoints.js';
import { implicitKubeDnsAddress, settleServices, type SettledService } from './services.js';
import { BUILTIN_NAMESPACES, type ClusterOptions, type ClusterState, type Pod } from './state.js';

interface Partitioned {
  readonly services: ServiceObject[];
  readonly pods: PodObject[];
  readonly workloads: WorkloadObject[];
  readonly slices: EndpointSliceObject[];
  readonly endpoints: EndpointsObject[];
}

export function buildCluster(objects: readonly ManifestObject[], options: ClusterOptions): ClusterState {
  const warnings: Problem[] = [];
  const parts = partition(objects);
  const serviceCIDRs = parseCIDRs(options.serviceCIDRs, 'service', warnings);
  const podCIDRs = parseCIDRs(options.podCIDRs, 'pod', warnings);

  const explicit = scanExplicitAddresses(objects);
  const servicePool = new FamilyPool(serviceCIDRs, explicit.taken);
  for (const family of servicePool.families) {
    const first = servicePool.allocator(family)?.firstHost();
    if (first) explicit.taken.add(first);
  }
  const kubeDns = implicitKubeDnsAddress(parts.services, servicePool, explicit);
  if (kubeDns) explicit.taken.add(kubeDns);
  const podPool = new FamilyPool(podCIDRs, explicit.taken);
  const portLists = new PortLists();
  const settled = settleServices(parts.services, servicePool, explicit, portLists, kubeDns);
  const pods = settledPodsFor(parts, podPool, options.nodeCount, explicit.taken);
  const given = givenEndpoints(parts.slices, parts.endpoints, shapes(settled.services));
  const services = attachEndpoints(settled.services, parts.services, pods, given.byService, portLists);

  return {
    namespaces: namespacesOf(objects),
    services,
    pods: pods.list(),
    // concat, not push(...): tens of thousands of warnings would overflow the stack.
    warnings: warnings.concat(explicit.warnings, settled.warnings, pods.warnings, given.warnings),
  };
}

/**
 * The last build's settled pods, kept for the next build (pod-cache.ts). A
 * reload rebuilds the whole state, but the loader hands back the very same
 * objects for files whose bytes did not change: the pods of namespaces the
 * edit did not touch stay as they are, and settling 150,000 pods again is
 * most of a rebuild.
 */
let lastPods: PodCache | undefined;

/** The next build starts from nothing; the returned function puts back what was forgotten (tests compare reuse with this). */
export function forgetSettledPods(): () => void {
  const forgotten = lastPods;
  const restoreEndpoints = forgetEndpoints();
  lastPods = undefined;
  return () => {
    lastPods = forgotten;
    restoreEndpoints();
  };
}

/**
 * Readies the last build's pods for reuse (indexes them by namespace, ~0.1 s
 * at 150,000 pods) ahead of the first rebuild, which would do it itself: a
 * server that watches its files calls this once it has settled after start.
 */
export function prepareRebuild(): void {
  lastPods?.namespaces();
}

/** A build's pods, their endpoints' view of them, and the public list. */
interface BuildPods extends SettledPods, BuiltPods {
  list(): readonly Pod[];
}

function settledPodsFor(parts: Partitioned, pool: FamilyPool, nodeCount: number, taken: TakenAddresses): BuildPods {
  // What is taken in the pod CIDRs before any pod is placed (few addresses, if any).
  const explicit = pool.cidrs().map((cidr) => new Set(taken.valuesWithin(cidr)));
  const last = lastPods;
  // Taken out first: reusing changes it in place, so a throw must not leave it half-changed.
  lastPods = undefined;
  // Only what pods are made of: the cache keeps it until the next build.
  const inputs = { pods: parts.pods, workloads: parts.workloads };
  const reused = last && resettlePods(last, inputs, pool, nodeCount, explicit);
  const cache = reused || settleAllPods(inputs, pool, nodeCount, taken, explicit);
  // A settled pod is its own Pod: the entries are the state's pod list.
  if (!('occupied' in cache)) return { ...cache, changed: undefined, list: () => cache.entries };
  lastPods = cache;
  return { ...cache.pods, changed: cache.changed, entriesOf: cache.entriesOf, list: cache.podList };
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
  return parts;
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

function shapes(services: readonly SettledService[]): Map<string, ServiceShape> {
  return new Map(services.map((s) => [keyOf(s), { kind: s.kind, hasSelector: s.selector !== undefined }]));
}
