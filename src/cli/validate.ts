// `clusterdns validate`: load the manifests, build the cluster, print every
// problem and a summary. Exit 1 when anything is wrong (warnings too with --strict).

import type { Command } from 'commander';
import { addClusterOptions, type ClusterFlags } from './options.js';
import { ExitCode, ExitRequest } from './exit.js';
import { isUnreadable, loadOffline, printProblems } from './load.js';
import { consistencyWarnings } from '../cluster/index.js';

interface ValidateFlags extends ClusterFlags {
  strict?: boolean;
}

export function registerValidate(program: Command): void {
  const command = program
    .command('validate')
    .description('check manifests the way `serve` loads them, and across objects (selectors that select nothing, StatefulSets without their headless Service); print every problem, exit 1 if any (--strict: warnings too)')
    .option('--strict', 'also fail (exit 1) on warnings');
  addClusterOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  clusterdns validate -f manifests/
  clusterdns validate -f app.yaml --strict

Exit codes: 0 no errors (and no warnings with --strict), 1 problems found,
2 bad flags or a manifest path that cannot be read.`,
    )
    .action(async (flags: ValidateFlags) => {
      const { load } = await loadOffline(flags);
      if (load.problems.some(isUnreadable)) {
        // Nothing was checked: that is a usage problem (wrong path), not a verdict on the manifests.
        printProblems(load.problems);
        throw new ExitRequest(ExitCode.USAGE);
      }
      // Mistakes across objects (a selector that selects nothing, a StatefulSet
      // without its headless Service) are validate's own checks; serve does not make them.
      const problems = load.ok ? [...load.problems, ...consistencyWarnings(load.load.objects, load.cluster.state.pods)] : load.problems;
      // Problems go to stdout: they are this command's output, not a failure of it.
      printProblems(problems, process.stdout);
      const errors = problems.filter((p) => p.level === 'error').length;
      const warnings = problems.length - errors;
      if (!load.ok || errors > 0) {
        process.stdout.write(`failed: ${count(errors, 'error')}, ${count(warnings, 'warning')}\n`);
        throw new ExitRequest(ExitCode.FAILURE);
      }
      const objects = load.load.objects.length;
      const records = load.cluster.index.recordCount;
      if (flags.strict === true && warnings > 0) {
        process.stdout.write(`failed (--strict): ${count(warnings, 'warning')}; ${objects} objects, ${records} records\n`);
        throw new ExitRequest(ExitCode.FAILURE);
      }
      const suffix = warnings > 0 ? ` (${count(warnings, 'warning')})` : '';
      process.stdout.write(`ok: ${objects} objects, ${records} records${suffix}\n`);
    });
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
