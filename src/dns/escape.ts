// Names as text when a label may hold any byte.
//
// Inside clusterdns a name is text with one character per byte (latin1) and
// its labels joined by '.'. On the wire a label may hold any byte, a '.'
// included (RFC 2181 §11); joined naively, the label `a.b` would read back as
// the two labels `a` and `b`, and the reply's question would no longer be the
// query's. So a '.' inside a label is written `\.` and a backslash `\\`: the
// master-file escapes (RFC 1035 §5.1) that miekg/dns and CoreDNS use. Every
// other byte stays one character, so a name with neither byte inside a label
// (every name a cluster has) keeps its plain spelling and the per-query paths
// only pay for an `indexOf('\\')`. Readers of text also take `\DDD` (a byte
// in decimal), as typed to dig.

const BACKSLASH = 0x5c;
const DOT = 0x2e;

/** One label's bytes as name text: latin1, with '.' and '\' escaped. */
export function labelText(bytes: Uint8Array, start: number, end: number): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (byte === DOT || byte === BACKSLASH) return text.replace(/[.\\]/g, '\\$&');
  }
  return text;
}

/** True when `name` holds an escape (the slow paths below apply). */
function hasEscape(name: string): boolean {
  return name.indexOf('\\') !== -1;
}

/**
 * The labels of `name` with escapes resolved, one character per byte; the
 * root '' has none. Lenient: a backslash not followed by anything stands for
 * itself, `\D` with fewer than three digits (or over 255) for the digit.
 */
export function nameLabels(name: string): string[] {
  if (name === '') return [];
  if (!hasEscape(name)) return name.split('.');
  const labels: string[] = [];
  let label = '';
  for (let i = 0; i < name.length; i++) {
    const char = name[i] as string;
    if (char === '.') {
      labels.push(label);
      label = '';
      continue;
    }
    if (char !== '\\' || i + 1 >= name.length) {
      label += char;
      continue;
    }
    const decimal = /^\d{3}/.exec(name.slice(i + 1, i + 4));
    if (decimal && Number(decimal[0]) <= 255) {
      label += String.fromCharCode(Number(decimal[0]));
      i += 3;
    } else {
      label += name[i + 1];
      i += 1;
    }
  }
  labels.push(label);
  return labels;
}

/**
 * Where each label of `name` starts in the text, left to right (escape-aware):
 * `a\.b.c` → [0, 5]. The root '' has none.
 */
export function labelStarts(name: string): number[] {
  if (name === '') return [];
  const starts = [0];
  for (let i = 0; i < name.length; i++) {
    const char = name[i];
    if (char === '\\') i += 1; // the escaped character (or the first digit: digits are never '.')
    else if (char === '.') starts.push(i + 1);
  }
  return starts;
}

/** True when the '.' at `index` of `name` separates labels (no odd run of backslashes before it). */
export function isLabelBoundary(name: string, index: number): boolean {
  let backslashes = 0;
  for (let i = index - 1; i >= 0 && name.charCodeAt(i) === BACKSLASH; i--) backslashes++;
  return backslashes % 2 === 0;
}

/** Wire length of a name (`web.prod` → 10, `a\.b` → 5); the root '' is 1. */
export function nameWireLength(name: string): number {
  if (name === '') return 1;
  if (!hasEscape(name)) return name.length + 2;
  let length = 1;
  for (const label of nameLabels(name)) length += label.length + 1;
  return length;
}
