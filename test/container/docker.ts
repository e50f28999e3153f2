// The docker CLI for the container suite: every call with a timeout, the
// legacy builder (no BuildKit frontend to fetch), and the image under test.

import { execFile } from 'node:child_process';
import { inject } from 'vitest';

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What global-setup.ts found: the image to test, or why there is none. */
export type Engine = { readonly ok: true; readonly image: string; readonly server: string } | { readonly ok: false; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    containerEngine: Engine;
  }
}

export function engine(): Engine {
  return inject('containerEngine');
}

export const DOCKER_ENV = { ...process.env, DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0' };

/** Run a command to completion; never throws for a non-zero exit. */
export function exec(file: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: options.timeoutMs ?? 60_000, env: options.env ?? DOCKER_ENV, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (error && typeof error.code !== 'number' ? `\n${error.message}` : '') });
      },
    );
  });
}

export function docker(args: readonly string[], timeoutMs = 60_000): Promise<Run> {
  return exec('docker', args, { timeoutMs });
}

/** docker ARGS that must succeed: its stdout, trimmed. */
export async function dockerOk(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const run = await docker(args, timeoutMs);
  if (run.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${run.code}:\n${run.stderr || run.stdout}`);
  return run.stdout.trim();
}

/** Poll `read` until `done` holds for its result (an event we wait for, with a deadline), or throw with the last result. */
export async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 60_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await read();
  }
  return last;
}

/** The host port Docker published for a container port ("53/udp"), on 127.0.0.1. */
export async function hostPort(container: string, port: string): Promise<number> {
  const out = await dockerOk(['port', container, port]);
  const match = /127\.0\.0\.1:(\d+)/.exec(out);
  if (!match) throw new Error(`no 127.0.0.1 port for ${port} of ${container}: ${out}`);
  return Number(match[1]);
}

/** A container's `docker logs` (stdout and stderr) as lines. */
export async function logLines(container: string): Promise<string[]> {
  const run = await docker(['logs', container]);
  return `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
}

export async function health(container: string): Promise<string> {
  return (await docker(['inspect', '-f', '{{if .State.Health}}{{.State.Health.Status}}{{end}}', container])).stdout.trim();
}

export function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
