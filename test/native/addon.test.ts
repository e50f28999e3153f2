// The native module as npm builds it at install (CI builds it with `npm ci`):
// it loads, and its memory release call works. Its socket side is tested
// through the real server in test/server/udp-io.test.ts.

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

  it('refuses a bad descriptor or callback with an error, not a crash', () => {
    const addon = nativeAddon();
    if (addon instanceof Error) throw addon;
    expect(() => addon.attach(-1, () => {})).toThrow(/file descriptor/);
    expect(() => addon.attach(0, undefined as unknown as () => void)).toThrow(/callback/);
  });
});
