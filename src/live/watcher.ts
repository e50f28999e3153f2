// --watch: notice edits under every -f path and call back once they settle.
//
// Files are watched through their parent directory, filtered by name: editors
// and `kubectl`-style tools often replace a file (write a temp file, rename it
// over), which ends a watch on the file itself. Directories are watched
// recursively, so new files and subdirectories count too.

import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { MANIFEST_EXTENSIONS } from '../manifests/index.js';

export interface Watcher {
  close(): void;
}

export interface WatchOptions {
  readonly paths: readonly string[];
  /** Quiet time after the last event before `onChange` runs. */
  readonly debounceMs: number;
  readonly onChange: () => void;
  readonly logger: Logger;
}

export async function watchPaths(options: WatchOptions): Promise<Watcher> {
  const watchers: Watcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const changed = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      options.onChange();
    }, options.debounceMs);
  };
  for (const target of options.paths) {
    if (target === '-') continue; // stdin is read once
    watchers.push(await watchOne(path.resolve(target), changed, options.logger));
  }
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/**
 * Two watches per path. The parent directory, filtered by the path's name,
 * sees the path itself deleted, recreated, replaced (a directory by a file,
 * a file renamed over) — and then the inner watch is set up again, since a
 * watch on a deleted directory goes silent. The inner, recursive watch sees
 * what happens inside a directory.
 */
async function watchOne(target: string, changed: () => void, logger: Logger): Promise<Watcher> {
  let inner: FSWatcher | undefined;
  let generation = 0;
  let closed = false;
  const rewatch = async (): Promise<void> => {
    const mine = ++generation;
    inner?.close();
    inner = undefined;
    const directory = await stat(target).then((info) => info.isDirectory(), () => false);
    if (closed || mine !== generation || !directory) return;
    inner = tryWatch(target, logger, () =>
      watch(target, { recursive: true }, (_event, file) => {
        if (file === null || mayHoldManifests(file)) changed();
      }),
    );
  };
  await rewatch();
  const outer = tryWatch(target, logger, () =>
    watch(path.dirname(target), (_event, file) => {
      if (file !== null && file !== path.basename(target)) return;
      changed();
      void rewatch();
    }),
  );
  return {
    close() {
      closed = true;
      inner?.close();
      outer?.close();
    },
  };
}

function tryWatch(target: string, logger: Logger, start: () => FSWatcher): FSWatcher | undefined {
  try {
    const watcher = start();
    watcher.on('error', (err) => logger.warn({ err, path: target }, 'watch failed; edits here are no longer noticed (SIGHUP still reloads)'));
    return watcher;
  } catch (err) {
    logger.warn({ err, path: target }, 'cannot watch this path; edits here are not noticed (SIGHUP still reloads)');
    return undefined;
  }
}

/**
 * Inside a watched directory, only names the loader would read (or a
 * subdirectory, which has no extension) start a reload: a log file or an
 * editor's swap file (`.a.yaml.swp`, `a.yaml~`) written there must not.
 */
export function mayHoldManifests(file: string): boolean {
  // The loader skips dot-entries at any depth (`.git/`, `.a.yaml.swp`).
  if (file.split(/[\\/]/).some((part) => part.startsWith('.'))) return false;
  const extension = path.extname(file);
  return extension === '' || MANIFEST_EXTENSIONS.has(extension.toLowerCase());
}
