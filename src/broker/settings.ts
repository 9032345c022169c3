/**
 * The execution settings: one type from the command line to the venue. A model per slot (see
 * broker/models), with its parameters checked and defaults filled in, the buying-power limit and
 * the sizing rules per symbol. Plain JSON: it goes to worker threads and into reports as it is.
 */
import { didYouMean, UsageError } from '../errors.js';
import { resolveParams } from '../strategy/params.js';
import type { ParamValue } from '../strategy/types.js';
import { FAMILIES, type Family, type ModelChoice } from './model.js';
import { MODELS, modelOf } from './models/index.js';

/** Lot size, minimum quantity and tick size of a symbol (0: none). */
export interface SymbolRules {
  readonly lot: number;
  readonly minQty: number;
  readonly tick: number;
}

export const NO_RULES: SymbolRules = { lot: 0, minQty: 0, tick: 0 };

/** How orders fill: one model per slot (latency, fill, queue, slippage, fees, financing) with its parameters, leverage and sizing rules. Plain JSON: the reports carry it. */
export interface ExecutionSettings {
  readonly latency: ModelChoice;
  readonly fill: ModelChoice;
  readonly queue: ModelChoice;
  readonly slippage: ModelChoice;
  readonly fees: ModelChoice;
  readonly financing: ModelChoice;
  /** Gross exposure allowed as a multiple of equity; larger orders are rejected. */
  readonly maxLeverage: number;
  /** Margin requirements (see {@link Margin}); absent: a cash account without margin calls. */
  readonly margin?: Margin;
  /** Sizing rules by symbol; `*` for every symbol not named. */
  readonly sizing: Readonly<Record<string, SymbolRules>>;
}

/**
 * **Margin.** An account trading with leverage holds `initial` × gross exposure to open (an order
 * that would need more than equity is refused) and `maintenance` × gross exposure to keep its
 * positions: at the first price where equity falls below that, every position is closed (a margin
 * call: an event in the record and in the summary) and working orders are cancelled. A closing
 * price beyond what equity covers (a gap) leaves a negative balance, which is written off: equity
 * never stays below zero. Defaults from `--max-leverage` L > 1: initial 1/L, maintenance half of
 * it; with L = 1 and no `--margin` the account is a cash account, with no margin calls.
 */
export interface Margin {
  /** Fraction of gross exposure equity must cover for an order to be accepted. */
  readonly initial: number;
  /** Fraction of gross exposure below which the positions are closed. */
  readonly maintenance: number;
}

export interface ExecutionInput {
  /** `family` → model name, `family.param` → value (as `--exec` gives them). */
  readonly exec?: Readonly<Record<string, string | ParamValue>>;
  readonly maxLeverage?: number;
  readonly margin?: Partial<Margin>;
  readonly sizing?: Readonly<Record<string, Partial<SymbolRules>>>;
}

/** The margin of an account from what was given (see {@link Margin}); undefined: a cash account. */
function marginOf(maxLeverage: number | undefined, given: Partial<Margin> | undefined): Margin | undefined {
  const L = maxLeverage ?? 1;
  if (given === undefined && !(L > 1)) return undefined;
  const initial = given?.initial ?? (maxLeverage !== undefined || given?.maintenance === undefined ? 1 / L : given.maintenance);
  const maintenance = given?.maintenance ?? initial / 2;
  if (!(Number.isFinite(initial) && initial > 0 && initial <= 1)) throw new UsageError(`margin initial=${initial} must be a fraction > 0 and <= 1 (0.1 for 10x leverage)`);
  if (!(Number.isFinite(maintenance) && maintenance > 0 && maintenance <= initial)) throw new UsageError(`margin maintenance=${maintenance} must be a fraction > 0 and <= the initial margin ${initial}`);
  return { initial, maintenance };
}

/**
 * Checked settings from what a user gave: unknown slots, models and parameters are refused with
 * "did you mean"; each model's own check runs (a latency file is read and checked here).
 */
export function makeExecution(input: ExecutionInput = {}): ExecutionSettings {
  const given = input.exec ?? {};
  const chosen = new Map<Family, string>();
  const params = new Map<Family, Record<string, string | ParamValue>>();
  for (const [key, value] of Object.entries(given)) {
    const dot = key.indexOf('.');
    const fam = dot < 0 ? key : key.slice(0, dot);
    if (!(FAMILIES as readonly string[]).includes(fam)) {
      const near = didYouMean(fam, FAMILIES);
      throw new UsageError(`execution has no slot '${fam}' (in '${key}')${near ? `; did you mean '${near}'?` : ''} (slots: ${FAMILIES.join(', ')})`);
    }
    const family = fam as Family;
    if (dot < 0) {
      const name = String(value);
      if (!modelOf(family, name)) {
        const names = MODELS[family].map((m) => m.name);
        const near = didYouMean(name, names);
        throw new UsageError(`no ${family} model '${name}'${near ? `; did you mean '${near}'?` : ''} (${family} models: ${names.join(', ')})`);
      }
      chosen.set(family, name);
    } else {
      const p = params.get(family) ?? {};
      p[key.slice(dot + 1)] = value;
      params.set(family, p);
    }
  }
  const choice = (family: Family): ModelChoice => {
    const m = modelOf(family, chosen.get(family) ?? MODELS[family][0]!.name)!;
    const p = params.get(family) ?? {};
    let resolved;
    const us: Record<string, number> = {};
    try {
      resolved = resolveParams(m.name, m.params, p, `${family} model '${m.name}'`, us);
    } catch (e) {
      // a parameter of another model of the slot: say which, and how to choose it
      const other = Object.keys(p).find((k) => !(k in m.params));
      const owner = other !== undefined ? MODELS[family].find((x) => other in x.params) : undefined;
      if (owner && e instanceof UsageError) throw new UsageError(`${e.message}; '${other}' is a parameter of the ${family} model '${owner.name}': choose it with --exec ${family}=${owner.name}`);
      throw e;
    }
    m.check?.(resolved);
    return { model: m.name, params: resolved, us };
  };
  const margin = marginOf(input.maxLeverage, input.margin);
  // an initial margin without a leverage limit sets it (initial 0.1: 10x)
  const maxLeverage = input.maxLeverage ?? (input.margin?.initial !== undefined ? 1 / input.margin.initial : 1);
  if (!(Number.isFinite(maxLeverage) && maxLeverage > 0)) throw new UsageError(`max leverage ${maxLeverage} must be > 0`);
  const sizing: Record<string, SymbolRules> = {};
  for (const [sym, r] of Object.entries(input.sizing ?? {})) {
    const rules = { ...NO_RULES, ...r };
    for (const [k, v] of Object.entries(rules)) if (!(Number.isFinite(v) && v >= 0)) throw new UsageError(`${sym}: ${k} ${v} must be a number >= 0`);
    sizing[sym] = rules;
  }
  return {
    latency: choice('latency'),
    fill: choice('fill'),
    queue: choice('queue'),
    slippage: choice('slippage'),
    fees: choice('fees'),
    financing: choice('financing'),
    maxLeverage,
    ...(margin ? { margin } : {}),
    sizing,
  };
}

/** The command line's default execution: no latency, fills at the quote, no slippage, no fees. */
export const DEFAULT_EXECUTION: ExecutionSettings = makeExecution();

/**
 * The settings as reports and the ledger show them: each model with its parameters as given,
 * without the µs the venue binds ({@link ModelChoice.us}); the same keys in the same order.
 */
export function plainExecution(s: ExecutionSettings): PlainExecution {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) out[k] = (FAMILIES as readonly string[]).includes(k) ? { model: (v as ModelChoice).model, params: (v as ModelChoice).params } : v;
  return out as PlainExecution;
}

/** {@link ExecutionSettings} as reports show them (see {@link plainExecution}). */
export type PlainExecution = { readonly [K in keyof ExecutionSettings]: K extends Family ? Omit<ModelChoice, 'us'> : ExecutionSettings[K] };

/**
 * The settings with one parameter of a slot's model changed (a cost sweep's level): the parameter
 * must not be a duration (those are parsed once, in {@link makeExecution}).
 */
export function withParam(s: ExecutionSettings, slot: Family, key: string, value: ParamValue): ExecutionSettings {
  const c = s[slot];
  return { ...s, [slot]: { ...c, params: { ...c.params, [key]: value } } };
}

/** The sizing rules of a symbol: its own, else `*`'s, else none. */
export function rulesFor(s: ExecutionSettings, symbol: string): SymbolRules {
  return s.sizing[symbol] ?? s.sizing['*'] ?? NO_RULES;
}

/** One line per slot: the model, its parameters that differ from their defaults. */
export function describeExecution(s: PlainExecution): string[] {
  const margin = s.margin ? [`margin: initial ${s.margin.initial}, maintenance ${s.margin.maintenance}`] : [];
  return [
    ...FAMILIES.map((f) => {
      const c = s[f];
      const m = modelOf(f, c.model)!;
      const changed = Object.entries(c.params).filter(([k, v]) => m.params[k]!.default !== v);
      return `${f}: ${c.model}${changed.length ? ` (${changed.map(([k, v]) => `${k}=${String(v)}`).join(', ')})` : ''}`;
    }),
    ...margin,
  ];
}

/**
 * The settings the short flags (`--latency`, `--fee`, `--slippage`...) make, by their meaning:
 * each maps to one parameter of a default model. For the command line and for tests.
 */
export interface ShortSettings {
  readonly latencyUs?: number;
  readonly slippageBps?: number;
  readonly halfSpreadBps?: number;
  readonly feePerUnit?: number;
  readonly feeBps?: number;
  readonly feeMinimum?: number;
  readonly feePerOrder?: number;
  readonly borrowBps?: number;
  readonly capToQuoteSize?: boolean;
  readonly maxLeverage?: number;
  readonly margin?: Partial<Margin>;
}

/** Which `--exec` key each short setting sets. */
export const SHORT_KEYS: Readonly<Record<Exclude<keyof ShortSettings, 'maxLeverage' | 'margin'>, string>> = {
  latencyUs: 'latency.entry',
  slippageBps: 'slippage.bps',
  halfSpreadBps: 'fill.spread',
  feePerUnit: 'fees.perUnit',
  feeBps: 'fees.bps',
  feeMinimum: 'fees.minimum',
  feePerOrder: 'fees.perOrder',
  borrowBps: 'financing.bps',
  capToQuoteSize: 'fill.capToQuoteSize',
};

/** Settings from short ones, over `exec` (key=value as `--exec` gives them). */
export function executionOf(short: ShortSettings, exec: Readonly<Record<string, string | ParamValue>> = {}, sizing?: ExecutionInput['sizing']): ExecutionSettings {
  const e: Record<string, string | ParamValue> = { ...exec };
  for (const [k, key] of Object.entries(SHORT_KEYS)) {
    const v = short[k as keyof typeof SHORT_KEYS];
    if (v === undefined) continue;
    e[key] = k === 'latencyUs' ? `${v as number}us` : v;
  }
  return makeExecution({ exec: e, ...(short.maxLeverage !== undefined ? { maxLeverage: short.maxLeverage } : {}), ...(short.margin ? { margin: short.margin } : {}), ...(sizing ? { sizing } : {}) });
}

/** Refuses sizing rules for a symbol the data does not have (a typo would otherwise be ignored). */
export function checkSizingSymbols(s: ExecutionSettings, symbols: readonly string[]): void {
  for (const sym of Object.keys(s.sizing)) {
    if (sym === '*' || symbols.includes(sym)) continue;
    const near = didYouMean(sym, symbols);
    throw new UsageError(
      `sizing rules (--lot-size/--min-qty/--tick-size) name '${sym}', which is not in the data${near ? `; did you mean '${near}'?` : ''} (symbols: ${symbols.length <= 12 ? symbols.join(', ') : `${symbols.slice(0, 12).join(', ')}, ...`}; * for all; with --symbols the data is only the symbols it names)`,
    );
  }
}
