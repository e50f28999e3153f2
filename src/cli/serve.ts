// `clusterdns serve`: load the manifests and answer DNS on UDP and TCP.

import type { Command } from 'commander';
import { logCorefile, readCorefileOption } from './corefile.js';
import { addClusterOptions, addForwardOptions, addGuardOptions, addLiveOptions, configFromFlags, type ClusterFlags } from './options.js';
import { startApp, StartError, type App, type AppOptions } from '../app/index.js';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { ExitCode, ExitRequest, reportConfigProblems } from './exit.js';
import { resolveBind } from './bind.js';
import { COLLECT_AFTER_MS, collectLoadGarbage, collectParseGarbage } from './heap.js';
import { isWorker, superviseWorkers } from './workers.js';
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
    await serve(config, logger);
  });
}

/** Start everything, serve until a signal (or a forwarding loop), stop gracefully. */
async function serve(config: Config, logger: Logger): Promise<void> {
  let signalled = new Promise<'signal'>(() => {});
  const app = await startOrExit(config, logger, {
    signals: true,
    beforeBuild: collectParseGarbage,
    beforeServing: () => {
      // A moment after the listeners are up, so the first answers do not wait for it.
      setTimeout(collectLoadGarbage, COLLECT_AFTER_MS).unref();
      // Before the "serving" line: whoever reads it may signal at once, and an
      // unhandled SIGTERM would kill the process without the graceful stop.
      signalled = untilSignal(logger);
    },
  });
  const loop = app.loopCheck.then((found) => (found ? ('loop' as const) : new Promise<never>(() => {})));
  const outcome = await Promise.race([signalled, loop]);
  const impatient = exitOnSecondSignal(logger);
  const drained = await app.stop(outcome === 'loop' ? 0 : config.shutdownGraceMs);
  impatient.stop();
  exitSoon();
  if (outcome === 'loop') throw new ExitRequest(ExitCode.FAILURE);
  logger.info(
    { inFlight: drained.inFlight, late: drained.late, lost: drained.lost, graceMs: config.shutdownGraceMs },
    `stopped: ${drained.inFlight} queries were in flight, ${drained.late} answered SERVFAIL after the grace period, ${drained.lost} lost`,
  );
}

/** Start the app, or log why not (fatal) and end with the exit code for it. */
async function startOrExit(config: Config, logger: Logger, options: AppOptions): Promise<App> {
  try {
    return await startApp(config, logger, options);
  } catch (error) {
    if (!(error instanceof StartError)) throw error;
    logger.fatal(error.message);
    throw new ExitRequest(error.failure === 'listen' ? ExitCode.FAILURE : ExitCode.USAGE);
  }
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

/**
 * Resolve on the first SIGINT or SIGTERM. The listeners stay (ignoring later
 * signals): removing the last one restores the default action, so a second
 * signal sent right after the "shutting down" line, before
 * exitOnSecondSignal is listening, would kill the process outright.
 */
function untilSignal(logger: Logger): Promise<'signal'> {
  return new Promise((resolve) => {
    let received = false;
    const stop = (signal: NodeJS.Signals) => {
      if (received) return;
      received = true;
      logger.info({ signal }, `received ${signal}, shutting down`);
      resolve('signal');
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
