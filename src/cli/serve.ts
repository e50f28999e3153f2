// `clusterdns serve`: load the manifests and answer DNS on UDP and TCP.

import type { Command } from 'commander';
import { addClusterOptions, addForwardOptions, configFromFlags, type ClusterFlags } from './options.js';
import { loadCluster, logProblems, startServer, summarize } from '../app.js';
import { createLogger, type Logger } from '../log.js';
import { resolveUpstreams, UpstreamConfigError, type Forwarding } from '../forwarding.js';
import { endpointKey } from '../forward/index.js';
import { ListenError } from '../server/index.js';
import { ExitCode } from './exit.js';
import { ExitRequest } from './program.js';
import { DEFAULTS } from '../config.js';

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('answer DNS queries for the cluster described by the manifests, on UDP and TCP')
    .option('--bind <address>', 'address to listen on (0.0.0.0 or :: for every interface)', DEFAULTS.bind)
    .option('-p, --port <port>', 'UDP and TCP port to listen on (below 1024 needs privileges)', String(DEFAULTS.port));
  addForwardOptions(addClusterOptions(command)).action(async (flags: ClusterFlags) => {
    const result = configFromFlags(flags);
    if (!result.ok) return reportConfigProblems(result.problems);
    const config = result.config;
    const logger = createLogger(config.logLevel);

    let upstreams;
    try {
      upstreams = await resolveUpstreams(config, logger);
    } catch (error) {
      if (error instanceof UpstreamConfigError) {
        logger.fatal(error.message);
        throw new ExitRequest(ExitCode.USAGE);
      }
      throw error;
    }
    const load = await loadCluster(config, logger, { reverseFallthrough: upstreams.length > 0 });
    logProblems(logger, load.problems);
    if (!load.ok) {
      logger.fatal(`not starting: the manifests have ${load.problems.filter((p) => p.level === 'error').length} error(s), listed above`);
      throw new ExitRequest(ExitCode.USAGE);
    }

    let server;
    try {
      server = await startServer(config, load.cluster, upstreams, logger);
    } catch (error) {
      if (error instanceof ListenError) {
        logger.fatal(error.message);
        throw new ExitRequest(ExitCode.FAILURE);
      }
      throw error;
    }
    logger.info(
      { udp: `${server.dns.host}:${server.dns.port}`, tcp: `${server.dns.host}:${server.dns.port}`, zone: config.clusterDomain, ...summarize(load.cluster) },
      `serving ${config.clusterDomain} on ${formatAddress(server.dns.host, server.dns.port)} (udp+tcp)`,
    );
    const forwarding = server.forwarding;
    logger.info(
      { upstreams: upstreams.map(endpointKey), stubDomains: config.stubDomains.map((stub) => stub.suffix) },
      forwarding ? `forwarding other names to ${upstreams.map(endpointKey).join(', ') || 'stub domains only'}` : 'not forwarding: names outside the cluster get REFUSED',
    );
    const loop = forwarding ? watchForLoop(forwarding, server.dns.host, server.dns.port, logger) : new Promise<never>(() => {});
    const outcome = await Promise.race([untilSignal(logger), loop]);
    await server.close();
    if (outcome === 'loop') throw new ExitRequest(ExitCode.FAILURE);
    logger.info('stopped');
  });
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
