// Big manifest texts, decoded piece by piece: a cluster dump is one file of
// tens of thousands of documents, or one `kind: List` document of hundreds of
// megabytes (`kubectl get -A -o yaml|json`), more than one V8 string can hold
// past ~512 MB. The text is read line by line and cut into pieces, each
// decoded on its own and dropped, so memory follows the objects kept, not
// the file:
//
// - YAML documents, at `---` / `...` lines;
// - inside a document past ITEM_SPLIT_BYTES that is a List as kubectl writes
//   it, its items: `items:` at column 0 with each item a `- ` line at column 0
//   (YAML), or `    "items": [` with each item from `        {` to
//   `        }` (kubectl's JSON, 4-space indent). Other layouts are decoded as
//   one document.
//
// Every piece is decoded at once (yaml-text.ts) and its sources moved to
// where the piece sits in the file: the same document numbers, items and
// lines as decoding the whole text at once would give.
//
// decodeText, the entry for any one text, is here because it is the one
// place that chooses: at once, or piece by piece when the text holds more
// documents than one parse holds.

import type { ManifestObject, Problem, SourceRef } from '../../cluster/index.js';
import type { Envelope, ListItemOf, SkippedObject } from '../decode/index.js';
import { decodeAtOnce, TOO_MANY_DOCUMENTS, type TextOutput } from './yaml-text.js';

/** A List document bigger than this is decoded item by item (smaller ones whole, exactly as before). */
const ITEM_SPLIT_BYTES = 8 * 1024 * 1024;

interface ItemLines {
  /** 1-based line of the item's first line. */
  readonly line: number;
  readonly lines: string[];
}

/**
 * Cuts lines into documents and List items and decodes each into `out`.
 * Feed it with line() (without the line break) and call end() once.
 */
export class PieceDecoder {
  private lineNumber = 0;
  /** Documents finished so far; the current one is number finished + 1. */
  private finished = 0;
  /** The current document's lines, until it is split into items. */
  private lines: string[] = [];
  private bytes = 0;
  private startLine = 1;
  private open = false;
  private hasContent = false;
  private json: boolean | undefined;
  // List structure of the current document.
  private kind: string | undefined;
  private apiVersion: string | undefined;
  private inItems = false;
  private itemStarts: number[] = [];
  private current: ItemLines | undefined;
  private split = false;
  private itemIndex = 0;
  private pending: { item: ItemLines; index: number }[] = [];

  constructor(
    private readonly file: string,
    private readonly out: TextOutput,
    private readonly splitBytes = ITEM_SPLIT_BYTES,
  ) {}

  line(raw: string): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    this.lineNumber += 1;
    if (this.json === undefined && text.trim() !== '' && !text.startsWith('#')) this.json = text.trimStart().startsWith('{');
    if (!this.json && /^---(\s|$)/.test(text)) {
      if (!this.open && !this.hasContent) {
        // The first `---` of a file (or the first after `...`): what came before it
        // (comments, a `%YAML 1.1` directive) and the marker belong to this document.
        const carried = this.lines;
        const from = carried.length > 0 ? this.startLine : this.lineNumber;
        this.startDocument(from);
        this.lines = [...carried, text];
        this.bytes = this.lines.reduce((sum, line) => sum + line.length + 1, 0);
        if (/^---\s+[^\s#]/.test(text)) this.hasContent = true;
        return;
      }
      // A separator ends the open document.
      this.finishDocument();
      this.startDocument(this.lineNumber + 1);
      const rest = text.slice(3).trim();
      if (rest !== '' && !rest.startsWith('#')) {
        // `--- {a: 1}`: the content starts on the separator's line.
        this.startLine = this.lineNumber;
        this.add(' '.repeat(4) + rest, true);
      }
      return;
    }
    if (!this.json && /^\.\.\.(\s|$)/.test(text)) {
      if (this.open || this.hasContent) this.finishDocument();
      this.open = false;
      this.resetDocument(this.lineNumber + 1);
      return;
    }
    if (!this.open && this.finished === 0 && this.lines.length === 0) this.startLine = this.lineNumber;
    this.add(text, false);
  }

  end(): void {
    if (this.open || this.hasContent) this.finishDocument();
  }

  private startDocument(line: number): void {
    this.open = true;
    this.resetDocument(line);
  }

  private resetDocument(line: number): void {
    this.lines = [];
    this.bytes = 0;
    this.startLine = line;
    this.hasContent = false;
    this.kind = undefined;
    this.apiVersion = undefined;
    this.inItems = false;
    this.itemStarts = [];
    this.current = undefined;
    this.split = false;
    this.itemIndex = 0;
    this.pending = [];
  }

  private add(text: string, fromSeparator: boolean): void {
    if (!fromSeparator && !this.hasContent && text.trim() !== '' && !text.startsWith('#') && !text.startsWith('%')) {
      this.hasContent = true;
    }
    if (fromSeparator) this.hasContent = true;
    this.track(text);
    if (this.split) {
      this.current?.lines.push(text);
      return;
    }
    this.lines.push(text);
    this.bytes += text.length + 1;
    if (this.bytes > this.splitBytes && this.inItems && this.itemStarts.length > 1) this.startSplitting();
  }

  /** Follows the List layout: header fields, where items start and end. */
  private track(text: string): void {
    const json = this.json === true;
    if (this.inItems) {
      const starts = json ? /^ {8}\{\s*$/.test(text) : text === '-' || text.startsWith('- ');
      if (starts) {
        this.itemStarted();
        return;
      }
      const inside = json ? text.startsWith('         ') || /^ {8}\},?\s*$/.test(text) : text === '' || text.startsWith(' ') || text.startsWith('#');
      if (inside) return;
      this.itemsEnded();
    }
    const header = json ? /^ {4}"(kind|apiVersion)": "([^"\\]*)",?\s*$/.exec(text) : /^(kind|apiVersion):\s*["']?([^"'\s#]*)["']?\s*(#.*)?$/.exec(text);
    if (header?.[1] === 'kind') this.kind = header[2];
    else if (header?.[1] === 'apiVersion') this.apiVersion = header[2];
    if (json ? /^ {4}"items": \[\s*$/.test(text) : /^items:\s*$/.test(text)) this.inItems = true;
  }

  private itemStarted(): void {
    if (this.split) {
      this.finishItem();
      this.current = { line: this.lineNumber, lines: [] };
    } else {
      this.itemStarts.push(this.lines.length);
    }
  }

  private itemsEnded(): void {
    this.inItems = false;
    if (this.split) {
      this.finishItem();
    } else {
      // The end of the items list, as an index: itemStarts' last entry ends here.
      this.itemStarts.push(-this.lines.length - 1);
    }
  }

  /** The document is big: decode its finished items now and the rest as they come. */
  private startSplitting(): void {
    this.split = true;
    const starts = this.itemStarts.filter((start) => start >= 0);
    const endMark = this.itemStarts.find((start) => start < 0);
    const itemsEnd = endMark === undefined ? this.lines.length : -endMark - 1;
    for (let i = 0; i < starts.length; i++) {
      const from = starts[i] as number;
      const to = i + 1 < starts.length ? (starts[i + 1] as number) : itemsEnd;
      const item = { line: this.startLine + from, lines: this.lines.slice(from, to) };
      if (i + 1 < starts.length || endMark !== undefined) this.decodeItem(item);
      else this.current = item;
    }
    this.lines = [];
    this.itemStarts = [];
  }

  private finishItem(): void {
    if (this.current !== undefined) this.decodeItem(this.current);
    this.current = undefined;
  }

  private decodeItem(item: ItemLines): void {
    const index = this.itemIndex++;
    if (this.impliedNeeded(item) && this.kind === undefined) {
      // A typed list whose kind comes after its items: wait for it (rare; kubectl writes full items).
      this.pending.push({ item, index });
      return;
    }
    this.decodeItemNow(item, index);
  }

  private impliedNeeded(item: ItemLines): boolean {
    const key = this.json === true ? /^ {12}"(kind|apiVersion)":/ : /^(- | {2})(kind|apiVersion):/;
    return item.lines.filter((line) => key.test(line)).length < 2;
  }

  private decodeItemNow(item: ItemLines, index: number): void {
    const json = this.json === true;
    const lines = json ? item.lines.map((line) => line.slice(8)) : item.lines.map((line) => (line.startsWith('- ') || line.startsWith('  ') ? line.slice(2) : line === '-' ? '' : line));
    if (json && lines.length > 0) lines[lines.length - 1] = (lines[lines.length - 1] as string).replace(/,\s*$/, '');
    const implied = this.kind !== undefined && this.kind !== 'List' && this.kind.endsWith('List') && this.apiVersion !== undefined
      ? { kind: this.kind.slice(0, -'List'.length), apiVersion: this.apiVersion }
      : undefined;
    this.decodePiece(lines.join('\n'), item.line, { implied }, index);
  }

  private finishDocument(): void {
    if (this.split) {
      this.finishItem();
      for (const { item, index } of this.pending) this.decodeItemNow(item, index);
    } else if (this.hasContent) {
      this.decodePiece(this.lines.join('\n'), this.startLine, undefined, undefined);
    }
    this.finished += 1;
    this.resetDocument(this.lineNumber + 1);
  }

  private decodePiece(text: string, firstLine: number, asItem: { implied: Envelope | undefined } | undefined, item: number | undefined): void {
    const piece: TextOutput = { objects: [], skipped: [], problems: [] };
    decodeText(text, this.file, piece, asItem);
    const move = (source: SourceRef): SourceRef => ({
      ...source,
      document: this.finished + 1,
      ...(source.line === undefined ? {} : { line: source.line + firstLine - 1 }),
      ...(item === undefined ? {} : { item }),
    });
    for (const object of piece.objects) this.out.objects.push({ ...object, meta: { ...object.meta, source: move(object.meta.source) } } as ManifestObject);
    for (const skipped of piece.skipped) this.out.skipped.push({ ...skipped, source: move(skipped.source) } as SkippedObject);
    for (const problem of piece.problems) this.out.problems.push(problem.source ? ({ ...problem, source: move(problem.source) } as Problem) : problem);
  }
}

/**
 * Decodes one file's text into `out`, reporting every problem: at once, or
 * document by document when it holds more documents than one parse holds.
 */
export function decodeText(text: string, file: string, out: TextOutput, asItem?: ListItemOf): void {
  if (decodeAtOnce(text, file, out, asItem) === TOO_MANY_DOCUMENTS) decodeSplitText(text, file, out);
}

/** Decodes a text that is too big (in documents) to parse at once, document by document. */
export function decodeSplitText(text: string, file: string, out: TextOutput): void {
  const decoder = new PieceDecoder(file, out);
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end === text.length && start === text.length) break;
    decoder.line(text.slice(start, end));
    start = end + 1;
  }
  decoder.end();
}

/**
 * Reads a stream of UTF-8 bytes line by line into a PieceDecoder. Gives up
 * (returns the size so far) past `maxBytes`; a byte that is not UTF-8 is an
 * error naming its line.
 */
export async function decodeStream(
  chunks: AsyncIterable<Buffer | string>,
  file: string,
  out: TextOutput,
  maxBytes: number,
): Promise<{ ok: true } | { ok: false; tooLarge: number } | { ok: false; badUtf8Line: number }> {
  const decoder = new PieceDecoder(file, out);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let size = 0;
  let rest = '';
  let line = 1;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    size += bytes.length;
    if (size > maxBytes) return { ok: false, tooLarge: size };
    let text: string;
    try {
      text = rest + utf8.decode(bytes, { stream: true });
    } catch {
      return { ok: false, badUtf8Line: line + (rest.match(/\n/g)?.length ?? 0) };
    }
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      decoder.line(text.slice(start, end));
      line += 1;
      start = end + 1;
    }
    rest = text.slice(start);
  }
  try {
    rest += utf8.decode();
  } catch {
    return { ok: false, badUtf8Line: line };
  }
  if (rest !== '') decoder.line(rest);
  decoder.end();
  return { ok: true };
}
