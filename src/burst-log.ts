// Once-per-burst logging, the one used everywhere: the first event of a kind logs a warning, the next
// ones within the window are only counted, and the first warning after the
// window says how many were left out. Upstream failures, refused TCP
// connections and rate-limited clients all go through it, so a flood costs
// one log line per window, not one per packet.

import type { Logger } from 'pino';

const BURST_WINDOW_MS = 10_000;

interface Window {
  readonly openedAt: number;
  suppressed: number;
}

export class BurstLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
    private readonly windowMs: number = BURST_WINDOW_MS,
  ) {}

  /**
   * Count an event of `key` that falls within its window and return true;
   * false (nothing counted) when the next event() of `key` would log. Lets
   * a hot path skip building the log fields for every suppressed event.
   */
  suppressed(key: string, now: number = this.now()): boolean {
    const window = this.windows.get(key);
    if (window === undefined || now - window.openedAt >= this.windowMs) return false;
    window.suppressed++;
    return true;
  }

  /** Log `message` with `fields` unless an event of `key` was logged within the window. */
  event(key: string, fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    const window = this.windows.get(key);
    if (window && now - window.openedAt < this.windowMs) {
      window.suppressed++;
      return;
    }
    // Stale windows go when the table grows (many distinct keys, e.g. clients).
    if (this.windows.size >= 10_000) this.windows.clear();
    this.windows.set(key, { openedAt: now, suppressed: 0 });
    const suppressed = window?.suppressed ?? 0;
    this.logger.warn({ ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  }
}
