/**
 * A validation (`walk-forward`, `compare`, CPCV beside them) streamed from the catalog: the
 * window's rows are never held whole, on this thread or on the runner's.
 *
 * - This thread measures what the validation reads of the rows in passes over the window's
 *   partitions (engine/stream-facts.ts): before any task, the rows, the first and last time, each
 *   symbol's first time and the calendar (the period and the fold plan); after the
 *   out-of-sample runs, the tearsheets' buy-and-hold curves.
 * - Each task streams the partitions itself on its thread (runtime/task-run.ts): a trial batch
 *   replays one pass for all its trials in lockstep (engine/stream-batch.ts), an out-of-sample
 *   run (a walk-forward path or a CPCV path) one pass from its first warm-up. The task carries the
 *   plan (the files' indexes and the catalog folder), never rows. On a queue, the plan travels
 *   with its partitions named by their SHA-256, fetched and checked by the worker that runs it
 *   (runtime/queue-catalog.ts).
 * The report is the one of the validation over the table in memory, byte for byte
 * (tests/jobs/stream-validate.test.ts).
 *
 * What it leaves to the table in memory ({@link heldWholeWhy}): bar files (a warm-up or a search's
 * partial budget cuts the rows by time, where a streamed window cuts bars by their start), folds
 * or a split given in rows (the plan reads the time of inner rows), `--universe` and the
 * `sqrt-impact` slippage model.
 *
 * Memory (`--memory`): the process, and on each of the runner's threads one partition per stream
 * of the merge and a block per trial of a batch (and one that stages the stream's rows).
 */
import { BAR } from '../data/schema.js';
import type { PlannedWindow } from '../data/catalog/load-window.js';
import { UsageError } from '../errors.js';
import { formatIso } from '../data/time.js';
import { choosePeriodOf, samplingPeriodOf, type PeriodChoice } from '../metrics/period.js';
import { durationsOnly, spanAxis, type FoldOptions, type TimeAxis } from '../validation/folds.js';
import { MAX_BATCH, type StreamedData } from '../validation/validate.js';
import { checkSizingSymbols } from '../broker/settings.js';
import type { RunSettings } from './settings.js';
import { factsBefore, ReplayFacts, scanCurves, SCAN_ROWS, type FactsBefore, type FactsMeasured } from '../engine/stream-facts.js';
import { streamable, WindowStream, type StreamPlan } from '../data/catalog/window-stream.js';
import { blockRowsFor, streamableExecution } from './stream-run.js';

/**
 * Rows of a task's block, at most (3.7 MB of quotes; a batch of 32 trials holds 33 of them on a
 * thread): `run`'s 256Ki-row blocks made a 48-trial walk-forward hold 880 MB at any size of data;
 * the rows kept back at each refill (a quarter block) are still 16Ki, far more than ctx.history
 * asks of the built-in strategies.
 */
const BATCH_BLOCK_ROWS = 1 << 16;

/** A validation job's streaming: the window's catalog plan (undefined: load in memory), `--memory`, and who is told why the data is held whole instead. */
export interface ValidationStream {
  readonly plan: () => Promise<PlannedWindow | undefined>;
  readonly memoryBytes: number;
  readonly memoryText: string;
  readonly heldWhole?: (why: string) => void;
}

/** Why these settings need the table in memory (see the file's comment), or undefined. */
export function heldWholeWhy(s: RunSettings, folds: FoldOptions): string | undefined {
  if (!streamableExecution(s.execution)) return 'the sqrt-impact slippage model measures its trailing σ and volume over the table in memory';
  if (!durationsOnly(folds)) return 'folds or a split given in rows (or as a fraction of the rows) read the time of any row';
  if (s.universe) return "--universe's membership is settled at the end of the rows each task replays";
  return undefined;
}

/** Why a planned window cannot be streamed, or undefined. */
function planWhy(planned: PlannedWindow | undefined): string | undefined {
  if (!planned) return 'these files cannot be streamed from the catalog (files of one kind that overlap in time are merged in memory)';
  if (!streamable(planned.plan) || planned.plan.sources.some((x) => x.entry.kind === BAR)) return "bar files are cut at a warm-up's start by their time, where a streamed window cuts them by their start";
  return undefined;
}

/** What a streamed validation starts from: its data, the period, the fold plan's time axis, and what the report says of the rows. */
export interface StreamedStart {
  readonly data: StreamedData;
  readonly period: PeriodChoice;
  readonly axis: TimeAxis;
  readonly facts: FactsBefore;
  /** The window's rows. */
  readonly rows: number;
  readonly files: PlannedWindow['files'];
  readonly leftOut: PlannedWindow['leftOut'];
}

/** The window's rows counted, and what {@link ReplayFacts} measures of them, in one pass on this thread. */
function measure(plan: StreamPlan, nSym: number, asked: ConstructorParameters<typeof ReplayFacts>[1]): { count: number; measured: FactsMeasured } {
  const facts = new ReplayFacts(nSym, asked);
  const s = new WindowStream(plan);
  const block = s.block(SCAN_ROWS);
  let count = 0;
  for (;;) {
    const n = s.fill(block, 0, SCAN_ROWS);
    facts.scan(block, 0, n);
    count += n;
    if (n < SCAN_ROWS) return { count, measured: facts.result() };
  }
}

/** The window's bounds as a message names them. */
const bound = (us: number, open: string): string => (Number.isFinite(us) ? formatIso(us) : open);

/**
 * The streamed validation's start (see the file's comment), or undefined when the data is held
 * whole instead (said to `stream.heldWhole`); `threads`: the runner's (its threads, or a queue's
 * task slots), each streaming its tasks.
 */
export async function startStreamed(stream: ValidationStream, s: RunSettings, folds: FoldOptions, threads: number): Promise<StreamedStart | undefined> {
  const why = heldWholeWhy(s, folds);
  if (why !== undefined) {
    stream.heldWhole?.(why);
    return undefined;
  }
  const planned = await stream.plan();
  const whyPlan = planWhy(planned);
  if (whyPlan !== undefined) {
    stream.heldWhole?.(whyPlan);
    return undefined;
  }
  const first = await planned!.checked((plan) => factsBefore(plan));
  if (!first) throw new UsageError('the catalog could not be rebuilt after damage; run with --no-cache');
  const { plan } = first;
  const facts = first.value;
  if (!facts.hasRows) throw new UsageError(`no data between ${bound(s.fromUs, 'the start')} and ${bound(s.toUs, 'the end')} (--from, --to)`);
  const symbols = facts.symbols;
  checkSizingSymbols(s.execution, symbols);
  // each thread: a block per trial of a batch and one staging the stream's rows
  const rows = Math.min(BATCH_BLOCK_ROWS, blockRowsFor(stream.memoryBytes, stream.memoryText, plan, symbols.length, { threads, blocks: MAX_BATCH + 1 }));
  const spanUs = facts.lastTs - facts.firstTs;
  // a pass for the rows, each symbol's first time and the calendar: the periods a year (the tasks' metrics need them)
  const asked = { hasBars: false, spanUs, periodUs: samplingPeriodOf(spanUs, s.periodUs).periodUs };
  const { count, measured } = measure(plan, symbols.length, asked);
  const period = choosePeriodOf({ spanUs, symbols, calendar: () => measured.calendar, heldPerYear: () => measured.heldPerYear }, s.periodUs, s.periodsPerYear, s.calendar);
  const data: StreamedData = {
    symbols,
    firstTs: facts.firstTs,
    firstSeen: measured.firstSeen,
    task: { plan, rows, symbols, spans: facts.spans, endSession: facts.endSession, facts: asked },
    curves: (asked) => scanCurves(plan, symbols.length, asked),
  };
  return { data, period, axis: spanAxis(count, facts.firstTs, facts.lastTs), facts, rows: count, files: planned!.files, leftOut: planned!.leftOut };
}
