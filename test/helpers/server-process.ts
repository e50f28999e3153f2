// Start the real `clusterdns` CLI as a child process on a free port, the way a
// user runs it, and stop it afterwards.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist/cli.js');

export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Every log line so far (pino JSON, parsed). */
  readonly logs: Record<string, unknown>[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Tests never forward to the machine's resolv.conf nameservers (network
 * traffic stays on loopback): without an explicit --upstream, add `none`.
 */
export function loopbackOnly(args: readonly string[]): string[] {
  if (args[0] !== 'serve' || args.includes('--upstream')) return [...args];
  return [...args, '--upstream', 'none'];
}

/** Run `clusterdns serve ARGS --port 0` and wait for its "serving" line. */
export async function startServe(args: readonly string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, ...loopbackOnly(['serve', '--port', '0', ...args])], {
    cwd: ROOT,
    ...(options.env ? { env: options.env } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  else child.stdin.end();
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          const udp = entry['udp'];
          if (typeof udp === 'string' && String(entry['msg']).startsWith('serving')) {
            resolve(Number(udp.slice(udp.lastIndexOf(':') + 1)));
          }
        } catch {
          logs.push({ msg: line });
        }
      }
    });
    void exited.then((code) => reject(new Error(`clusterdns exited with ${code} before serving:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`)));
  });

  return {
    port,
    child,
    logs,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `clusterdns ARGS` to completion. */
export function runCli(args: readonly string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...loopbackOnly(args)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], ...(options.env ? { env: options.env } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.end(options.stdin ?? '');
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
