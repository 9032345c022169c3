/**
 * Report folders for the UI's tests (the generated ledgers are bench/ui-ledger.ts's, shared with
 * the UI's bench).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export { generatedTrials, writeLedger } from '../../bench/ui-ledger.js';

/** A reports folder with the given reports copied in, an old report and a file that is not JSON. */
export function writeReports(dir: string, reports: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const r of reports) {
    copyFileSync(r, join(dir, r.split('/').pop()!));
    const html = r.replace(/\.json$/, '.html');
    try {
      copyFileSync(html, join(dir, html.split('/').pop()!));
    } catch {
      /* no HTML beside it */
    }
  }
  // a report from before reports named their version and command line
  writeFileSync(join(dir, 'old-report.json'), JSON.stringify({ manifest: { strategies: [] }, summary: { pnlNet: 1 } }));
  writeFileSync(join(dir, 'broken.json'), '{"tickfold": {"version": "0.1.0", "comm');
  writeFileSync(join(dir, 'not-a-report.json'), JSON.stringify({ hello: 'world' }));
}
