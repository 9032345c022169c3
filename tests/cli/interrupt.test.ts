/**
 * Interrupts (src/cli/interrupt.ts): a signal that arrives while the main thread is busy (as it is
 * building and rendering a report, after the backtest and before the outputs) is still pending
 * when the check before writing runs; the check must see it (issue 29 point 7: such a SIGTERM was
 * ignored and the outputs written, exit 0). Played in a process of its own: the signal sent to
 * itself during a synchronous stretch, then the check, as the commands call it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const play = (signal: 'SIGTERM' | 'SIGINT'): { code: number | null; out: string } => {
  const script = `
    const { installInterruptHandlers, checkInterrupted } = await import(${JSON.stringify(join(ROOT, 'dist/src/cli/interrupt.js'))});
    installInterruptHandlers();
    // busy, synchronously (rendering a report): the signal arrives and waits for the event loop
    process.kill(process.pid, '${signal}');
    const t = Date.now();
    while (Date.now() - t < 50) {}
    try {
      await checkInterrupted();
      process.stdout.write('missed: the outputs would be written\\n');
      process.exit(0);
    } catch (e) {
      process.stdout.write(e.message + '\\n');
      process.exit(e.exitCode);
    }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
};

describe('interrupts while the main thread is busy', () => {
  it('a SIGTERM pending when the outputs are about to be written: exit 143, nothing written', () => {
    const r = play('SIGTERM');
    expect(r.out).toBe('interrupted (SIGTERM); no output files were written\n');
    expect(r.code).toBe(143);
  });
  it('a pending SIGINT: exit 130', () => {
    const r = play('SIGINT');
    expect(r.out).toBe('interrupted (SIGINT); no output files were written\n');
    expect(r.code).toBe(130);
  });
});
