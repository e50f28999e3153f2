// Real resolvers as a pod runs them: glibc (getent), Node's dns.lookup and the
// JVM, with kubelet's resolv.conf (search list, ndots:5) and clusterdns on port
// 53, inside a private mount + network namespace (test/fixtures/clients/pod-resolver.sh).
// Needs root and unshare(1); skipped with a reason elsewhere.

import { describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/server-process.js';

const run = promisify(execFile);
const canUnshare = spawnSync('unshare', ['--mount', '--net', 'true']).status === 0;
const hasJava = spawnSync('java', ['-version']).status === 0;

describe.skipIf(!canUnshare)('pod-like resolvers (needs root for unshare --mount --net)', () => {
  it('resolve short names through the search list, and NXDOMAIN ends in "not found"', async () => {
    const { stdout } = await run('unshare', ['--mount', '--net', 'bash', 'test/fixtures/clients/pod-resolver.sh', ROOT], {
      cwd: ROOT,
      timeout: 60_000,
    });
    const section = (name: string) => stdout.split(`== ${name}\n`)[1]?.split('\n==')[0]?.trim().split('\n') ?? [];
    const glibc = section('glibc').map((line) => line.split(/\s+/).join(' '));
    expect(glibc).toContain('10.43.113.209 userlist-svc.user03.svc.cluster.local');
    expect(glibc.filter((line) => line.endsWith(' userlist-svc-hl.user03.svc.cluster.local'))).toHaveLength(2);
    expect(glibc).toContain('10.96.0.1 kubernetes.default.svc.cluster.local');
    expect(glibc.some((line) => /^10\.244\.\d+\.\d+ web-0\.nginx\.default\.svc\.cluster\.local$/.test(line))).toBe(true);
    expect(glibc).toContain('nope NOTFOUND');

    const node = section('node');
    expect(node).toContain('userlist-svc 10.43.113.209');
    expect(node.some((line) => /^web-1\.nginx\.default 10\.244\./.test(line))).toBe(true);
    expect(node).toContain('nope NOTFOUND');

    if (hasJava) {
      const java = section('java');
      expect(java).toContain('userlist-svc 10.43.113.209');
      expect(java.some((line) => /^sample-hostname\.sample-subdomain\.default 10\.244\./.test(line))).toBe(true);
      expect(java).toContain('nope NOTFOUND');
    }
  }, 60_000);
});
