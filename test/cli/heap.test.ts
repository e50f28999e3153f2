// serve's memory settings (src/cli/heap.ts): V8's young generation kept at
// its starting size unless the user sized it, a full collection between
// reading the manifests and building, another after the first load. What a user can see of it: nothing on stderr but our own log
// lines, and answers as usual.

import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCluster } from '../../src/pipeline/index.js';
import { youngGenerationSizedByUser } from '../../src/cli/heap.js';
import { validateConfig, type Config } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { dig } from '../helpers/dig.js';
import { startServe } from '../helpers/server-process.js';

describe('youngGenerationSizedByUser', () => {
  const rows: { name: string; execArgv: string[]; nodeOptions: string; want: boolean }[] = [
    { name: 'no flags', execArgv: [], nodeOptions: '', want: false },
    { name: 'unrelated flags', execArgv: ['--enable-source-maps'], nodeOptions: '--max-old-space-size=512', want: false },
    { name: '--max-semi-space-size on the command line', execArgv: ['--max-semi-space-size=4'], nodeOptions: '', want: true },
    { name: 'in NODE_OPTIONS (the Docker image)', execArgv: [], nodeOptions: '--enable-source-maps --max-semi-space-size=4', want: true },
    { name: 'underscore spelling', execArgv: ['--max_semi_space_size=8'], nodeOptions: '', want: true },
    { name: '--min-semi-space-size', execArgv: ['--min-semi-space-size=2'], nodeOptions: '', want: true },
    { name: '--semi-space-growth-factor', execArgv: [], nodeOptions: '--semi-space-growth-factor=4', want: true },
  ];
  it.each(rows)('$name', ({ execArgv, nodeOptions, want }) => {
    expect(youngGenerationSizedByUser(execArgv, nodeOptions)).toBe(want);
  });
});

describe('the collection between reading the manifests and building (loadCluster beforeBuild)', () => {
  function configFor(paths: string[]): Config {
    const result = validateConfig({ manifests: paths, upstreams: [] });
    if (!result.ok) throw new Error(result.problems.join('; '));
    return result.config;
  }

  it('runs once, after every file is read and before the state exists', async () => {
    const calls: string[] = [];
    const load = await loadCluster(configFor(['manifests/']), silentLogger(), { beforeBuild: () => calls.push('beforeBuild') });
    expect(calls).toEqual(['beforeBuild']);
    expect(load.ok).toBe(true);
  });

  it('does not run when the manifests have errors (nothing is built)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clusterdns-heap-'));
    try {
      await writeFile(path.join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 99999}]}\n');
      const calls: string[] = [];
      const load = await loadCluster(configFor([dir]), silentLogger(), { beforeBuild: () => calls.push('beforeBuild') });
      expect(load.ok).toBe(false);
      expect(calls).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('serve with the memory settings', () => {
  it('answers, and writes nothing but its JSON log lines to stderr (no V8 flag complaints)', async () => {
    const server = await startServe(['-f', 'manifests/']);
    try {
      // The collection after the load runs a second after the listeners are up: ask before and after it.
      for (let i = 0; i < 3; i++) {
        const result = await dig(server.port, ['userlist-svc.user03.svc.cluster.local']);
        expect(result.answer).toEqual(['userlist-svc.user03.svc.cluster.local. 5 IN A 10.43.113.209']);
        await new Promise((resolve) => setTimeout(resolve, 600));
      }
      const notOurs = server.logs.filter((entry) => entry['level'] === undefined);
      expect(notOurs).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
