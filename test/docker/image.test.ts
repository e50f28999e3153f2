// The Docker image and the compose example (issue 5 parts 1 and 2), without a
// Docker engine: the image's exact ENTRYPOINT + CMD, read from the Dockerfile,
// runs as UID 65532 in its own network namespace on port 53 with the compose
// example's manifests at /manifests, on an emulated compose network
// (test/fixtures/docker/compose-network.sh). Then a user's checks: dig, an app
// resolving short names with compose's dns/dns_search/dns_opt, the
// HEALTHCHECK, a manifest edit (--watch), and `docker stop` (SIGTERM).
// Needs root (unshare, veth, chroot); skipped with a reason elsewhere.

import { execFile, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server-process.js';

const run = promisify(execFile);
const canUnshare = spawnSync('unshare', ['--mount', '--net', 'true']).status === 0;
const COMPOSE_DIR = path.join(ROOT, 'examples/compose');

/** The JSON-array (exec form) arguments of a Dockerfile instruction. */
function execForm(dockerfile: string, instruction: string): string[] {
  const line = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .find((l) => l.startsWith(`${instruction} `));
  const json = /\[.*\]/.exec(line ?? '')?.[0];
  if (!json) throw new Error(`no ${instruction} [...] in the Dockerfile`);
  return JSON.parse(json) as string[];
}

/** The variables of the Dockerfile's `ENV K=V ...` lines, which the image's processes run with. */
function envOf(dockerfile: string): Record<string, string> {
  const lines = dockerfile.split('\n').filter((line) => line.startsWith('ENV '));
  const pairs = lines.flatMap((line) => line.slice(4).trim().split(/\s+/));
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

interface ComposeService {
  volumes?: string[];
  command?: unknown;
  networks?: Record<string, { ipv4_address?: string }> | string[];
  dns?: string[];
  dns_search?: string[];
  dns_opt?: string[];
  network_mode?: string;
  sysctls?: Record<string, unknown>;
}

describe('the Dockerfile', () => {
  it('runs clusterdns as the entrypoint with the serve command of the issue, as UID 65532', async () => {
    const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(execForm(dockerfile, 'ENTRYPOINT')).toEqual(['clusterdns']);
    expect(execForm(dockerfile, 'CMD')).toEqual(['serve', '-f', '/manifests', '--bind', '0.0.0.0', '--port', '53', '--http', '0.0.0.0:8080', '--watch', '--log-format', 'json']);
    expect(execForm(dockerfile, 'HEALTHCHECK')).toEqual(['clusterdns', 'health', '--http', 'http://127.0.0.1:8080/ready']);
    expect(dockerfile).toMatch(/^USER 65532:65532$/m);
    expect(dockerfile).toMatch(/^EXPOSE 53\/udp 53\/tcp 8080$/m);
    expect(envOf(dockerfile)).toEqual({ NODE_ENV: 'production' });
  });

  it('builds the batched-UDP module and copies it where the server loads it from', async () => {
    const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/npm run build:native -- --nodedir=\/usr\/local/);
    const copy = /^COPY --from=build \/src\/build\/Release\/udp_batch\.node (\S+)$/m.exec(dockerfile)?.[1];
    const dist = /^COPY --from=build \/src\/dist (\S+)$/m.exec(dockerfile)?.[1];
    expect(copy && dist).toBeTruthy();
    // src/server/batch-io.ts loads ../../build/Release/udp_batch.node from dist/server/.
    const loaded = path.posix.resolve('/app', dist as string, 'server', '../../build/Release/udp_batch.node');
    expect(path.posix.resolve('/app', copy as string)).toBe(loaded);
  });
});

describe('the compose example', () => {
  it('gives the app what a pod in user03 gets, with clusterdns as its nameserver', async () => {
    const compose = parse(await readFile(path.join(COMPOSE_DIR, 'compose.yaml'), 'utf8')) as { services: Record<string, ComposeService> };
    const { clusterdns, app, 'app-sidecar': sidecar } = compose.services;
    const address = (clusterdns!.networks as Record<string, { ipv4_address: string }>)['cluster']!.ipv4_address;
    expect(clusterdns!.command).toBeUndefined(); // the image's CMD, tested below
    expect(clusterdns!.volumes).toContain('./manifests:/manifests:ro');
    expect(clusterdns!.sysctls).toEqual({ 'net.ipv4.ip_unprivileged_port_start': 0 });
    expect(app!.dns).toEqual([address]);
    expect(app!.dns_search).toEqual(['user03.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
    expect(app!.dns_opt).toEqual(['ndots:5']);
    expect(sidecar!.network_mode).toBe('service:clusterdns');
    expect(sidecar!.volumes).toContain('./pod-resolv.conf:/etc/resolv.conf:ro');
    const podResolv = await readFile(path.join(COMPOSE_DIR, 'pod-resolv.conf'), 'utf8');
    expect(podResolv).toMatch(/^nameserver 127\.0\.0\.1$/m);
    expect(podResolv).toMatch(/^search user03\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
    expect(podResolv).toMatch(/^options ndots:5$/m);
  });
});

describe.skipIf(!canUnshare)('the image command on an emulated compose network (needs root)', () => {
  let output = '';
  let temp = '';
  const section = (name: string): string[] =>
    (output.split(`== ${name}\n`)[1]?.split('\n== ')[0] ?? '')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(/\s+/).join(' '));
  const logs = (): Record<string, unknown>[] =>
    section('log').map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { msg: line };
      }
    });

  beforeAll(async () => {
    const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
    const compose = parse(await readFile(path.join(COMPOSE_DIR, 'compose.yaml'), 'utf8')) as { services: Record<string, ComposeService> };
    const app = compose.services['app']!;
    temp = await mkdtemp(path.join(tmpdir(), 'clusterdns-image-'));
    const manifests = path.join(temp, 'manifests');
    await cp(path.join(COMPOSE_DIR, 'manifests'), manifests, { recursive: true });
    // What the app's resolver does with compose's dns/dns_search/dns_opt. (In
    // Docker the nameserver line reads 127.0.0.11, the embedded DNS, which
    // relays every name it does not know to the `dns:` servers.)
    const appResolv = path.join(temp, 'app-resolv.conf');
    await writeFile(appResolv, `nameserver ${app.dns![0]}\nsearch ${app.dns_search!.join(' ')}\noptions ${app.dns_opt!.join(' ')}\n`);
    const healthcheck = execForm(dockerfile, 'HEALTHCHECK').slice(1).join(' ');
    const script = path.join(ROOT, 'test/fixtures/docker/compose-network.sh');
    const args = [ROOT, manifests, appResolv, healthcheck, ...execForm(dockerfile, 'CMD')];
    ({ stdout: output } = await run('unshare', ['--mount', '--net', 'bash', script, ...args], { cwd: ROOT, timeout: 90_000, env: { ...process.env, ...envOf(dockerfile) } }));
  }, 100_000);

  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('serves on 0.0.0.0:53 as UID 65532 and answers dig over UDP and TCP, locally and from the network', () => {
    const serving = logs().find((entry) => String(entry['msg']).startsWith('serving'));
    expect(serving?.['udp']).toBe('0.0.0.0:53');
    expect(serving?.['udpIo']).toBe('batch');
    expect(section('dig-udp')).toHaveLength(2);
    expect(section('dig-udp').every((ip) => ip.startsWith('10.244.'))).toBe(true);
    expect(section('dig-tcp')).toEqual(['10.43.113.209']);
    expect(section('dig-network')).toEqual(['10.43.113.209']);
  });

  it('forwards other names to the nameserver of its resolv.conf (the network DNS), never ours', () => {
    expect(section('forwarded')).toEqual(['172.28.0.20']);
    expect(logs().some((entry) => String(entry['msg']).startsWith('forwarding other names to 172.28.0.11:53'))).toBe(true);
    expect(output).not.toContain('10.255.255.53');
    expect(section('network-dns').filter((line) => line.includes('cluster.local'))).toEqual([]);
  });

  it('answers the clusterdns.io/address Service with the compose container behind it', () => {
    expect(section('annotated')).toEqual(['172.28.0.20']);
  });

  it.each(['app', 'app-sidecar'])('lets the %s container resolve short names like a pod', (name) => {
    const lines = section(name);
    expect(lines).toContain('10.43.113.209 userlist-svc.user03.svc.cluster.local');
    expect(lines.filter((line) => line.endsWith(' userlist-svc-hl.user03.svc.cluster.local'))).toHaveLength(2);
    expect(lines).toContain('10.96.0.1 kubernetes.default.svc.cluster.local');
    expect(lines).toContain('172.28.0.20 orders.user03.svc.cluster.local');
    expect(lines).toContain('nope NOTFOUND');
  });

  it('passes its HEALTHCHECK; health exits 0 for a live server and 1 for a dead port', () => {
    expect(section('healthcheck')).toEqual(['exit 0']);
    expect(section('health')).toEqual(['exit 0']);
    expect(section('health-dead')).toEqual(['exit 1']);
  });

  it('reloads a changed manifest (--watch)', () => {
    expect(section('watch')).toEqual(['3']);
  });

  it('stops cleanly within a second of SIGTERM (docker stop)', () => {
    const [line] = section('sigterm');
    const match = /^exit (\d+) after (\d+) ms$/.exec(line ?? '');
    expect(match?.[1]).toBe('0');
    expect(Number(match?.[2])).toBeLessThan(1000);
  });
});
