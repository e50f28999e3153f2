// Manifest objects -> cluster state -> record index: the build every load,
// reload and control-API change goes through. Pure and synchronous at heart
// (buildSteps yields between steps so a reload can run it in slices).

import { capacitySteps, type ClusterMemory, type ClusterState, type ManifestObject, rebuildSteps, runNow, type Steps } from '../cluster/index.js';
import { buildRecordIndexSteps, type PodMode, type RecordIndex } from '../records/index.js';

/** The settings a build reads (the Config has them all, under these names). */
export interface BuildSettings {
  readonly serviceCIDRs: readonly string[];
  readonly podCIDRs: readonly string[];
  /** Nodes a DaemonSet runs on. */
  readonly nodes: number;
  /** Most pods a state may hold; a build past it is refused before it starts. */
  readonly maxPods: number;
  readonly clusterDomain: string;
  readonly ttl: number;
  readonly podMode: PodMode;
  /** Where we listen: `ns.dns.<zone>` answers it when no kube-dns Service is declared. */
  readonly bind: string;
  /** False: a Corefile's kubernetes plugin keeps reverse misses NXDOMAIN even with an upstream. */
  readonly reverseFallthrough: boolean;
  /** Only these namespaces are served; null = all. */
  readonly namespaces: readonly string[] | null;
  readonly endpointPodNames: boolean;
  /** The answer cache: its `maxTtl` caps every TTL answered. */
  readonly cache: { readonly maxTtl: number } | false;
}

export interface LoadedCluster {
  readonly state: ClusterState;
  readonly index: RecordIndex;
  /** For the next build of this cluster: its pods keep their addresses there (absent: nothing kept). */
  readonly memory?: ClusterMemory;
}

interface BuildOptions {
  readonly serial: number;
  readonly reverseFallthrough: boolean;
  /** Applied to the built state before indexing (the control API's readiness overrides). */
  readonly adjust?: (state: ClusterState) => ClusterState;
  /** The cluster this build replaces: every pod it has that still exists keeps its address. */
  readonly previous?: LoadedCluster;
}

/**
 * Why `objects` must not be built (the pod cap, a CIDR that would run out),
 * counted without building; `before`: the objects they replace, to name
 * what grew. Empty when they fit.
 */
export function capacityOf(settings: BuildSettings, objects: readonly ManifestObject[], before?: readonly ManifestObject[]): string[] {
  return runNow(capacityOfSteps(settings, objects, before));
}

/** capacityOf in steps (a reload runs them through a Slicer). */
export function capacityOfSteps(settings: BuildSettings, objects: readonly ManifestObject[], before?: readonly ManifestObject[]): Steps<string[]> {
  const options = { serviceCIDRs: settings.serviceCIDRs, podCIDRs: settings.podCIDRs, nodeCount: settings.nodes, maxPods: settings.maxPods };
  return capacitySteps(objects, options, before);
}

/** Objects -> state -> index. Pure and synchronous (the first load, offline commands). */
export function buildLoaded(settings: BuildSettings, objects: readonly ManifestObject[], options: BuildOptions): LoadedCluster {
  return runNow(buildSteps(settings, objects, options));
}

/** buildLoaded in steps: a reload builds off to the side with these, through a Slicer, while the old state answers. */
export function* buildSteps(settings: BuildSettings, objects: readonly ManifestObject[], options: BuildOptions): Steps<LoadedCluster> {
  const { state: built, memory } = yield* rebuildSteps(
    objects,
    { serviceCIDRs: settings.serviceCIDRs, podCIDRs: settings.podCIDRs, nodeCount: settings.nodes },
    options.previous?.memory,
  );
  yield;
  const state = options.adjust ? options.adjust(built) : built;
  yield;
  const index = yield* buildRecordIndexSteps(state, {
    zone: settings.clusterDomain,
    ttl: settings.ttl,
    podMode: settings.podMode,
    serial: options.serial,
    nameserverAddresses: [nameserverAddress(settings.bind)],
    // A Corefile's kubernetes plugin without `fallthrough in-addr.arpa ip6.arpa` keeps reverse misses NXDOMAIN.
    reverseFallthrough: options.reverseFallthrough && settings.reverseFallthrough,
    namespaces: settings.namespaces,
    endpointPodNames: settings.endpointPodNames,
    // CoreDNS `cache 30`: no answer carries a TTL above the cache cap (docs/behaviour.md#coredns-corners).
    ...(settings.cache === false ? {} : { maxTtl: settings.cache.maxTtl }),
  });
  return { state, index, memory };
}

/**
 * The address `ns.dns.<zone>` answers with when no kube-dns Service is
 * declared: where we listen, or loopback when we listen everywhere.
 */
function nameserverAddress(bind: string): string {
  if (bind === '0.0.0.0') return '127.0.0.1';
  if (bind === '::') return '::1';
  return bind;
}

/** Objects past which the startup line leaves the record count out: counting 150,000 pods' records takes about a second. */
const COUNT_RECORDS_UP_TO = 20_000;

/** Counts for the startup line. */
export function summarize(cluster: LoadedCluster): Record<string, number> {
  const { namespaces, services, pods } = cluster.state;
  const counts = { namespaces: namespaces.size, services: services.length, pods: pods.length };
  return services.length + pods.length <= COUNT_RECORDS_UP_TO ? { ...counts, records: cluster.index.recordCount } : counts;
}
