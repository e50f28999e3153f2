// Exit codes, so that scripts and CI can tell failures apart.
export const ExitCode = {
  OK: 0,
  /** Could not start or keep running (port in use, permission denied, crash). */
  FAILURE: 1,
  /** The user's input is wrong: bad flags or manifests with errors. */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown by a command to end the program with a code after it has printed why. */
export class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Prints each configuration problem and ends the program with the usage exit code. */
export function reportConfigProblems(problems: readonly string[]): never {
  for (const problem of problems) process.stderr.write(`clusterdns: ${problem}\n`);
  process.stderr.write('(run with --help for usage)\n');
  throw new ExitRequest(ExitCode.USAGE);
}
