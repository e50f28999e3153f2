// Composition root: manifests -> cluster state -> record index -> responder -> servers.
//
// The only module that knows every layer. Everything here is plain wiring:
// each layer is built, checked and handed to the next.

import { stat } from 'node:fs/promises';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { loadManifests, type LoadResult, type SkippedObject } from './manifests/index.js';
import { rebuildSteps, type ClusterMemory } from './cluster/build.js';
import { runNow, type Steps } from './cluster/slicer.js';
import { capacitySteps } from './cluster/capacity.js';
import type { ClusterState } from './cluster/state.js';
import { formatProblem, type Problem } from './cluster/problems.js';
import { describeSource, type ManifestObject, type SourceRef } from './cluster/model.js';
import { buildRecordIndexSteps, type RecordIndex } from './records/index.js';
import { createResponder } from './resolve/responder.js';
import type { UnresolvedHook } from './resolve/address-hostnames.js';
import { startDnsServer, type DnsServer } from './server/index.js';
import { createForwarding, forwardingEnabled, type Forwarding } from './forwarding.js';
import type { UpstreamAddress } from './forward/index.js';
import type { Query } from './resolve/query.js';
import { rootBlockPlugins } from './corefile/index.js';

export interface LoadedCluster {
  readonly state: ClusterState;
  readonly index: RecordIndex;
  /** For the next build of this cluster: its pods keep their addresses there (absent: nothing kept). */
  readonly memory?: ClusterMemory;
}

export type ClusterLoad =
  | { readonly ok: true; readonly cluster: LoadedCluster; readonly problems: readonly Problem[]; readonly load: LoadResult }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly load: LoadResult };

export interface LoadOptions {
  /** Where `-` reads from; defaults to process.stdin. */
  readonly stdin?: NodeJS.ReadableStream;
  /** SOA serial; defaults to the newest mtime of the files read. */
  readonly serial?: number;
  /** Reverse names we do not know go upstream instead of NXDOMAIN (an upstream exists). */
  readonly reverseFallthrough?: boolean;
  /** What to read instead of `config.manifests` (the Node API's text and objects). */
  readonly sources?: () => Promise<LoadResult>;
  /** Called between reading the manifests and building from them (`serve` collects the parser's garbage there). */
  readonly beforeBuild?: () => void;
}

/** Read every manifest and build the state and the record index, or report every problem. */
export async function loadCluster(config: Config, logger: Logger, options: LoadOptions = {}): Promise<ClusterLoad> {
  const load = options.sources
    ? await options.sources()
    : await loadManifests(config.manifests, { maxBytes: config.maxManifestBytes, ...(options.stdin ? { stdin: options.stdin } : {}) });
  const log = logger.child({ module: 'manifests' });
  // One line per kind, not per object: a cluster dump holds thousands of ConfigMaps and Events.
  for (const { kind, count, first } of skippedKinds(load.skipped)) {
    log.info({ kind, count, first: describeSource(first) }, `skipping ${count} ${kind} object${count === 1 ? '' : 's'}: clusterdns does not use this kind`);
  }
  if (!load.ok) return { ok: false, problems: load.problems, load };
  const tooBig = capacityOf(config, load.objects);
  if (tooBig.length > 0) return { ok: false, problems: [...load.problems, ...tooBig.map((message) => ({ level: 'error' as const, message }))], load };
  options.beforeBuild?.();
  const built = buildLoaded(config, load.objects, {
    serial: options.serial ?? (await serialFor(load.files)),
    reverseFallthrough: options.reverseFallthrough ?? false,
  });
  return { ok: true, cluster: built, problems: [...load.problems, ...built.state.warnings], load };
}

export interface BuildOptions {
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
export function capacityOf(config: Config, objects: readonly ManifestObject[], before?: readonly ManifestObject[]): string[] {
  return runNow(capacityOfSteps(config, objects, before));
}

/** capacityOf in steps (a reload runs them through a Slicer). */
export function capacityOfSteps(config: Config, objects: readonly ManifestObject[], before?: readonly ManifestObject[]): Steps<string[]> {
  const options = { serviceCIDRs: config.serviceCIDRs, podCIDRs: config.podCIDRs, nodeCount: config.nodes, maxPods: config.maxPods };
  return capacitySteps(objects, options, before);
}

/** Objects -> state -> index. Pure and synchronous (the first load, offline commands). */
export function buildLoaded(config: Config, objects: readonly ManifestObject[], options: BuildOptions): LoadedCluster {
  return runNow(buildSteps(config, objects, options));
}

/** buildLoaded in steps: a reload builds off to the side with these, through a Slicer, while the old state answers. */
export function* buildSteps(config: Config, objects: readonly ManifestObject[], options: BuildOptions): Steps<LoadedCluster> {
  const { state: built, memory } = yield* rebuildSteps(
    objects,
    { serviceCIDRs: config.serviceCIDRs, podCIDRs: config.podCIDRs, nodeCount: config.nodes },
    options.previous?.memory,
  );
  yield;
  const state = options.adjust ? options.adjust(built) : built;
  yield;
  const index = yield* buildRecordIndexSteps(state, {
    zone: config.clusterDomain,
    ttl: config.ttl,
    podMode: config.podMode,
    serial: options.serial,
    nameserverAddresses: [nameserverAddress(config.bind)],
    // A Corefile's kubernetes plugin without `fallthrough in-addr.arpa ip6.arpa` keeps reverse misses NXDOMAIN.
    reverseFallthrough: options.reverseFallthrough && config.reverseFallthrough,
    namespaces: config.namespaces,
    endpointPodNames: config.endpointPodNames,
    // CoreDNS `cache 30`: no answer carries a TTL above the cache cap (docs/behaviour.md#coredns-corners).
    ...(config.cache === false ? {} : { maxTtl: config.cache.maxTtl }),
  });
  return { state, index, memory };
}

/** Log each problem once, at its own level, with the place it names. */
export function logProblems(logger: Logger, problems: readonly Problem[]): void {
  const log = logger.child({ module: 'manifests' });
  for (const problem of problems) {
    const where = problem.source ? describeSource(problem.source) : undefined;
    log[problem.level === 'error' ? 'error' : 'warn']({ source: where, field: problem.field }, formatProblem(problem));
  }
}

export interface RunningServer {
  readonly dns: DnsServer;
  /** The cluster answers come from right now. */
  readonly cluster: LoadedCluster;
  /**
   * Answer from `next` from now on. One reference swap: a query reads the
   * index once, so it is answered wholly from the old or the new cluster.
   */
  swap(next: LoadedCluster): void;
  /** Absent when nothing is forwarded (no upstream). */
  readonly forwarding?: Forwarding;
  close(): Promise<void>;
  /**
   * Graceful stop: accept nothing new, let queries in flight finish for up
   * to `graceMs`, answer the ones still waiting on an upstream SERVFAIL,
   * then close every socket.
   */
  drain(graceMs: number): Promise<DrainResult>;
}

export interface DrainResult {
  /** Queries in flight when the stop began. */
  readonly inFlight: number;
  /** Of those, still unanswered after the grace period (answered SERVFAIL, or lost if even that failed). */
  readonly late: number;
  /** Still without any reply when the sockets closed. */
  readonly lost: number;
}

/** After the grace period, how long the SERVFAILs for late queries get to go out. */
const LATE_ANSWER_MS = 100;

/**
 * Start answering on `config.bind:config.port` from an already loaded
 * cluster, forwarding other names to `upstreams` (none: REFUSED).
 */
export async function startServer(
  config: Config,
  cluster: LoadedCluster,
  upstreams: readonly UpstreamAddress[],
  logger: Logger,
  observer?: QueryObserver,
): Promise<RunningServer> {
  let current = cluster;
  const forwarding = forwardingEnabled(config, upstreams) ? createForwarding(config, upstreams, logger) : undefined;
  const responder = createResponder({
    index: () => current.index,
    ...(forwarding ? { upstream: forwarding.forwarder, forward: (query: Query) => forwarding.forward(query) } : {}),
    ...(config.searchNamespace ? { searchNamespace: config.searchNamespace } : {}),
    onUnresolvedHostname: unresolvedHostnameLogger(logger, forwarding !== undefined),
  });
  // CoreDNS's plugin order: rewrite, then hosts, then the cluster and forwarding.
  // `cache` stands in front of them all, so its cap bounds the hosts TTL too (docs/behaviour.md#coredns-corners).
  const hosts = config.hosts && config.cache !== false ? { ...config.hosts, ttl: Math.min(config.hosts.ttl, config.cache.maxTtl) } : config.hosts;
  const respondCluster = (query: Query): Buffer | Promise<Buffer> => responder.respond(query);
  const chain = { respond: rootBlockPlugins({ ...config, hosts }, respondCluster) };
  let dns: DnsServer;
  try {
    dns = await startDnsServer({
      host: config.bind,
      port: config.port,
      handler: observer ? observed(chain, observer) : chain.respond,
      // Without an observer, rewrite or hosts plugin every answer is the responder's own: the UDP wire path may answer repeats from their bytes.
      ...(observer || chain.respond !== respondCluster ? {} : { answers: responder }),
      logger: logger.child({ module: 'server' }),
      identifyClients: config.logQueries,
      clientAddresses: forwarding?.clientsChecked === true,
      guard: { tcp: config.tcp, rateLimit: config.rateLimit },
      udpIo: config.udpIo,
    });
  } catch (error) {
    await forwarding?.close();
    throw error;
  }
  return {
    dns,
    get cluster() {
      return current;
    },
    swap(next) {
      current = next;
    },
    ...(forwarding ? { forwarding } : {}),
    close: async () => {
      await dns.close();
      await forwarding?.close();
    },
    drain: async (graceMs) => {
      dns.stopAccepting();
      const inFlight = dns.inFlight;
      await dns.idle(graceMs);
      const late = dns.inFlight;
      // Closing the forwarder resolves every pending upstream exchange, so late queries get SERVFAIL now.
      await forwarding?.close();
      await dns.idle(LATE_ANSWER_MS);
      const lost = dns.inFlight;
      await dns.close();
      return { inFlight, late, lost };
    },
  };
}

/**
 * One warning per `clusterdns.io/address` hostname and reason, not one per
 * query: the name answers its literals (or NODATA) meanwhile, as an
 * ExternalName whose target does not resolve answers its CNAME alone.
 * NODATA is normal (an IPv4-only container asked for AAAA): debug only.
 */
function unresolvedHostnameLogger(logger: Logger, hasUpstream: boolean): UnresolvedHook {
  const told = new Set<string>();
  const log = logger.child({ module: 'resolve' });
  return (hostname, reason) => {
    if (told.has(`${hostname} ${reason}`)) return;
    told.add(`${hostname} ${reason}`);
    const why = !hasUpstream
      ? 'there is no upstream to ask (start with --upstream ADDR, e.g. 127.0.0.11 on a compose network)'
      : reason === 'unreachable'
        ? 'the upstream gave no usable answer (timeout, SERVFAIL or REFUSED)'
        : `the upstream has no such name (${reason.toUpperCase()})`;
    const message = `clusterdns.io/address ${hostname} does not resolve: ${why}; answering without it until it does`;
    if (hasUpstream && reason === 'nodata') log.debug({ annotation: { hostname, reason } }, message);
    else log.warn({ annotation: { hostname, reason } }, message);
  };
}

/**
 * Told about every answered query (metrics, query log). Called after the
 * response is built; `seconds` is the handler's own time. Must be cheap.
 */
export type QueryObserver = (query: Query, response: Buffer, seconds: number) => void;

function observed(responder: { respond(query: Query): Buffer | Promise<Buffer> }, observer: QueryObserver) {
  // performance.now() rather than hrtime.bigint(): no BigInt allocations on
  // the per-query path, and sub-microsecond resolution is plenty here.
  return (query: Query): Buffer | Promise<Buffer> => {
    const started = performance.now();
    const response = responder.respond(query);
    if (Buffer.isBuffer(response)) {
      observer(query, response, (performance.now() - started) / 1000);
      return response;
    }
    return (response as Promise<Buffer>).then((answer) => {
      observer(query, answer, (performance.now() - started) / 1000);
      return answer;
    });
  };
}

/**
 * SOA serial for a load: the newest modification time (Unix seconds) of the
 * files read, so that the same files give the same serial (stable `records`
 * output) and an edit moves it forward. Stdin alone: the current time.
 */
export async function serialFor(files: readonly string[]): Promise<number> {
  let newest = 0;
  for (const file of files) {
    try {
      newest = Math.max(newest, Math.floor((await stat(file)).mtimeMs / 1000));
    } catch {
      // '<stdin>' and files gone since the load count as "now".
      newest = Math.max(newest, Math.floor(Date.now() / 1000));
    }
  }
  return newest || Math.floor(Date.now() / 1000);
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

/** Counts for the startup line. */
/** Objects past which the startup line leaves the record count out: counting 150,000 pods' records takes about a second. */
const COUNT_RECORDS_UP_TO = 20_000;

export function summarize(cluster: LoadedCluster): Record<string, number> {
  const { namespaces, services, pods } = cluster.state;
  const counts = { namespaces: namespaces.size, services: services.length, pods: pods.length };
  return services.length + pods.length <= COUNT_RECORDS_UP_TO ? { ...counts, records: cluster.index.recordCount } : counts;
}

/** Skipped objects counted per kind, in order of first appearance. */
export function skippedKinds(skipped: readonly SkippedObject[]): { kind: string; count: number; first: SourceRef }[] {
  const byKind = new Map<string, { kind: string; count: number; first: SourceRef }>();
  for (const object of skipped) {
    const seen = byKind.get(object.kind);
    if (seen) seen.count += 1;
    else byKind.set(object.kind, { kind: object.kind, count: 1, first: object.source });
  }
  return [...byKind.values()];
}
