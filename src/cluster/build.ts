// manifests → ClusterState (spec §2, §4, §5, §6). A pure function: same
// objects and options in, same snapshot out, warnings included.
//
// Order of work matters for allocation: every explicit address is collected
// first, then the reserved first service IPs, then services and pods are
// allocated in namespace/name order.
//
// A 150,000-pod cluster comes through here at start and on every reload
// (bench/scale-phases.mjs measures it), so the per-pod steps make no
// throwaway copies and the snapshot shares whatever many pods or endpoints
// hold alike; test/cluster/build-golden.test.ts pins the result.

import { FamilyPool, type TakenAddresses } from './allocate.js';
import {
  mergeEndpoints,
  PodIndex,
  selectorEndpoints,
  SortableEndpoints,
  type EndpointTarget,
  type KeyedEndpoint,
} from './endpoints.js';
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
import { NameRegistry } from './names.js';
import { compareKeys, keyOf } from './order.js';
import { settlePods, type SettledPods } from './podips.js';
import { PortLists } from './ports.js';
import { entryFromPodObject, type PodEntry } from './pods.js';
import type { Problem } from './problems.js';
import { settleServices, type SettledService } from './services.js';
import { BUILTIN_NAMESPACES, type ClusterOptions, type ClusterState, type Service } from './state.js';
import { synthesizePods } from './synthesize.js';

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
  const podPool = new FamilyPool(podCIDRs, explicit.taken);
  const portLists = new PortLists();
  const settled = settleServices(parts.services, servicePool, explicit, portLists);
  const pods = settledPodsFor(parts, podPool, options.nodeCount, explicit.taken);
  const given = givenEndpoints(parts.slices, parts.endpoints, shapes(settled.services));
  const services = attachEndpoints(settled.services, parts.services, pods.entries, given.byService, portLists);

  return {
    namespaces: namespacesOf(objects),
    services,
    pods: pods.entries.map((entry) => entry.pod),
    // concat, not push(...): tens of thousands of warnings would overflow the stack.
    warnings: warnings.concat(explicit.warnings, settled.warnings, pods.warnings, given.warnings),
  };
}

/** What the settled pods are made of: the pod and workload objects (by identity), the node count, the pod CIDRs and what is taken in them. */
interface SettledPodsKey {
  readonly pods: readonly PodObject[];
  readonly workloads: readonly WorkloadObject[];
  readonly nodeCount: number;
  readonly cidrs: string;
  readonly taken: string;
}

/**
 * The last build's settled pods, kept for the next build. A reload rebuilds
 * the whole state, but the loader hands back the very same objects for files
 * whose bytes did not change: when the edit touched no Pod or workload (a
 * Service, an EndpointSlice elsewhere), the 150,000 pods are the same, and
 * settling them again is most of a rebuild.
 */
let lastSettled: { readonly key: SettledPodsKey; readonly pods: SettledPods } | undefined;

function settledPodsFor(parts: Partitioned, pool: FamilyPool, nodeCount: number, taken: TakenAddresses): SettledPods {
  const cidrs = pool.cidrs();
  const key: SettledPodsKey = {
    pods: parts.pods,
    workloads: parts.workloads,
    nodeCount,
    cidrs: cidrs.map((cidr) => cidr.text).join(','),
    taken: taken.fingerprintWithin(cidrs),
  };
  if (lastSettled && sameKey(lastSettled.key, key)) {
    // Endpoint objects are shared per build (PodEntry.endpoint): start afresh.
    for (const entry of lastSettled.pods.entries) entry.endpoint = entry.otherEndpoints = undefined;
    return lastSettled.pods;
  }
  const pods = settleAllPods(parts, pool, nodeCount);
  lastSettled = { key, pods };
  return pods;
}

function sameKey(a: SettledPodsKey, b: SettledPodsKey): boolean {
  const same = <T>(x: readonly T[], y: readonly T[]): boolean => x.length === y.length && x.every((item, i) => item === y[i]);
  return a.nodeCount === b.nodeCount && a.cidrs === b.cidrs && a.taken === b.taken && same(a.pods, b.pods) && same(a.workloads, b.workloads);
}

/** Declared pods keep their names; workloads (in a fixed order) generate around them. */
function settleAllPods(parts: Partitioned, pool: FamilyPool, nodeCount: number): SettledPods {
  const names = new NameRegistry();
  const declared = parts.pods.map(entryFromPodObject);
  for (const entry of declared) names.add(entry.pod.namespace, entry.pod.name);
  const workloads = [...parts.workloads].sort((a, b) => compareKeys(a.meta, b.meta) || (a.kind < b.kind ? -1 : 1));
  const synthesized = synthesizePods(workloads, names, nodeCount);
  const settled = settlePods(declared.concat(synthesized.pods), pool);
  return { entries: settled.entries, warnings: synthesized.warnings.concat(settled.warnings) };
}

function attachEndpoints(
  settled: readonly SettledService[],
  objects: readonly ServiceObject[],
  pods: readonly PodEntry[],
  given: ReadonlyMap<string, readonly KeyedEndpoint[]>,
  portLists: PortLists,
): readonly Service[] {
  const index = new PodIndex(pods, selectorKeys(objects));
  // Settled services drop targetPort; endpoint derivation needs the ports as written.
  const portsByKey = new Map(objects.map((s) => [keyOf(s.meta), s.ports]));
  for (const service of settled) {
    if (service.kind === 'ExternalName') continue;
    const key = keyOf(service);
    const target: EndpointTarget = {
      name: service.name,
      namespace: service.namespace,
      selector: service.selector,
      ports: portsByKey.get(key) ?? [],
      ipFamilies: service.ipFamilies,
      publishNotReadyAddresses: service.publishNotReadyAddresses,
    };
    const derived = service.implicit ? new SortableEndpoints() : selectorEndpoints(target, index, portLists);
    service.endpoints = mergeEndpoints(derived, given.get(key) ?? []);
  }
  return settled;
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

function selectorKeys(services: readonly ServiceObject[]): Set<string> {
  const keys = new Set<string>();
  for (const service of services) for (const key of Object.keys(service.selector ?? {})) keys.add(key);
  return keys;
}

function shapes(services: readonly SettledService[]): Map<string, ServiceShape> {
  return new Map(services.map((s) => [keyOf(s), { kind: s.kind, hasSelector: s.selector !== undefined }]));
}
