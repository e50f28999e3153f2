// The cluster layer's public face: build a ClusterState from manifest objects.

export { buildCluster } from './build.js';
export { matchesLabelSelector, matchesServiceSelector } from './selectors.js';
export { canonicalIP, familyOf, parseCIDR, parseIP, type CIDR, type ParsedIP } from './ip.js';
export * from './model.js';
export * from './problems.js';
export * from './state.js';
