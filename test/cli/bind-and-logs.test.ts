// What a user sees from --bind, bare `clusterdns`, and the two log formats:
// the real CLI as a child process, answers asked with the real dig.

import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { isBindHostName } from '../../src/cli/bind.js';
import { CLI, ROOT, runCli, startServe } from '../helpers/server-process.js';
import { dig } from '../helpers/dig.js';

describe('isBindHostName: which --bind values are looked up', () => {
  it.each([
    { value: 'localhost', lookedUp: true },
    { value: 'my-host.example.', lookedUp: true },
    { value: '127.0.0.1', lookedUp: false, why: 'an address already' },
    { value: '::', lookedUp: false, why: 'an address already' },
    { value: '1.2.3', lookedUp: false, why: 'dotted numbers: the resolver would read 1.2.0.3' },
    { value: '10', lookedUp: false, why: 'a number' },
    { value: 'not an address', lookedUp: false, why: 'not a DNS name' },
    { value: '', lookedUp: false, why: 'empty' },
  ])('$value -> $lookedUp', ({ value, lookedUp }) => {
    expect(isBindHostName(value)).toBe(lookedUp);
  });
});

describe('--bind', () => {
  it('serves on 127.0.0.1 for --bind localhost, and answers there', async () => {
    const server = await startServe(['-f', 'manifests/', '--bind', 'localhost']);
    try {
      const serving = server.logs.find((entry) => String(entry['msg']).startsWith('serving'));
      expect(serving?.['udp']).toBe(`127.0.0.1:${server.port}`);
      const answer = await dig(server.port, ['userlist-svc.user03.svc.cluster.local', 'A']);
      expect(answer.status).toBe('NOERROR');
    } finally {
      await server.stop();
    }
  });

  it('exits 2 with a usage message for --bind 1.2.3 (not an error at listen time)', async () => {
    const result = await runCli(['serve', '-f', 'manifests/', '--port', '0', '--bind', '1.2.3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--bind must be an IPv4 or IPv6 address (e.g. 127.0.0.1, 0.0.0.0, ::1) or a host name such as localhost, got "1.2.3"');
  });

  it('exits 2 naming the host name that does not resolve', async () => {
    const result = await runCli(['serve', '-f', 'manifests/', '--port', '0', '--bind', 'no-such-host.invalid']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--bind "no-such-host\.invalid" is not an address, and the name does not resolve \(E\w+\)/);
  });
});

describe('bare clusterdns', () => {
  it('prints the usage on stderr and exits 2, like other usage errors', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: clusterdns [options] [command]');
    expect(result.stdout).toBe('');
  });

  it('still exits 0 for --help and `help`', async () => {
    expect((await runCli(['--help'])).code).toBe(0);
    expect((await runCli(['help'])).code).toBe(0);
  });
});

/** Run serve with ARGS until its "serving" line, then SIGTERM; everything it wrote to stderr. */
function serveOnce(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'serve', '-f', 'manifests/', '--port', '0', '--upstream', 'none', ...args], { cwd: ROOT });
    let stderr = '';
    let signalled = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (!signalled && stderr.includes('serving')) signalled = child.kill('SIGTERM');
    });
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('--log-format', () => {
  it('writes one JSON object a line when stderr is piped (the default)', async () => {
    const { code, stderr } = await serveOnce([]);
    expect(code).toBe(0);
    const lines = stderr.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.map((line) => JSON.parse(line) as { msg: string }).some((entry) => entry.msg.startsWith('serving'))).toBe(true);
  });

  it('writes readable lines with --log-format text: time, level name, message', async () => {
    const { code, stderr } = await serveOnce(['--log-format', 'text']);
    expect(code).toBe(0);
    expect(stderr).not.toContain('{"level"');
    expect(stderr).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: serving /m);
    expect(stderr).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: received SIGTERM, shutting down/m);
  });

  it.skipIf(spawnSync('script', ['--version']).status !== 0)('writes readable lines by default when stderr is a terminal', () => {
    // `script` runs the command on a real pseudo-terminal; a missing manifest makes serve log and exit at once.
    const command = `${process.execPath} ${CLI} serve -f /nonexistent/manifests --port 0 --upstream none`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    const text = result.stdout.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
    expect(text).not.toContain('{"level"');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] ERROR: \[manifests\] \/nonexistent\/manifests: cannot read: no such file or directory$/m);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] FATAL: not starting: the manifests have 1 error\(s\), listed above$/m);
  });

  it('exits 2 for another format, naming the choices', async () => {
    const result = await runCli(['serve', '-f', 'manifests/', '--log-format', 'yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option '--log-format <format>' argument 'yaml' is invalid. Allowed choices are text, json.");
  });
});

describe('forwarder log lines', () => {
  it('carry "module":"forward" once', async () => {
    // An upstream that never answers: the forwarder logs the query it could not relay.
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    const child = spawn(process.execPath, [CLI, 'serve', '-f', 'manifests/', '--port', '0', '--upstream', `127.0.0.1:${silent.address().port}`,
      '--upstream-timeout', '50', '--log-level', 'debug'], { cwd: ROOT });
    let stderr = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const port = await new Promise<number>((resolve) => {
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          const serving = /"udp":"127\.0\.0\.1:(\d+)"/.exec(stderr);
          if (serving) resolve(Number(serving[1]));
        });
      });
      const forwardLine = new Promise<void>((resolve) => {
        const check = () => (/"module":"forward".*\n/.test(stderr) ? resolve() : undefined);
        child.stderr.on('data', check);
        check();
      });
      await dig(port, ['example.com', 'A']).catch(() => undefined);
      await forwardLine;
    } finally {
      child.kill('SIGTERM');
      await exited;
      silent.close();
    }
    const lines = stderr.split('\n').filter((line) => line.includes('"module":"forward"'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.split('"module":').length - 1).toBe(1);
  });
});
