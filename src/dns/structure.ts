// Structural checks a request must pass before anything reads its meaning,
// the ones BIND answers FORMERR for (lib/dns/name.c dns_name_fromwire,
// lib/dns/message.c getsection):
// - a compression pointer must point strictly before the name it is read
//   for, each further pointer strictly before the previous one's target,
//   and never into the 12-byte header (so a name can never loop);
// - an OPT record only in the additional section, and at most one.
// Owner names are checked; names inside RDATA are not (a query carries none
// that we read). A message cut short is not a structural problem here: the
// decoder reports it.

import { RRType } from './types.js';

export const HEADER_SIZE = 12;

export interface StructureProblem {
  /** True when the question itself is bad: there is then no question to echo. */
  readonly inQuestion: boolean;
  readonly reason: string;
}

/** Where a name starting at `offset` ends, a reason it is malformed, or undefined when it runs past the end. */
function skipName(message: Buffer, offset: number): number | string | undefined {
  let position = offset;
  // Every pointer must point below this: first the name's own start, then the previous target.
  let limit = offset;
  let end: number | undefined;
  for (;;) {
    const length = message[position];
    if (length === undefined) return undefined;
    if (length === 0) return end ?? position + 1;
    const kind = length & 0xc0;
    if (kind === 0xc0) {
      const second = message[position + 1];
      if (second === undefined) return undefined;
      const target = ((length & 0x3f) << 8) | second;
      if (target < HEADER_SIZE) return `compression pointer at ${position} points into the header`;
      if (target >= limit) return `compression pointer at ${position} points forward (to ${target})`;
      end ??= position + 2;
      limit = target;
      position = target;
      continue;
    }
    if (kind !== 0) return `unknown label type at ${position}`;
    position += 1 + length;
  }
}

/** The first structural problem of `message`, or undefined. */
export function structureProblem(message: Buffer): StructureProblem | undefined {
  if (message.length < HEADER_SIZE) return undefined;
  let position = HEADER_SIZE;
  for (let i = message.readUInt16BE(4); i > 0; i--) {
    const end = skipName(message, position);
    if (end === undefined) return undefined;
    if (typeof end === 'string') return { inQuestion: true, reason: end };
    position = end + 4;
  }
  let opts = 0;
  for (let section = 0; section < 3; section++) {
    for (let i = message.readUInt16BE(6 + 2 * section); i > 0; i--) {
      const end = skipName(message, position);
      if (typeof end === 'string') return { inQuestion: false, reason: end };
      if (end === undefined || end + 10 > message.length) return undefined;
      if (message.readUInt16BE(end) === RRType.OPT) {
        if (section !== 2) return { inQuestion: false, reason: `OPT record in the ${section === 0 ? 'answer' : 'authority'} section` };
        if (++opts > 1) return { inQuestion: false, reason: 'more than one OPT record' };
      }
      position = end + 10 + message.readUInt16BE(end + 8);
    }
  }
  return undefined;
}
