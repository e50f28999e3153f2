// The js-yaml fast path gives exactly what the `yaml` path gives: the same
// objects, skipped kinds, sources (document numbers, lines) and problems.
// Every reason to fall back is shown to end in the `yaml` path's message.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LineCounter, parseAllDocuments } from 'yaml';
import { formatProblem } from '../../src/cluster/model/problems.js';
import { MAX_DOCUMENTS, MAX_NESTING } from '../../src/manifests/index.js';
import { decodeFast, parseFast } from '../../src/manifests/yaml/fast-yaml.js';
import { decodeSplitText, decodeText } from '../../src/manifests/yaml/stream.js';
import { decodeYamlText as yamlPath, TOO_MANY_DOCUMENTS, type TextOutput } from '../../src/manifests/yaml/yaml-text.js';
import { damagedManifestText, manifestText, yamlishText } from './yaml-layouts.js';

/** The `yaml` path alone, and one document at a time where one parse cannot hold them all (as the loader does). */
function decodeYamlText(text: string, file: string, out: TextOutput): void {
  if (yamlPath(text, file, out) === TOO_MANY_DOCUMENTS) decodeSplitText(text, file, out);
}

function decodeWith(decode: typeof decodeText, text: string, file: string): TextOutput {
  const out: TextOutput = { objects: [], skipped: [], problems: [] };
  decode(text, file, out);
  return out;
}

/** What the loader gives (fast path when it applies) next to what the `yaml` path alone gives. */
function bothPaths(text: string, file = 'm.yaml'): { loader: TextOutput; slow: TextOutput } {
  return { loader: decodeWith(decodeText, text, file), slow: decodeWith(decodeYamlText, text, file) };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return ['.yaml', '.yml', '.json'].includes(extname(name)) ? [path] : [];
  });
}

const FILES = ['manifests', 'examples', 'test'].flatMap(yamlFiles);

describe('every manifest in the repository: the loader gives what the yaml path gives', () => {
  test.each(FILES)('%s', (file) => {
    const { loader, slow } = bothPaths(readFileSync(file, 'utf8'), file);
    expect(loader).toEqual(slow);
  });

  test('the examples (manifests/, examples/) that load without a problem take the fast path', () => {
    const examples = ['manifests', 'examples'].flatMap(yamlFiles);
    const clean = examples.filter((file) => bothPaths(readFileSync(file, 'utf8'), file).slow.problems.length === 0);
    expect(clean.length).toBeGreaterThan(5);
    const fast = clean.filter((file) => decodeFast(readFileSync(file, 'utf8'), file) !== undefined);
    expect(clean.filter((file) => !fast.includes(file))).toEqual([]);
  });
});

describe('generated manifests in varied layouts', () => {
  test('fast == slow, for every layout', () => {
    let fast = 0;
    fc.assert(
      fc.property(manifestText, (text) => {
        if (decodeFast(text, 'gen.yaml') !== undefined) fast += 1;
        const { loader, slow } = bothPaths(text, 'gen.yaml');
        expect(loader).toEqual(slow);
      }),
      { numRuns: 300, seed: 6 },
    );
    // Not vacuous: a good share of the files are clean and take the fast path
    // (the others have a problem on purpose, and must give the yaml path's).
    expect(fast).toBeGreaterThan(40);
  });

  test('fast == slow for damaged text too (js-yaml must not accept what yaml refuses)', () => {
    fc.assert(
      fc.property(damagedManifestText, (text) => {
        const { loader, slow } = bothPaths(text, 'gen.yaml');
        expect(loader).toEqual(slow);
      }),
      { numRuns: 200, seed: 8 },
    );
  });

  test('whatever the fast path parses, yaml parses the same, without an error or warning', () => {
    fc.assert(
      fc.property(yamlishText, (text) => {
        const fast = parseFast(text);
        // Roots that are not mappings always give a decode problem, so the yaml path.
        if (fast === undefined || fast.some(({ value }) => value !== null && (typeof value !== 'object' || Array.isArray(value)))) return;
        const lineCounter = new LineCounter();
        const documents = parseAllDocuments(text, { lineCounter, merge: true, uniqueKeys: false, logLevel: 'error' });
        expect(documents.map((document) => [...document.errors, ...document.warnings].length)).toEqual(documents.map(() => 0));
        expect(fast.map(({ value }) => value ?? null)).toEqual(documents.map((document) => document.toJS() ?? null));
        fast.forEach(({ value, line }, index) => {
          const document = documents[index];
          if (value !== null && document) expect(line).toBe(lineCounter.linePos(document.contents?.range?.[0] ?? 0).line);
        });
      }),
      { numRuns: 1500, seed: 9 },
    );
  });

  test('document numbers and lines of plain text match the yaml path', () => {
    fc.assert(
      fc.property(manifestText, (text) => {
        const fastDocuments = parseFast(text);
        if (fastDocuments === undefined) return;
        const slow = decodeWith(decodeYamlText, text, 'gen.yaml');
        const sources = slow.objects.map((object) => object.meta.source).concat(slow.skipped.map((skipped) => skipped.source));
        for (const source of sources) {
          const document = fastDocuments[source.document - 1];
          expect(source.item === undefined ? document?.line : document?.itemLines[source.item]).toBe(source.line);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n';

interface FallbackRow {
  readonly name: string;
  readonly text: string;
  /** A line the user sees, from the yaml path (or `ok` when the text loads). */
  readonly expected: string;
}

const nested = (depth: number): string => `${SERVICE}  extra: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
const indented = (depth: number): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n${Array.from({ length: depth }, (_, level) => `${' '.repeat(2 * level + 2)}k${level}:`).join('\n')} x\n`;

const FALLBACKS: readonly FallbackRow[] = [
  { name: 'anchor and alias', text: `${SERVICE.replace('web', '&n web')}  selector: {app: *n}\n`, expected: 'ok' },
  { name: 'merge key', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  <<: {ports: [{port: "x"}]}\n', expected: 'm.yaml, document 1 (line 4): spec.ports[0].port: expected an integer 1-65535, got "x"' },
  { name: 'duplicate key', text: `${SERVICE}kind: Pod\n`, expected: 'm.yaml, document 1 (line 8): kind: YAML syntax error at column 1: Map keys must be unique (the API server refuses a field given twice)' },
  { name: 'syntax error', text: 'apiVersion: v1\nkind: Service\nmetadata: name: web\n', expected: 'm.yaml, document 1 (line 3): YAML syntax error at column 11: Nested mappings are not allowed in compact mappings' },
  { name: 'nesting over the limit', text: nested(MAX_NESTING + 10), expected: `m.yaml, document 1 (line 8): nested more than ${MAX_NESTING} levels deep; refusing to parse this file (no Kubernetes object is nested that deeply)` },
  { name: 'nesting under the limit, over the fast path\'s', text: nested(MAX_NESTING - 10), expected: 'ok' },
  { name: 'block nesting under the limit, over the fast path\'s', text: indented(MAX_NESTING - 30), expected: 'ok' },
  { name: 'more documents than one parse holds (decoded one by one)', text: '---\n'.repeat(MAX_DOCUMENTS + 1), expected: 'ok' },
  { name: 'tag', text: SERVICE.replace('port: 80', 'port: !!str 80'), expected: 'm.yaml, document 1 (line 7): spec.ports[0].port: expected an integer 1-65535, got "80"' },
  { name: '%YAML 1.1 directive (yes is a boolean there)', text: `%YAML 1.1\n---\n${SERVICE}  selector: {app: yes}\n`, expected: 'm.yaml, document 1 (line 10): spec.selector.app: expected a string, got true (quote it: app: "true")' },
  { name: 'a lone CR (a line break to js-yaml, not to yaml)', text: SERVICE.replace('kind: Service', 'kind:\r Service'), expected: 'ok' },
  { name: 'an indented `---` (a string to yaml, a marker to js-yaml)', text: `  ---\n---\n${SERVICE}`, expected: 'm.yaml, document 1 (line 1): expected a mapping (a Kubernetes object with apiVersion, kind and metadata), got "---"' },
  { name: 'a quoted string run into text (js-yaml reads on, yaml refuses)', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n- "a\\nb"c:\n', expected: 'm.yaml, document 1 (line 6): YAML syntax error' },
  { name: 'tab in indentation', text: SERVICE.replace('  name: web', '\tname: web'), expected: 'm.yaml, document 1 (line 4): YAML syntax error' },
  { name: 'block scalar with an indentation indicator', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    a: |1\n      x\n     \n', expected: 'ok' },
  { name: 'null key', text: `${SERVICE}~: x\n`, expected: 'ok' },
  { name: 'a lone `...` is an empty document', text: `...\n---\n${SERVICE}`, expected: 'ok' },
  { name: 'implicit key over 1024 characters', text: `${SERVICE}${'k'.repeat(1100)}: 1\n`, expected: 'YAML syntax error' },
  { name: 'a field problem (its line comes from the node tree)', text: SERVICE.replace('80', 'http'), expected: 'm.yaml, document 1 (line 7): spec.ports[0].port: expected an integer 1-65535, got "http"' },
];

describe('every reason to leave the fast path ends in what the yaml path says', () => {
  test.each(FALLBACKS)('$name', ({ text, expected }) => {
    expect(decodeFast(text, 'm.yaml')).toBeUndefined();
    const { loader, slow } = bothPaths(text);
    expect(loader).toEqual(slow);
    const lines = loader.problems.map(formatProblem);
    if (expected === 'ok') expect(lines).toEqual([]);
    else expect(lines.some((line) => line.includes(expected))).toBe(true);
  });

  test('plain text with the same values takes the fast path', () => {
    const fast = decodeFast(`---\n# comment\n${SERVICE}...\n--- # next\n${SERVICE.replace('web', 'db')}`, 'm.yaml');
    expect(fast?.objects.map((object) => [object.meta.name, object.meta.source])).toEqual([
      ['web', { file: 'm.yaml', document: 1, line: 3 }],
      ['db', { file: 'm.yaml', document: 2, line: 12 }],
    ]);
  });
});
