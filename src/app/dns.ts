// The DNS side of the composition root: the responder over the live record
// index, the Corefile's plugin chain in front of it, forwarding behind it,
// and the UDP and TCP listeners; a graceful drain to stop.

import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { LoadedCluster } from '../pipeline/index.js';
import type { StandIn } from '../live/index.js';
import { createResponder } from '../resolve/responder.js';
import type { UnresolvedHook } from '../resolve/address-hostnames.js';
import { startDnsServer, type DnsServer, type StandInHandover } from '../server/index.js';
import { createForwarding, forwardingEnabled, type Forwarding, type UpstreamAddress } from '../forward/index.js';
import type { Query } from '../dns/query.js';
import { rootBlockPlugins } from '../corefile/index.js';

export interface RunningServer {
  readonly dns: DnsServer;
  /** The cluster answers come from right now. */
  readonly cluster: LoadedCluster;
  /**
   * Answer from `next` from now on. One reference swap: a query reads the
   * index once, so it is answered wholly from the old or the new cluster.
   */
  swap(next: LoadedCluster): void;
  /** While a change is built: repeated UDP questions answered by the native module's thread (DnsServer.standIn and the rest). */
  readonly standIn: StandIn;
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
  /** `observer` again when it needs only the question and the reply (metrics, no query log): the wire path may then answer repeats. */
  wireObserver?: QueryObserver,
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
      // Without a rewrite or hosts plugin every answer is the responder's own: the UDP wire path may answer
      // repeats from their bytes, unless an observer must see every query as it was asked (the query log).
      ...(chain.respond !== respondCluster || (observer && observer !== wireObserver) ? {} : { answers: responder }),
      ...(observer && observer === wireObserver ? { observeWire: observer } : {}),
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
    standIn: {
      start: () => dns.standIn(),
      prepare: (next) => dns.prepareHandover(next.index),
      // What prepare() gave: LiveCluster holds it without looking inside.
      handOver: (prepared) => dns.handOver(prepared as StandInHandover | undefined),
      stop: () => dns.standDown(),
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
