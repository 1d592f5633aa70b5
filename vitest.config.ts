import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // The suite starts real HTTP servers on loopback; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
  },
});
