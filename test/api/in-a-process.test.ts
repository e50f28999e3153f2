// The Node API from a plain script, as a user's program runs it: silent by
// default, and a process that starts and closes a server exits on its own
// (nothing keeps the event loop alive). Uses the built package (dist/).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server-process.js';

const run = promisify(execFile);

/** Start on port 0, ask once, close; print the answer on stdout. */
function script(options: string): string {
  return `
import { startClusterDns } from 'clusterdns';
const dns = await startClusterDns({ manifests: [${JSON.stringify(path.join(ROOT, 'manifests'))}], ${options} });
console.log((await dns.resolver().resolve4('userlist-svc.user03.svc.cluster.local')).join());
await dns.close();
`;
}

async function runScript(options: string): Promise<{ stdout: string; stderr: string }> {
  // cwd ROOT: the script imports the package by its name, resolved through package.json "exports".
  return run(process.execPath, ['--input-type=module', '-e', script(options)], { cwd: ROOT, timeout: 10_000 });
}

describe('the Node API in a script', () => {
  it('writes nothing to stderr by default and exits by itself after close()', async () => {
    const { stdout, stderr } = await runScript('');
    expect(stdout).toBe('10.43.113.209\n');
    expect(stderr).toBe('');
  });

  it('logs JSON lines to stderr when given a logLevel', async () => {
    const { stderr } = await runScript("logLevel: 'info'");
    const lines = stderr.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    expect(lines.some((line) => line.msg.startsWith('serving cluster.local'))).toBe(true);
  });
});
