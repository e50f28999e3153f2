// What each manifest file decoded to last time, so a reload (`--watch`,
// SIGHUP) decodes only the files whose text changed. Decoding is a pure
// function of (path as given, text), so a remembered result is exactly what
// decoding again would give.
//
// One memo per list of `-f` paths (serve's reload reads the same list again);
// a memo keeps only the files its latest load read, and only the few most
// recently used lists are kept, so nothing grows without bound.

import { createHash } from 'node:crypto';
import type { TextOutput } from '../yaml/index.js';

/** What one file's bytes decode to: its objects, or (not UTF-8) the line of the first bad byte. */
export interface FileOutput extends TextOutput {
  readonly notUtf8Line?: number;
}

interface Entry {
  /** SHA-256 of the file's bytes. */
  readonly digest: string;
  readonly result: FileOutput;
}

export class DecodeMemo {
  private previous = new Map<string, Entry>();
  private current = new Map<string, Entry>();

  /** The remembered result for `path` if its bytes are unchanged, else `decode()`'s (remembered for next time). */
  decode(path: string, bytes: Uint8Array, decode: () => FileOutput): FileOutput {
    const digest = createHash('sha256').update(bytes).digest('base64');
    const known = this.previous.get(path) ?? this.current.get(path);
    const entry = known?.digest === digest ? known : { digest, result: countDecode(decode) };
    this.current.set(path, entry);
    return entry.result;
  }

  /** Ends a load: from now on only the files it read are remembered. */
  finishLoad(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

const MEMO_LISTS = 4;
const memos = new Map<string, DecodeMemo>();

/** The memo for one list of `-f` paths (most recently used first out of MEMO_LISTS). */
export function memoFor(paths: readonly string[]): DecodeMemo {
  const key = JSON.stringify(paths);
  const memo = memos.get(key) ?? new DecodeMemo();
  memos.delete(key);
  memos.set(key, memo);
  for (const oldest of memos.keys()) {
    if (memos.size <= MEMO_LISTS) break;
    memos.delete(oldest);
  }
  return memo;
}

let decodes = 0;

function countDecode(decode: () => FileOutput): FileOutput {
  decodes += 1;
  return decode();
}

/** How many file texts were decoded (not taken from a memo) since the process started; for tests. */
export function fileDecodeCount(): number {
  return decodes;
}
