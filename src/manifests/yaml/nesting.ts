// A guard against deeply nested YAML, run before the parser composes
// documents.
//
// The yaml library composes nodes recursively. On input nested hundreds of
// levels deep (`[[[[...` or ever-deeper indentation) it exhausts the stack,
// and when that happens inside a V8 RegExp compilation the process dies with
// a fatal "RegExpCompiler Allocation failed" that no try/catch can stop. So
// the text is first run through the library's lexer, which is iterative, and
// an upper bound of the nesting depth is tracked. The scan stops at the first
// place that goes over the limit, so hostile input is rejected quickly.

import { CST, Lexer } from 'yaml';

import { MAX_NESTING } from './limits.js';

export { MAX_NESTING } from './limits.js';

interface TooDeep {
  /** 1-based document and line where the limit was crossed. */
  readonly document: number;
  readonly line: number;
  /** Which cap: nesting depth, or the document count (checked in the same pass). */
  readonly limit: 'nesting' | 'documents';
}

/**
 * Upper bound per position: distinct increasing indentation levels (block
 * collections) + `-`/`?` indicators on the line (compact `- - x`) + open
 * flow brackets. Scalars are single lexemes, so brackets inside strings or
 * block scalars never count.
 */
export function findTooDeep(text: string, limit: number = MAX_NESTING, maxDocuments = Infinity): TooDeep | undefined {
  const indents: number[] = [];
  let flow = 0;
  let indicators = 0;
  let indent = 0;
  let atLineStart = true;
  let skipScalar = false;
  let document = 1;
  let documentStarted = false;
  let line = 1;
  for (const lexeme of new Lexer().lex(text)) {
    // The lexeme after a SCALAR marker is the scalar's text, whatever it looks like.
    const type: string | null = skipScalar ? 'scalar-text' : CST.tokenType(lexeme);
    skipScalar = type === 'scalar';
    line += countNewlines(lexeme);
    if (type === 'newline' || (type === 'scalar-text' && lexeme.endsWith('\n'))) {
      // A block scalar swallows its final line break; the next lexeme starts a line.
      [atLineStart, indicators, indent] = [true, 0, 0];
      continue;
    }
    switch (type) {
      case 'scalar-text':
        break;
      case 'space':
        if (atLineStart) indent = lexeme.length;
        continue;
      case 'comment':
      case 'doc-mode':
      case 'byte-order-mark':
        continue;
      case 'doc-start':
      case 'doc-end':
        if (documentStarted || type === 'doc-end') document += 1;
        documentStarted = type === 'doc-start';
        if (document > maxDocuments) return { document, line, limit: 'documents' };
        [indents.length, flow] = [0, 0];
        continue;
      case 'flow-seq-start':
      case 'flow-map-start':
        flow += 1;
        break;
      case 'flow-seq-end':
      case 'flow-map-end':
        flow = Math.max(0, flow - 1);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
        indicators += 1;
        break;
      default:
        break;
    }
    documentStarted = true;
    if (atLineStart && flow === 0) {
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= indent) indents.pop();
      indents.push(indent);
    }
    atLineStart = false;
    if (indents.length + indicators + flow > limit) return { document, line, limit: 'nesting' };
  }
  return undefined;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}
