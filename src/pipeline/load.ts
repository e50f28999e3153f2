// Reading a cluster: every manifest source -> objects -> the first build,
// with every problem collected and logged where it names its place.

import { stat } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { loadManifests, type LoadResult, type SkippedObject } from '../manifests/index.js';
import { describeSource, formatProblem, type Problem, type SourceRef } from '../cluster/index.js';
import { buildLoaded, capacityOf, type BuildSettings, type LoadedCluster } from './build.js';

/** The settings a load reads besides the build's. */
export interface LoadSettings extends BuildSettings {
  /** Paths to read (`-`: stdin). */
  readonly manifests: readonly string[];
  /** Largest manifest file read. */
  readonly maxManifestBytes: number;
}

export type ClusterLoad =
  | { readonly ok: true; readonly cluster: LoadedCluster; readonly problems: readonly Problem[]; readonly load: LoadResult }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly load: LoadResult };

interface LoadOptions {
  /** Where `-` reads from; defaults to process.stdin. */
  readonly stdin?: NodeJS.ReadableStream;
  /** SOA serial; defaults to the newest mtime of the files read. */
  readonly serial?: number;
  /** Reverse names we do not know go upstream instead of NXDOMAIN (an upstream exists). */
  readonly reverseFallthrough?: boolean;
  /** What to read instead of `settings.manifests` (the Node API's text and objects). */
  readonly sources?: () => Promise<LoadResult>;
  /** Called between reading the manifests and building from them (`serve` collects the parser's garbage there). */
  readonly beforeBuild?: () => void;
}

/** Read every manifest and build the state and the record index, or report every problem. */
export async function loadCluster(settings: LoadSettings, logger: Logger, options: LoadOptions = {}): Promise<ClusterLoad> {
  const load = options.sources
    ? await options.sources()
    : await loadManifests(settings.manifests, { maxBytes: settings.maxManifestBytes, ...(options.stdin ? { stdin: options.stdin } : {}) });
  const log = logger.child({ module: 'manifests' });
  // One line per kind, not per object: a cluster dump holds thousands of ConfigMaps and Events.
  for (const { kind, count, first } of skippedKinds(load.skipped)) {
    log.info({ kind, count, first: describeSource(first) }, `skipping ${count} ${kind} object${count === 1 ? '' : 's'}: clusterdns does not use this kind`);
  }
  if (!load.ok) return { ok: false, problems: load.problems, load };
  const tooBig = capacityOf(settings, load.objects);
  if (tooBig.length > 0) return { ok: false, problems: [...load.problems, ...tooBig.map((message) => ({ level: 'error' as const, message }))], load };
  options.beforeBuild?.();
  const built = buildLoaded(settings, load.objects, {
    serial: options.serial ?? (await serialFor(load.files)),
    reverseFallthrough: options.reverseFallthrough ?? false,
  });
  return { ok: true, cluster: built, problems: [...load.problems, ...built.state.warnings], load };
}

/** Log each problem once, at its own level, with the place it names. */
export function logProblems(logger: Logger, problems: readonly Problem[]): void {
  const log = logger.child({ module: 'manifests' });
  for (const problem of problems) {
    const where = problem.source ? describeSource(problem.source) : undefined;
    log[problem.level === 'error' ? 'error' : 'warn']({ source: where, field: problem.field }, formatProblem(problem));
  }
}

/**
 * SOA serial for a load: the newest modification time (Unix seconds) of the
 * files read, so that the same files give the same serial (stable `records`
 * output) and an edit moves it forward. Stdin alone: the current time.
 */
export async function serialFor(files: readonly string[]): Promise<number> {
  let newest = 0;
  for (const file of files) {
    try {
      newest = Math.max(newest, Math.floor((await stat(file)).mtimeMs / 1000));
    } catch {
      // '<stdin>' and files gone since the load count as "now".
      newest = Math.max(newest, Math.floor(Date.now() / 1000));
    }
  }
  return newest || Math.floor(Date.now() / 1000);
}

/** Skipped objects counted per kind, in order of first appearance. */
export function skippedKinds(skipped: readonly SkippedObject[]): { kind: string; count: number; first: SourceRef }[] {
  const byKind = new Map<string, { kind: string; count: number; first: SourceRef }>();
  for (const object of skipped) {
    const seen = byKind.get(object.kind);
    if (seen) seen.count += 1;
    else byKind.set(object.kind, { kind: object.kind, count: 1, first: object.source });
  }
  return [...byKind.values()];
}
