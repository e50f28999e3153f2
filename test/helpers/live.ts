// Shared by the live and admin tests: a server with --http on a free port,
// temp manifest dirs, and waiting for log lines.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServe, type ServerProcess } from './server-process.js';
import { validateConfig, type RawConfig } from '../../src/config.js';
import { loadCluster } from '../../src/pipeline/index.js';
import { startServer } from '../../src/app/index.js';
import { silentLogger } from '../../src/log.js';
import { parseManifestText } from '../../src/manifests/index.js';

export interface LiveServer extends ServerProcess {
  /** `http://127.0.0.1:PORT` of the admin server. */
  readonly http: string;
}

/** `clusterdns serve --http 127.0.0.1:0 ARGS`, with the admin URL read from its log. */
export async function startLive(args: readonly string[]): Promise<LiveServer> {
  const server = await startServe(['--http', '127.0.0.1:0', ...args]);
  const line = server.logs.find((entry) => typeof entry['http'] === 'string');
  if (!line) throw new Error('no admin HTTP line in the log');
  return Object.assign(server, { http: `http://${String(line['http'])}` });
}

export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clusterdns-live-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export { waitFor } from './wait.js';

/**
 * The reload controller's line number `index` (0-based, module "live"), as
 * soon as it is logged (at once if it already is): await the next reload's
 * outcome instead of polling for its effect.
 */
export async function liveLine(server: ServerProcess, index: number): Promise<string> {
  let seen = -1;
  const entry = await server.untilLog((line) => line['module'] === 'live' && ++seen === index);
  return String(entry['msg']);
}

/** Log lines of the reload controller (module "live"), in order. */
export function liveLines(server: ServerProcess): string[] {
  return server.logs.filter((entry) => entry['module'] === 'live').map((entry) => String(entry['msg']));
}

/** A headless service `db` whose endpoints are exactly `ips` (given Endpoints object). */
export function dbManifest(ips: readonly string[]): string {
  return `apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, ports: [{port: 5432}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: db}
subsets:
  - addresses: [${ips.map((ip) => `{ip: ${ip}}`).join(', ')}]
    ports: [{port: 5432}]
`;
}

/**
 * In process: a real DNS server on 127.0.0.1 (a free port) answering the
 * manifests `text()` gives, and what a LiveCluster over it needs (`sources`
 * reads `text()` again on every reload). Stop `server` when done.
 */
export async function serveManifestText(text: () => string, settings: Partial<RawConfig> = {}) {
  const validated = validateConfig({ manifests: ['<test>'], upstreams: [], bind: '127.0.0.1', port: 0, ...settings });
  if (!validated.ok) throw new Error(validated.problems.join('\n'));
  const sources = async () => parseManifestText(text(), 'manifests.yaml');
  const load = await loadCluster(validated.config, silentLogger(), { sources });
  if (!load.ok) throw new Error('initial load failed');
  const server = await startServer(validated.config, load.cluster, [], silentLogger());
  return { config: validated.config, load, sources, server };
}
