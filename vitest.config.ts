import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // bounds that only catch a hang: a test's time is never asserted (the suite must pass with
    // both cores taken, as `npm run test:load` runs it), and a busy machine slows a test many times
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // each test file in a process of its own: the in-process CLI (tests/cli-harness.ts) changes
    // the working folder and the environment, which worker threads may not
    pool: 'forks',
    globalSetup: ['tests/global-setup.ts'],
    // the built CLI (dist/) that tests/cli-harness.ts runs in-process is loaded by Node as it is,
    // not transformed again by vite
    server: { deps: { external: [/\/dist\//] } },
  },
});
