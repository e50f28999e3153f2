// The fast path for plain manifest text: js-yaml builds plain values from a
// flat event list, 3-5 times faster on big files than the `yaml` library,
// whose node tree (kept for the lines of field problems) costs the rest. It
// is taken only when its result is what the `yaml` path gives: plain text
// (text-scan.ts), no anchors, aliases, tags, merge keys or keys the two
// libraries read differently, the same documents, and a decode with no
// problem at all. Anything else returns `undefined` and yaml-text.ts takes
// the `yaml` path, whose messages and lines are the ones users see.
//
// Where the libraries disagree was found by fuzzing both on the same text
// (test/manifests/fast-path.test.ts); each finding is a check here or in
// text-scan.ts and a row in that test.
//
// Why two parsers and not one: the `yaml` path alone loads the 10,000-service,
// 150,000-pod folder of bench/gen-cluster.mjs in 3.1x the time (12.1 s against
// 3.9 s on a loaded 2-core machine), a 10,000-pod kubectl dump in 3.9x
// (bench/yaml-parsers.mjs; bench/RESULTS.md, 2026-12-06 16:00 UTC).

import { constructFromEvents, CORE_SCHEMA, EVENT_ID, type Event, parseEvents, SCALAR_STYLE } from 'js-yaml';
import type { Problem, SourceRef } from '../../cluster/index.js';
import { decodeDocument, type DecodeOutput, type ListItemOf, type PathSegment } from '../decode/index.js';
import { MAX_DOCUMENTS, MAX_NESTING } from './limits.js';
import { LineCursor, scanText, type TextLayout } from './text-scan.js';

/**
 * Nesting the fast path accepts: half the loader's limit, so text near the
 * limit gets the `yaml` path's exact refusal. Also js-yaml's maxDepth, the
 * counter that stops its recursive parser long before the stack is in danger.
 */
const FAST_NESTING = MAX_NESTING / 2;

/** Keys the `yaml` path reads differently: null keys become "" there ("null" in js-yaml), `<<` merges. */
const DIFFERENT_KEYS: ReadonlySet<string> = new Set(['~', 'null', 'Null', 'NULL', '<<']);
/** The `yaml` path refuses an implicit key longer than 1024 characters; leave some room for quotes. */
const LONGEST_KEY = 1000;

/** One parsed document: its value and the line the `yaml` path would give it. */
interface FastDocument {
  readonly value: unknown;
  readonly line: number | undefined;
  /** Lines of the items of a top-level `items` list (a `kind: List`); -1 for an item without one. */
  readonly itemLines: readonly number[];
}

/** Decodes plain text in one go, or `undefined`: take the `yaml` path. Never throws. */
export function decodeFast(text: string, file: string, asItem?: ListItemOf): DecodeOutput | undefined {
  const documents = parseFast(text);
  if (documents === undefined) return undefined;
  const out: DecodeOutput = { objects: [], skipped: [] };
  const problems: Problem[] = [];
  // Lines of fields come from the `yaml` node tree, so a decode that asks for
  // one (to report a problem) goes the `yaml` way. List items are the
  // exception: their lines are known here.
  let wantsTree = false;
  try {
    documents.forEach((document, index) => {
      if (document.value === null || document.value === undefined) return;
      const locate = (path: readonly PathSegment[]): number | undefined => {
        const line = path.length === 2 && path[0] === 'items' && typeof path[1] === 'number' ? document.itemLines[path[1]] : undefined;
        if (line !== undefined && line > 0) return line;
        wantsTree = true;
        return undefined;
      };
      const source: SourceRef = document.line === undefined ? { file, document: index + 1 } : { file, document: index + 1, line: document.line };
      decodeDocument(document.value, { source, problems, locate, prefix: [] }, out, asItem);
    });
  } catch {
    return undefined;
  }
  return wantsTree || problems.length > 0 ? undefined : out;
}

/** The documents of `text`, numbered as the `yaml` path numbers them, or `undefined` when the text is not plain. */
export function parseFast(text: string): FastDocument[] | undefined {
  const layout = scanText(text, { maxDocuments: MAX_DOCUMENTS, maxNesting: FAST_NESTING });
  if (layout === undefined) return undefined;
  try {
    const events = parseEvents(text, { maxDepth: FAST_NESTING });
    const starts = plainStarts(events, text);
    if (starts === undefined) return undefined;
    const values = constructFromEvents(events, { source: text, schema: CORE_SCHEMA, maxAliases: 0 });
    return alignDocuments(values, starts, layout, new LineCursor(text));
  } catch {
    // Syntax errors, duplicate keys, anything: the `yaml` path says it precisely.
    return undefined;
  }
}

/** Where a document's nodes start: its root (-1 for an empty document), the items of a top-level `items` list. */
interface DocumentStarts {
  readonly root: number;
  readonly items: number[];
}

/**
 * The start offsets of each document, or `undefined` when an event needs the
 * `yaml` path: an anchor, alias, tag or directive, a collection used as a
 * key, or a key in DIFFERENT_KEYS.
 */
function plainStarts(events: readonly Event[], text: string): DocumentStarts[] | undefined {
  const documents: DocumentStarts[] = [];
  // Per open collection: SEQUENCE, or for a mapping whether the next node is
  // its key. frames[0] is the document, frames[1] its root.
  const frames: Frame[] = [];
  let items: number[] | undefined;
  let rootKeyIsItems = false;
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      if (event.directives.length > 0) return undefined;
      frames.push(SEQUENCE);
      rootKeyIsItems = false;
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      frames.pop();
      if (frames.length < 3) items = undefined;
      continue;
    }
    if (event.type === EVENT_ID.ALIAS || event.anchorStart !== -1 || event.tagStart !== -1) return undefined;
    if (event.type === EVENT_ID.SCALAR && !quoteEndsCleanly(event.valueEnd, event.style, text)) return undefined;
    const start = event.type === EVENT_ID.SCALAR ? event.valueStart : event.start;
    const top = frames.length - 1;
    if (top === 0) documents.push({ root: start, items: [] });
    if (top === 2 && items !== undefined) items.push(start);
    const isKey = frames[top] === MAPPING_KEY;
    if (isKey) {
      if (event.type !== EVENT_ID.SCALAR || !isPlainKey(event.valueStart, event.valueEnd, event.style, text)) return undefined;
      if (top === 1) rootKeyIsItems = text.slice(event.valueStart, event.valueEnd) === 'items';
    } else if (top === 1 && frames[top] === MAPPING_VALUE && rootKeyIsItems && event.type === EVENT_ID.SEQUENCE) {
      items = documents[documents.length - 1]?.items;
    }
    if (frames[top] !== SEQUENCE) frames[top] = isKey ? MAPPING_VALUE : MAPPING_KEY;
    if (event.type === EVENT_ID.MAPPING) frames.push(MAPPING_KEY);
    else if (event.type === EVENT_ID.SEQUENCE) frames.push(SEQUENCE);
  }
  return documents;
}

type Frame = typeof SEQUENCE | typeof MAPPING_KEY | typeof MAPPING_VALUE;
const SEQUENCE = 0;
const MAPPING_KEY = 1;
const MAPPING_VALUE = 2;

function isPlainKey(start: number, end: number, style: number, text: string): boolean {
  if (start < 0 || end - start > LONGEST_KEY) return false;
  if (style !== SCALAR_STYLE.PLAIN) return true;
  // Plain keys that are numbers may be spelled differently once stringified.
  const first = text.charCodeAt(start);
  if ((first >= 0x30 && first <= 0x39) || first === 0x2b || first === 0x2d || first === 0x2e) return false;
  return end - start > 4 || !DIFFERENT_KEYS.has(text.slice(start, end));
}

/**
 * A quoted scalar (its value ends at the closing quote) may be followed, on
 * its line, only by blanks, then a line end, an indicator or a comment.
 * js-yaml has been seen to read on past `"a\\nb"c:` where `yaml` refuses it.
 */
function quoteEndsCleanly(end: number, style: number, text: string): boolean {
  if (style !== SCALAR_STYLE.DOUBLE_QUOTED && style !== SCALAR_STYLE.SINGLE_QUOTED) return true;
  const quote = style === SCALAR_STYLE.DOUBLE_QUOTED ? 0x22 : 0x27;
  if (text.charCodeAt(end) !== quote) return false;
  let at = end + 1;
  while (text.charCodeAt(at) === 0x20 || text.charCodeAt(at) === 0x09) at += 1;
  const next = text.charCodeAt(at);
  if (next === 0x23) return at > end + 1; // a comment, after a blank
  return Number.isNaN(next) || QUOTE_FOLLOWERS.has(next);
}

/** CR, LF, `:`, `,`, `]`, `}` */
const QUOTE_FOLLOWERS: ReadonlySet<number> = new Set([0x0d, 0x0a, 0x3a, 0x2c, 0x5d, 0x7d]);

/**
 * Pairs js-yaml's documents with the scan's: the same count, and every root
 * node inside the document the scan numbers the same. Lines are those of the
 * root node, as the `yaml` path gives them (line of `doc.contents`).
 */
function alignDocuments(values: readonly unknown[], starts: readonly DocumentStarts[], layout: TextLayout, lines: LineCursor): FastDocument[] | undefined {
  const { documentStarts } = layout;
  if (values.length !== documentStarts.length || starts.length !== values.length) return undefined;
  const documents: FastDocument[] = [];
  for (let index = 0; index < values.length; index += 1) {
    const { root, items } = starts[index] ?? { root: -1, items: [] };
    const next = documentStarts[index + 1] ?? Infinity;
    if (root >= 0 && (root < (documentStarts[index] ?? 0) || root >= next)) return undefined;
    const line = root >= 0 ? lines.lineAt(root) : undefined;
    const itemLines = items.map((item) => (item >= 0 ? lines.lineAt(item) : -1));
    documents.push({ value: values[index], line, itemLines });
  }
  return documents;
}
