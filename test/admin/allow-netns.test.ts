// --allow on the admin server, from real non-loopback client addresses: the
// server and its clients run inside a private network namespace (`unshare -n`,
// a veth pair with 192.168.7.1 and 198.51.100.1), never on the host's
// interfaces. Needs root; skipped with a reason otherwise.
//
// The Host of each request is the address it was sent to, so these rows also
// show that a wildcard listener accepts the address a connection arrived at.

import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/server-process.js';
import { tempDir } from '../live/helpers.js';

const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
const SCRIPT = path.join(ROOT, 'test/fixtures/admin/allow-netns.mjs');

interface Row {
  scenario: string;
  from: string;
  path: string;
  status: number;
}

describe.skipIf(!canUnshare)('--allow applies to the admin server (in a private network namespace; needs root)', () => {
  let rows: Row[] = [];
  let remove: () => Promise<void>;

  beforeAll(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    const manifest = path.join(temp.dir, 'cluster.yaml');
    await writeFile(manifest, 'apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {clusterIP: 10.96.0.20, ports: [{port: 80}]}\n');
    const scenarios = [
      { name: 'default --allow', args: ['--http-token', 't'] },
      { name: '--allow 198.51.100.0/24', args: ['--http-token', 't', '--allow', '198.51.100.0/24'] },
    ];
    const requests = ['127.0.0.1', '192.168.7.1', '198.51.100.1'].flatMap((from) => [
      { from, path: '/health' },
      { from, path: '/v1/objects', token: 't' },
    ]);
    const output = execFileSync('unshare', ['-n', process.execPath, SCRIPT, CLI, manifest, JSON.stringify(scenarios), JSON.stringify(requests)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    rows = output.trim().split('\n').map((line) => JSON.parse(line) as Row);
  }, 90_000);
  afterAll(() => remove?.());

  it.each([
    // default: loopback and private ranges; 198.51.100.0/24 (TEST-NET-2) stands for a public address
    { scenario: 'default --allow', from: '127.0.0.1', health: 200, control: 200 },
    { scenario: 'default --allow', from: '192.168.7.1', health: 200, control: 200 },
    { scenario: 'default --allow', from: '198.51.100.1', health: 403, control: 403 },
    // a list of one public network: private clients are out, loopback is always in
    { scenario: '--allow 198.51.100.0/24', from: '127.0.0.1', health: 200, control: 200 },
    { scenario: '--allow 198.51.100.0/24', from: '192.168.7.1', health: 403, control: 403 },
    { scenario: '--allow 198.51.100.0/24', from: '198.51.100.1', health: 200, control: 200 },
  ])('$scenario, client $from: /health $health, /v1 $control', ({ scenario, from, health, control }) => {
    const status = (route: string): number | undefined => rows.find((row) => row.scenario === scenario && row.from === from && row.path === route)?.status;
    expect({ health: status('/health'), control: status('/v1/objects') }).toEqual({ health, control });
  });
});

if (!canUnshare) {
  describe('--allow on the admin server', () => {
    it.skip('needs root and unshare -n (a private network namespace)', () => {});
  });
}
