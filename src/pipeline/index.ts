// The build pipeline: manifests -> cluster state -> record index. Below the
// live cluster (live/ rebuilds through it) and the composition root (app/),
// and free of the Config: each step names the settings it reads.

export { capacityOfSteps, buildSteps, summarize, type BuildSettings, type LoadedCluster } from './build.js';
export { loadCluster, logProblems, serialFor, skippedKinds, type ClusterLoad, type LoadSettings } from './load.js';
