// Manifest text -> documents -> decoded objects. Plain text that decodes
// cleanly takes the js-yaml fast path (fast-yaml.ts); the rest is parsed here
// by the `yaml` library, which keeps each document's node tree so field
// problems can point at the line of the field (node ranges + LineCounter).

import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments, type YAMLError } from 'yaml';
import type { Problem, SourceRef } from '../../cluster/index.js';
import { decodeDocument, type DecodeOutput, formatPath, type ListItemOf, type PathSegment } from '../decode/index.js';
import { decodeFast } from './fast-yaml.js';
import { MAX_ALIAS_COUNT, MAX_DOCUMENTS, MAX_NESTING, MAX_TEXT_BYTES } from './limits.js';
import { findTooDeep } from './nesting.js';

export interface TextOutput extends DecodeOutput {
  readonly problems: Problem[];
}

/**
 * A text with more documents than one parse holds (MAX_DOCUMENTS). Nothing of
 * it is decoded: the caller decodes it one document at a time (stream.ts), so
 * no node tree outlives its document.
 */
export const TOO_MANY_DOCUMENTS = 'too many documents';

/**
 * Parses one file's text at once and decodes every document into `out`,
 * reporting all problems. Plain text that decodes cleanly takes the js-yaml
 * fast path (fast-yaml.ts); everything else, and every text with a problem,
 * the `yaml` path below. Both give the same objects, sources and problems.
 */
export function decodeAtOnce(text: string, file: string, out: TextOutput, asItem?: ListItemOf): typeof TOO_MANY_DOCUMENTS | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_TEXT_BYTES) {
    out.problems.push({ level: 'error', message: `${file}: ${formatMiB(bytes)} (${bytes} bytes) is over the limit of ${formatMiB(MAX_TEXT_BYTES)} per manifest file; split it` });
    return undefined;
  }
  const fast = decodeFast(text, file, asItem);
  if (fast === undefined) return decodeYamlText(text, file, out, asItem);
  // A loop, not push(...): spreading thousands of items can overflow the stack.
  for (const object of fast.objects) out.objects.push(object);
  for (const skipped of fast.skipped) out.skipped.push(skipped);
  return undefined;
}

/** The `yaml` path: node trees with ranges, so every problem names its line. Exported for tests comparing the paths. */
export function decodeYamlText(text: string, file: string, out: TextOutput, asItem?: ListItemOf): typeof TOO_MANY_DOCUMENTS | undefined {
  const deep = findTooDeep(text, MAX_NESTING, MAX_DOCUMENTS);
  if (deep?.limit === 'documents' && asItem === undefined) return TOO_MANY_DOCUMENTS;
  if (deep) {
    const source = { file, document: deep.document, line: deep.line };
    const message =
      deep.limit === 'documents'
        ? `more than ${MAX_DOCUMENTS} YAML documents in one file; refusing to parse this file (split it across files)`
        : `nested more than ${MAX_NESTING} levels deep; refusing to parse this file (no Kubernetes object is nested that deeply)`;
    out.problems.push({ level: 'error', source, message });
    return undefined;
  }
  const lineCounter = new LineCounter();
  // uniqueKeys off: the library compares every key with every other (a
  // 40,000-key mapping took 52 s); duplicateKeys() does it in one pass.
  // logLevel 'error': the library's own warnings (collection keys) would go
  // to process.emitWarning on stderr; ours are Problems.
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: true, merge: true, uniqueKeys: false, logLevel: 'error' });
  documents.forEach((doc, index) => {
    const source: SourceRef = { file, document: index + 1, line: lineOf(lineCounter, doc.contents?.range?.[0] ?? doc.range[0]) };
    try {
      decodeParsed(doc, source, lineCounter, out, asItem);
    } catch (error) {
      out.problems.push(internalError(source, error));
    }
  });
  return undefined;
}

function decodeParsed(doc: Document.Parsed, source: SourceRef, lineCounter: LineCounter, out: TextOutput, asItem: ListItemOf | undefined): void {
  for (const warning of doc.warnings) out.problems.push(yamlProblem('warning', source, warning));
  if (doc.errors.length > 0) {
    for (const error of doc.errors) out.problems.push(yamlProblem('error', source, error));
    return;
  }
  const duplicates = duplicateKeys(doc, lineCounter, source);
  if (duplicates.length > 0) {
    out.problems.push(...duplicates);
    return;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const why = /alias/i.test(message)
      ? `more than ${MAX_ALIAS_COUNT} alias expansions; refusing this document (protection against YAML alias bombs)`
      : `cannot build this document: ${message}`;
    out.problems.push({ level: 'error', source, message: why });
    return;
  }
  // Empty documents (`---` with nothing after it, comment-only helm/kustomize
  // sections) are skipped silently.
  if (value === null || value === undefined) return;
  const locate = (path: readonly PathSegment[]): number | undefined => locateLine(doc, lineCounter, path);
  decodeDocument(value, { source, problems: out.problems, locate, prefix: [] }, out, asItem);
}

/** Mapping keys given twice (the check the library's uniqueKeys makes), in one pass per mapping; each names the repeated field. */
function duplicateKeys(doc: Document.Parsed, lineCounter: LineCounter, source: SourceRef): Problem[] {
  const problems: Problem[] = [];
  const pending: { node: unknown; path: PathSegment[] }[] = [{ node: doc.contents, path: [] }];
  while (pending.length > 0) {
    const { node, path } = pending.pop() as { node: unknown; path: PathSegment[] };
    if (isSeq(node)) node.items.forEach((item, index) => pending.push({ node: item, path: [...path, index] }));
    if (!isMap(node)) continue;
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) && typeof pair.key.value !== 'symbol' ? String(pair.key.value) : undefined;
      pending.push({ node: pair.value, path: key === undefined ? path : [...path, key] });
      // Merge keys (<<) may repeat.
      if (key === undefined || !isScalar(pair.key)) continue;
      if (seen.has(key)) {
        const position = pair.key.range ? lineCounter.linePos(pair.key.range[0]) : undefined;
        const where = position ? ` at column ${position.col}` : '';
        problems.push({
          level: 'error',
          source: position ? { ...source, line: position.line } : source,
          field: formatPath([...path, key]),
          message: `YAML syntax error${where}: Map keys must be unique (the API server refuses a field given twice)`,
        });
      }
      seen.add(key);
    }
  }
  return problems;
}

/** `YAML syntax error at column 9: Nested mappings are not allowed in compact mappings`, on the error's line. */
function yamlProblem(level: 'error' | 'warning', source: SourceRef, error: YAMLError): Problem {
  const position = error.linePos?.[0];
  const text = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const where = position ? ` at column ${position.col}` : '';
  const kind = level === 'error' ? 'YAML syntax error' : 'YAML warning';
  return { level, source: position ? { ...source, line: position.line } : source, message: `${kind}${where}: ${text}` };
}

/**
 * The line of a field: the line of its key in a mapping, of the item in a
 * list. A path that leaves the node tree (a missing field, a merged key)
 * gives the line of the deepest node that exists.
 */
function locateLine(doc: Document.Parsed, lineCounter: LineCounter, path: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let line = lineOf(lineCounter, (node as Node | null)?.range?.[0]);
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let start: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      start = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
      next = pair?.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
      start = (next as Node | undefined)?.range?.[0];
    }
    if (next === undefined || start === undefined) return line;
    line = lineOf(lineCounter, start) ?? line;
    node = next;
  }
  return line;
}

function lineOf(lineCounter: LineCounter, offset: number | undefined): number | undefined {
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

export function internalError(source: SourceRef | undefined, error: unknown): Problem {
  const message = error instanceof Error ? error.message : String(error);
  return {
    level: 'error',
    ...(source ? { source } : {}),
    message: `internal error while loading (a bug in clusterdns, please report it): ${message}`,
  };
}

export function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}
