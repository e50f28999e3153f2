// Broken reloads (issue 7 part 6): every way the files can go wrong keeps
// the last good state and says why, naming the path. In process: the
// LiveCluster a `serve --watch` or SIGHUP reload drives, over temp files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, rm, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { validateConfig, type Config } from '../../src/config.js';
import { loadCluster } from '../../src/pipeline/index.js';
import { LiveCluster } from '../../src/live/index.js';
import { silentLogger } from '../../src/log.js';
import { dbManifest } from '../helpers/live.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'clusterdns-hardening-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const GOOD = dbManifest(['10.0.0.1', '10.0.0.2']);

/** A LiveCluster over `paths`, started from whatever they hold now (must load). */
async function live(paths: string[], maxManifestBytes?: number): Promise<LiveCluster> {
  const result = validateConfig({ manifests: paths, upstreams: [], ...(maxManifestBytes === undefined ? {} : { maxManifestBytes }) });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const config: Config = result.config;
  const load = await loadCluster(config, silentLogger());
  if (!load.ok) throw new Error(`initial load failed: ${load.problems.map((p) => p.message).join('; ')}`);
  return new LiveCluster({ config, logger: silentLogger(), reverseFallthrough: false, load: load.load, cluster: load.cluster, swap: () => undefined });
}

function dbAddresses(cluster: LiveCluster): string[] {
  return cluster.current.index.records()
    .filter((r) => r.name === 'db.default.svc.cluster.local' && r.data.type === 'A')
    .map((r) => (r.data as { address: string }).address)
    .sort();
}

/** Reload; expect it refused with a problem matching `why`, and the old answers still served. */
async function expectKept(cluster: LiveCluster, why: RegExp): Promise<void> {
  const result = await cluster.reload('test');
  expect(result.kind).toBe('invalid');
  const problems = result.kind === 'invalid' ? result.problems : [];
  expect(problems.join('\n')).toMatch(why);
  expect(cluster.lastError?.problems).toEqual(problems);
  expect(dbAddresses(cluster)).toEqual(['10.0.0.1', '10.0.0.2']);
}


describe('a failed reload keeps the last good state and explains itself', () => {
  it('partial write: a file cut mid-document', async () => {
    const file = path.join(root, 'db.yaml');
    await writeFile(file, GOOD);
    const cluster = await live([file]);
    await writeFile(file, GOOD.slice(0, GOOD.indexOf('ports')));
    await expectKept(cluster, /db\.yaml/);
  });

  it('a named file deleted, then recreated: kept while missing, picked up when back', async () => {
    const file = path.join(root, 'db.yaml');
    await writeFile(file, GOOD);
    const cluster = await live([file]);
    await unlink(file);
    await expectKept(cluster, /db\.yaml: cannot read: no such file or directory/);
    await writeFile(file, dbManifest(['10.0.0.9']));
    expect((await cluster.reload('test')).kind).toBe('changed');
    expect(dbAddresses(cluster)).toEqual(['10.0.0.9']);
    expect(cluster.lastError).toBeUndefined();
  });

  it('permission denied (file mode 000, reloading as an unprivileged user)', async () => {
    const file = path.join(root, 'db.yaml');
    await writeFile(file, GOOD);
    const cluster = await live([file]);
    await chmod(file, 0o000);
    const asRoot = process.geteuid?.() === 0;
    if (asRoot) process.seteuid!(65534); // root reads anything: drop to nobody for the reload
    try {
      await expectKept(cluster, /permission denied/);
    } finally {
      if (asRoot) process.seteuid!(0);
    }
  });

  it('a directory replaced by a file of garbage', async () => {
    const dir = path.join(root, 'manifests');
    await mkdir(dir);
    await writeFile(path.join(dir, 'db.yaml'), GOOD);
    const cluster = await live([dir]);
    await rm(dir, { recursive: true });
    await writeFile(dir, 'this: [is not: a manifest\n');
    await expectKept(cluster, /manifests.*YAML syntax error/);
  });

  it('a dangling symlink, and a symlink loop', async () => {
    const dir = path.join(root, 'manifests');
    await mkdir(dir);
    await writeFile(path.join(root, 'real.yaml'), GOOD);
    await symlink(path.join(root, 'real.yaml'), path.join(dir, 'db.yaml'));
    const cluster = await live([dir]);
    await unlink(path.join(root, 'real.yaml'));
    await expectKept(cluster, /db\.yaml: cannot read: no such file or directory/);
    await unlink(path.join(dir, 'db.yaml'));
    await symlink(path.join(dir, 'b.yaml'), path.join(dir, 'a.yaml'));
    await symlink(path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml'));
    await expectKept(cluster, /too many levels of symbolic links/);
  });

  it('invalid UTF-8 (a Latin-1 byte in a name)', async () => {
    const file = path.join(root, 'db.yaml');
    await writeFile(file, GOOD);
    const cluster = await live([file]);
    await writeFile(file, Buffer.concat([Buffer.from(GOOD.replace('name: db', 'name: d')), Buffer.from([0xe9]), Buffer.from('\n')]));
    await expectKept(cluster, /db\.yaml: not valid UTF-8 \(first bad byte on line \d+\)/);
  });

  it('a 100 MB file over --max-manifest-bytes is refused without being read', async () => {
    const file = path.join(root, 'db.yaml');
    await writeFile(file, GOOD);
    const cluster = await live([file], 64 * 1024 * 1024);
    await truncate(file, 100 * 1024 * 1024); // sparse: no 100 MB written to disk
    await expectKept(cluster, /db\.yaml: file is 100(\.0)? MiB, over the limit of \d+(\.\d)? MiB per manifest file/);
  });
});
