// The long fuzz run (`npm run fuzz`): outside `npm test`, no time limits.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/fuzz/long/*.fuzz.ts'],
    testTimeout: 0,
    hookTimeout: 0,
  },
});
