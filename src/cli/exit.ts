// Exit codes, so that scripts and CI can tell failures apart.
export const ExitCode = {
  OK: 0,
  /** Could not start or keep running (port in use, permission denied, crash). */
  FAILURE: 1,
  /** The user's input is wrong: bad flags or manifests with errors. */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
