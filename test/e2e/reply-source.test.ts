// UDP replies leave from the address the query was sent to (issue 15, item 3).
// A host with several addresses and a server bound to 0.0.0.0 or ::: without
// care, the kernel picks a reply's source from the route back, and the client
// (dig here, any stub resolver) drops a reply from an address it did not ask.
// Each case runs test/fixtures/netns/reply-source.sh inside a private network
// namespace (`unshare --net`) with two IPv4 and two IPv6 addresses on a veth
// pair made there; nothing touches the host's interfaces. Needs root (CI runs
// as root); skipped with the reason otherwise.

import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDig } from '../helpers/dig.js';
import { ROOT } from '../helpers/server-process.js';

const run = promisify(execFile);
const canUnshare = spawnSync('unshare', ['--net', 'sh', '-c', 'ip link add t0 type veth peer name t1']).status === 0;

/** The script's output as sections: "== NAME" line, then its text. */
function sections(stdout: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of stdout.split(/^== /m).slice(1)) {
    const newline = part.indexOf('\n');
    found.set(part.slice(0, newline), part.slice(newline + 1));
  }
  return found;
}

async function inNamespace(mode: 'batch' | 'dgram', host: string): Promise<Map<string, string>> {
  const { stdout } = await run('unshare', ['--net', 'bash', 'test/fixtures/netns/reply-source.sh', ROOT, mode, host], {
    cwd: ROOT,
    timeout: 60_000,
  });
  return sections(stdout);
}

/** dig got its answer, from the address it asked. */
function expectAnsweredFrom(text: string | undefined, to: string, status = 'NOERROR'): void {
  const result = parseDig(text ?? '');
  expect(result.text, `dig @${to}`).toContain(`SERVER: ${to}#53(${to}) (UDP)`);
  expect(result.status).toBe(status);
  if (status === 'NOERROR') expect(result.answer).toContain('kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1');
}

const IPV4_PAIRS = [['10.53.0.1', '10.53.0.2'], ['10.53.0.2', '10.53.0.1']] as const;
const IPV6_PAIRS = [['fd53::1', 'fd53::2'], ['fd53::2', 'fd53::1']] as const;

describe.skipIf(!canUnshare)('UDP replies leave from the address the query was sent to (needs root for unshare --net)', () => {
  for (const mode of ['batch', 'dgram'] as const) {
    for (const host of ['0.0.0.0', '::']) {
      it(`--udp-io ${mode} --bind ${host}: each address answers from itself${host === '::' ? ', IPv4 and IPv6' : ''}`, async () => {
        const found = await inNamespace(mode, host);
        const pairs = host === '::' ? [...IPV4_PAIRS, ...IPV6_PAIRS] : IPV4_PAIRS;
        for (const [from, to] of pairs) expectAnsweredFrom(found.get(`${from} ${to}`), to);
        // A late reply (a forwarded name, sent after its batch) too.
        expectAnsweredFrom(found.get('late'), '10.53.0.2', 'NXDOMAIN');
        const serving = (found.get('log') ?? '').split('\n').find((line) => line.includes('"msg":"serving'));
        expect(serving).toContain(`"udpIo":"${mode}"`);
        if (mode === 'dgram') expectAnsweredFrom(found.get('added'), '10.53.0.3');
      }, 60_000);
    }
  }
});
