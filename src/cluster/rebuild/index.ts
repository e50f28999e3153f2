// A rebuild that redoes only what changed: the last build's settled pods,
// kept by the pod cache, and new pods placed around them (resettle.ts).

export { resettlePods, resettlePodSteps, settleAllPods, type PodCache } from './pod-cache.js';
