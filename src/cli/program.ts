// The commander program: commands, help text, and the mapping of failures
// to exit codes. The only place that decides how the process ends.

import { Command, CommanderError } from 'commander';
import { ExitCode, ExitRequest } from './exit.js';
import { registerServe } from './serve.js';
import { registerRecords } from './records.js';
import { registerValidate } from './validate.js';
import { registerQuery } from './query.js';
import { registerExplain } from './explain.js';
import { registerResolvConf } from './resolv-conf.js';
import { registerHostSetup } from './host-setup.js';
import { registerHealth } from './health.js';

function buildProgram(): Command {
  const program = new Command('clusterdns')
    .description(
      'A DNS server that answers like a Kubernetes cluster (CoreDNS), from plain YAML manifests.\n' +
        'Names under the cluster domain are answered from the manifests; see `clusterdns <command> --help`.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerServe(program);
  registerValidate(program);
  registerQuery(program);
  registerExplain(program);
  registerRecords(program);
  registerResolvConf(program);
  registerHostSetup(program);
  registerHealth(program);
  program.addHelpText(
    'after',
    `
Examples:
  clusterdns serve -f manifests/ --port 1053
  dig @127.0.0.1 -p 1053 userlist-svc.user03.svc.cluster.local
  clusterdns records -f manifests/
  clusterdns explain web.shop.svc.cluster.local -f manifests/

Exit codes: 0 ok; 1 what was asked failed (the server could not start or stopped on
an error, validate found problems, no answer from --server); 2 bad flags or
unreadable/invalid manifests. Each command's --help says its own.`,
  );
  for (const command of program.commands) command.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

const VERSION = '0.1.0';

/** Run the CLI; resolves to the exit code (a server resolves when it stops). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return (program.getOptionValue('exitCode') as number | undefined) ?? ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // `clusterdns` with no command prints the help as an error (exitCode 1): a usage error like the others.
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      return benign.includes(error.code) && error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (error instanceof ExitRequest) return error.code;
    process.stderr.write(`clusterdns: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.FAILURE;
  }
}
