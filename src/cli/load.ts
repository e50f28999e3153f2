// Shared start of every offline command (records, query, explain): flags ->
// Config -> manifests -> cluster, with problems printed as plain lines.

import { configFromFlags, type ClusterFlags } from './options.js';
import { loadCluster, type ClusterLoad } from '../pipeline/index.js';
import type { Config } from '../config.js';
import { formatProblem, type Problem } from '../cluster/index.js';
import { createLogger } from '../log.js';
import { ExitCode, ExitRequest, reportConfigProblems } from './exit.js';

export interface OfflineLoad {
  readonly config: Config;
  readonly load: ClusterLoad;
}

/** Validate flags and load the manifests; bad flags end the program with exit 2. */
export async function loadOffline(flags: ClusterFlags): Promise<OfflineLoad> {
  const result = configFromFlags(flags);
  if (!result.ok) return reportConfigProblems(result.problems);
  // Skipped kinds are info-level noise for an offline command.
  const logger = createLogger(result.config.logLevel === 'info' ? 'warn' : result.config.logLevel, flags.logFormat);
  return { config: result.config, load: await loadCluster(result.config, logger) };
}

/**
 * A file or directory that could not be read at all (missing, permission,
 * too large): the loader reports those without a source document, since
 * there is none. Every problem inside a manifest names its document.
 */
export function isUnreadable(problem: Problem): boolean {
  return problem.level === 'error' && problem.source === undefined;
}

/** `error: ...` / `warning: ...`, one line each, on stderr. */
export function printProblems(problems: readonly Problem[], stream: NodeJS.WritableStream = process.stderr): void {
  for (const problem of problems) stream.write(`${problem.level}: ${formatProblem(problem)}\n`);
}

/** Load for a command that needs a working cluster: problems to stderr, errors end with exit 2. */
export async function loadClusterOrExit(flags: ClusterFlags): Promise<OfflineLoad & { load: Extract<ClusterLoad, { ok: true }> }> {
  const offline = await loadOffline(flags);
  printProblems(offline.load.problems);
  if (!offline.load.ok) throw new ExitRequest(ExitCode.USAGE);
  return { config: offline.config, load: offline.load };
}
