// The question name read from the request's own bytes.
//
// dns2 decodes a name as its labels joined with '.', so a label holding a
// '.' comes back as two labels and the reply would echo another question.
// This reader keeps such bytes escaped (src/dns/escape.ts); request.ts uses
// its name instead of dns2's whenever dns2 decoded the question. Pointers
// are followed as dns2 follows them (anywhere, but not in a cycle), so the
// two accept the same names.

import { labelText } from '../dns/escape.js';

const HEADER_SIZE = 12;
const MAX_NAME = 255;

/** The first question's name as text (no trailing dot, root ''), or undefined when unreadable. */
export function readQuestionName(message: Buffer): string | undefined {
  const labels: string[] = [];
  let at = HEADER_SIZE;
  let octets = 1;
  // Without a cycle, a chain of pointers visits each offset at most once.
  for (let hops = 0; hops <= message.length; ) {
    const length = message[at];
    if (length === undefined) return undefined;
    if (length === 0) return labels.join('.');
    if ((length & 0xc0) === 0xc0) {
      const low = message[at + 1];
      if (low === undefined) return undefined;
      at = ((length & 0x3f) << 8) | low;
      hops++;
      continue;
    }
    if ((length & 0xc0) !== 0) return undefined; // reserved label types
    octets += length + 1;
    if (octets > MAX_NAME || at + 1 + length > message.length) return undefined;
    labels.push(labelText(message, at + 1, at + 1 + length));
    at += 1 + length;
  }
  return undefined;
}
