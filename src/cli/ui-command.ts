/**
 * `tickfold ui [--ledger PATH] [--reports DIR] [--port N]`: the local web UI over the trial
 * ledger (read-only) and the JSON reports of a folder, on http://127.0.0.1:PORT/ until Ctrl-C.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { bundleBrowserCode } from '../ui/bundle.js';
import { startUi } from '../ui/server.js';
import { defaultLedgerPath } from './ledger-options.js';
import { interruptSignal } from './interrupt.js';

export const DEFAULT_UI_PORT = 8734;

function parsePort(s: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535) throw new UsageError(`--port '${s}': a port is a whole number from 1 to 65535 (or 0 for any free port), e.g. --port ${DEFAULT_UI_PORT}`);
  return n;
}

export function uiCommand(): Command {
  return new Command('ui')
    .description('a local web UI (read-only) over the trial ledger and the reports: runs, a run, compare, data; on 127.0.0.1 only')
    .option('--ledger <path>', 'the trial ledger, opened read-only (default $TICKFOLD_LEDGER or .tickfold/ledger.sqlite)')
    .option('--reports <dir>', 'the folder of JSON (and HTML) reports to list', 'out')
    .option('--port <n>', `the port on 127.0.0.1 (0: any free one)`, String(DEFAULT_UI_PORT))
    .action(async (f: { ledger?: string; reports: string; port: string }) => {
      const port = parsePort(f.port);
      const reports = resolve(f.reports);
      let isDir = true;
      try {
        isDir = statSync(reports).isDirectory();
      } catch {
        /* absent: the page says so, and lists it once it exists */
      }
      if (!isDir) throw new UsageError(`--reports '${f.reports}' is a file; give the folder your --json reports are written to`);
      const ledger = resolve(f.ledger ?? defaultLedgerPath());
      const script = await bundleBrowserCode();
      let ui;
      try {
        ui = await startUi({ ledger, reports, port, script });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new UsageError(`--port ${port}: the port is in use on 127.0.0.1; give another (--port 0 takes any free one)`);
        if (code === 'EACCES') throw new UsageError(`--port ${port}: not allowed to listen there (ports below 1024 need privileges); give one above 1023`);
        throw e;
      }
      process.stdout.write(`tickfold ui on ${ui.url} (ledger ${ledger}, read-only; reports ${reports}); Ctrl-C stops it\n`);
      await new Promise<void>((done) => {
        if (interruptSignal.aborted) return done();
        interruptSignal.addEventListener('abort', () => done(), { once: true });
      });
      ui.server.closeAllConnections();
      await new Promise<void>((done) => ui.server.close(() => done()));
    });
}
