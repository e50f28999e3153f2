// `serve --workers N`: N copies of this command answering on one port.
//
// Node's cluster module runs each worker as this same command line; the
// primary binds the UDP socket and the TCP listener once and shares them
// (the kernel hands each datagram to one worker; TCP connections go round
// robin). Each worker loads the manifests itself, so every worker answers
// from the same files; with --watch each reloads on its own.

import cluster from 'node:cluster';
import type { Logger } from '../log.js';
import { ExitCode } from './exit.js';

/** Whether this process is a worker started by superviseWorkers. */
export function isWorker(): boolean {
  return cluster.isWorker;
}

/**
 * Start `count` workers and wait for them. SIGTERM/SIGINT/SIGHUP are passed
 * on (SIGHUP: every worker reloads). When a worker dies on its own the others
 * are stopped and its exit code is returned, so a bind or manifest error
 * ends `serve` as it would without workers.
 */
export function superviseWorkers(count: number, logger: Logger): Promise<number> {
  const log = logger.child({ module: 'workers' });
  return new Promise((resolve) => {
    let stopping = false;
    let code: number = ExitCode.OK;
    let running = 0;
    const signalAll = (signal: NodeJS.Signals): void => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    };
    const stop = (signal: NodeJS.Signals): void => {
      stopping = true;
      signalAll(signal);
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    const onHup = (): void => signalAll('SIGHUP');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('SIGHUP', onHup);
    cluster.on('exit', (worker, exitCode, signal) => {
      running--;
      if (!stopping) {
        code = exitCode || ExitCode.FAILURE;
        log.error({ pid: worker.process.pid, exitCode, signal }, 'a worker stopped; stopping the others');
        stop('SIGTERM');
      }
      if (running > 0) return;
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGHUP', onHup);
      resolve(code);
    });
    for (let i = 0; i < count; i++) {
      cluster.fork();
      running++;
    }
    log.info({ workers: count }, `started ${count} worker processes sharing the port`);
  });
}
