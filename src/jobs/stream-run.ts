/**
 * The `run` job streamed from the catalog: the window's rows are never held whole, and read once.
 *   1. Before the replay, the facts it needs first (engine/stream-facts.ts factsBefore: the
 *      sampling period's span, the membership): from the partitions' index for tick data, a
 *      pass over the rows for bar data.
 *   2. On the worker thread, the replay (engine/stream-replay.ts), which reads the partitions
 *      itself, each checked as it is read, and measures on the way what the report needs of the
 *      data (stream-facts.ts ReplayFacts: each symbol's first time, the calendar, the periods
 *      with events, the buy-and-hold marks).
 *   3. Only when the marks kept cannot give a buy-and-hold curve (a record cut to a later start),
 *      a pass after for it (stream-facts.ts scanCurves).
 * A damaged partition found by the replay is said, the files parsed again and the run started
 * again (load-window.ts checked).
 * The outcome is the one jobs/run.ts makes from a table in memory, figure for figure (the same
 * arithmetic over the same rows: tests/data/catalog-stream.test.ts compares the reports' bytes).
 *
 * Memory (`--memory`, {@link blockRowsFor}): the process, one partition per stream of the merge,
 * as much again read ahead by the reader thread (at most 256 MB, runtime/catalog-server.ts), and
 * the replay's block, whose rows are what is left; never the data's size.
 */
import { TickfoldError, UsageError } from '../errors.js';
import { PARTITION_DAMAGED } from '../runtime/tasks.js';
import { checkSizingSymbols, type ExecutionSettings } from '../broker/settings.js';
import { formatIso } from '../data/time.js';
import { emptyTable, valueColumnCount } from '../data/table.js';
import { BAR } from '../data/schema.js';
import type { PlannedWindow } from '../data/catalog/load-window.js';
import { catalogHeld, type StreamPlan } from '../data/catalog/window-stream.js';
import { minBlockRows } from '../engine/stream-replay.js';
import { choosePeriodOf, samplingPeriodOf, type PeriodChoice } from '../metrics/period.js';
import { computeMetrics } from '../metrics/run-metrics.js';
import { benchmarkIds, tearsheetWith } from '../metrics/run-tearsheet.js';
import { measuredSpan } from '../metrics/span.js';
import { sliceRecord } from '../metrics/window.js';
import type { Params } from '../strategy/types.js';
import type { StrategyRunner } from '../runtime/runner.js';
import { checkBenchmark, type GuardedOutcome, type GuardedRun } from './run.js';
import { backtestSettings } from './settings.js';
import { factsBefore, scanCurves, SCAN_ROWS, type FactsMeasured } from '../engine/stream-facts.js';
import { curveFromMarks } from '../metrics/buy-and-hold-marks.js';
import { PartitionDamaged } from '../data/catalog/partition.js';

/** The process without the data (Node and the code on two threads, the run's record and report): measured, `run --strategy flat` on the bundled sample. */
const PROCESS_BYTES = 200 * 2 ** 20;
/** Rows of the replay's block, at most (11 MB of quotes): more saves nothing (a rebase moves a quarter block, once per three quarters replayed). */
const MAX_BLOCK_ROWS = 1 << 18;
const MB = 2 ** 20;

/** Whether a run's execution models can run streamed: `sqrt-impact` measures each symbol's whole series before the first event. */
export function streamableExecution(e: ExecutionSettings): boolean {
  return e.slippage.model !== 'sqrt-impact';
}

/**
 * The replay's block rows under `--memory` (bytes; `text` as given, for the message): what is
 * left after the process and one partition per stream of the merge (the partitions a pass holds
 * while it reads them), bytes of a block row apart; refused when that leaves less than the
 * smallest block. `share`: replays on several threads at once, each reading the partitions itself
 * and holding several blocks (a validation's trial batch, jobs/stream-validate.ts).
 */
export function blockRowsFor(memoryBytes: number, text: string, plan: StreamPlan, nSym: number, share = { threads: 1, blocks: 1 }): number {
  let nCols = 0;
  for (const s of plan.sources) nCols = Math.max(nCols, valueColumnCount(s.entry.kind));
  // one partition per stream of the merge and one chunk of each file's symbol sequence
  // (data/catalog/sequence.ts), and what the reader thread holds read ahead for it
  const { streams, partBytes, held: catalog, ahead } = catalogHeld(plan);
  const hasBars = plan.sources.some((s) => s.entry.kind === BAR);
  // ts, kind, sym, the value columns, the bar's start
  const rowBytes = 8 + 1 + 2 + 8 * nCols + (hasBars ? 8 : 0);
  const held = PROCESS_BYTES + share.threads * (catalog + ahead) + SCAN_ROWS * rowBytes;
  const least = minBlockRows(nSym);
  const blocks = share.threads * share.blocks;
  const rows = Math.floor((memoryBytes - held) / (rowBytes * blocks));
  if (rows < least) {
    const need = Math.ceil((held + blocks * least * rowBytes) / MB);
    const each = share.threads > 1 ? ` on each of ${share.threads} threads` : '';
    const block = blocks > 1 ? `${share.blocks} blocks of at least ${least} rows${each}` : `a block of at least ${least} rows`;
    throw new UsageError(
      `--memory ${text} is too small for this data: a streamed run holds the process (~${PROCESS_BYTES / MB} MB), one partition per stream of the merge${each} (${streams} streams, partitions of up to ${(partBytes / MB).toFixed(1)} MB) and up to as much again read ahead (${(ahead / MB).toFixed(0)} MB), and ${block} (${rowBytes} bytes each); give --memory ${need}m or more`,
    );
  }
  return Math.min(rows, MAX_BLOCK_ROWS);
}

/** The window's bounds as a message names them. */
const bound = (us: number, open: string): string => (Number.isFinite(us) ? formatIso(us) : open);

/** The run, streamed (see the file's comment): `runner` is the guarded run's, `planned` the window's catalog plan. */
export async function runStreamed(runner: StrategyRunner, r: GuardedRun, name: string, params: Params, planned: PlannedWindow, memoryBytes: number, memoryText: string): Promise<GuardedOutcome> {
  const s = r.settings;
  // the facts before, the replay: a partition found damaged by either is said, the files are
  // parsed again and both run again (load-window.ts checked)
  const done = await planned.checked(async (plan) => {
    const before = factsBefore(plan);
    if (!before.hasRows) throw new UsageError(`no data between ${bound(s.fromUs, 'the start')} and ${bound(s.toUs, 'the end')} (--from, --to)`);
    const symbols = before.symbols;
    checkSizingSymbols(s.execution, symbols);
    if (s.benchmark) checkBenchmark(s.benchmark, symbols);
    const rows = blockRowsFor(memoryBytes, memoryText, plan, symbols.length);
    await r.checkpoint?.();
    const spanUs = before.lastTs - before.firstTs;
    const sampling = samplingPeriodOf(spanUs, s.periodUs);
    const backtest = backtestSettings(s, { periodUs: sampling.periodUs, periodsPerYear: NaN });
    runner.use(emptyTable(symbols));
    const stream = { plan, rows, symbols, spans: before.spans, endSession: before.endSession, facts: { hasBars: before.hasBars, spanUs, periodUs: sampling.periodUs } };
    try {
      const [res] = await runner.runAll([{ task: { kind: 'run', strategy: r.strategy, params, run: backtest, stream }, label: `strategy '${name}'` }]);
      return { before, spanUs, res: res! };
    } catch (e) {
      if (e instanceof TickfoldError && e.code === PARTITION_DAMAGED) throw new PartitionDamaged(e.message);
      throw e;
    }
  });
  if (!done) throw new UsageError('the catalog could not be rebuilt after damage; run with --no-cache');
  const { before, spanUs, res } = done.value;
  const symbols = before.symbols;
  const record = res.record;
  const facts: FactsMeasured = res.facts!;
  // as jobs/run.ts outcomeOf: metrics and tearsheet over the span where the strategy's symbols have data
  const measured = measuredSpan(record, symbols, facts.firstSeen, params);
  const rec = measured.periodsBefore > 0 ? sliceRecord(record, measured.fromUs, Infinity) : record;
  const ids = benchmarkIds(rec, symbols, s.benchmark);
  const asked = [{ ids: ids.bench, sampleTs: rec.sampleTs, fromTs: rec.firstTs }, ...(ids.traded.length > 0 ? [{ ids: ids.traded, sampleTs: rec.sampleTs, fromTs: rec.firstTs }] : [])];
  let curves = asked.map((c) => (facts.marks ? curveFromMarks(facts.marks, c.ids, c.sampleTs, c.fromTs) : undefined));
  if (curves.some((c) => c === undefined)) {
    const scanned = await planned.checked((p) => scanCurves(p, symbols.length, asked));
    if (!scanned) throw new UsageError('the catalog could not be rebuilt after damage; run with --no-cache');
    curves = scanned.value;
  }
  const period: PeriodChoice = choosePeriodOf({ spanUs, symbols, calendar: () => facts.calendar, heldPerYear: () => facts.heldPerYear }, s.periodUs, s.periodsPerYear, s.calendar);
  const metrics = computeMetrics(rec, period.periodsPerYear);
  const tearsheet = tearsheetWith(rec, symbols, period.periodsPerYear, ids, curves[0]!, curves[1]);
  return { record, metrics, measured, params, period, fromUs: before.firstRowTime, toUs: before.lastRowTime, tearsheet, files: planned.files, leftOut: planned.leftOut, symbols, endSession: before.endSession };
}
