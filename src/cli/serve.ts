// `clusterdns serve`: load the manifests and answer DNS on UDP and TCP.

import type { Command } from 'commander';
import { logCorefile, readCorefileOption } from './corefile.js';
import { addClusterOptions, addForwardOptions, addGuardOptions, addLiveOptions, configFromFlags, type ClusterFlags } from './options.js';
import { loadCluster, logProblems, startServer, summarize, type LoadedCluster, type QueryObserver, type RunningServer } from '../app.js';
import type { Config } from '../config.js';
import type { UpstreamAddress } from '../forward/index.js';
import { startLive, type LiveCluster } from '../live/index.js';
import { accessSettings, AdminListenError, createQueryLog, startAdminServer, type QueryLog, type AdminContext, type AdminServer, type Metrics } from '../admin/index.js';
import { createLogger, type Logger } from '../log.js';
import { resolveUpstreams, UpstreamConfigError, type Forwarding } from '../forwarding.js';
import { endpointKey } from '../forward/index.js';
import { BatchUnavailableError, ListenError } from '../server/index.js';
import type { RequestGate } from '../server/guards.js';
import { ExitCode } from './exit.js';
import { resolveBind } from './bind.js';
import { COLLECT_AFTER_MS, collectLoadGarbage, collectParseGarbage } from './heap.js';
import { isWorker, superviseWorkers } from './workers.js';
import { ExitRequest } from './program.js';
import { DEFAULTS } from '../config.js';

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('answer DNS queries for the cluster described by the manifests, on UDP and TCP')
    .option('--bind <address>', 'address or host name to listen on (0.0.0.0 or :: for every interface)', DEFAULTS.bind)
    .option('-p, --port <port>', 'UDP and TCP port to listen on (below 1024 needs privileges)', String(DEFAULTS.port))
    .option('--workers <count>', 'processes answering on the port, each with its own copy of the cluster', String(DEFAULTS.workers))
    .option(
      '--udp-io <mode>',
      'UDP reads and replies: batch (recvmmsg/sendmmsg, 64 at a time; needs the native module npm builds at install), dgram (node:dgram, one at a time), auto (batch when built)',
      DEFAULTS.udpIo,
    )
    .option(
      '--corefile <file>',
      "the cluster's Corefile, or the YAML of kube-system's coredns ConfigMap: its kubernetes, forward, cache, hosts, " +
        'rewrite name and stub-domain server blocks apply (flags given here win); see docs/corefile.md',
    );
  addGuardOptions(addLiveOptions(addForwardOptions(addClusterOptions(command)))).action(async (flags: ClusterFlags, self: Command) => {
    const bind = await resolveBind(flags.bind);
    if (bind instanceof Error) return reportConfigProblems([bind.message]);
    const corefile = flags.corefile === undefined ? undefined : await readCorefileOption(flags.corefile, flags, self);
    if (corefile && !corefile.ok) return reportConfigProblems(corefile.problems);
    const result = configFromFlags({ ...flags, bind }, corefile?.corefile.overlay);
    if (!result.ok) return reportConfigProblems(result.problems);
    const config = result.config;
    const logger = createLogger(config.logLevel, flags.logFormat);
    if (corefile && !isWorker()) logCorefile(logger, corefile.corefile);
    if (config.workers > 1 && !isWorker()) {
      const code = await superviseWorkers(config.workers, logger);
      if (code !== ExitCode.OK) throw new ExitRequest(code);
      return;
    }
    const admin = await startAdmin(config, logger);
    try {
      await serve(config, logger, admin);
    } finally {
      await admin?.server.close();
    }
  });
}

/** Load, bind, serve until a signal (or a forwarding loop). */
async function serve(config: Config, logger: Logger, admin: Admin | undefined): Promise<void> {
  const upstreams = await upstreamsOrExit(config, logger);
  const load = await loadCluster(config, logger, { reverseFallthrough: upstreams.length > 0, beforeBuild: collectParseGarbage });
  logProblems(logger, load.problems);
  if (!load.ok) {
    logger.fatal(`not starting: the manifests have ${load.problems.filter((p) => p.level === 'error').length} error(s), listed above`);
    throw new ExitRequest(ExitCode.USAGE);
  }
  if (admin) admin.state.notReady = 'binding the DNS listeners';
  const queryLog = config.logQueries ? createQueryLog() : undefined;
  const server = await startOrExit(config, load.cluster, upstreams, logger, queryObserver(queryLog, admin));
  // A moment after the listeners are up, so the first answers do not wait for it.
  setTimeout(collectLoadGarbage, COLLECT_AFTER_MS).unref();
  if (admin) {
    admin.state.serverLabel = `dns://${formatAddress(server.dns.host, server.dns.port)}`;
    if (server.forwarding) admin.state.forwarding = server.forwarding;
    admin.state.gate = server.dns.gate;
  }
  admin?.metrics.clusterChanged(server.cluster);
  const live = await startLive({
    config,
    logger,
    server,
    load: load.load,
    reverseFallthrough: upstreams.length > 0,
    ...(admin ? { onSwap: (c: LoadedCluster) => admin.metrics.clusterChanged(c), onReload: (ok: boolean) => admin.metrics.reloaded(ok) } : {}),
  });
  if (admin) {
    admin.state.live = live.cluster;
    admin.state.notReady = undefined;
  }
  // Before the "serving" line: whoever reads it may signal at once, and an
  // unhandled SIGTERM would kill the process without the graceful stop.
  const signalled = untilSignal(logger);
  logger.info(
    { udp: `${server.dns.host}:${server.dns.port}`, tcp: `${server.dns.host}:${server.dns.port}`, udpIo: server.dns.udpIo, zone: config.clusterDomain, ...summarize(load.cluster) },
    `serving ${config.clusterDomain} on ${formatAddress(server.dns.host, server.dns.port)} (udp+tcp)`,
  );
  const forwarding = server.forwarding;
  logger.info(
    { upstreams: upstreams.map(endpointKey), stubDomains: config.stubDomains.map((stub) => stub.suffix) },
    forwarding ? `forwarding other names to ${upstreams.map(endpointKey).join(', ') || 'stub domains only'}` : 'not forwarding: names outside the cluster get REFUSED',
  );
  const loop = forwarding ? watchForLoop(forwarding, server.dns.host, server.dns.port, logger) : new Promise<never>(() => {});
  const outcome = await Promise.race([signalled, loop]);
  if (admin) admin.state.notReady = 'shutting down';
  const impatient = exitOnSecondSignal(logger);
  live.close();
  const drained = await server.drain(outcome === 'loop' ? 0 : config.shutdownGraceMs);
  await queryLog?.close(QUERY_LOG_CLOSE_MS);
  if (queryLog && queryLog.dropped > 0) {
    logger.warn({ dropped: queryLog.dropped }, `the query log dropped ${queryLog.dropped} line(s): stderr could not keep up`);
  }
  impatient.stop();
  exitSoon();
  if (outcome === 'loop') throw new ExitRequest(ExitCode.FAILURE);
  logger.info(
    { inFlight: drained.inFlight, late: drained.late, lost: drained.lost, graceMs: config.shutdownGraceMs },
    `stopped: ${drained.inFlight} queries were in flight, ${drained.late} answered SERVFAIL after the grace period, ${drained.lost} lost`,
  );
}

/**
 * While a graceful stop runs, a second SIGINT or SIGTERM ends the process at
 * once, with the shell's code for that signal (130 for SIGINT, 143 for SIGTERM).
 */
function exitOnSecondSignal(logger: Logger): { stop(): void } {
  const now = (signal: NodeJS.Signals): void => {
    logger.warn({ signal }, `received ${signal} again: exiting at once`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', now);
  process.once('SIGTERM', now);
  return {
    stop() {
      process.off('SIGINT', now);
      process.off('SIGTERM', now);
    },
  };
}

/**
 * Everything is closed, so the process ends by itself; should some handle
 * still hold the event loop (a client library's socket, a bug), do not hang
 * a container's stop for it. Unref'd: it never delays a clean exit.
 */
function exitSoon(): void {
  setTimeout(() => process.exit(process.exitCode ?? ExitCode.OK), 500).unref();
}

async function upstreamsOrExit(config: Config, logger: Logger): Promise<UpstreamAddress[]> {
  try {
    return await resolveUpstreams(config, logger);
  } catch (error) {
    if (error instanceof UpstreamConfigError) {
      logger.fatal(error.message);
      throw new ExitRequest(ExitCode.USAGE);
    }
    throw error;
  }
}

async function startOrExit(
  config: Config,
  cluster: LoadedCluster,
  upstreams: readonly UpstreamAddress[],
  logger: Logger,
  observer: QueryObserver | undefined,
): Promise<RunningServer> {
  try {
    return await startServer(config, cluster, upstreams, logger, observer);
  } catch (error) {
    if (error instanceof ListenError || error instanceof BatchUnavailableError) {
      logger.fatal(error.message);
      throw new ExitRequest(ExitCode.FAILURE);
    }
    throw error;
  }
}

interface AdminState {
  notReady: string | undefined;
  live: LiveCluster | undefined;
  forwarding: Forwarding | undefined;
  /** The DNS server's guards (metrics), once bound. */
  gate: RequestGate | undefined;
  /** CoreDNS's `server` metric label, once the port is bound. */
  serverLabel: string;
}

interface Admin {
  readonly state: AdminState;
  readonly metrics: Metrics;
  readonly server: AdminServer;
}

/** --http: up before the manifests load, so /health answers and /ready says why not yet. */
async function startAdmin(config: Config, logger: Logger): Promise<Admin | undefined> {
  if (config.http === null) return undefined;
  const state: AdminState = {
    notReady: 'loading manifests',
    live: undefined,
    forwarding: undefined,
    gate: undefined,
    serverLabel: `dns://${formatAddress(config.bind, config.port)}`,
  };
  // prom-client costs ~13 MB of RSS to load: only servers with --http pay it.
  const { createMetrics } = await import('../admin/metrics.js');
  const metrics = createMetrics({
    server: () => state.serverLabel,
    clusterDomain: config.clusterDomain,
    family: config.bind.includes(':') ? '2' : '1',
    forwarderStats: () => state.forwarding?.forwarder.stats,
    guardStats: () => state.gate && { tcp: state.gate.tcp.stats, rateLimit: state.gate.rateLimiter, refusedOutsideAllow: state.forwarding?.refusedOutsideAllow ?? 0 },
  });
  const context: AdminContext = {
    readiness: () => ({ notReady: state.notReady, lastReloadError: state.live?.lastError }),
    metrics,
    live: () => state.live,
    access: accessSettings(config),
  };
  let server: AdminServer;
  try {
    server = await startAdminServer(config.http.host, config.http.port, context, logger);
  } catch (error) {
    if (error instanceof AdminListenError) {
      logger.fatal(error.message);
      throw new ExitRequest(ExitCode.FAILURE);
    }
    throw error;
  }
  logger.info({ http: formatAddress(server.host, server.port) }, `admin HTTP on http://${formatAddress(server.host, server.port)} (/health /ready /metrics /v1)`);
  return { state, metrics, server };
}

/** Metrics and the query log, when on; undefined keeps the hot path bare. */
/** How long a stop waits for the query log to reach stderr. */
const QUERY_LOG_CLOSE_MS = 500;

function queryObserver(queryLog: QueryLog | undefined, admin: Admin | undefined): QueryObserver | undefined {
  const observers: QueryObserver[] = [];
  if (admin) observers.push((q, r, s) => admin.metrics.observe(q, r, s));
  if (queryLog) observers.push(queryLog.observe);
  if (observers.length === 0) return undefined;
  if (observers.length === 1) return observers[0];
  return (query, response, seconds) => {
    for (const observe of observers) observe(query, response, seconds);
  };
}

export function reportConfigProblems(problems: readonly string[]): never {
  for (const problem of problems) process.stderr.write(`clusterdns: ${problem}\n`);
  process.stderr.write('(run with --help for usage)\n');
  throw new ExitRequest(ExitCode.USAGE);
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Like CoreDNS's `loop` plugin: a probe that comes back through an upstream
 * means every forwarded query would circle until it times out. Stop loudly.
 */
async function watchForLoop(forwarding: Forwarding, host: string, port: number, logger: Logger): Promise<'loop'> {
  const loop = await forwarding.checkLoop({ host, port });
  if (!loop) return new Promise<never>(() => {});
  logger.fatal(
    { upstream: endpointKey(loop) },
    `forwarding loop detected: upstream ${endpointKey(loop)} sends our queries back to this server. ` +
      'Point --upstream at a resolver that does not use clusterdns (or --upstream none).',
  );
  return 'loop';
}

/** Resolve on the first SIGINT or SIGTERM. */
function untilSignal(logger: Logger): Promise<'signal'> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info({ signal }, `received ${signal}, shutting down`);
      resolve('signal');
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
