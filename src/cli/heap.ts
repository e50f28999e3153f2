// How `serve` keeps its resident memory small after loading a big cluster
// (the malloc arena cap applies to every command).
//
// A 150,000-pod load allocates a few hundred MB that mostly dies at once.
// Three things V8 and glibc do by default then stay in the RSS for as long as
// the process runs, because a DNS server allocates too little afterwards for
// V8 to look again (its memory reducer gets to it only ~45 s later):
// - the young generation grows from 1 MiB to 16 MiB semi-spaces during the
//   load (32 MiB resident) and never shrinks back;
// - the old generation keeps the pages the load's garbage filled (about
//   8 MB at 150,000 pods) until the next full collection;
// - glibc keeps what V8's helper threads freed in their own malloc arenas.
// `node --max-semi-space-size=N` and MALLOC_ARENA_MAX=2 set two of these from
// outside; this module does it from inside, so `npx clusterdns serve` gets
// them without flags.

import v8 from 'node:v8';
import vm from 'node:vm';
import { nativeAddon } from '../native/addon.js';

/**
 * Keeps the young generation at V8's starting size (1 MiB semi-spaces): what
 * serving allocates per query dies young, and what a load keeps is promoted
 * either way. Measured at 150,000 pods: the same load time and CPU, about
 * 35 MB less RSS. Left alone when the user sized it (`--max-semi-space-size`
 * or `--semi-space-growth-factor`, on the command line or in NODE_OPTIONS).
 */
export function keepYoungGenerationSmall(): void {
  if (youngGenerationSizedByUser(process.execArgv, process.env.NODE_OPTIONS ?? '')) return;
  // Read by V8 each time it would grow the young generation; 1 = never grow.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * glibc gives each thread that allocates its own malloc arena (up to 8 per
 * core), and each keeps what it freed resident until trimmed: during a big
 * load V8's collector and compiler threads hold several MB that way. Capped
 * at two, as MALLOC_ARENA_MAX=2 would (past the cap glibc hands threads the
 * arenas there are), for every command, before those threads allocate.
 * Measured at 150,000 pods: the same load time, 5 MB less RSS at the peak
 * and once settled. Left alone when the user set MALLOC_ARENA_MAX, or where
 * the native module or glibc is missing.
 */
export function limitMallocArenas(): void {
  if (process.env.MALLOC_ARENA_MAX !== undefined) return;
  const native = nativeAddon();
  if (!(native instanceof Error)) native.limitMallocArenas(MALLOC_ARENAS);
}

const MALLOC_ARENAS = 2;

/** Whether node's flags (or NODE_OPTIONS) size the young generation themselves. */
export function youngGenerationSizedByUser(execArgv: readonly string[], nodeOptions: string): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((flag) => /^--(max|min)[-_]semi[-_]space[-_]size\b|^--semi[-_]space[-_]growth[-_]factor\b/.test(flag));
}

/**
 * One full, compacting collection: the load's garbage is freed and its pages
 * go back to the system now rather than at the next collection, which an
 * idle server may not reach for a long time. It takes about 0.15 s at
 * 150,000 pods, so it runs once, COLLECT_AFTER_MS after the listeners are
 * up: the first answers (a readiness probe) do not wait for it.
 */
export function collectLoadGarbage(): void {
  fullCollection()();
  releaseFreedCMemory();
}

/**
 * A full collection between reading the manifests and building the cluster
 * from them: the parser's garbage (about 37 MB at 150,000 pods) is gone
 * before the build allocates what it keeps, so V8 does not grow the heap to
 * hold both. Measured at 150,000 pods: about 40 ms, 8 MB less RSS at the
 * peak (the end of the build) and 3 MB less once settled.
 */
export function collectParseGarbage(): void {
  fullCollection()();
}

/**
 * Node's threads each have a malloc arena; what the load freed there (file
 * buffers, parser and compiler scratch) stays resident until trimmed: about
 * 8 MB at 150,000 pods. Through the native module when it is built (glibc).
 */
function releaseFreedCMemory(): void {
  const native = nativeAddon();
  if (!(native instanceof Error)) native.trimMemory();
}

export const COLLECT_AFTER_MS = 1000;

let collector: (() => void) | undefined;

/** `gc()` as `node --expose-gc` gives it: V8 hands it to contexts made while the flag is set. */
function fullCollection(): () => void {
  if (collector) return collector;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (collector = exposed);
  v8.setFlagsFromString('--expose-gc');
  collector = vm.runInNewContext('gc') as () => void;
  v8.setFlagsFromString('--no-expose-gc');
  return collector;
}
