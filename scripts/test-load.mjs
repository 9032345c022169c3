#!/usr/bin/env node
// npm run test:load: the test suite beside a CPU hog, as on a busy machine. One busy process per
// core (os.availableParallelism) spins for as long as the suite runs; the suite's exit code is this
// script's. No test may depend on wall-clock timing, so this must pass as `npm test` does.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const hogs = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
console.log(`test:load: ${hogs.length} CPU hog(s) running beside the suite`);
const stop = () => {
  for (const h of hogs) h.kill('SIGKILL');
};
const suite = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    suite.kill(sig);
  });
suite.on('exit', (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});
