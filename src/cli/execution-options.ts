/**
 * The execution flags of every command that runs backtests, made into one ExecutionSettings: the
 * short flags (`--latency`, `--fee`, `--slippage`, ...) set parameters of the default models;
 * `--exec slot=model` chooses a model and `--exec slot.param=value` sets any model parameter
 * (checked against the model's schema, with "did you mean"); `--lot-size`, `--min-qty` and
 * `--tick-size` give sizing rules per symbol (`*` for all).
 */
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { FAMILIES, type Family } from '../broker/model.js';
import { MODELS } from '../broker/models/index.js';
import { executionOf, SHORT_KEYS, type ExecutionSettings, type ShortSettings, type SymbolRules } from '../broker/settings.js';
import { describeParams, durationUs } from '../strategy/params.js';
import { durationError } from '../data/time.js';
import { collect, numberOption } from './options.js';
import { readSymbolsFile } from '../data/symbols-file.js';

export interface RawExecFlags {
  latency?: string;
  fee?: string;
  feePerUnit?: string;
  feeMin?: string;
  feePerOrder?: string;
  slippage?: string;
  spread?: string;
  borrow?: string;
  capToQuoteSize?: boolean;
  maxLeverage?: string;
  margin?: string;
  exec: string[];
  lotSize: string[];
  minQty: string[];
  tickSize: string[];
  symbolsFile?: string;
}

/** The flag that sets each short setting (for messages). */
const FLAG: Readonly<Record<keyof typeof SHORT_KEYS, string>> = {
  latencyUs: '--latency',
  slippageBps: '--slippage',
  halfSpreadBps: '--spread',
  feePerUnit: '--fee-per-unit',
  feeBps: '--fee',
  feeMinimum: '--fee-min',
  feePerOrder: '--fee-per-order',
  borrowBps: '--borrow',
  capToQuoteSize: '--cap-to-quote-size',
};

export function addExecutionFlags(cmd: Command): Command {
  return cmd
    .option('--latency <duration>', 'time from decision to a live order, e.g. 50ms; 0 = the next event (default 0; latency.entry)')
    .option('--fee <bps>', 'taker fee in basis points of notional (default 0; fees.bps)')
    .option('--fee-per-unit <x>', 'fee per unit (share, coin) traded (default 0; fees.perUnit)')
    .option('--fee-min <x>', 'minimum fee per fill (default 0; fees.minimum)')
    .option('--fee-per-order <x>', 'fixed fee per order, on its first fill (default 0; fees.perOrder)')
    .option('--slippage <bps>', 'slippage against market and stop fills, basis points (default 0; slippage.bps)')
    .option('--spread <bps>', 'HALF-spread assumed on trade-only data, basis points: buys pay the trade price + this, sells get it − this (default 0; fill.spread)')
    .option('--borrow <bps>', 'yearly borrow cost of short positions, basis points (default 0; financing.bps)')
    .option('--cap-to-quote-size', 'fill at most the displayed quote size; the rest stays working (fill.capToQuoteSize)')
    .option('--max-leverage <x>', 'gross exposure allowed as a multiple of equity; larger orders are rejected (default 1; above 1 the account has a margin: see --margin)')
    .option('--margin <spec>', 'margin requirements as fractions of gross exposure: initial=F (to open; default 1/max-leverage),maintenance=F (below it the positions are closed: a margin call; default half the initial)')
    .option('--exec <key=value>', `an execution model (slot=model: ${FAMILIES.map((f) => `${f}=${MODELS[f].map((m) => m.name).join('|')}`).join(', ')}) or a model parameter (slot.param=value, e.g. queue.n=3); repeatable; models and parameters in --help`, collect, [])
    .option('--lot-size <sym=x>', 'orders of SYM in whole lots of x (targets and notional orders rounded down; * for every symbol); repeatable', collect, [])
    .option('--min-qty <sym=x>', 'smallest order quantity of SYM (* for every symbol); repeatable', collect, [])
    .option('--tick-size <sym=x>', 'limit and stop prices of SYM on multiples of x (* for every symbol); repeatable', collect, [])
    .option('--symbols-file <csv>', 'sizing rules of many symbols: CSV symbol,lot_size,min_qty,tick_size (* for the rest); the flags above override it. Not --symbols, which selects the symbols of the data');
}

/** The files the execution flags read (a symbols file, a latency file): inputs no output may overwrite. */
export function executionInputs(f: { symbolsFile?: string; exec?: readonly string[] }): string[] {
  const out: string[] = [];
  if (f.symbolsFile !== undefined) out.push(f.symbolsFile);
  for (const e of f.exec ?? []) {
    const m = /^\s*latency\.file\s*=(.*)$/.exec(e);
    if (m && m[1]!.trim() !== '') out.push(m[1]!.trim());
  }
  return out;
}

/** The models and their parameters, for --help. */
export function describeModels(): string {
  const out: string[] = ['Execution models (--exec slot=model; parameters --exec slot.param=value; the first of each slot is the default):'];
  for (const f of FAMILIES) {
    for (const m of MODELS[f]) {
      out.push(`${f}=${m.name}: ${m.rule}`);
      if (Object.keys(m.params).length) out.push(describeParams(m.params).replace(/^ {2}/gm, `  ${f}.`));
    }
  }
  return out.join('\n');
}

/** `--margin initial=0.1,maintenance=0.05` (either part may be left out). */
export function parseMargin(raw: string): { initial?: number; maintenance?: number } {
  const out: { initial?: number; maintenance?: number } = {};
  for (const part of raw.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part.trim() : part.slice(0, eq).trim();
    if (key !== 'initial' && key !== 'maintenance') throw new UsageError(`--margin '${raw}': '${part.trim()}' must be initial=F or maintenance=F (fractions of gross exposure), e.g. --margin initial=0.1,maintenance=0.05`);
    if (out[key] !== undefined) throw new UsageError(`--margin '${raw}': ${key} is given twice`);
    out[key] = numberOption(`--margin ${key}`, part.slice(eq + 1), (x) => Number.isFinite(x) && x > 0 && x <= 1, 'a fraction > 0 and <= 1');
  }
  return out;
}

export function toExecutionSettings(f: RawExecFlags): ExecutionSettings {
  const nonNeg = (x: number): boolean => Number.isFinite(x) && x >= 0;
  const short: { -readonly [K in keyof ShortSettings]: ShortSettings[K] } = {};
  const num = (flag: string, raw: string | undefined, what: string): number | undefined => (raw === undefined ? undefined : numberOption(flag, raw, nonNeg, what));
  const set = <K extends keyof ShortSettings>(k: K, v: ShortSettings[K] | undefined): void => {
    if (v !== undefined) short[k] = v;
  };
  set('feeBps', num('--fee', f.fee, 'a number >= 0 (basis points)'));
  set('feePerUnit', num('--fee-per-unit', f.feePerUnit, 'a number >= 0'));
  set('feeMinimum', num('--fee-min', f.feeMin, 'a number >= 0'));
  set('feePerOrder', num('--fee-per-order', f.feePerOrder, 'a number >= 0'));
  set('slippageBps', num('--slippage', f.slippage, 'a number >= 0 (basis points)'));
  set('halfSpreadBps', num('--spread', f.spread, 'a number >= 0 (basis points)'));
  set('borrowBps', num('--borrow', f.borrow, 'a number >= 0 (basis points a year)'));
  if (f.capToQuoteSize === true) short.capToQuoteSize = true;
  if (f.maxLeverage !== undefined) short.maxLeverage = numberOption('--max-leverage', f.maxLeverage, (x) => Number.isFinite(x) && x > 0, 'a number > 0');
  if (f.margin !== undefined) short.margin = parseMargin(f.margin);
  const exec: Record<string, string> = {};
  for (const e of f.exec ?? []) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new UsageError(`--exec '${e}' must be slot=model or slot.param=value, e.g. --exec queue=risk-averse or --exec slippage.y=0.5`);
    const key = e.slice(0, eq).trim();
    if (key in exec) throw new UsageError(`--exec ${key} is given twice (${key}=${exec[key]} and ${e}); give it once`);
    exec[key] = e.slice(eq + 1).trim();
  }
  // a short flag and --exec for the same parameter, or a short flag for a model not chosen
  for (const [k, key] of Object.entries(SHORT_KEYS) as [keyof typeof SHORT_KEYS, string][]) {
    if (short[k] === undefined && !(k === 'latencyUs' && f.latency !== undefined)) continue;
    if (key in exec) throw new UsageError(`${FLAG[k]} and --exec ${key} set the same parameter; give one`);
    const family = key.slice(0, key.indexOf('.')) as Family;
    const model = exec[family];
    const owner = MODELS[family][0]!;
    if (model !== undefined && model !== owner.name) {
      throw new UsageError(`${FLAG[k]} sets the ${family} model '${owner.name}' (${key}), but --exec ${family}=${model} chose another; set that model's parameters with --exec ${family}.PARAM=value (see --help)`);
    }
  }
  // the latency as the user wrote it (50ms): parsed once, with the model's parameters
  // (makeExecution), into the µs the venue binds
  if (f.latency !== undefined) exec['latency.entry'] = f.latency.trim();
  const sizing: Record<string, { -readonly [K in keyof SymbolRules]?: number }> = f.symbolsFile !== undefined ? readSymbolsFile(f.symbolsFile) : {};
  const rule = (flag: string, list: readonly string[], k: keyof SymbolRules): void => {
    for (const e of list) {
      const eq = e.indexOf('=');
      if (eq <= 0) throw new UsageError(`${flag} '${e}' must be SYMBOL=x (or *=x for every symbol), e.g. ${flag} SPY=1`);
      const sym = e.slice(0, eq).trim();
      const v = numberOption(flag, e.slice(eq + 1), (x) => Number.isFinite(x) && x > 0, 'a number > 0');
      (sizing[sym] ??= {})[k] = v;
    }
  };
  rule('--lot-size', f.lotSize ?? [], 'lot');
  rule('--min-qty', f.minQty ?? [], 'minQty');
  rule('--tick-size', f.tickSize ?? [], 'tick');
  // a symbol named only for some rules takes the others from '*'
  const star = sizing['*'];
  if (star) for (const [sym, r] of Object.entries(sizing)) if (sym !== '*') sizing[sym] = { ...star, ...r };
  try {
    return executionOf(short, exec, sizing);
  } catch (e) {
    // a bad --latency is the flag's mistake, not a model parameter's (the parameter it sets,
    // latency.entry, is not what the user wrote): said with the flag and the usual slips' hints
    // (`--latency 50`: give a unit). Read again only here, on the error's way out.
    if (e instanceof UsageError && f.latency !== undefined && !(durationUs(f.latency) >= 0)) throw new UsageError(durationError('--latency', f.latency, '0, 50ms, 1s, 250us'));
    throw e;
  }
}
