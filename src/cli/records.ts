// `clusterdns records`: every record the manifests produce, as zone-file text.

import type { Command } from 'commander';
import { addClusterOptions, configFromFlags, type ClusterFlags } from './options.js';
import { loadCluster } from '../app.js';
import { formatProblem } from '../cluster/problems.js';
import { createLogger } from '../log.js';
import { formatRecord, sortRecords } from '../dns/zonetext.js';
import { ExitCode } from './exit.js';
import { ExitRequest } from './program.js';
import { reportConfigProblems } from './serve.js';

export function registerRecords(program: Command): void {
  const command = program
    .command('records')
    .description('print every record the manifests produce, as sorted zone-file text (no server started)');
  addClusterOptions(command).action(async (flags: ClusterFlags) => {
    const result = configFromFlags(flags);
    if (!result.ok) return reportConfigProblems(result.problems);
    // Skipped kinds are info-level noise for a listing; problems are printed as plain lines.
    const logger = createLogger(result.config.logLevel === 'info' ? 'warn' : result.config.logLevel);
    const load = await loadCluster(result.config, logger);
    for (const problem of load.problems) process.stderr.write(`${problem.level}: ${formatProblem(problem)}\n`);
    if (!load.ok) throw new ExitRequest(ExitCode.USAGE);
    const lines = sortRecords(load.cluster.index.records()).map(formatRecord);
    process.stdout.write(lines.join('\n') + '\n');
  });
}
