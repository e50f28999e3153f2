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

// The model: manifest objects (what the loader hands over), the built cluster, problems.
export {
  describeSource, MANIFEST_KINDS, objectKey,
  type ContainerPort, type DaemonSetObject, type DeploymentObject, type EndpointAddress, type EndpointPort,
  type EndpointSliceEndpoint, type EndpointSliceObject, type EndpointsObject, type EndpointSubset,
  type IPFamily, type IPFamilyPolicy, type JobObject, type Labels, type LabelSelector, type ManifestKind,
  type ManifestObject, type ObjectMeta, type PodObject, type PodSpec, type PodStatus, type PodTemplate,
  type Protocol, type ReplicaSetObject, type ReplicationControllerObject, type RestartPolicy,
  type SelectorOperator, type SelectorRequirement, type ServiceObject, type ServicePort, type ServiceType,
  type SourceRef, type StatefulSetObject,
} from './model/index.js';
export type { ClusterOptions, ClusterState, Endpoint, NamedPort, Pod, PodIPs, PodRef, Service } from './model/index.js';
export { errorsOf, formatProblem, type Problem, type ProblemLevel } from './model/index.js';
export { hasIP, ipAt, ipCount, ipList, sameIPs } from './model/index.js';
export { PodMap, podWithReadiness, samePod, type ReadonlyPodMap } from './model/index.js';
export { ADDRESS_ANNOTATION, addressAnnotationProblem, type AddressOverride } from './model/index.js';
export { familyOf, parseIP, parseIPv4 } from './model/index.js';

// Kubernetes rules others apply too.
export { consistencyWarnings, matchesLabelSelector, matchesServiceSelector, randomSuffix } from './derive/index.js';

// Building.
export { buildCluster, prepareRebuildSteps, rebuildCluster, rebuildSteps, withoutReuse, ClusterMemory, type BuiltCluster } from './build.js';
export { capacityProblems, capacitySteps, type CapacityOptions } from './addresses/index.js';
export { concatSteps, ITEMS_PER_STEP, runNow, Slicer, sortSteps, type SlicerOptions, type Steps } from './slicer.js';

// Settings: the cluster domain, pod mode, CIDRs and caps, validated by field path.
export {
  CLUSTER_DEFAULTS,
  POD_MODES,
  parseClusterDomain,
  validateCluster,
  type ClusterField,
  type ClusterSettings,
  type PodMode,
  type RawClusterSettings,
} from './settings.js';
