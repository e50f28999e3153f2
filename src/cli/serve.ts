// `clusterdns serve`: load the manifests and answer DNS on UDP and TCP.

import type { Command } from 'commander';
import { addClusterOptions, configFromFlags, type ClusterFlags } from './options.js';
import { loadCluster, logProblems, startServer, summarize } from '../app.js';
import { createLogger } from '../log.js';
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
  addClusterOptions(command).action(async (flags: ClusterFlags) => {
    const result = configFromFlags(flags);
    if (!result.ok) return reportConfigProblems(result.problems);
    const config = result.config;
    const logger = createLogger(config.logLevel);

    const load = await loadCluster(config, logger);
    logProblems(logger, load.problems);
    if (!load.ok) {
      logger.fatal(`not starting: the manifests have ${load.problems.filter((p) => p.level === 'error').length} error(s), listed above`);
      throw new ExitRequest(ExitCode.USAGE);
    }

    let server;
    try {
      server = await startServer(config, load.cluster, logger);
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
    await untilSignal(logger);
    await server.close();
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

/** Resolve on the first SIGINT or SIGTERM. */
function untilSignal(logger: ReturnType<typeof createLogger>): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info({ signal }, `received ${signal}, shutting down`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
