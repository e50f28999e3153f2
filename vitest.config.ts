import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // examples/vitest is the Node API example users copy; it runs in CI against the built package.
    include: ['test/**/*.test.ts', 'examples/vitest/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
