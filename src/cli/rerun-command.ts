/**
 * `tickfold rerun REPORT.json`: re-executes the command a report's manifest records and confirms
 * that its outputs come out byte for byte the same.
 *
 * The report holds the command line (`tickfold.argv`) and each data file's SHA-1. The rerun first
 * checks that the data files are those the report was made from, then runs the same command with
 * its outputs (--json, --report, --trades) sent to a temporary folder, recording the original
 * command line in the new report so that the two can be compared as bytes, and compares every
 * output of the original run that still exists. Exit 0: all identical; 1: something differs (the
 * first difference is shown); 2: the report or its data cannot be used.
 */
import { createHash } from 'node:crypto';
import { sha1OfFile } from '../data/cache.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { TickfoldError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';

const RERUNNABLE = new Set(['run', 'walk-forward', 'compare']);
const OUTPUT_FLAGS = ['--json', '--report', '--trades'];

interface Manifested {
  tickfold?: { version?: string; command?: string; argv?: unknown };
  manifest?: { data?: { file: string; sha1: string | null }[] };
}

export function rerunCommand(runMain: (argv: readonly string[], manifestArgv: readonly string[]) => Promise<number>): Command {
  return new Command('rerun')
    .description('re-execute the command a JSON report records and check that its outputs are byte-identical')
    .argument('<report>', 'a JSON report written by run, walk-forward or compare (--json)')
    .option('--keep <dir>', 'write the rerun outputs here instead of a temporary folder (kept)')
    .action(async (reportPath: string, f: { keep?: string }) => {
      if (!existsSync(reportPath)) throw new UsageError(`report ${reportPath} does not exist`);
      let rep: Manifested;
      try {
        rep = JSON.parse(readFileSync(reportPath, 'utf8')) as Manifested;
      } catch (e) {
        throw new UsageError(`${reportPath} is not a JSON report (${(e as Error).message}); give the file written by --json`);
      }
      const t = rep.tickfold;
      const argv = t?.argv;
      if (!t || !Array.isArray(argv) || !argv.every((a) => typeof a === 'string') || !RERUNNABLE.has(String(t.command))) {
        throw new UsageError(`${reportPath} has no command line to rerun (tickfold.argv of a run, walk-forward or compare report)`);
      }
      const out = (s: string): boolean => process.stdout.write(s + '\n');
      out(`rerun of ${reportPath}: tickfold ${argv.join(' ')}`);
      if (t.version !== VERSION) out(`  note: the report was made by tickfold ${t.version}, this is ${VERSION}; outputs may differ for that reason`);
      // the data must be what the report was made from
      for (const d of rep.manifest?.data ?? []) {
        if (!existsSync(d.file)) throw new TickfoldError('rerun-data', `data file ${d.file} (from the report's manifest) is not there; run rerun from the folder the report was made in`, 2);
        const sha1 = sha1OfFile(d.file);
        if (d.sha1 !== null && sha1 !== d.sha1) {
          throw new TickfoldError('rerun-data', `data file ${d.file} has changed since the report was made (SHA-1 ${sha1}, the report says ${d.sha1}); a rerun would not be the same run`, 1);
        }
        out(`  data      ${d.file}  sha1 ${sha1}${d.sha1 === null ? ' (the report has none to compare)' : ' matches'}`);
      }
      // the same command, its outputs redirected
      const dir = f.keep ?? mkdtempSync(join(tmpdir(), 'tickfold-rerun-'));
      const redirected = [...argv] as string[];
      const pairs: [string, string][] = [];
      for (let i = 0; i < redirected.length - 1; i++) {
        if (OUTPUT_FLAGS.includes(redirected[i]!)) {
          const fresh = join(dir, `${pairs.length + 1}-${redirected[i + 1]!.split(/[\\/]/).pop()}`);
          pairs.push([redirected[i + 1]!, fresh]);
          redirected[i + 1] = fresh;
        }
      }
      if (!redirected.includes('--quiet')) redirected.push('--quiet');
      try {
        const code = await runMain(redirected, argv as string[]);
        if (code !== 0) throw new TickfoldError('rerun-failed', `the rerun failed (exit ${code}); see the message above`, code);
        let differ = 0;
        let compared = 0;
        for (const [orig, fresh] of pairs) {
          if (!existsSync(orig)) {
            out(`  output    ${orig}: the original is gone; nothing to compare`);
            continue;
          }
          compared++;
          const a = readFileSync(orig);
          const b = readFileSync(fresh);
          if (a.equals(b)) out(`  output    ${orig}: identical (${a.length.toLocaleString('en-US')} bytes, sha1 ${createHash('sha1').update(a).digest('hex')})`);
          else {
            differ++;
            out(`  output    ${orig}: DIFFERS ${firstDifference(a, b)}${f.keep ? ` (rerun copy: ${fresh})` : ''}`);
          }
        }
        if (compared === 0) throw new TickfoldError('rerun-nothing', 'none of the original outputs exist any more, so nothing could be compared', 1);
        if (differ > 0) throw new TickfoldError('rerun-differs', `${differ} of ${compared} outputs differ: the run is not reproduced`, 1);
        out(`reproduced: ${compared} of ${compared} outputs byte-identical`);
      } finally {
        if (!f.keep) rmSync(dir, { recursive: true, force: true });
      }
    });
}

/** Where two outputs first differ: byte offset and line, and the two lines. */
function firstDifference(a: Buffer, b: Buffer): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const line = a.subarray(0, i).toString('utf8').split('\n').length;
  const lineOf = (x: Buffer): string => x.toString('utf8').split('\n')[line - 1]?.trim().slice(0, 120) ?? '';
  return `at byte ${i}, line ${line}: was ${JSON.stringify(lineOf(a))}, now ${JSON.stringify(lineOf(b))}`;
}
