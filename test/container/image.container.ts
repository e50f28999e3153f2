// The image as `docker run` users meet it: built from the Dockerfile
// unchanged, run with its default command and a bind-mounted manifest
// directory, asked with the real dig through published ports.

import { chmod, cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { docker, dockerOk, engine, health, hostPort, logLines, unique, until } from './docker.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const found = engine();
const HEADLESS = 'userlist-svc-hl.user03.svc.cluster.local';

describe.skipIf(!found.ok)('the image, run with its default command', () => {
  const name = unique('clusterdns-image');
  let manifests = '';
  let dnsPort = 0;
  let dnsTcpPort = 0;
  let adminPort = 0;

  beforeAll(async () => {
    if (!found.ok) return;
    // The manifests the user mounts: readable by the image's UID 65532.
    manifests = await mkdtemp(path.join(tmpdir(), 'clusterdns-mount-'));
    await cp(path.join(ROOT, 'manifests'), manifests, { recursive: true });
    await chmod(manifests, 0o755);
    for (const file of await readdir(manifests)) await chmod(path.join(manifests, file), 0o644);
    await dockerOk(['run', '-d', '--name', name,
      '-p', '127.0.0.1::53/udp', '-p', '127.0.0.1::53/tcp', '-p', '127.0.0.1::8080',
      '-v', `${manifests}:/manifests:ro`, found.image]);
    dnsPort = await hostPort(name, '53/udp');
    dnsTcpPort = await hostPort(name, '53/tcp');
    adminPort = await hostPort(name, '8080/tcp');
    await until('the "serving" log line', () => logLines(name), (lines) => lines.some((line) => line.includes('"msg":"serving')));
  });

  afterAll(async () => {
    await docker(['rm', '-f', name]);
    if (manifests) await rm(manifests, { recursive: true, force: true });
  });

  it('runs as UID 65532, binds 0.0.0.0:53 with the batched UDP module, and docker logs shows one JSON object a line', async () => {
    expect(await dockerOk(['inspect', '-f', '{{.Config.User}}', name])).toBe('65532:65532');
    const uids = (await dockerOk(['top', name, '-eo', 'pid,uid'])).split('\n').slice(1).map((line) => line.trim().split(/\s+/)[1]);
    expect(new Set(uids)).toEqual(new Set(['65532']));
    const entries = (await logLines(name)).map((line) => JSON.parse(line) as Record<string, unknown>);
    const serving = entries.find((entry) => String(entry['msg']).startsWith('serving'));
    expect(serving).toMatchObject({ udp: '0.0.0.0:53', tcp: '0.0.0.0:53', udpIo: 'batch' });
    expect(entries.some((entry) => String(entry['msg']).startsWith('forwarding loop detected'))).toBe(false);
  });

  it('runs Node 24', async () => {
    expect(await dockerOk(['run', '--rm', '--entrypoint', 'node', found.ok ? found.image : '', '--version'])).toMatch(/^v24\./);
  });

  it('answers dig over UDP and TCP through the published port', async () => {
    const udp = await dig(dnsPort, ['userlist-svc.user03.svc.cluster.local', 'A']);
    expect(udp.status).toBe('NOERROR');
    expect(udp.answer).toEqual(['userlist-svc.user03.svc.cluster.local. 5 IN A 10.43.113.209']);
    const tcp = await dig(dnsTcpPort, ['+tcp', 'userlist-svc.user03.svc.cluster.local', 'A']);
    expect(tcp.answer).toEqual(udp.answer);
  });

  it('becomes healthy through its HEALTHCHECK, and serves /health, /ready and /metrics on the published admin port', async () => {
    await until('docker health "healthy"', () => health(name), (status) => status !== 'starting' && status !== '', 90_000);
    expect(await health(name)).toBe('healthy');
    for (const route of ['/health', '/ready', '/metrics']) {
      const response = await fetch(`http://127.0.0.1:${adminPort}${route}`);
      expect({ route, status: response.status }).toEqual({ route, status: 200 });
    }
  });

  it('keeps answering through an edit of the --watch\'ed bind-mounted manifests, and then answers from the edit', async () => {
    const before = await dig(dnsPort, [HEADLESS, 'A']);
    expect(before.answer).toHaveLength(2);
    const file = path.join(manifests, 'userlist.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('replicas: 2', 'replicas: 3'));
    const statuses = new Set<string>();
    const after = await until('3 pods behind the headless service', async () => {
      const answer = await dig(dnsPort, [HEADLESS, 'A']);
      statuses.add(answer.status);
      return answer;
    }, (answer) => answer.answer.length === 3);
    expect(after.status).toBe('NOERROR');
    expect([...statuses]).toEqual(['NOERROR']); // never a failure while it reloaded
  });

  it('ends within 2 s of docker stop, with exit 0, and docker logs shows the shutdown', async () => {
    const started = Date.now();
    await dockerOk(['stop', '-t', '10', name]);
    const took = Date.now() - started;
    expect(await dockerOk(['inspect', '-f', '{{.State.ExitCode}}', name])).toBe('0');
    const entries = (await logLines(name)).map((line) => JSON.parse(line) as { msg: string; time: number });
    const signalled = entries.find((entry) => entry.msg === 'received SIGTERM, shutting down');
    expect(signalled).toBeDefined();
    // The process's part: from the SIGTERM it logged to the engine's record of its exit.
    const finished = Date.parse((await dockerOk(['inspect', '-f', '{{.State.FinishedAt}}', name])).replace(/(\.\d{3})\d*/, '$1'));
    expect(finished - signalled!.time).toBeLessThan(2000);
    // The whole `docker stop` as a user times it; the engine's own work (docker-proxy, network) is
    // in it too, and on a loaded CI machine it alone can take over a second, hence the margin.
    expect(took).toBeLessThan(5000);
  });
});
