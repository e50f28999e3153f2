// What Kubernetes' controllers would make of the objects: pods from
// workloads, their generated names, selectors, endpoints (derived and
// given), and the cross-object warnings of `clusterdns validate`.

export { consistencyWarnings } from './consistency.js';
export { givenEndpoints, type ServiceShape } from './given.js';
export { NameRegistry, randomSuffix } from './names.js';
export { matchesLabelSelector, matchesServiceSelector } from './selectors.js';
export { attachEndpointSteps, type BuiltPods, type RememberedEndpoints } from './service-endpoints.js';
export { synthesizePods } from './synthesize.js';
