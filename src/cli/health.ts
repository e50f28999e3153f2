// `clusterdns health`: one HTTP probe of a running server's admin endpoint,
// exit 0 when it answers 2xx and 1 otherwise. Docker's HEALTHCHECK runs it,
// so the image needs no curl or wget.

import type { Command } from 'commander';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ExitCode, ExitRequest } from './exit.js';

const DEFAULT_HEALTH_URL = 'http://127.0.0.1:8080/health';
const DEFAULT_TIMEOUT_MS = 2000;

/** Body text kept for the output line (Docker keeps the first 4 KiB of a probe's output). */
const MAX_BODY = 1024;

interface HealthFlags {
  http: string;
  timeout: string;
}

export function registerHealth(program: Command): void {
  program
    .command('health')
    .description("probe a running server's admin HTTP endpoint; exit 0 if it answers 2xx, 1 if not (for Docker HEALTHCHECK)")
    .option('--http <url>', 'URL to GET, or ADDR:PORT as given to serve --http (then /health)', DEFAULT_HEALTH_URL)
    .option('--timeout <ms>', 'give up after this many milliseconds', String(DEFAULT_TIMEOUT_MS))
    .addHelpText(
      'after',
      `
Examples:
  clusterdns health                                        # GET ${DEFAULT_HEALTH_URL}
  clusterdns health --http http://127.0.0.1:8080/ready     # 503 until the manifests are loaded
  clusterdns health --http :8080

Exit codes: 0 healthy (2xx), 1 not (other status, refused, timeout), 2 bad flags.`,
    )
    .action(async (flags: HealthFlags) => {
      const url = healthUrl(flags.http);
      const timeoutMs = Number(flags.timeout);
      const problems = [
        ...(url instanceof Error ? [url.message] : []),
        ...(Number.isInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= 600_000 ? [] : [`--timeout must be an integer from 1 to 600000 (milliseconds), got ${JSON.stringify(flags.timeout)}`]),
      ];
      if (problems.length > 0 || url instanceof Error) {
        for (const problem of problems) process.stderr.write(`clusterdns health: ${problem}\n`);
        throw new ExitRequest(ExitCode.USAGE);
      }
      const result = await probe(url, timeoutMs);
      if (result.ok) {
        process.stdout.write(`healthy: ${url.href} ${result.status} ${result.body}\n`);
        return;
      }
      process.stderr.write(`unhealthy: ${url.href} ${result.reason}\n`);
      throw new ExitRequest(ExitCode.FAILURE);
    });
}

/** A URL, or serve's `--http` form (`ADDR:PORT`, `[v6]:PORT`, `:PORT`) meaning its /health. */
export function healthUrl(text: string): URL | Error {
  const hostPort = /^(\[[^\]]+\]|[^/:[\]]*):(\d+)$/.exec(text);
  if (hostPort) {
    const host = hostPort[1] === '' || hostPort[1] === '0.0.0.0' ? '127.0.0.1' : hostPort[1] === '[::]' ? '[::1]' : hostPort[1];
    return new URL(`http://${host}:${hostPort[2]}/health`);
  }
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // fall through to the message
  }
  return new Error(`--http must be an http:// or https:// URL, or ADDR:PORT, got ${JSON.stringify(text)}`);
}

type ProbeResult = { ok: true; status: number; body: string } | { ok: false; reason: string };

/** GET once, no keep-alive, so the process exits as soon as the answer is in. */
function probe(url: URL, timeoutMs: number): Promise<ProbeResult> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const request = send(url, { method: 'GET', agent: false, timeout: timeoutMs, headers: { 'user-agent': 'clusterdns-health' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk;
      });
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const text = body.slice(0, MAX_BODY).trim().replace(/\s*\n\s*/g, ' | ');
        resolve(status >= 200 && status < 300 ? { ok: true, status, body: text } : { ok: false, reason: `answered ${status}: ${text}` });
      });
      response.on('error', (error) => resolve({ ok: false, reason: error.message }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, reason: error.message || error.code || 'request failed' }));
    request.end();
  });
}
