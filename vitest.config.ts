import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    // each test file in a process of its own: the in-process CLI (tests/cli-harness.ts) changes
    // the working folder and the environment, which worker threads may not
    pool: 'forks',
    globalSetup: ['tests/global-setup.ts'],
    // the built CLI (dist/) that tests/cli-harness.ts runs in-process is loaded by Node as it is,
    // not transformed again by vite
    server: { deps: { external: [/\/dist\//] } },
  },
});
