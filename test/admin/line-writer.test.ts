// The query log's buffered writer: every line arrives, in order, through
// small chunks, a flush on a timer, and end() at exit.

import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLineWriter } from '../../src/admin/line-writer.js';
import { waitFor } from '../helpers/live.js';

function tempFile(): { file: string; fd: number } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'line-writer-')), 'log');
  return { file, fd: openSync(file, 'w') };
}

const lines = (n: number, prefix = 'line'): string[] => Array.from({ length: n }, (_, i) => `${prefix} ${i} ${'x'.repeat(i % 50)}\n`);

describe('createLineWriter', () => {
  const rows = [
    { name: '10,000 lines through 1 KiB chunks, async then flushSync', count: 10_000, chunkBytes: 1024 },
    { name: 'lines longer than a chunk', count: 20, chunkBytes: 16 },
    { name: 'non-ASCII names (UTF-8)', count: 500, chunkBytes: 256, prefix: 'ünïcødé.例え' },
  ];
  it.each(rows)('$name: every line written once, in order', async ({ count, chunkBytes, prefix }) => {
    const { file, fd } = tempFile();
    const writer = createLineWriter({ fd, chunkBytes });
    const expected = lines(count, prefix);
    for (const [i, line] of expected.entries()) {
      writer.write(line);
      if (i % 997 === 0) await new Promise((r) => setImmediate(r)); // let async writes run
    }
    await writer.end(5000);
    expect(readFileSync(file, 'utf8')).toBe(expected.join(''));
    closeSync(fd);
    expect(writer.dropped).toBe(0);
  });

  it('through a pipe slower than the writer: partial writes and full-pipe retries keep every line, in order', async () => {
    const { file } = tempFile();
    // `cat` reads the pipe; its 64 KiB buffer fills many times over.
    const reader = spawn('sh', ['-c', `cat > '${file}'`], { stdio: ['pipe', 'ignore', 'inherit'] });
    const fd = (reader.stdin as unknown as { _handle: { fd: number } })._handle.fd;
    const writer = createLineWriter({ fd, chunkBytes: 4096 });
    const expected = lines(30_000, 'through a pipe');
    for (const [i, line] of expected.entries()) {
      writer.write(line);
      if (i % 3001 === 0) await new Promise((r) => setImmediate(r));
    }
    await writer.end(10_000);
    const exited = new Promise((resolve) => reader.on('exit', resolve));
    reader.stdin!.end();
    await exited;
    expect(writer.dropped).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(expected.join(''));
  });

  it('flush() writes out a partly filled chunk (light traffic)', async () => {
    const { file, fd } = tempFile();
    const writer = createLineWriter({ fd });
    writer.write('one line\n');
    expect(readFileSync(file, 'utf8')).toBe('');
    writer.flush();
    await waitFor(() => readFileSync(file, 'utf8') === 'one line\n', 'the line on disk');
    closeSync(fd);
  });

  it('past maxPendingBytes lines are dropped and counted, never blocking', async () => {
    const { fd } = tempFile();
    const writer = createLineWriter({ fd, chunkBytes: 64, maxPendingBytes: 256 });
    for (const line of lines(1000)) writer.write(line); // synchronous: no write can finish meanwhile
    expect(writer.dropped).toBeGreaterThan(900);
    await writer.end(5000);
    closeSync(fd);
  });
});
