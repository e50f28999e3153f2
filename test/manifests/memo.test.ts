// Loading the same `-f` paths again (a --watch or SIGHUP reload) decodes only
// the files whose bytes changed, and gives what a fresh load gives.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { fileDecodeCount } from '../../src/manifests/sources/decode-memo.js';
import { loadManifests } from '../../src/manifests/index.js';

const service = (name: string, port = 80): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports:\n  - port: ${port}\n`;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clusterdns-memo-'));
  await writeFile(join(dir, 'a.yaml'), service('a'));
  await writeFile(join(dir, 'b.yaml'), service('b'));
  await writeFile(join(dir, 'c.yaml'), service('c'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Decodes done by one load, and its result. */
async function counted(paths: readonly string[]) {
  const before = fileDecodeCount();
  const result = await loadManifests(paths);
  return { decoded: fileDecodeCount() - before, result };
}

describe('reloading the same paths', () => {
  test('decodes only the changed file, and the result is what a fresh load gives', async () => {
    const files = ['a', 'b', 'c'].map((name) => join(dir, `${name}.yaml`));
    expect((await counted(files)).decoded).toBe(3);
    await writeFile(join(dir, 'b.yaml'), service('b', 8080));
    const reload = await counted(files);
    expect(reload.decoded).toBe(1);
    // Naming a file twice makes another list of paths (a memo of its own, so
    // every file is decoded) that reads the same files under the same names.
    const fresh = await counted([...files, join(dir, 'a.yaml')]);
    expect(fresh.decoded).toBe(3);
    expect(reload.result).toEqual(fresh.result);
    expect(reload.result.objects.map((object) => object.kind === 'Service' && object.ports.map((port) => port.port))).toEqual([[80], [8080], [80]]);
  });

  test('nothing changed: nothing decoded; a broken file keeps its problems on every reload', async () => {
    await writeFile(join(dir, 'c.yaml'), service('c', 0));
    const first = await counted([dir]);
    const again = await counted([dir]);
    expect(again.decoded).toBe(0);
    expect(again.result).toEqual(first.result);
    expect(again.result.ok).toBe(false);
    expect(again.result.problems.map((problem) => problem.field)).toEqual(['spec.ports[0].port']);
  });

  test('only files of the latest load are remembered', async () => {
    await counted([dir]);
    await rm(join(dir, 'b.yaml'));
    expect((await counted([dir])).decoded).toBe(0);
    // b.yaml comes back with the same bytes: it was forgotten, so it is decoded again.
    await writeFile(join(dir, 'b.yaml'), service('b'));
    expect((await counted([dir])).decoded).toBe(1);
  });

  test('a file that stops being UTF-8 is reported on every reload, and read again once fixed', async () => {
    await counted([dir]);
    const bad = Buffer.concat([Buffer.from(service('b')), Buffer.from('# caf\xe9\n', 'latin1')]);
    await writeFile(join(dir, 'b.yaml'), bad);
    const broken = await counted([dir]);
    const again = await counted([dir]);
    for (const load of [broken, again]) {
      expect(load.result.ok).toBe(false);
      expect(load.result.problems.map((problem) => problem.message)).toEqual([expect.stringMatching(/b\.yaml: not valid UTF-8 \(first bad byte on line 8\)/)]);
      expect(load.result.files.map((file) => file.split('/').pop())).toEqual(['a.yaml', 'c.yaml']);
    }
    expect(again.decoded).toBe(0);
    await writeFile(join(dir, 'b.yaml'), service('b', 81));
    const fixed = await counted([dir]);
    expect(fixed.decoded).toBe(1);
    expect(fixed.result.ok).toBe(true);
    expect(fixed.result.objects.map((object) => object.meta.name)).toEqual(['a', 'b', 'c']);
  });
});
