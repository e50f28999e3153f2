// Big texts decoded piece by piece (stream.ts) give what decoding the whole
// text at once gives: the same objects, skipped kinds and problems, with the
// same documents, items and lines. Checked on the real-manifest corpus (when
// present) and on dumps written here, with items split off as small as they come.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadManifests, parseManifestText } from '../../src/manifests/index.js';
import { decodeStream, PieceDecoder } from '../../src/manifests/yaml/stream.js';
import type { TextOutput } from '../../src/manifests/yaml/yaml-text.js';

const CORPUS = resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/real-manifests/corpus');

function whole(text: string, file: string): TextOutput {
  const result = parseManifestText(text, file);
  // parseManifestText drops objects when there are errors; compare what was decoded.
  return { objects: result.ok ? result.objects : [], skipped: result.skipped, problems: result.problems.filter((p) => !p.message.startsWith('duplicate')) };
}

function pieces(text: string, file: string, splitBytes: number): TextOutput {
  const out: TextOutput = { objects: [], skipped: [], problems: [] };
  const decoder = new PieceDecoder(file, out, splitBytes);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) decoder.line(line);
  decoder.end();
  const errors = out.problems.some((p) => p.level === 'error');
  return { objects: errors ? [] : out.objects, skipped: out.skipped, problems: out.problems };
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
}

describe.skipIf(!existsSync(CORPUS))('piece by piece = all at once, on the corpus', () => {
  test('every corpus file, documents split and List items split at once', () => {
    for (const file of walk(CORPUS)) {
      const text = readFileSync(file, 'utf8');
      const expected = whole(text, file);
      for (const splitBytes of [Infinity, 1]) {
        const got = pieces(text, file, splitBytes);
        // A duplicate is found across the load, after decoding: then neither keeps objects.
        const objects = parseManifestText(text, file).ok ? got.objects : [];
        expect({ file, splitBytes, ...got, objects }).toEqual({ file, splitBytes, ...expected });
      }
    }
  }, 60_000);
});

const POD = (name: string, extra = '') =>
  `- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: ${name}\n    namespace: shop\n    labels: {app: web}\n${extra}  spec:\n    containers:\n    - name: c\n  status:\n    phase: Running\n    podIP: 10.244.0.${name.length}\n`;

describe('dumps', () => {
  test('a kubectl List (kind after its items) split item by item: lines, items and problems as all at once', () => {
    const text = `apiVersion: v1\nitems:\n${POD('a')}${POD('bb', '    annotations: {n: 1}\n')}${POD('ccc')}kind: List\nmetadata:\n  resourceVersion: ""\n`;
    const expected = whole(text, 'd.yaml');
    expect(expected.problems.map((p) => `${p.source?.item} ${p.source?.line} ${p.field}`)).toEqual(['1 21 metadata.annotations.n']);
    expect(pieces(text, 'd.yaml', 1)).toEqual(expected);
  });

  test('a typed list whose kind comes after the items still gives the items its kind', () => {
    const items = `- metadata: {name: a, namespace: x}\n  spec: {containers: []}\n- metadata: {name: b, namespace: x}\n`;
    const text = `apiVersion: v1\nitems:\n${items}kind: PodList\n`;
    const out = pieces(text, 'd.yaml', 1);
    expect(out.problems).toEqual([]);
    expect(out.objects.map((o) => `${o.kind} ${o.meta.name} ${o.meta.source.item} ${o.meta.source.line}`)).toEqual(['Pod a 0 3', 'Pod b 1 5']);
  });

  test("kubectl's JSON List split item by item", () => {
    const list = {
      apiVersion: 'v1',
      items: ['a', 'b', 'c'].map((name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'x' }, spec: { clusterIP: 'None' } })),
      kind: 'List',
      metadata: { resourceVersion: '' },
    };
    const text = `${JSON.stringify(list, null, 4)}\n`;
    const out = pieces(text, 'd.json', 1);
    expect(out.problems).toEqual([]);
    expect(out.objects.map((o) => `${o.meta.name} ${o.meta.source.item} ${o.meta.source.line}`)).toEqual(whole(text, 'd.json').objects.map((o) => `${o.meta.name} ${o.meta.source.item} ${o.meta.source.line}`));
    expect(out.objects).toHaveLength(3);
  });

  test('more documents than one parse may hold are decoded one by one (no per-file document cap)', () => {
    const doc = (i: number) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: s${i}\nspec:\n  clusterIP: None\n`;
    const text = Array.from({ length: 10_050 }, (_, i) => doc(i)).join('---\n');
    const result = parseManifestText(text, 'many.yaml');
    expect(result.problems).toEqual([]);
    expect(result.objects).toHaveLength(10_050);
    expect(result.objects[10_049]?.meta.source).toEqual({ file: 'many.yaml', document: 10_050, line: 10_049 * 7 + 1 });
  });

  test('a stream past the byte cap is refused; bytes that are not UTF-8 name their line', async () => {
    const out: TextOutput = { objects: [], skipped: [], problems: [] };
    expect(await decodeStream(Readable.from([Buffer.from('a: 1\n'.repeat(100))]), 's', out, 100)).toEqual({ ok: false, tooLarge: 500 });
    expect(await decodeStream(Readable.from([Buffer.from('a: 1\nb: 2\n'), Buffer.from([0x63, 0x3a, 0xff, 0x0a])]), 's', out, 1000)).toEqual({ ok: false, badUtf8Line: 3 });
  });

  test('loadManifests streams a file over the in-memory size from disk, with --max-manifest-bytes as the cap', async () => {
    expect(existsSync('package.json')).toBe(true);
    const result = await loadManifests(['manifests'], { maxBytes: 10 });
    expect(result.ok).toBe(false);
    expect(result.problems[0]?.message).toMatch(/over the limit of 10 bytes per manifest file \(--max-manifest-bytes\)/);
  });
});

describe('document boundaries piece by piece', () => {
  const svc = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {clusterIP: None, selector: {app: yes}}\n`;
  test.each([
    { name: 'a %YAML 1.1 directive before the first marker', text: `%YAML 1.1\n---\n${svc('a')}` },
    { name: 'comments, then a marker', text: `# head\n---\n${svc('a')}---\n${svc('b')}` },
    { name: 'empty documents between markers', text: `---\n---\n${svc('a')}---\n---\n${svc('b')}` },
    { name: 'an end marker, then a document without a marker', text: `${svc('a')}...\n${svc('b')}` },
    { name: 'content on the marker line', text: `--- ${JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })}\n---\n${svc('b')}` },
  ])('$name', ({ text }) => {
    expect(pieces(text, 'b.yaml', 1)).toEqual(whole(text, 'b.yaml'));
  });
});
