// The index's memo of computed answers per (name, qtype), so a repeated query
// costs two map lookups and returns the same Lookup object every time.
//
// Bounded by generations: once `limit` answers have been added, the current
// generation becomes the previous one and the one before is dropped, so
// random names cannot grow the memo past two generations. An answer found
// only in the previous generation moves into the current one: whatever is
// asked again before `limit` other answers have been added is never
// recomputed, so a steady load over fewer names than that only ever hits.
// (Clearing everything at the limit would recompute the whole working set
// after every clear.)

import type { Lookup } from './types.js';

/**
 * Answers added before a generation turns; two generations are kept. A
 * steady load over 30,000 names asking up to two types each fits in one.
 * Measured: about 120 bytes per negative answer, a few hundred per positive.
 */
const MEMO_GENERATION_SIZE = 65_536;

export class AnswerMemo {
  private current = new Map<string, Map<number, Lookup>>();
  private previous = new Map<string, Map<number, Lookup>>();
  private added = 0;

  constructor(private readonly limit: number = MEMO_GENERATION_SIZE) {}

  get(name: string, qtype: number): Lookup | undefined {
    const hit = this.current.get(name)?.get(qtype);
    if (hit !== undefined || this.previous.size === 0) return hit;
    const kept = this.previous.get(name)?.get(qtype);
    if (kept !== undefined) this.set(name, qtype, kept);
    return kept;
  }

  set(name: string, qtype: number, lookup: Lookup): void {
    if (this.added >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
      this.added = 0;
    }
    let byType = this.current.get(name);
    if (byType === undefined) {
      byType = new Map();
      this.current.set(name, byType);
    }
    byType.set(qtype, lookup);
    this.added++;
  }

  /** Answers held now (both generations; one moved forward counts twice). */
  get size(): number {
    let size = 0;
    for (const generation of [this.current, this.previous]) for (const byType of generation.values()) size += byType.size;
    return size;
  }
}
