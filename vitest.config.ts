import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // bounds that only catch a hang, the same for every test and hook (no test sets its own): a
    // test's time is never asserted (the suite must pass with both cores taken, as `npm run
    // test:load` runs it), and a busy machine slows a test many times (a load average of 25 on 2
    // cores made 10-second tests take over 2 minutes)
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // each test file in a process of its own: the in-process CLI (tests/cli-harness.ts) changes
    // the working folder and the environment, which worker threads may not
    pool: 'forks',
    // two files per core at once (vitest's default is cores - 1: on 2 cores, one file at a time):
    // much of the suite waits (redis-server, BullMQ's lock and stall timers, worker processes,
    // npm install, Chromium), and a waiting file leaves its core to another
    maxWorkers: 2 * availableParallelism(),
    globalSetup: ['tests/global-setup.ts'],
    // the built CLI (dist/) that tests/cli-harness.ts runs in-process is loaded by Node as it is,
    // not transformed again by vite
    server: { deps: { external: [/\/dist\//] } },
  },
});
