/**
 * The report of one run: a JSON-serialisable object, and its renderings (terminal text, JSON,
 * trades CSV). Everything in it is a function of the inputs, parameters and seed (no wall-clock
 * times, no absolute working directory), so the same run gives the same bytes.
 */
import type { FileSummary, LeftOut } from '../data/load.js';
import { dataNoteLines, dataNotesJson, type DataNotesJson } from './data-notes.js';
import { formatDuration, formatIso } from '../data/time.js';
import type { RunOutcome } from '../engine/run-outcome.js';
import { describeExecution, type PlainExecution } from '../broker/settings.js';
import type { RoundTrip } from '../portfolio/portfolio.js';
import { sampleLabels } from '../metrics/period.js';
import { tearsheetJson } from '../metrics/tearsheet.js';
import { tearsheetLines } from './tearsheet-text.js';
import { holdings, holdingsJson, holdingsText } from '../metrics/holdings.js';
import { spanText } from '../metrics/span.js';
import { csvField, fmtInt, fmtNum, fmtP, fmtPct, toJson } from './format.js';
import { pushAll } from '../arrays.js';

export interface RunReport {
  readonly tickfold: { readonly version: string; readonly command: string; readonly argv: readonly string[] };
  readonly manifest: {
    readonly strategy: string;
    readonly params: Readonly<Record<string, unknown>>;
    readonly seed: string;
    readonly initialCapital: number;
    readonly execution: PlainExecution;
    readonly period: { readonly label: string; readonly us: number; readonly periodsPerYear: number; readonly calendar: string; readonly basis: string };
    readonly window: { readonly from: string; readonly to: string; readonly events: number };
    readonly data: readonly { file: string; kind: string; rows: number; bytes: number; sha1: string | null; symbols: readonly string[]; badRows: number; timestamps: string }[];
    /** Rows skipped as bad (each file's count and first reason) and files left out as already loaded (report/data-notes.ts). */
    readonly skippedRows: DataNotesJson['skippedRows'];
    readonly leftOut: DataNotesJson['leftOut'];
  };
  readonly summary: {
    readonly pnlNet: number;
    readonly returnFraction: number;
    readonly hitRate: number;
    readonly hitRateWilson95: readonly [number, number];
    readonly hitRatePValue: number;
    readonly wins: number;
    readonly losses: number;
    readonly trades: number;
    readonly sharpeAnnualized: number;
    readonly maxDrawdownFraction: number;
    readonly feesPaid: number;
  };
  readonly metrics: Record<string, unknown>;
  /** The tearsheet (metrics/tearsheet.ts), times as ISO strings. */
  readonly tearsheet: unknown;
  readonly equity: { readonly ts: readonly string[]; readonly equity: readonly number[] };
  readonly rejections: readonly { ts: string; orderId: number; symbol: string; reason: string }[];
  /** Margin calls (broker/settings.ts Margin), when there were any: when, at what price, what they closed. */
  readonly marginCalls?: readonly { ts: string; symbol: string; price: number; equity: number; requirement: number; closed: readonly { symbol: string; qty: number; price: number }[]; writtenOff: number }[];
  /** The strategy's own diagnostics (`summary()`), when it has any. */
  readonly strategy?: unknown;
  /** The span the metrics and the tearsheet are measured over (metrics/span.ts). */
  readonly measured: { readonly from: string; readonly to: string; readonly symbols: readonly string[]; readonly basis: string; readonly periods: number; readonly periodsBefore: number };
  /** buy-and-hold: which symbols it held, from when (metrics/holdings.ts). */
  readonly holdings?: readonly { symbol: string; from: string; to: string; atEnd: boolean }[];
}

export function buildRunReport(out: RunOutcome & { files: readonly FileSummary[]; leftOut?: readonly LeftOut[] }, version: string, argv: readonly string[], execution: PlainExecution, seed: string): RunReport {
  const m = out.metrics;
  const r = out.record;
  const iso = (x: number): string | null => (Number.isFinite(x) ? formatIso(x) : null);
  return {
    tickfold: { version, command: 'run', argv },
    manifest: {
      strategy: r.strategy,
      params: out.params,
      seed,
      initialCapital: r.initialCapital,
      execution,
      period: { label: out.period.label, us: out.period.periodUs, periodsPerYear: out.period.periodsPerYear, calendar: out.period.calendar, basis: out.period.basis },
      window: { from: formatIso(out.fromUs), to: formatIso(out.toUs), events: r.events },
      data: out.files.map((f) => ({ file: f.file, kind: f.kind, rows: f.rows, bytes: f.bytes, sha1: f.sha1 ?? null, symbols: f.symbols, badRows: f.badRows, timestamps: timestampsOf(f) })),
      ...dataNotesJson(out.files, out.leftOut ?? []),
    },
    summary: {
      pnlNet: m.pnlNet,
      returnFraction: m.returnFraction,
      hitRate: m.hitRate.rate,
      hitRateWilson95: [m.hitRate.wilson95.low, m.hitRate.wilson95.high],
      hitRatePValue: m.hitRate.pValue,
      wins: m.hitRate.wins,
      losses: m.hitRate.losses,
      trades: m.trades,
      sharpeAnnualized: m.sharpeAnnualized,
      maxDrawdownFraction: m.maxDrawdownFraction,
      feesPaid: m.feesPaid,
    },
    metrics: { ...m, maxDrawdownPeakTs: iso(m.maxDrawdownPeakTs), maxDrawdownTroughTs: iso(m.maxDrawdownTroughTs) },
    tearsheet: tearsheetJson(out.tearsheet),
    equity: { ts: Array.from(sampleLabels(r.sampleTs, r.periodUs), (t) => formatIso(t)), equity: Array.from(r.equity) },
    rejections: r.rejections.slice(0, 100).map((x) => ({ ts: formatIso(x.ts), orderId: x.orderId, symbol: x.symbol, reason: x.reason })),
    ...(r.marginCalls.length > 0 ? { marginCalls: r.marginCalls.map((c) => ({ ...c, ts: formatIso(c.ts) })) } : {}),
    ...(r.strategySummary !== undefined ? { strategy: r.strategySummary } : {}),
    measured: { from: formatIso(out.measured.periodsBefore > 0 ? out.measured.fromLabelUs : r.firstTs), to: formatIso(r.lastTs), symbols: out.measured.symbols, basis: out.measured.basis, periods: m.periods, periodsBefore: out.measured.periodsBefore },
    ...(r.strategy === 'buy-and-hold' ? { holdings: holdingsJson(holdings(r)) } : {}),
  };
}

export const renderRunJson = (rep: RunReport): string => toJson(rep);

const TRADE_COLUMNS = ['entry_ts', 'exit_ts', 'symbol', 'side', 'max_qty', 'entry_price', 'exit_price', 'gross_pnl', 'fees', 'net_pnl', 'return_pct', 'holding_s', 'status'];

/**
 * Money and prices for the CSV at 13 significant digits: the float noise of summing fills
 * (-462.0199999999995, or a few ulps more) goes, and a cent of a PnL up to 99 billion stays.
 * The JSON keeps full doubles.
 */
const num = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(13)) : x);
/** A fraction as a percent for the CSV, without the float noise of × 100 (6.98 for +6.98%). */
const pct = (x: number): number => num(x * 100);

/** Round trips as CSV, closed ones first, then those still open (marked at the end). */
export function renderTradesCsv(closed: Iterable<RoundTrip>, open: Iterable<RoundTrip>): string {
  const rows = [TRADE_COLUMNS.join(',')];
  const add = (t: RoundTrip, status: string): void => {
    rows.push([formatIso(t.entryTs), formatIso(t.exitTs), t.symbol, t.side, num(t.maxQty), num(t.entryPrice), num(t.exitPrice), num(t.grossPnl), num(t.fees), num(t.netPnl), pct(t.returnFraction), t.holdingUs / 1e6, status].map((v) => csvField(v)).join(','));
  };
  for (const t of closed) add(t, 'closed');
  for (const t of open) add(t, 'open');
  return rows.join('\n') + '\n';
}

/** The terminal summary: PnL and hit rate first. */
export function renderRunText(rep: RunReport, out: RunOutcome): string {
  const m = out.metrics;
  const r = out.record;
  const h = m.hitRate;
  const lines: string[] = [];
  const syms = r.symbols.length <= 6 ? r.symbols.join(', ') : `${r.symbols.length} symbols`;
  lines.push(
    `tickfold run: ${r.strategy} ${Object.entries(out.params)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ')}`.trimEnd(),
  );
  lines.push(`  data     ${fmtInt(r.events)} events (${syms}), ${rep.manifest.window.from} → ${rep.manifest.window.to}`);
  const zoneNote = zoneWarning(rep.manifest.data);
  if (zoneNote) lines.push(`  note     ${zoneNote}`);
  pushAll(
    lines,
    dataNoteLines(rep.manifest, 9).map((l) => `  ${l}`),
  );
  lines.push('');
  lines.push(`  PnL net        ${fmtNum(m.pnlNet)}  (${fmtPct(m.returnFraction)} on ${fmtNum(r.initialCapital, 0)})   gross ${fmtNum(m.pnlGross)}, fees ${fmtNum(m.feesPaid)}${m.borrowPaid > 0 ? `, borrow ${fmtNum(m.borrowPaid)}` : ''}`);
  lines.push(`  hit rate       ${fmtPct(h.rate, 1)}  (${h.wins} won, ${h.losses} lost${h.breakEven ? `, ${h.breakEven} even` : ''} of ${m.trades} round trips; 95% CI ${fmtPct(h.wilson95.low, 1)}–${fmtPct(h.wilson95.high, 1)}; p = ${fmtP(h.pValue)} vs 50%)`);
  lines.push(`  Sharpe         ${fmtNum(m.sharpeAnnualized)} annualised  (${fmtNum(m.sharpePerPeriod, 4)} per ${out.period.label} period × √${fmtNum(m.periodsPerYear, 0)}; ${m.periods} periods; PSR(0) ${fmtNum(m.probabilisticSharpe, 3)})`);
  lines.push(`  Sortino        ${fmtNum(m.sortinoAnnualized)} annualised`);
  lines.push(`  measured       ${spanText(out.measured, m.periods, formatIso)}`);
  lines.push(
    `  max drawdown   ${fmtPct(m.maxDrawdownFraction)}` +
      (m.maxDrawdownFraction > 0 ? `  (${formatIso(m.maxDrawdownPeakTs)} → ${formatIso(m.maxDrawdownTroughTs)}, ${m.maxDrawdownRecovered ? 'recovered after' : 'not recovered in'} ${formatDuration(m.maxDrawdownDurationUs)})` : ''),
  );
  lines.push(
    `  trades         ${m.trades} closed${m.openTrades ? `, ${m.openTrades} open at the end` : ''}; avg hold ${formatDuration(m.avgHoldingUs)}; profit factor ${fmtNum(m.profitFactor)}; expectancy ${fmtNum(m.expectancy)}; avg win ${fmtNum(m.avgWin)} / loss ${fmtNum(m.avgLoss)}`,
  );
  if (r.strategy === 'buy-and-hold') lines.push(`  holds          equal weights of the symbols with data: ${holdingsText(holdings(r))}`);
  pushAll(lines, tearsheetLines(out.tearsheet));
  lines.push(
    `  activity       ${m.ordersSubmitted} orders (${m.ordersRejected} rejected), ${m.fills} fills; turnover ${fmtNum(m.turnover)}×; exposure ${fmtPct(m.exposureFraction, 1)} of the time; period hit rate ${fmtPct(m.periodHitRate.rate, 1)} of ${m.periodHitRate.wins + m.periodHitRate.losses} periods in the market`,
  );
  if (r.rejections.length > 0) {
    const first = r.rejections[0]!;
    lines.push(`  refused        ${fmtInt(r.rejections.length)} of ${fmtInt(m.ordersSubmitted)} orders; the first at ${formatIso(first.ts)} (${first.symbol}): ${first.reason}`);
    if (r.rejections.length === m.ordersSubmitted) lines.push(`  warning        every order was refused: the strategy never traded; see the first reason above`);
  }
  if (r.cancellations.length > 0) {
    const first = r.cancellations[0]!;
    lines.push(`  cancelled      ${fmtInt(r.cancellations.length)} orders ended by the venue; the first at ${formatIso(first.ts)} (${first.symbol}): ${first.reason}`);
  }
  const onClose = r.orders.countType('market-on-close');
  if (onClose > 0) lines.push(`  on close       ${fmtInt(onClose)} market-on-close orders, filled at the close of the bar they were decided on (not the next bar's open); the orders' type says which`);
  for (const c of r.marginCalls) {
    const what = c.closed.map((x) => `${x.qty > 0 ? 'bought' : 'sold'} ${fmtNum(Math.abs(x.qty), Number.isInteger(x.qty) ? 0 : 4)} ${x.symbol} at ${fmtNum(x.price)}`).join(', ');
    lines.push(
      `  margin call    ${formatIso(c.ts)} (${c.symbol} at ${fmtNum(c.price)}): equity ${fmtNum(c.equity)} fell to the maintenance margin ${fmtNum(c.requirement)}; the venue ${what}${c.writtenOff > 0 ? `; a negative balance of ${fmtNum(c.writtenOff)} written off` : ''}`,
    );
  }
  // a strategy's own figures (its summary()'s plain numbers and words), e.g. a market maker's fill ratio
  const own = r.strategySummary;
  if (own !== null && typeof own === 'object' && !Array.isArray(own)) {
    const plain = Object.entries(own as Record<string, unknown>).filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean');
    if (plain.length > 0 && plain.length <= 16) lines.push(`  strategy       ${plain.map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? fmtInt(v) : fmtNum(v, Math.abs(v) < 10 ? 4 : 2)) : String(v)}`).join(', ')}`);
  }
  lines.push(`  execution      ${describeExecution(rep.manifest.execution).join('; ')}`);
  lines.push(`  annualisation  ${out.period.label} periods, ${fmtNum(m.periodsPerYear, 0)} a year (${out.period.basis})`);
  const few = fewPeriodsWarning(m.periods, out.period.label);
  if (few) lines.push(`  warning        ${few}`);
  return lines.join('\n');
}

/** Annualised figures from fewer than this many returns carry a warning. */
export const MIN_PERIODS_FOR_ANNUALISED = 30;

/** The warning for a Sharpe resting on too few returns, or undefined. */
export function fewPeriodsWarning(periods: number, label: string): string | undefined {
  if (periods >= MIN_PERIODS_FOR_ANNUALISED) return undefined;
  return `Sharpe and Sortino rest on ${periods} ${label} return${periods === 1 ? '' : 's'} (fewer than ${MIN_PERIODS_FOR_ANNUALISED}): annualised, they mean little; choose a shorter --period or more data`;
}

/** What the manifest says of datetimes written without a zone and read as UTC (no --tz). */
const ZONELESS_AS_UTC = 'no zone: read as UTC';

/** How a file's timestamps were read, for the manifest. */
export function timestampsOf(f: FileSummary): string {
  if (f.tsZone === 'local') return f.tz ? `local time of ${f.tz}, converted to UTC` : ZONELESS_AS_UTC;
  return f.tsZone === 'zoned' ? 'UTC or with an offset' : f.tsZone === 'date' ? 'dates' : f.tsZone === 'epoch' ? 'epoch numbers (UTC)' : 'as parsed';
}

/** The note for files whose datetimes have no zone and were read as UTC (no --tz), from the manifest's entries. */
export function zoneWarning(files: readonly { readonly file: string; readonly timestamps: string }[]): string | undefined {
  const local = files.filter((f) => f.timestamps === ZONELESS_AS_UTC).map((f) => f.file);
  if (local.length === 0) return undefined;
  return `the times in ${local.join(', ')} have no zone and were read as UTC; if they are local times, give --tz (e.g. --tz America/New_York)`;
}
