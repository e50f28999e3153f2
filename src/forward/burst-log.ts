// Upstream failures are logged once per burst: the first failure of an
// upstream logs a warning, the next ones within the window are only counted,
// and the first warning after the window says how many were left out.

import type { Logger } from 'pino';

export const BURST_WINDOW_MS = 10_000;

interface Window {
  readonly openedAt: number;
  suppressed: number;
}

export class BurstLogger {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
    private readonly windowMs: number = BURST_WINDOW_MS,
  ) {}

  failure(upstream: string, reason: string, err?: Error): void {
    const now = this.now();
    const window = this.windows.get(upstream);
    if (window && now - window.openedAt < this.windowMs) {
      window.suppressed++;
      return;
    }
    this.windows.set(upstream, { openedAt: now, suppressed: 0 });
    const suppressed = window?.suppressed ?? 0;
    this.logger.warn(
      { upstream, reason, ...(suppressed > 0 ? { suppressed } : {}), ...(err ? { err } : {}) },
      'upstream failed; further failures of this upstream are counted for 10 s',
    );
  }
}
