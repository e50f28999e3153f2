// THE composition root: the one place that builds everything that runs —
// the admin server, the upstreams and forwarding, the first load, the DNS
// server, live reload, the query log and the loop check — and stops it all
// again. `clusterdns serve` and the Node API are thin adapters over it: they
// turn their options into a Config, call startApp, and report in their own
// terms (log lines and exit codes; promises and ClusterDnsError).

import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { errorsOf, formatProblem } from '../cluster/index.js';
import type { LoadResult } from '../manifests/index.js';
import { loadCluster, logProblems, summarize, type LoadedCluster } from '../pipeline/index.js';
import { endpointKey, resolveUpstreams, UpstreamConfigError, type Forwarding, type UpstreamAddress } from '../forward/index.js';
import { BatchUnavailableError, ListenError } from '../server/index.js';
import { startLive, type Live } from '../live/index.js';
import { AdminListenError, createQueryLog, type AdminServer } from '../admin/index.js';
import { startServer, type DrainResult, type RunningServer } from './dns.js';
import { formatAddress, queryObserver, startAdmin, type Admin } from './admin.js';

/** Why the app did not start. Everything it had started is stopped again. */
type StartFailure =
  /** An upstream that is our own address (a forwarding loop). */
  | 'upstreams'
  /** The manifests have errors (logged, one line each); `problems` lists them. */
  | 'manifests'
  /** A DNS or admin port could not be bound, or the UDP mode asked for is unavailable. */
  | 'listen';

export class StartError extends Error {
  constructor(
    readonly failure: StartFailure,
    message: string,
    /** With 'manifests': every error, each naming its place. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface AppOptions {
  /** What the manifests are read from, at start and at every reload. Default: every `config.manifests` path. */
  readonly sources?: () => Promise<LoadResult>;
  /** Reload on SIGHUP (the CLI); the Node API leaves signals to its caller. */
  readonly signals: boolean;
  /** Called between reading the manifests and building from them (`serve` collects the parser's garbage there). */
  readonly beforeBuild?: () => void;
  /**
   * Called once everything answers, just before the "serving" line: whoever
   * reads that line may act at once (`serve` installs its SIGTERM handler here).
   */
  readonly beforeServing?: () => void;
}

export interface App {
  /** The DNS server (`dns`: where it listens) and the forwarding behind it. */
  readonly server: RunningServer;
  /** The live cluster: reloads and control-API changes. */
  readonly live: Live;
  /** With `config.http`. */
  readonly admin?: AdminServer;
  /**
   * Settles once the startup loop check is done, like CoreDNS's `loop`
   * plugin: with the upstream that sends our probe back to us (already
   * logged, fatal: every forwarded query would circle until it timed out;
   * the caller must stop), or undefined (no loop, or nothing forwarded).
   */
  readonly loopCheck: Promise<UpstreamAddress | undefined>;
  /**
   * Graceful stop: not ready any more, no more reloads, accept nothing new,
   * let queries in flight finish for up to `graceMs` (then SERVFAIL those
   * waiting on an upstream), flush the query log, close every socket.
   */
  stop(graceMs: number): Promise<DrainResult>;
}

/** How long a stop waits for the query log to reach stderr. */
const QUERY_LOG_CLOSE_MS = 500;

/** Start everything `config` asks for; rejects with a StartError (nothing left running) when it cannot. */
export async function startApp(config: Config, logger: Logger, options: AppOptions): Promise<App> {
  let admin: Admin | undefined;
  try {
    admin = await startAdmin(config, logger);
  } catch (error) {
    throw error instanceof AdminListenError ? new StartError('listen', error.message, [], { cause: error }) : error;
  }
  try {
    return await startServing(config, logger, options, admin);
  } catch (error) {
    await admin?.server.close();
    throw error;
  }
}

async function startServing(config: Config, logger: Logger, options: AppOptions, admin: Admin | undefined): Promise<App> {
  const upstreams = await resolveUpstreams(config, logger).catch((error: unknown) => {
    throw error instanceof UpstreamConfigError ? new StartError('upstreams', error.message, [], { cause: error }) : error;
  });
  const reverseFallthrough = upstreams.length > 0;
  const load = await loadCluster(config, logger, {
    reverseFallthrough,
    ...(options.sources ? { sources: options.sources } : {}),
    ...(options.beforeBuild ? { beforeBuild: options.beforeBuild } : {}),
  });
  logProblems(logger, load.problems);
  if (!load.ok) {
    const errors = errorsOf(load.problems).map(formatProblem);
    throw new StartError('manifests', `not starting: the manifests have ${errors.length} error(s), listed above`, errors);
  }
  if (admin) admin.state.notReady = 'binding the DNS listeners';
  const queryLog = config.logQueries ? createQueryLog() : undefined;
  let server: RunningServer;
  try {
    const observer = queryObserver(queryLog, admin);
    // Metrics need a query's name, type and transport and the reply, no more; the query log needs every client.
    server = await startServer(config, load.cluster, upstreams, logger, observer, queryLog ? undefined : observer);
  } catch (error) {
    await queryLog?.close(0);
    throw error instanceof ListenError || error instanceof BatchUnavailableError ? new StartError('listen', error.message, [], { cause: error }) : error;
  }
  if (admin) {
    admin.state.serverLabel = `dns://${formatAddress(server.dns.host, server.dns.port)}`;
    if (server.forwarding) admin.state.forwarding = server.forwarding;
    admin.state.gate = server.dns.gate;
    admin.metrics.clusterChanged(server.cluster);
  }
  let live: Live;
  try {
    live = await startLive({
      config,
      logger,
      server,
      load: load.load,
      reverseFallthrough,
      signals: options.signals,
      ...(options.sources ? { loadSources: options.sources } : {}),
      ...(admin ? { onSwap: (c: LoadedCluster) => admin.metrics.clusterChanged(c), onReload: (ok: boolean) => admin.metrics.reloaded(ok) } : {}),
    });
  } catch (error) {
    await server.close();
    await queryLog?.close(0);
    throw error;
  }
  if (admin) {
    admin.state.live = live.cluster;
    admin.state.notReady = undefined;
  }
  options.beforeServing?.();
  const address = formatAddress(server.dns.host, server.dns.port);
  logger.info(
    { udp: `${server.dns.host}:${server.dns.port}`, tcp: `${server.dns.host}:${server.dns.port}`, udpIo: server.dns.udpIo, zone: config.clusterDomain, ...summarize(load.cluster) },
    `serving ${config.clusterDomain} on ${address} (udp+tcp)`,
  );
  logger.info(
    { upstreams: upstreams.map(endpointKey), stubDomains: config.stubDomains.map((stub) => stub.suffix) },
    server.forwarding ? `forwarding other names to ${upstreams.map(endpointKey).join(', ') || 'stub domains only'}` : 'not forwarding: names outside the cluster get REFUSED',
  );
  const loopCheck = server.forwarding ? checkForLoop(server.forwarding, server.dns.host, server.dns.port, logger) : Promise.resolve(undefined);
  return {
    server,
    live,
    ...(admin ? { admin: admin.server } : {}),
    loopCheck,
    stop: async (graceMs) => {
      if (admin) admin.state.notReady = 'shutting down';
      live.close();
      const drained = await server.drain(graceMs);
      await queryLog?.close(QUERY_LOG_CLOSE_MS);
      if (queryLog && queryLog.dropped > 0) {
        logger.warn({ dropped: queryLog.dropped }, `the query log dropped ${queryLog.dropped} line(s): stderr could not keep up`);
      }
      await admin?.server.close();
      return drained;
    },
  };
}

/** Probe every upstream through the server now listening; a loop is logged here, once. */
async function checkForLoop(forwarding: Forwarding, host: string, port: number, logger: Logger): Promise<UpstreamAddress | undefined> {
  const loop = await forwarding.checkLoop({ host, port });
  if (!loop) return undefined;
  logger.fatal(
    { upstream: endpointKey(loop) },
    `forwarding loop detected: upstream ${endpointKey(loop)} sends our queries back to this server. ` +
      'Point --upstream at a resolver that does not use clusterdns (or --upstream none).',
  );
  return loop;
}
