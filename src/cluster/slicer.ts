// Long work on the answering thread, cut into slices.
//
// A reload of a 150,000-pod cluster takes hundreds of milliseconds of
// JavaScript; the DNS sockets are served by the same event loop, so any
// stretch of it without a pause is a stretch without answers. The heavy
// loops of a rebuild are written once, as generators (`Steps`) that `yield`
// wherever a pause may come (every few dozen items): `runNow` runs them
// straight through (the first load, offline commands), a `Slicer` runs them
// pausing (setImmediate, so I/O callbacks run first) whenever a slice has
// used its time.

/** Work that may pause at each `yield`; the generator's return value is the result. */
export type Steps<T> = Generator<void, T, undefined>;

/** Items between two `yield`s in a loop: a yield costs far less than the items, a pause check is a clock read. */
export const ITEMS_PER_STEP = 16;

/** Run `steps` to the end without pausing. */
export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export interface SlicerOptions {
  /** Work between two pauses, in milliseconds. Default 3: a slice, the step that ends it and a young-generation collection (1-2 ms) stay under the 5 ms a query may wait. */
  readonly sliceMs?: number;
  /** How to pause. Default: until the event loop's check phase (after pending I/O). Tests hold a build here. */
  readonly pause?: () => Promise<void>;
}

const DEFAULT_SLICE_MS = 3;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Slicer {
  private readonly sliceMs: number;
  private readonly pauseFn: () => Promise<void>;
  private sliceStart = performance.now();
  /** Pauses taken so far (tests, logs). */
  pauses = 0;

  constructor(options: SlicerOptions = {}) {
    this.sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    this.pauseFn = options.pause ?? nextTurn;
  }

  /** Pause when this slice has used its time; else nothing (no await needed: undefined). */
  maybeYield(): Promise<void> | undefined {
    if (performance.now() - this.sliceStart < this.sliceMs) return undefined;
    return this.pause();
  }

  /** Run `steps`, pausing at a `yield` whenever the slice has used its time. */
  async run<T>(steps: Steps<T>): Promise<T> {
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      const paused = this.maybeYield();
      if (paused) await paused;
    }
  }

  private async pause(): Promise<void> {
    this.pauses++;
    await this.pauseFn();
    this.sliceStart = performance.now();
  }
}

/** Items sorted natively as one run before the runs are merged in steps. */
const RUN_LENGTH = 4 * ITEMS_PER_STEP;

/**
 * `items` sorted by `compare` into a new array, in steps: runs sorted
 * natively, then merged a bounded number of items per step. Stable, like
 * Array.prototype.sort, so it gives exactly what `[...items].sort(compare)`
 * gives (10,000 services take several milliseconds to sort at once).
 */
export function* sortSteps<T>(items: readonly T[], compare: (a: T, b: T) => number): Steps<T[]> {
  let from: T[] = [];
  for (let start = 0; start < items.length; start += RUN_LENGTH) {
    yield;
    const run = items.slice(start, start + RUN_LENGTH).sort(compare);
    for (const item of run) from.push(item);
  }
  let to: T[] = new Array<T>(from.length);
  for (let width = RUN_LENGTH; width < from.length; width *= 2) {
    let written = 0;
    for (let left = 0; left < from.length; left += 2 * width) {
      const middle = Math.min(left + width, from.length);
      const end = Math.min(left + 2 * width, from.length);
      let [i, j] = [left, middle];
      for (let k = left; k < end; k++) {
        // Left first on ties: stable.
        to[k] = i < middle && (j >= end || compare(from[i]!, from[j]!) <= 0) ? from[i++]! : from[j++]!;
        if (++written % RUN_LENGTH === 0) yield;
      }
    }
    [from, to] = [to, from];
  }
  return from;
}

/** The items of `lists` in one new array, in steps (150,000 pods in one concat() are a 5-15 ms stretch). */
export function* concatSteps<T>(lists: readonly (readonly T[])[]): Steps<T[]> {
  const all: T[] = [];
  let sinceYield = 0;
  for (const list of lists) {
    for (const item of list) all.push(item);
    sinceYield += list.length;
    if (sinceYield >= RUN_LENGTH * 16) {
      sinceYield = 0;
      yield;
    }
  }
  return all;
}
