// Reading what `-f/--filename` names: files, directories (recursive, sorted,
// dot-entries skipped, .yaml/.yml/.json only) and `-` for stdin. Every
// failure becomes a Problem naming the path; nothing throws out of here.

import { createReadStream } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Problem } from '../../cluster/index.js';
import type { DecodeMemo, FileOutput } from './decode-memo.js';
import type { Collected } from './result.js';
import { decodeStream, decodeText, DEFAULT_MAX_FILE_BYTES, formatMiB, MAX_TEXT_BYTES, type TextOutput } from '../yaml/index.js';

export const STDIN_NAME = '<stdin>';
export const MANIFEST_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json']);

export type StdinSource = NodeJS.ReadableStream | (() => Promise<string>);

interface ReadContext {
  readonly collected: Collected;
  /** Real paths already read, so a file named twice (`-f dir -f dir/a.yaml`) is read once. */
  readonly seen: Set<string>;
  readonly stdin: StdinSource | undefined;
  /** Results of the last load of the same paths; unchanged files are not decoded again. */
  readonly memo?: DecodeMemo;
  /** Largest file or stdin (--max-manifest-bytes); default DEFAULT_MAX_FILE_BYTES. */
  readonly maxBytes?: number;
}

/** Reads one `-f` argument into the collection. */
export async function readPath(path: string, ctx: ReadContext): Promise<void> {
  if (path === '-') {
    await readStdin(ctx);
    return;
  }
  const info = await stat(path).catch((error: unknown) => fail(ctx, path, error));
  if (info === undefined) return;
  if (info.isDirectory()) {
    // Counted, not compared with what was read: `-f dir -f dir` reads nothing new the second time.
    const found = await readDirectory(path, ctx);
    if (found === 0) {
      ctx.collected.problems.push({ level: 'warning', message: `${path}: directory contains no .yaml, .yml or .json files` });
    }
    return;
  }
  await readManifestFile(path, ctx);
}

/**
 * Reads every manifest file below `dir`. Returns how many it holds (read now
 * or before), or undefined when `dir` was walked already or cannot be read.
 */
async function readDirectory(dir: string, ctx: ReadContext): Promise<number | undefined> {
  const real = await realpath(dir).catch((error: unknown) => fail(ctx, dir, error));
  // A symlink loop (or a directory named twice) is walked once.
  if (real === undefined || ctx.seen.has(real)) return undefined;
  ctx.seen.add(real);
  const entries = await readdir(dir).catch((error: unknown) => fail(ctx, dir, error));
  if (entries === undefined) return undefined;
  // Code-point order, so results do not depend on locale.
  const names = entries.filter((name) => !name.startsWith('.')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let found = 0;
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch((error: unknown) => fail(ctx, path, error));
    if (info?.isDirectory()) found += (await readDirectory(path, ctx)) ?? 0;
    else if (info?.isFile() && MANIFEST_EXTENSIONS.has(extname(name).toLowerCase())) {
      found += 1;
      await readManifestFile(path, ctx);
    }
  }
  return found;
}

/** A file named explicitly is read whatever its extension. */
async function readManifestFile(path: string, ctx: ReadContext): Promise<void> {
  const real = await realpath(path).catch((error: unknown) => fail(ctx, path, error));
  if (real === undefined || ctx.seen.has(real)) return;
  ctx.seen.add(real);
  const info = await stat(real).catch((error: unknown) => fail(ctx, path, error));
  if (info === undefined) return;
  const maxBytes = ctx.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (info.size > maxBytes) {
    ctx.collected.problems.push(tooLarge(path, info.size, maxBytes));
    return;
  }
  if (info.size > MAX_TEXT_BYTES) {
    // A dump: read and decoded piece by piece (yaml/stream.ts), never held whole.
    ctx.collected.files.push(path);
    await streamInto(createReadStream(real), path, ctx, maxBytes);
    return;
  }
  const bytes = await readFile(real).catch((error: unknown) => fail(ctx, path, error));
  if (bytes === undefined) return;
  // An unchanged file (same bytes as last load) is neither UTF-8 decoded nor parsed again:
  // a reload of a 150,000-pod cluster rereads megabytes it would otherwise decode on the answering thread.
  const result = ctx.memo ? ctx.memo.decode(path, bytes, () => decodeFile(bytes, path)) : decodeFile(bytes, path);
  if (result.notUtf8Line !== undefined) {
    ctx.collected.problems.push(notUtf8(path, result.notUtf8Line));
    return;
  }
  ctx.collected.files.push(path);
  // Loops, not push(...): spreading thousands of items can overflow the stack.
  for (const object of result.objects) ctx.collected.objects.push(object);
  for (const skipped of result.skipped) ctx.collected.skipped.push(skipped);
  for (const problem of result.problems) ctx.collected.problems.push(problem);
}

/** What a file's bytes decode to; a file that is not UTF-8 holds nothing but the line of its first bad byte. */
function decodeFile(bytes: Buffer, path: string): FileOutput {
  const text = decodeUtf8(bytes);
  const out: FileOutput = { objects: [], skipped: [], problems: [] };
  if (typeof text !== 'string') return { ...out, notUtf8Line: text.line };
  decodeText(text, path, out);
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text, or the line of the first byte that is not UTF-8 (YAML is UTF-8; a silent U+FFFD would hide the damage). */
function decodeUtf8(bytes: Buffer): string | { line: number } {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const lenient = bytes.toString('utf8');
    const at = lenient.indexOf('\uFFFD');
    return { line: lenient.slice(0, Math.max(0, at)).split('\n').length };
  }
}

async function readStdin(ctx: ReadContext): Promise<void> {
  if (ctx.seen.has(STDIN_NAME)) return;
  ctx.seen.add(STDIN_NAME);
  const source = ctx.stdin ?? process.stdin;
  const maxBytes = ctx.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (typeof source === 'function') {
    let text: string;
    try {
      text = await source();
    } catch (error) {
      fail(ctx, STDIN_NAME, error);
      return;
    }
    ctx.collected.files.push(STDIN_NAME);
    decodeText(text, STDIN_NAME, ctx.collected);
    return;
  }
  ctx.collected.files.push(STDIN_NAME);
  await streamInto(source as AsyncIterable<Buffer | string>, STDIN_NAME, ctx, maxBytes);
}

/**
 * Reads a stream: up to MAX_TEXT_BYTES it is decoded as one text, as a file
 * is; past that it is decoded piece by piece as it arrives (stream.ts), up to `maxBytes`.
 */
async function streamInto(stream: AsyncIterable<Buffer | string>, name: string, ctx: ReadContext, maxBytes: number): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      const buffer = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : Buffer.from(next.value);
      size += buffer.length;
      chunks.push(buffer);
      if (size > MAX_TEXT_BYTES) {
        await decodeRest(chunks, iterator, name, ctx, maxBytes);
        return;
      }
    }
  } catch (error) {
    fail(ctx, name, error);
    return;
  }
  const bytes = Buffer.concat(chunks);
  const text = decodeUtf8(bytes);
  if (typeof text !== 'string') {
    ctx.collected.problems.push(notUtf8(name, text.line));
    return;
  }
  decodeText(text, name, ctx.collected);
}

async function decodeRest(head: Buffer[], rest: AsyncIterator<Buffer | string>, name: string, ctx: ReadContext, maxBytes: number): Promise<void> {
  async function* all(): AsyncGenerator<Buffer | string> {
    yield* head.splice(0);
    for (;;) {
      const next = await rest.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  const piecewise: TextOutput = { objects: ctx.collected.objects, skipped: ctx.collected.skipped, problems: ctx.collected.problems };
  const result = await decodeStream(all(), name, piecewise, maxBytes);
  if (result.ok) return;
  if ('tooLarge' in result) ctx.collected.problems.push(tooLarge(name, result.tooLarge, maxBytes));
  else ctx.collected.problems.push(notUtf8(name, result.badUtf8Line));
}

function notUtf8(path: string, line: number): Problem {
  return { level: 'error', message: `${path}: not valid UTF-8 (first bad byte on line ${line}); a binary file, or another encoding? Save it as UTF-8` };
}

function tooLarge(path: string, bytes: number, maxBytes: number): Problem {
  const limit = maxBytes % (1024 * 1024) === 0 ? formatMiB(maxBytes) : `${maxBytes} bytes`;
  const size = bytes > maxBytes ? `is ${maxBytes % (1024 * 1024) === 0 ? formatMiB(bytes) : `${bytes} bytes`}` : 'is too large';
  return { level: 'error', message: `${path}: file ${size}, over the limit of ${limit} per manifest file (--max-manifest-bytes); split it or raise the limit` };
}

/** Records a read failure naming the path ("no such file or directory", "permission denied", ...). */
function fail(ctx: ReadContext, path: string, error: unknown): undefined {
  ctx.collected.problems.push({ level: 'error', message: `${path}: cannot read: ${describeFsError(error)}` });
  return undefined;
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
