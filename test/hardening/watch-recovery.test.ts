// --watch through a broken reload and back (issue 7 part 6), with the real
// CLI: a watched directory deleted, replaced by a garbage file, then
// recreated — each failed reload keeps the last good answer, and the watch
// still sees edits inside the recreated directory.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dig } from '../helpers/dig.js';
import { startServe, type ServerProcess } from '../helpers/server-process.js';
import { tempDir, waitFor } from '../helpers/live.js';

let server: ServerProcess | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await server?.stop();
  await cleanup?.();
});

const service = (ip: string): string =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {clusterIP: ${ip}, ports: [{port: 5432}]}\n`;

async function address(): Promise<string | undefined> {
  return (await dig(server!.port, ['db.default.svc.cluster.local', 'A'])).answer[0]?.split(' ').pop();
}

function failedReloads(): number {
  return server!.logs.filter((line) => String(line['msg']).startsWith('reload failed: keeping the last good state')).length;
}

describe('--watch recovers from a directory deleted and replaced', () => {
  it('2 failed reloads keep 10.96.0.50, then the recreated directory and an edit inside it are picked up', async () => {
    const temp = await tempDir();
    cleanup = temp.remove;
    const dir = path.join(temp.dir, 'manifests');
    await mkdir(dir);
    await writeFile(path.join(dir, 'db.yaml'), service('10.96.0.50'));
    server = await startServe(['--watch', '-f', dir]);
    expect(await address()).toBe('10.96.0.50');

    await rm(dir, { recursive: true });
    await waitFor(() => failedReloads() >= 1, 'the reload after the delete');
    expect(server.logs.some((line) => String(line['msg']).includes('manifests: cannot read: no such file or directory'))).toBe(true);
    expect(await address()).toBe('10.96.0.50');

    await writeFile(dir, 'garbage: [\n');
    await waitFor(() => failedReloads() >= 2, 'the reload after the garbage file');
    expect(await address()).toBe('10.96.0.50');

    await rm(dir);
    await mkdir(dir);
    await writeFile(path.join(dir, 'db.yaml'), service('10.96.0.51'));
    await waitFor(async () => (await address()) === '10.96.0.51', 'the recreated directory');
    await writeFile(path.join(dir, 'db.yaml'), service('10.96.0.52'));
    await waitFor(async () => (await address()) === '10.96.0.52', 'an edit inside the recreated directory');
  });
});
