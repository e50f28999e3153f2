// One cheap pass over manifest text, line by line, deciding whether the text
// is plain enough for the js-yaml fast path (fast-yaml.ts) and, if so, where
// each YAML document starts, numbered the way the `yaml` library numbers
// them. Anything unusual gives `undefined` and the text takes the `yaml` path;
// a false alarm only costs speed.

/** What the scan found in text it accepts. */
export interface TextLayout {
  /** Offset where each document starts (its `---`/`...` marker or first content line), in order. */
  readonly documentStarts: readonly number[];
}

interface ScanLimits {
  /** More documents than this: not plain (the `yaml` path reports the limit). */
  readonly maxDocuments: number;
  /** A nesting bound over this: not plain (the `yaml` path's own guard decides). */
  readonly maxNesting: number;
}

/**
 * Line breaks the libraries disagree on: `yaml` reads a lone CR as part of
 * the line (js-yaml as a break), and NEL/LS/PS were breaks in YAML 1.1 only.
 */
const ODD_BREAKS = /\r(?!\n)|[\u0085\u2028\u2029]/;

/**
 * A block scalar header with an indentation indicator (`|2`, `>-1`): the
 * libraries keep different trailing blank lines. Also matches such text
 * inside strings, which only costs the fast path.
 */
const EXPLICIT_INDENTATION = /\s[|>][-+]?[1-9]/;

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const HASH = 0x23;
const PERCENT = 0x25;
const DASH = 0x2d;
const DOT = 0x2e;
const QUESTION = 0x3f;

/**
 * Document boundaries follow the `yaml` library: comments and blank lines
 * before a document belong to it; `---` at column 0 (followed by a space, a
 * tab or the end of the line) always starts a new document; `...` ends the
 * open one, and a `...` with no document open is an empty document of its
 * own. Directives (`%YAML`, `%TAG`) change how `yaml` reads values, so a line
 * starting with `%` is not plain, nor are a BOM after the start, the
 * ODD_BREAKS and EXPLICIT_INDENTATION.
 *
 * The nesting bound is deliberately crude: the count of ever-deeper
 * indentations above a line (each block level needs one), plus the `- `/`? `
 * indicators starting it, plus the most flow brackets open at once anywhere.
 * Lines inside block scalars and brackets inside strings count too. It is a
 * pre-filter; js-yaml's own depth counter (maxDepth) is what guarantees it
 * never recurses deeply.
 */
export function scanText(text: string, limits: ScanLimits): TextLayout | undefined {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (text.indexOf('\uFEFF', bom) >= 0 || ODD_BREAKS.test(text) || EXPLICIT_INDENTATION.test(text)) return undefined;
  if (flowTooDeep(text, limits.maxNesting)) return undefined;
  const documentStarts: number[] = [];
  const indents: number[] = [];
  let open = false;
  for (let start = 0; start < text.length || start === 0; ) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const from = start === 0 ? bom : start;
    const line = classifyLine(text, from, end);
    if (line.kind === 'not-plain') return undefined;
    if (line.kind === 'content') {
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= line.indent) indents.pop();
      indents.push(line.indent);
    }
    if (line.kind === 'start' || line.kind === 'end') indents.length = 0;
    if (indents.length + line.indicators > limits.maxNesting) return undefined;
    if (line.kind === 'start') {
      documentStarts.push(from);
      open = true;
    } else if (line.kind === 'end') {
      if (!open) documentStarts.push(from);
      open = false;
    } else if (line.kind === 'content' && !open) {
      documentStarts.push(from);
      open = true;
    }
    if (documentStarts.length > limits.maxDocuments) return undefined;
    if (newline < 0) break;
    start = newline + 1;
  }
  return { documentStarts };
}

type LineKind = 'blank' | 'content' | 'start' | 'end' | 'not-plain';

interface Line {
  readonly kind: LineKind;
  /** Columns of leading blanks. */
  readonly indent: number;
  /** `- `/`? ` indicators in a row at its start (after a `---` marker too). */
  readonly indicators: number;
}

const BLANK: Line = { kind: 'blank', indent: 0, indicators: 0 };
const NOT_PLAIN: Line = { kind: 'not-plain', indent: 0, indicators: 0 };

/** What one line is: blank or a comment, content, or a `---`/`...` marker. */
function classifyLine(text: string, from: number, end: number): Line {
  let at = from;
  let tabs = false;
  for (let char = text.charCodeAt(at); at < end && (char === SPACE || char === TAB); char = text.charCodeAt(++at)) tabs ||= char === TAB;
  const indent = at - from;
  // Tabs before a line's content: `yaml` refuses them in places js-yaml does not.
  if (tabs) return NOT_PLAIN;
  if (at === end || text.charCodeAt(at) === HASH || (text.charCodeAt(at) === CR && at + 1 === end)) return BLANK;
  const marker = markerAt(text, at, end);
  // An indented `---` is a plain scalar to `yaml`; js-yaml may take it for a marker.
  if (marker !== undefined && indent > 0) return NOT_PLAIN;
  if (marker === '---') return { kind: 'start', indent: 0, indicators: indicatorsAt(text, at + 3, end) };
  if (marker === '...') return restIsEmpty(text, at + 3, end) ? { kind: 'end', indent: 0, indicators: 0 } : NOT_PLAIN;
  if (indent === 0 && text.charCodeAt(at) === PERCENT) return NOT_PLAIN;
  return { kind: 'content', indent, indicators: indicatorsAt(text, at, end) };
}

/** `---` or `...` at `at`, followed by a space, a tab or the end of the line. */
function markerAt(text: string, at: number, end: number): '---' | '...' | undefined {
  const first = text.charCodeAt(at);
  if ((first !== DASH && first !== DOT) || text.charCodeAt(at + 1) !== first || text.charCodeAt(at + 2) !== first) return undefined;
  const three = first === DASH ? '---' : '...';
  const next = at + 3 < end ? text.charCodeAt(at + 3) : SPACE;
  return next === SPACE || next === TAB || (next === CR && at + 4 === end) ? three : undefined;
}

/** Nothing but blanks and a comment from `at` to the end of the line. */
function restIsEmpty(text: string, at: number, end: number): boolean {
  let index = at;
  while (index < end && (text.charCodeAt(index) === SPACE || text.charCodeAt(index) === TAB || text.charCodeAt(index) === CR)) index += 1;
  return index === end || text.charCodeAt(index) === HASH;
}

/** Count of `- ` and `? ` indicators in a row from `at` (`- - ? key` is three levels on one line). */
function indicatorsAt(text: string, at: number, end: number): number {
  let count = 0;
  let index = at;
  for (;;) {
    while (index < end && text.charCodeAt(index) === SPACE) index += 1;
    const char = text.charCodeAt(index);
    const next = index + 1 < end ? text.charCodeAt(index + 1) : SPACE;
    if ((char !== DASH && char !== QUESTION) || (next !== SPACE && next !== TAB)) return count;
    count += 1;
    index += 2;
  }
}

/**
 * 1-based line numbers of offsets asked in increasing order, as the `yaml`
 * library's LineCounter counts them (a line ends at `\n`), without keeping
 * every line's start.
 */
export class LineCursor {
  private offset = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  lineAt(offset: number): number {
    if (offset < this.offset) [this.offset, this.line] = [0, 1];
    for (let index = this.text.indexOf('\n', this.offset); index >= 0 && index < offset; index = this.text.indexOf('\n', index + 1)) this.line += 1;
    this.offset = offset;
    return this.line;
  }
}

/** Whether more than `limit` `[`/`{` are open at once anywhere (brackets inside strings count too). */
function flowTooDeep(text: string, limit: number): boolean {
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (char === 0x5b || char === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if ((char === 0x5d || char === 0x7d) && depth > 0) {
      depth -= 1;
    }
  }
  return false;
}
