// fast-check generators of manifest text: real manifests mutated line by
// line, YAML special tokens spliced in, and the classic abuses (alias bombs,
// deep nesting, many documents, huge mappings and scalars), plus random text.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ROOT } from '../helpers/server-process.js';

/** Real manifests to mutate: the examples and the loader's fixtures. */
export function seedTexts(): string[] {
  const dirs = ['manifests', 'test/fixtures/manifests/valid', 'test/fixtures/manifests/invalid', 'test/fixtures/e2e'];
  return dirs.flatMap((dir) =>
    readdirSync(join(ROOT, dir), { withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(ya?ml|json)$/.test(entry.name))
      .map((entry) => readFileSync(join(ROOT, dir, entry.name), 'utf8')),
  );
}

const TOKENS = [
  '&a ', '*a', '<<: *a', '[', ']', '{', '}', '- ', '? ', ': ', '!!binary ', '!!js/function ', '!!set', '!custom', '\t', '---', '...',
  '%YAML 1.1', '%TAG ! tag:x,2000:', "'", '"', '|', '>-', '#', '\\', '\u0000', '\uFEFF', '\uD800', 'null', '~', '0x1F', '1e999', '.nan',
  'apiVersion: v1', 'kind: Service', 'kind: List', 'items:', 'metadata:', 'ports:', 'port: 65536', 'clusterIP: None', 'selector: {a: b}',
];

type Edit = (lines: string[]) => string[];
const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const pick = (lines: readonly string[], f: number) => Math.floor(f * lines.length);

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(fraction, fc.integer({ min: 1, max: 5 })).map(([f, n]) => (l: string[]) => { const i = pick(l, f); return [...l.slice(0, i), ...l.slice(i + n)]; }),
  fc.tuple(fraction, fc.integer({ min: 1, max: 8 })).map(([f, n]) => (l: string[]) => { const i = pick(l, f); return [...l.slice(0, i + n), ...l.slice(i, i + n), ...l.slice(i + n)]; }),
  fc.tuple(fraction, fraction, fc.constantFrom(...TOKENS)).map(([f, g, token]) => (l: string[]) => {
    const i = pick(l, f);
    const line = l[i] ?? '';
    const at = Math.floor(g * (line.length + 1));
    return [...l.slice(0, i), line.slice(0, at) + token + line.slice(at), ...l.slice(i + 1)];
  }),
  fc.tuple(fraction, fc.integer({ min: -4, max: 4 })).map(([f, shift]) => (l: string[]) => {
    const i = pick(l, f);
    const line = l[i] ?? '';
    return [...l.slice(0, i), shift >= 0 ? ' '.repeat(shift) + line : line.replace(new RegExp(`^ {0,${-shift}}`), ''), ...l.slice(i + 1)];
  }),
  fc.tuple(fraction, fraction).map(([f, g]) => (l: string[]) => { const out = [...l]; const i = pick(l, f); const j = pick(l, g); [out[i], out[j]] = [l[j] ?? '', l[i] ?? '']; return out; }),
  fc.tuple(fraction, fc.string({ maxLength: 30 })).map(([f, text]) => (l: string[]) => { const i = pick(l, f); return [...l.slice(0, i), text, ...l.slice(i)]; }),
);

export function mutatedManifest(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([text, edits]) => edits.reduce((lines, e) => e(lines), text.split('\n')).join('\n'));
}

/** Scale bounds the abuses (short suite small, long run larger). */
export function abusiveManifest(scale: number): fc.Arbitrary<string> {
  return fc.oneof(
    // alias bomb: each level refers to the previous one `width` times
    fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 10 })).map(([levels, width]) =>
      Array.from({ length: levels }, (_, i) => (i === 0 ? 'a0: &a0 [x, x]' : `a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(', ')}]`)).join('\n') + '\n'),
    // deep flow / block / compact nesting
    fc.integer({ min: 1, max: 400 * scale }).map((d) => `a: ${'['.repeat(d)}x${']'.repeat(d)}\n`),
    fc.integer({ min: 1, max: 400 * scale }).map((d) => `a: ${'{b: '.repeat(d)}x${'}'.repeat(d)}\n`),
    fc.integer({ min: 1, max: 300 * scale }).map((d) => Array.from({ length: d }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n'),
    fc.integer({ min: 1, max: 400 * scale }).map((d) => `${'- '.repeat(d)}x\n`),
    // many documents, many keys, long scalars
    fc.integer({ min: 1, max: 3_000 * scale }).map((n) => '---\nkind: Service\n'.repeat(n)),
    fc.integer({ min: 1, max: 1_000 * scale }).map((n) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n${Array.from({ length: n }, (_, i) => `  k${i}: v`).join('\n')}\n`),
    fc.integer({ min: 1, max: 100_000 * scale }).map((n) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${'s'.repeat(n)}\n`),
  );
}

export function anyManifest(seeds: readonly string[], scale: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: mutatedManifest(seeds) },
    { weight: 2, arbitrary: abusiveManifest(scale) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 2000 }) },
  );
}
