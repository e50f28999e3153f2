// The manifest loader: manifest files, text or JS values in; slim model
// objects (src/cluster/model/model.ts), problems and skipped kinds out.
//
// Contract: nothing throws past these functions. Every problem in every file
// and document is reported in one go; a load with any error has `ok: false`
// and no objects, so a caller never builds half a cluster.

import { type SourceRef, Slicer } from '../cluster/index.js';
import { decodeDocument, type LoadResult } from './decode/index.js';
import { findDuplicateSteps, finish, memoFor, newCollected, readPath, type StdinSource } from './sources/index.js';
import { decodeText, internalError } from './yaml/index.js';

export type { LoadResult, SkippedObject } from './decode/index.js';
export { combineLoads, MANIFEST_EXTENSIONS, STDIN_NAME } from './sources/index.js';
export { DEFAULT_MAX_FILE_BYTES, MAX_ALIAS_COUNT, MAX_DOCUMENTS, MAX_NESTING, MAX_TEXT_BYTES } from './yaml/index.js';

export interface LoadOptions {
  /** What `-` reads; default process.stdin. */
  readonly stdin?: StdinSource;
  /** Largest file or stdin in bytes (--max-manifest-bytes); default DEFAULT_MAX_FILE_BYTES (1 GiB). */
  readonly maxBytes?: number;
}

/**
 * Loads every `-f` argument (files, directories, `-` for stdin), in order.
 * Loading the same arguments again (a reload) decodes only the files whose
 * bytes changed; the others give what they gave last time (sources/decode-memo.ts).
 */
export async function loadManifests(paths: readonly string[], options?: LoadOptions): Promise<LoadResult> {
  const collected = newCollected();
  const memo = memoFor(paths);
  const ctx = { collected, seen: new Set<string>(), stdin: options?.stdin, memo, ...(options?.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }) };
  for (const path of paths) {
    try {
      await readPath(path, ctx);
    } catch (error) {
      collected.problems.push(internalError(undefined, error));
    }
  }
  memo.finishLoad();
  // The duplicate check keys every object (15,000 at 150,000 pods): a reload runs it with pauses.
  const duplicates = await new Slicer().run(findDuplicateSteps(collected.objects));
  return finish(collected, duplicates);
}

/** Loads one in-memory file (a control-API body, a YAML string given to the Node API). */
export function parseManifestText(text: string, file: string): LoadResult {
  const collected = newCollected();
  collected.files.push(file);
  try {
    decodeText(text, file, collected);
  } catch (error) {
    collected.problems.push(internalError(undefined, error));
  }
  return finish(collected);
}

/**
 * Loads already-parsed objects (Node API callers); value n is document n+1.
 * `null`/`undefined` values are skipped like empty YAML documents. No lines
 * are known, so problems name the document and field only.
 */
export function decodeManifestValues(values: readonly unknown[], file: string): LoadResult {
  const collected = newCollected();
  collected.files.push(file);
  values.forEach((value, index) => {
    const source: SourceRef = { file, document: index + 1 };
    if (value === null || value === undefined) return;
    const plain = toPlain(value);
    if (!plain.ok) {
      collected.problems.push({ level: 'error', source, message: `cannot read this value as a Kubernetes object: ${plain.reason}` });
      return;
    }
    try {
      decodeDocument(plain.value, { source, problems: collected.problems, prefix: [] }, collected);
    } catch (error) {
      collected.problems.push(internalError(source, error));
    }
  });
  return finish(collected);
}

/**
 * Values are read through a JSON round trip, which is what the API server
 * would see: client-library class instances become plain objects, Dates
 * become RFC 3339 strings, functions and undefined fields disappear.
 */
function toPlain(value: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(JSON.stringify(value)) as unknown };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error) };
  }
}
