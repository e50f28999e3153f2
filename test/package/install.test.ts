// Installable without a registry: `npm pack`, then `npm install` of that
// tarball into a fresh project, offline, and the installed command runs.
// The project's own dependencies come from this checkout's node_modules
// (packed into local tarballs named by a lockfile), so nothing is fetched.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server-process.js';

const run = promisify(execFile);
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  [key: string]: unknown;
}

async function sha512(file: string): Promise<string> {
  return `sha512-${createHash('sha512').update(await readFile(file)).digest('base64')}`;
}

describe('installing from a tarball, without a registry', () => {
  let temp = '';
  let tarball = '';
  let files: string[] = [];

  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'clusterdns-pack-'));
    // dist/ is built by `npm test`; --ignore-scripts skips the prepare script's second build.
    const { stdout } = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', temp], ROOT);
    const packed = (JSON.parse(stdout) as { filename: string; files: { path: string }[] }[])[0]!;
    tarball = packed.filename;
    files = packed.files.map((file) => file.path);

    const project = path.join(temp, 'consumer');
    await mkdir(path.join(project, 'deps'), { recursive: true });
    const lock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    const spec = `file:../${tarball}`;
    const packages: Record<string, LockEntry> = {
      '': { name: 'consumer', version: '1.0.0', dependencies: { clusterdns: spec } },
      'node_modules/clusterdns': {
        version: String(pkg['version']), resolved: spec, integrity: await sha512(path.join(temp, tarball)), hasInstallScript: true,
        license: pkg['license'], dependencies: pkg['dependencies'], bin: pkg['bin'], engines: pkg['engines'],
      },
    };
    // Each runtime dependency, as this checkout has it, in a local tarball.
    let n = 0;
    for (const [where, entry] of Object.entries(lock.packages)) {
      if (where === '' || entry.dev || entry.devOptional) continue;
      const file = `deps/${n++}.tgz`;
      const dir = path.join(ROOT, where);
      await run('tar', ['-czf', path.join(project, file), '--exclude=node_modules', '-C', path.dirname(dir), path.basename(dir)]);
      packages[where] = { ...entry, resolved: `file:${file}`, integrity: await sha512(path.join(project, file)) };
    }
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { clusterdns: spec } }));
    await writeFile(path.join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }));
    // --ignore-scripts: the native module's compile is covered elsewhere (and slow).
    await npm(['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], project);
  }, 180_000);

  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('ships LICENSE and dist/ without source maps, whose sources it does not ship', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('docs/behaviour.md'); // explain and manifest warnings cite its anchors
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  it('installs offline, and `npx clusterdns --version` prints the version', async () => {
    const { stdout } = await run('npx', ['--no-install', 'clusterdns', '--version'], { cwd: path.join(temp, 'consumer'), timeout: 60_000 });
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(stdout.trim()).toBe(pkg.version);
  }, 60_000);

  it('tells a consumer whose native build failed to run `npm rebuild clusterdns`', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['install']).toContain('npm rebuild clusterdns');
    expect(pkg.scripts['install']).not.toContain('npm run build:native');
  });
});
