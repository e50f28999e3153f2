// The cluster: slim manifest objects in, an immutable ClusterState out. This
// file is the folder's public face; code outside cluster/ imports only this.
//
//   model/      what the objects and the built cluster are: manifest objects,
//               ClusterState, problems, IPs, the pod entry a build fills in
//   addresses/  who gets which address: allocation, capacity, families,
//               addresses written in manifests, Services with addresses settled
//   derive/     what Kubernetes' controllers would make: pods from workloads,
//               generated names, selectors, endpoints, cross-object warnings
//   rebuild/    a rebuild that redoes only what changed: the pod cache, resettling
//   build.ts    the pipeline that runs them in order; slicer.ts cuts it into slices

// The model.
export * from './model/model.js';
export type { ClusterState, ClusterOptions, Endpoint, NamedPort, Pod, PodIPs, PodRef, Service } from './model/state.js';
export { errorsOf, formatProblem, type Problem, type ProblemLevel } from './model/problems.js';
export { hasIP, ipAt, ipCount, ipList, sameIPs } from './model/pod-ip-list.js';
export { PodMap, samePod, type ReadonlyPodMap } from './model/pod-ref.js';
export { podWithReadiness } from './model/pods.js';
export { ADDRESS_ANNOTATION, addressAnnotationProblem, type AddressOverride } from './model/annotations.js';
export { familyOf, parseIP, parseIPv4 } from './model/ip.js';

// Kubernetes rules others apply too.
export { matchesLabelSelector, matchesServiceSelector } from './derive/selectors.js';
export { randomSuffix } from './derive/names.js';
export { consistencyWarnings } from './derive/consistency.js';

// Building.
export { buildCluster, prepareRebuild, rebuildCluster, rebuildSteps, withoutReuse, ClusterMemory, type BuiltCluster } from './build.js';
export { capacityProblems, capacitySteps, type CapacityOptions } from './addresses/capacity.js';
export { ITEMS_PER_STEP, runNow, Slicer, type SlicerOptions, type Steps } from './slicer.js';
