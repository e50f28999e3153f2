// The one error class of the Node API. Every rejection carries a code to
// switch on and, for bad input, the full list of problems (file, document,
// field), which the message repeats one per line.

export type ClusterDnsErrorCode =
  /** An option is missing, unknown or out of range. */
  | 'options'
  /** The manifests (at start or in `reload()`) or an `apply()` body have errors; nothing changed. */
  | 'invalid'
  /** `delete`, `scale` or `setReady` named an object that does not exist. */
  | 'not-found'
  /** The DNS port, or the `http` one, could not be bound (in use, permission denied). */
  | 'listen'
  /** An upstream sends our queries back to this server (a forwarding loop): nothing is left running. */
  | 'loop'
  /** The server was closed. */
  | 'closed';

export class ClusterDnsError extends Error {
  override readonly name = 'ClusterDnsError';

  constructor(
    readonly code: ClusterDnsErrorCode,
    summary: string,
    /** Every problem found, each naming its place; empty when the summary says it all. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(problems.length > 0 ? `${summary}:\n${problems.map((p) => `  - ${p}`).join('\n')}` : summary, options);
  }
}
