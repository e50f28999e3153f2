// The loader's entry points: paths, stdin, in-memory text, JS values,
// combining loads, and the abuse guards.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  combineLoads,
  decodeManifestValues,
  loadManifests,
  MAX_DOCUMENTS,
  MAX_NESTING,
  MAX_TEXT_BYTES,
  parseManifestText,
} from '../../src/manifests/index.js';
import { errors, INVALID, keys, messages, VALID } from './helpers.js';

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  ports:\n  - port: 80\n';

describe('stdin', () => {
  test('`-` reads a stream given in the options', async () => {
    const result = await loadManifests(['-'], { stdin: Readable.from([Buffer.from(SERVICE)]) });
    expect(result.ok).toBe(true);
    expect(result.files).toEqual(['<stdin>']);
    expect(result.objects[0]?.meta.source).toEqual({ file: '<stdin>', document: 1, line: 1 });
  });

  test('`-` reads a function given in the options; named twice it is read once', async () => {
    let calls = 0;
    const stdin = async (): Promise<string> => {
      calls += 1;
      return SERVICE;
    };
    const result = await loadManifests(['-', '-'], { stdin });
    expect(calls).toBe(1);
    expect(keys(result)).toEqual(['Service/prod/web']);
  });

  test('problems in stdin name <stdin>', async () => {
    const result = await loadManifests(['-'], { stdin: async () => 'kind: [\n' });
    expect(errors(result)[0]).toMatch(/^error: <stdin>, document 1 \(line \d+\): YAML syntax error at column \d+: /);
  });
});

describe('paths', () => {
  test('a missing path is an error naming it; other paths are still read', async () => {
    const result = await loadManifests(['does/not/exist.yaml', `${VALID}/service.json`]);
    expect(result.ok).toBe(false);
    expect(result.objects).toEqual([]);
    expect(result.files).toEqual([`${VALID}/service.json`]);
    expect(errors(result)).toEqual(['error: does/not/exist.yaml: cannot read: no such file or directory']);
  });

  test('a file named twice (directly and through its directory) is read once', async () => {
    const result = await loadManifests([`${VALID}/nested/b-endpoints.yml`, `${VALID}/nested`]);
    expect(result.ok).toBe(true);
    expect(result.files).toEqual([`${VALID}/nested/b-endpoints.yml`, `${VALID}/nested/deeper/a-replicaset.yaml`]);
  });

  describe('temporary directories', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'clusterdns-loader-'));
      await mkdir(join(dir, 'empty'));
      await mkdir(join(dir, 'b'));
      await writeFile(join(dir, 'b', 'z.yaml'), SERVICE.replace('name: web', 'name: z'));
      await writeFile(join(dir, 'a.YML'), SERVICE.replace('name: web', 'name: a'));
      await writeFile(join(dir, 'c.yaml'), SERVICE.replace('name: web', 'name: c'));
      await writeFile(join(dir, 'explicit.txt'), SERVICE.replace('name: web', 'name: x'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test('directory traversal is sorted, recursive, and case-insensitive about extensions', async () => {
      const result = await loadManifests([dir]);
      expect(result.files).toEqual([join(dir, 'a.YML'), join(dir, 'b', 'z.yaml'), join(dir, 'c.yaml')]);
      expect(keys(result)).toEqual(['Service/prod/a', 'Service/prod/z', 'Service/prod/c']);
    });

    test('a file named explicitly is read whatever its extension', async () => {
      const result = await loadManifests([join(dir, 'explicit.txt')]);
      expect(keys(result)).toEqual(['Service/prod/x']);
    });

    test('an empty directory is a warning, not an error', async () => {
      const result = await loadManifests([join(dir, 'empty')]);
      expect(result.ok).toBe(true);
      expect(messages(result)).toEqual([`warning: ${join(dir, 'empty')}: directory contains no .yaml, .yml or .json files`]);
    });

    test('a directory named twice is read once, without a warning the second time', async () => {
      const once = await loadManifests([dir]);
      const twice = await loadManifests([dir, dir]);
      expect(keys(twice)).toEqual(keys(once));
      expect(messages(twice)).toEqual(messages(once));
    });
  });
});

describe('parseManifestText and combineLoads', () => {
  test('in-memory text names the file it is given', () => {
    const result = parseManifestText(SERVICE, '<api>');
    expect(result.files).toEqual(['<api>']);
    expect(result.objects[0]?.meta.source).toEqual({ file: '<api>', document: 1, line: 1 });
  });

  test('combineLoads reports duplicates across loads, naming both places', async () => {
    const fromFiles = await loadManifests([`${INVALID}/duplicate/a.yaml`]);
    const fromApi = parseManifestText(SERVICE, '<api>');
    const combined = combineLoads([fromFiles, fromApi]);
    expect(combined.ok).toBe(false);
    expect(combined.objects).toEqual([]);
    expect(combined.files).toEqual([`${INVALID}/duplicate/a.yaml`, '<api>']);
    expect(errors(combined)).toEqual([
      `error: <api>, document 1 (line 1): metadata.name: duplicate Service "prod/web": also defined at ${INVALID}/duplicate/a.yaml, document 1 (line 1)`,
    ]);
  });

  test('combineLoads of clean loads keeps every object', () => {
    const combined = combineLoads([parseManifestText(SERVICE, 'a'), parseManifestText(SERVICE.replace('namespace: prod', 'namespace: dev'), 'b')]);
    expect(combined.ok).toBe(true);
    expect(keys(combined)).toEqual(['Service/prod/web', 'Service/dev/web']);
  });
});

describe('decodeManifestValues', () => {
  class ClientMeta {
    constructor(
      readonly name: string,
      readonly deletionTimestamp: Date,
    ) {}
  }

  test('plain objects, class instances and Dates decode; null values are skipped', () => {
    const result = decodeManifestValues(
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
        null,
        { apiVersion: 'v1', kind: 'Pod', metadata: new ClientMeta('p', new Date('2024-01-02T03:04:05Z')) },
      ],
      '<node-api>',
    );
    expect(result.ok).toBe(true);
    expect(keys(result)).toEqual(['Namespace/team/team', 'Pod/default/p']);
    expect(result.objects[1]?.meta).toMatchObject({ deletionTimestamp: '2024-01-02T03:04:05.000Z', source: { file: '<node-api>', document: 3 } });
  });

  test('problems name the document (index + 1) and field, without a line', () => {
    const cyclic: Record<string, unknown> = { apiVersion: 'v1', kind: 'Service' };
    cyclic.self = cyclic;
    const result = decodeManifestValues([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 'http' }] } }, 'text', cyclic], 'api');
    expect(errors(result)).toEqual([
      'error: api, document 1: spec.ports[0].port: expected an integer 1-65535, got "http"',
      'error: api, document 2: expected a mapping (a Kubernetes object with apiVersion, kind and metadata), got "text"',
      expect.stringMatching(/^error: api, document 3: cannot read this value as a Kubernetes object: Converting circular structure to JSON/),
    ]);
  });
});

describe('abuse guards', () => {
  test('deep flow nesting is refused before the parser recurses', () => {
    const depth = 100_000;
    const text = `${SERVICE}---\na: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const result = parseManifestText(text, 'deep.yaml');
    expect(errors(result)).toEqual([
      `error: deep.yaml, document 2 (line 10): nested more than ${MAX_NESTING} levels deep; refusing to parse this file (no Kubernetes object is nested that deeply)`,
    ]);
  });

  test('deep block nesting (compact sequences) is refused too', () => {
    const result = parseManifestText(`- ${'- '.repeat(50_000)}x\n`, 'seq.yaml');
    expect(errors(result)).toEqual([
      `error: seq.yaml, document 1 (line 1): nested more than ${MAX_NESTING} levels deep; refusing to parse this file (no Kubernetes object is nested that deeply)`,
    ]);
  });

  test('brackets inside strings and block scalars do not count as nesting', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "${'['.repeat(500)}"\n  b: |\n    ${'{'.repeat(500)}\n`;
    const result = parseManifestText(text, 'ok.yaml');
    expect(result.ok).toBe(true);
    expect(result.skipped).toHaveLength(1);
  });

  test('text over the size limit is refused with the limit in the message', () => {
    const result = parseManifestText(`# ${'x'.repeat(MAX_TEXT_BYTES)}\n`, 'huge.yaml');
    expect(errors(result)).toEqual(['error: huge.yaml: 16.0 MiB (16777219 bytes) is over the limit of 16 MiB per manifest file; split it']);
  });

  test('more documents than one parse holds are decoded one by one: a million empty ones cost no parse each', () => {
    const result = parseManifestText(`${'---\n'.repeat(MAX_DOCUMENTS * 100)}apiVersion: v1\nkind: Namespace\nmetadata: {name: last}\n`, 'many.yaml');
    expect(errors(result)).toEqual([]);
    expect(result.objects.map((o) => o.meta.source)).toEqual([{ file: 'many.yaml', document: MAX_DOCUMENTS * 100, line: MAX_DOCUMENTS * 100 + 1 }]);
  });

  test('a key given twice in a mapping is an error at its line (checked in one pass, not pairwise)', () => {
    const many = Array.from({ length: 50_000 }, (_, i) => `  k${i}: v`).join('\n');
    const result = parseManifestText(`${SERVICE}  labels:\n${many}\n  k7: again\n`, 'dup.yaml');
    expect(errors(result)).toEqual([`error: dup.yaml, document 1 (line ${10 + 50_000}): spec.k7: YAML syntax error at column 3: Map keys must be unique (the API server refuses a field given twice)`]);
  });

  test('merge keys (<<) may repeat', () => {
    const text = `${SERVICE}---\nbase: &b {a: 1}\nmore: &m {c: 1}\nx:\n  <<: *b\n  <<: *m\n`;
    expect(errors(parseManifestText(text, 'merge.yaml')).filter((e) => e.includes('unique'))).toEqual([]);
  });
});
