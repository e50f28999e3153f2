// The native module as npm builds it at install (CI builds it with `npm ci`):
// it loads, and its memory calls work. Its socket side is tested
// through the real server in test/server/udp-io.test.ts.

import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { nativeAddon } from '../../src/native/addon.js';

describe('the native module', () => {
  it('is built and loads', () => {
    const addon = nativeAddon();
    expect(addon instanceof Error ? addon.message : 'loaded').toBe('loaded');
  });

  it('releases free C-heap memory (glibc malloc_trim) without harm, again and again', () => {
    const addon = nativeAddon();
    if (addon instanceof Error) throw addon;
    for (let i = 0; i < 3; i++) expect(typeof addon.trimMemory()).toBe('boolean');
  });

  it('caps glibc malloc arenas when given a positive count, and refuses anything else', () => {
    const addon = nativeAddon();
    if (addon instanceof Error) throw addon;
    const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime !== undefined;
    // MALLOC_ARENA_MAX's own value range: what serve sets (2), and the cap glibc works out for 2 cores.
    expect(addon.limitMallocArenas(2)).toBe(glibc);
    expect(addon.limitMallocArenas(16)).toBe(glibc);
    for (const bad of [0, -1, 'two', undefined]) expect(addon.limitMallocArenas(bad as unknown as number)).toBe(false);
  });

  it('refuses a bad descriptor or callback with an error, not a crash', () => {
    const addon = nativeAddon();
    if (addon instanceof Error) throw addon;
    expect(() => addon.attach(-1, () => {})).toThrow(/file descriptor/);
    expect(() => addon.attach(0, undefined as unknown as () => void)).toThrow(/callback/);
  });

  it('sets reply sources only on a wildcard-bound socket, and send() refuses bad arguments with an error', async () => {
    const addon = nativeAddon();
    if (addon instanceof Error) throw addon;
    for (const [type, host, expected] of [['udp4', '0.0.0.0', true], ['udp6', '::', true], ['udp4', '127.0.0.1', false], ['udp6', '::1', false]] as const) {
      const socket = createSocket(type);
      socket.bind(0, host);
      await once(socket, 'listening');
      // The descriptor, reached as src/server/batch-io.ts does (socket._handle is deprecated).
      const state = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol')!;
      const fd = (socket as unknown as Record<symbol, { handle: { fd: number } }>)[state]!.handle.fd;
      const batcher = addon.attach(fd, () => {});
      try {
        expect(batcher.replySource, `${host}`).toBe(expected);
        expect(() => batcher.send('x' as unknown as Uint8Array, new Int32Array(14))).toThrow(/route/);
        expect(() => batcher.send(new Uint8Array(1), new Int32Array(3))).toThrow(/route/);
      } finally {
        batcher.close();
        socket.close();
      }
      // Closed: a late reply reports EBADF (9) instead of writing anywhere.
      expect(batcher.send(new Uint8Array(1), new Int32Array(14))).toBe(9);
    }
  });
});
