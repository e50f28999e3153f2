// What `manifests` may hold, and how to read it: paths as `-f` reads them,
// manifest text as the control API reads a body, objects as already-parsed
// documents. One load function, used at start and again by every reload().

import { combineLoads, decodeManifestValues, loadManifests, parseManifestText, type LoadResult } from '../manifests/index.js';

/**
 * A file or directory path; YAML/JSON text (any string with a line break, or
 * starting with `{` or `[`); or a Kubernetes object (a plain value such as
 * `{ apiVersion: 'v1', kind: 'Service', ... }`).
 */
export type ManifestInput = string | Readonly<Record<string, unknown>>;

type Source =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'text'; readonly text: string; readonly name: string }
  | { readonly kind: 'object'; readonly value: unknown; readonly name: string };

export interface ManifestSources {
  /** The path inputs: what `watch` watches. */
  readonly paths: readonly string[];
  /** Read every input, in order, with one duplicate check across all of them. */
  load(): Promise<LoadResult>;
}

/** Inputs are named `manifests[i]` in problems, so a message points at the right one. */
export function manifestSources(inputs: readonly ManifestInput[]): ManifestSources {
  const sources = inputs.map((input, index): Source => classify(input, `manifests[${index}]`));
  return {
    paths: sources.flatMap((source) => (source.kind === 'path' ? [source.path] : [])),
    async load() {
      const parts: LoadResult[] = [];
      for (const source of sources) parts.push(await loadOne(source));
      // One input (the usual case) was checked for duplicates as it loaded; a reload
      // of 150,000 pods' manifests must not run the check again without pauses.
      return parts.length === 1 ? parts[0]! : combineLoads(parts);
    },
  };
}

function isManifestText(input: string): boolean {
  return input.includes('\n') || /^\s*[{[]/.test(input);
}

function classify(input: ManifestInput, name: string): Source {
  if (typeof input !== 'string') return { kind: 'object', value: input, name };
  return isManifestText(input) ? { kind: 'text', text: input, name } : { kind: 'path', path: input };
}

function loadOne(source: Source): Promise<LoadResult> {
  switch (source.kind) {
    case 'path':
      return loadManifests([source.path]);
    case 'text':
      return Promise.resolve(parseManifestText(source.text, source.name));
    case 'object':
      return Promise.resolve(decodeManifestValues([source.value], source.name));
  }
}

/** An apply() body as manifest text: JSON is YAML, one document per object. */
export function applyText(input: string | ManifestInput | readonly ManifestInput[]): string {
  if (typeof input === 'string') return input;
  const values = Array.isArray(input) ? input : [input];
  return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join('\n---\n');
}
