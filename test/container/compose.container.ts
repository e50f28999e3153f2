// examples/compose as a user runs it: `docker compose up` (or v1's
// `docker-compose up`) with the image built from this repository, then what
// the app containers resolve, and dig from the host through the published port.

import { rm, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { DOCKER_ENV, docker, dockerOk, engine, exec, health, logLines, unique, type Run } from './docker.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLE = path.join(ROOT, 'examples/compose/compose.yaml');
const found = engine();

/** The compose implementations installed: v2 (the docker CLI plugin), v1 (docker-compose). */
async function composes(): Promise<{ label: string; command: string[] }[]> {
  const all = [
    { label: 'Compose v2 (docker compose)', command: ['docker', 'compose'] },
    { label: 'Compose v1 (docker-compose)', command: ['docker-compose'] },
  ];
  const present = [];
  for (const compose of all) {
    const version = await exec(compose.command[0]!, [...compose.command.slice(1), 'version'], { timeoutMs: 30_000 });
    if (version.code === 0) present.push({ ...compose, label: `${compose.label}: ${version.stdout.split('\n')[0]}` });
  }
  return present;
}

/** A port free for both TCP and UDP on 127.0.0.1. */
async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    await new Promise((resolve) => server.close(resolve));
    const udp = createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => (free ? udp.close(() => resolve()) : resolve()));
    if (free) return port;
  }
}

describe.skipIf(!found.ok)('the compose example', () => {
  const project = unique('cdns').replace(/-/g, '');
  // The example with its host ports changed to free ones, as a user whose 1053 is taken would do. It sits
  // beside the example so that the file's relative paths (build context, ./manifests) stay the same.
  const FILE = path.join(path.dirname(EXAMPLE), `.compose-${project}.yaml`);
  let compose: { label: string; command: string[] }[] = [];
  let dnsPort = 0;
  let env: NodeJS.ProcessEnv = {};
  let up: Run | undefined;
  const run = (args: readonly string[], timeoutMs = 60_000, which = compose[0]!): Promise<Run> =>
    exec(which.command[0]!, [...which.command.slice(1), '-f', FILE, '-p', project, ...args], { timeoutMs, env });
  const container = async (service: string): Promise<string> =>
    dockerOk(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]);
  const ipOf = async (service: string): Promise<string> =>
    dockerOk(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', await container(service)]);

  beforeAll(async () => {
    if (!found.ok) return;
    compose = await composes();
    if (compose.length === 0) throw new Error('a Docker engine but no Compose: install docker-compose (v1) or the compose plugin (v2)');
    dnsPort = await freePort();
    const adminPort = await freePort();
    const example = await readFile(EXAMPLE, 'utf8');
    const ported = example.replaceAll('127.0.0.1:1053:', `127.0.0.1:${dnsPort}:`).replaceAll('127.0.0.1:8080:8080', `127.0.0.1:${adminPort}:8080`);
    if (ported === example) throw new Error(`${EXAMPLE}: no 127.0.0.1:1053 / 127.0.0.1:8080 host ports to move`);
    await writeFile(FILE, ported);
    env = { ...DOCKER_ENV, CLUSTERDNS_HTTP_TOKEN: 'compose-test-token' };
    // The image the file builds, built once by global-setup.
    await dockerOk(['tag', found.image, 'clusterdns:local']);
    up = await run(['up', '-d', '--no-build'], 300_000);
  });

  afterAll(async () => {
    if (compose.length > 0) await run(['down', '-v', '-t', '5'], 120_000);
    await rm(FILE, { force: true });
  });

  it('is accepted by every Compose installed (v1 and v2 where present)', async () => {
    const results = [];
    for (const which of compose) results.push({ compose: which.label, ...(await run(['config', '-q'], 60_000, which)) });
    expect(results.map(({ compose, code, stderr }) => ({ compose, code, stderr: code === 0 ? '' : stderr }))).toEqual(
      results.map(({ compose }) => ({ compose, code: 0, stderr: '' })),
    );
  });

  it("starts healthy on the compose network and forwards to Docker's embedded DNS, no loop", async () => {
    expect(up, up?.stderr).toMatchObject({ code: 0 });
    const clusterdns = await container('clusterdns');
    expect(await health(clusterdns)).toBe('healthy');
    const entries = (await logLines(clusterdns)).map((line) => JSON.parse(line) as { msg: string });
    expect(entries.map((entry) => entry.msg)).toContain('forwarding other names to 127.0.0.11:53');
    expect(entries.filter((entry) => entry.msg.includes('loop'))).toEqual([]);
  });

  it.each(['app', 'app-sidecar'])('lets %s resolve like a pod in user03: short names, a StatefulSet pod, an ExternalName, a Service routed to the orders container', async (service) => {
    const app = await container(service);
    const orders = await ipOf('orders');
    const lookup = async (name: string): Promise<string> => {
      const result = await docker(['exec', app, 'getent', 'hosts', name]);
      return result.code === 0 ? result.stdout.trim().split(/\s+/)[0]! : `not found (exit ${result.code})`;
    };
    expect({
      'userlist-svc': await lookup('userlist-svc'),
      'kubernetes.default': await lookup('kubernetes.default'),
      orders: await lookup('orders'),
      'shop-api': await lookup('shop-api'),
    }).toEqual({ 'userlist-svc': '10.43.113.209', 'kubernetes.default': '10.96.0.1', orders, 'shop-api': orders });
    expect(await lookup('userlist-svc-hl')).toMatch(/^10\.244\./);
    expect(await lookup('db-0.db')).toMatch(/^10\.244\./);
    // What the app printed at start (its command resolves the same names).
    expect((await logLines(app)).filter((line) => line.includes('not found'))).toEqual([]);
  });

  it('answers dig from the host through the published port', async () => {
    const answer = await dig(dnsPort, ['userlist-svc.user03.svc.cluster.local', 'A']);
    expect(answer.answer).toEqual(['userlist-svc.user03.svc.cluster.local. 5 IN A 10.43.113.209']);
    const orders = await dig(dnsPort, ['orders.user03.svc.cluster.local', 'A']);
    expect(orders.answer.map((line) => line.split(' ').at(-1))).toEqual([await ipOf('orders')]);
  });
});
