// Where a Corefile comes from: the file itself, or the YAML (or JSON) of
// kube-system's `coredns` ConfigMap (`kubectl -n kube-system get cm coredns
// -o yaml`), whose `Corefile` key holds it and whose other keys (k3s's
// `NodeHosts`) are files the Corefile's hosts plugin may name.

import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { isMap, isScalar, parseDocument, Scalar, type Document } from 'yaml';
import { parseCorefile, type Environment } from './parse.js';
import { interpretCorefile, type CorefileSettings } from './settings.js';

export type CorefileLoad = { ok: true; settings: CorefileSettings } | { ok: false; problems: string[] };

/** Largest file read: a Corefile, even inside a ConfigMap with NodeHosts, is a few KiB. */
const MAX_BYTES = 4 * 1024 * 1024;

interface CorefileText {
  readonly text: string;
  /** `file:line` of a Corefile line. */
  readonly where: (line: number) => string;
  /** The ConfigMap's other string keys. */
  readonly data: ReadonlyMap<string, string>;
}

/** Read and interpret `file`; every problem names the file and line. */
export async function loadCorefile(file: string, env: Environment = process.env): Promise<CorefileLoad> {
  let raw: string;
  try {
    const buffer = await readFile(file);
    if (buffer.length > MAX_BYTES) return { ok: false, problems: [`${file}: larger than ${MAX_BYTES} bytes; not a Corefile`] };
    raw = buffer.toString('utf8');
  } catch (error) {
    return { ok: false, problems: [`cannot read --corefile ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`] };
  }
  return interpretText(file, raw, env);
}

/** Interpret the text of a Corefile or ConfigMap read from `file` (named in messages; its directory anchors relative hosts files). */
export function interpretText(file: string, raw: string, env: Environment = {}): CorefileLoad {
  const source = corefileText(file, raw);
  if ('problem' in source) return { ok: false, problems: [source.problem] };
  const parsed = parseCorefile(source.text, env);
  if (!parsed.ok) return { ok: false, problems: [`${source.where(parsed.error.line)}: ${parsed.error.message}`] };
  const hostsFile = (path: string): string | undefined => {
    const key = source.data.get(basename(path));
    if (key !== undefined) return key;
    const full = resolve(dirname(file), path);
    try {
      return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
  const result = interpretCorefile(parsed.blocks, parsed.topLevel, { where: source.where, hostsFile });
  return result.ok ? { ok: true, settings: result.settings } : result;
}

/** The Corefile text itself, or the `Corefile` key of a ConfigMap document. */
function corefileText(file: string, raw: string): CorefileText | { problem: string } {
  const plain: CorefileText = { text: raw, where: (line) => `${file}:${line}`, data: new Map() };
  if (!looksLikeConfigMap(raw)) return plain;
  let document: Document;
  try {
    document = parseDocument(raw, { uniqueKeys: false });
  } catch {
    return plain;
  }
  if (document.errors.length > 0 || !isMap(document.contents)) return plain;
  const root = document.contents;
  if (root.get('kind') !== 'ConfigMap') return plain;
  const data = root.get('data', true);
  if (!isMap(data)) return { problem: `${file}: a ConfigMap without data; expected the coredns ConfigMap with a Corefile key` };
  const strings = new Map<string, string>();
  for (const pair of data.items) {
    if (isScalar(pair.key) && isScalar(pair.value) && typeof pair.value.value === 'string') strings.set(String(pair.key.value), pair.value.value);
  }
  const node = data.get('Corefile', true);
  const text = strings.get('Corefile');
  if (text === undefined || !isScalar(node)) return { problem: `${file}: ConfigMap ${String(root.getIn(['metadata', 'name']) ?? '')} has no data.Corefile key` };
  strings.delete('Corefile');
  return { text, where: whereInConfigMap(file, raw, node), data: strings };
}

/** A block scalar's lines sit one per file line after its header; other styles name the key's line instead. */
function whereInConfigMap(file: string, raw: string, node: Scalar): (line: number) => string {
  const start = node.range?.[0] ?? 0;
  const headerLine = raw.slice(0, start).split('\n').length;
  const block = node.type === Scalar.BLOCK_LITERAL;
  return block ? (line) => `${file}:${headerLine + line}` : (line) => `${file}:${headerLine} (data.Corefile line ${line})`;
}

function looksLikeConfigMap(raw: string): boolean {
  return /(^|\n)\s*"?kind"?\s*:\s*"?ConfigMap"?/.test(raw);
}
