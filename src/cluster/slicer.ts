// Long work on the answering thread, cut into slices (issue 19 item 2).
//
// A reload of a 150,000-pod cluster takes hundreds of milliseconds of
// JavaScript; the DNS sockets are served by the same event loop, so any
// stretch of it without a pause is a stretch without answers. The heavy
// loops of a rebuild are written once, as generators (`Steps`) that `yield`
// wherever a pause may come (every few hundred items): `runNow` runs them
// straight through (the first load, offline commands), a `Slicer` runs them
// pausing (setImmediate, so I/O callbacks run first) whenever a slice has
// used its time.

/** Work that may pause at each `yield`; the generator's return value is the result. */
export type Steps<T> = Generator<void, T, undefined>;

/** Items between two `yield`s in a loop: a yield costs far less than the items, a pause check is a clock read. */
export const ITEMS_PER_STEP = 64;

/** Run `steps` to the end without pausing. */
export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export interface SlicerOptions {
  /** Work between two pauses, in milliseconds. Default 3: a slice, the step that ends it and a young-generation collection (1-2 ms) stay under the 5 ms a query may wait (issue 19). */
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
