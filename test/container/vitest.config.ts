// The container suite (`npm run test:container`): builds the image with a real
// Docker engine (DOCKER_HOST) and runs it, its compose example and a client
// container. Outside `npm test` (files end in .container.ts). Without an
// engine every test is skipped and global-setup.ts says why in one line.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/container/*.container.ts'],
    globalSetup: ['test/container/global-setup.ts'],
    // One engine, one compose network with a fixed subnet: one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
