// What the objects and the built cluster are: the manifest objects the loader
// hands over (model.ts), the ClusterState snapshot (state.ts), problems, IPs
// and CIDRs, and the pod entry a build fills in (pods.ts).

export { ADDRESS_ANNOTATION, addressAnnotationProblem, addressOverrideOf, type AddressOverride } from './annotations.js';
export { flat } from './flat.js';
export { addressAt, compareSortKeys, familyOf, ipFromValue, ipv4FromNumber, ipv4Text, parseCIDR, parseIP, parseIPv4, sortKeyOf, type CIDR, type ParsedIP, type SortKey } from './ip.js';
export * from './model.js';
export { compareKeys, keyOf, type Keyed } from './order.js';
export { hasIP, ipAt, ipCount, ipList, sameIPs } from './pod-ip-list.js';
export { PodMap, samePod, type ReadonlyPodMap } from './pod-ref.js';
export { entryFromPodObject, isFinished, podEntry, podWithReadiness, settleIPs, type PodEntry, type PodOrigin } from './pods.js';
export { PortLists } from './ports.js';
export { errorsOf, formatProblem, type Problem, type ProblemLevel } from './problems.js';
export { BUILTIN_NAMESPACES, type ClusterOptions, type ClusterState, type Endpoint, type NamedPort, type Pod, type PodIPs, type PodRef, type Service, type ServiceKind } from './state.js';
