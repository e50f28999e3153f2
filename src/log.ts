// The root logger. Components take `logger.child({ module })` from it.
//
// Logs go to stderr so that commands which print results (`clusterdns
// records`) keep stdout clean, and so a sidecar's stdout can be piped.
// Two formats: `json`, pino's one object a line (for collectors, `docker
// logs` piped to jq, the image's default), and `text`, the same lines through
// pino-pretty, pino's own prettifier, for a person at a terminal.

import { createRequire } from 'node:module';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type pretty from 'pino-pretty';

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** text on a terminal, json when stderr is a pipe or a file (and so in a container without -t). */
function defaultLogFormat(stderrIsTTY = process.stderr.isTTY === true): LogFormat {
  return stderrIsTTY ? 'text' : 'json';
}

export function createLogger(level: LevelWithSilent = 'info', format: LogFormat = defaultLogFormat()): Logger {
  const options = { level, base: { name: 'clusterdns' } };
  if (format === 'json') return pino(options, pino.destination({ fd: 2, sync: true }));
  // Synchronous, in this thread (not a transport's worker): a fatal line is
  // written before the process exits, as with the JSON destination.
  // Loaded only for text: JSON logging (the image, pipes) does not pay for it.
  const prettyFactory = createRequire(import.meta.url)('pino-pretty') as typeof pretty;
  const stream = prettyFactory({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    // One line an event, the component first: `[12:00:01.234] WARN: [forward] msg {"upstream":...}`.
    singleLine: true,
    messageFormat: '{if module}[{module}] {end}{msg}',
    ignore: 'pid,hostname,name,module',
  });
  return pino(options, stream);
}

/** A logger that drops everything (tests, library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
