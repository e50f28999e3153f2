// The root logger. Components take `logger.child({ module })` from it.
//
// Logs go to stderr so that commands which print results (`clusterdns
// records`) keep stdout clean, and so a sidecar's stdout can be piped.

import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { name: 'clusterdns' } }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything (tests, library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
