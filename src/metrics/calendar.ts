/**
 * The market's calendar: how many trading days a year and how many active hours a trading day,
 * measured from the data, so that annualisation follows the market that was traded (STATS.md,
 * "Annualisation and calendars"), not a US equity session assumed for everything.
 *
 * Rules, each measured over the whole table:
 * - **Activity.** Every event is activity at its time; a bar is activity over [start, close).
 *   Gaps of at most {@link JOIN_GAP_US} between activity are joined (a quiet stretch inside a
 *   session is still the session). Activity is marked on a 5-minute grid of each UTC day.
 * - **Hours a day** (needs {@link MIN_SPAN_FOR_HOURS_US} of data and an intraday resolution):
 *   the 5-minute slots of the day that are active on at least half of the active weekdays.
 *   23 h or more counts as 24 h (a market open around the clock).
 * - **Weekends** (needs a full Saturday or Sunday inside the span): the market trades on
 *   weekends when weekend days have on average at least half the active time of weekdays (an FX
 *   market's Sunday-evening open is not a weekend session).
 * - **Days a year** (needs {@link MIN_SPAN_FOR_DAYS_US} of data): the days with at least half a
 *   typical day's active time, per year of span; snapped to 252 (exchange, with holidays), 260
 *   (every weekday) or 365 (every day) when within a few days of one, else the measured value.
 *   With less data: 365 with weekend trading, 260 for a 24 h weekday market, 252 for a session.
 * - **When the data cannot tell** (too short, or daily bars that hide the session), the symbols
 *   decide what is left, and the report says it was assumed: crypto pairs (BTCUSDT, ETH-USD) trade
 *   24x7, currency pairs (EURUSD) 24x5, anything else a US equity session (252 days × 6.5 h).
 *   `--calendar` states the calendar instead; `--periods-per-year` overrides the result.
 */
import { BAR } from '../data/schema.js';
import { rowTime, type TickTable } from '../data/table.js';
import { formatDuration, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE } from '../data/time.js';

export interface Calendar {
  /** Trading days a year. */
  readonly daysPerYear: number;
  /** Active hours a trading day (24 for a market open around the clock). */
  readonly hoursPerDay: number;
  /** `24x7`, `24x5`, `us-equity`, or `<days>d:<hours>h`. */
  readonly name: string;
  /** How it was decided, for the report: what was measured and what was assumed. */
  readonly basis: string;
  /** True when any part of it was assumed rather than measured or given. */
  readonly assumed: boolean;
}

/** Activity separated by at most this much is one stretch. */
export const JOIN_GAP_US = 30 * US_PER_MINUTE;
/** The data must span this much for the hours of a day to be measured. */
export const MIN_SPAN_FOR_HOURS_US = 20 * US_PER_HOUR;
/** The data must span this much for the trading days of a year to be measured. */
export const MIN_SPAN_FOR_DAYS_US = 180 * US_PER_DAY;
const SLOT_US = 5 * US_PER_MINUTE;
const SLOTS = US_PER_DAY / SLOT_US; // 288

const NAMED: Readonly<Record<string, { days: number; hours: number }>> = {
  '24x7': { days: 365, hours: 24 },
  '24x5': { days: 260, hours: 24 },
  'us-equity': { days: 252, hours: 6.5 },
};
export const CALENDAR_NAMES = Object.keys(NAMED);

function nameOf(days: number, hours: number): string {
  for (const [n, c] of Object.entries(NAMED)) if (c.days === days && c.hours === hours) return n;
  return `${+days.toFixed(1)}d:${+hours.toFixed(2)}h`;
}

/**
 * A calendar as the user states it: `24x7`, `24x5`, `us-equity`, or `<days>d:<hours>h` (e.g.
 * `252d:8h`, `365d:24h`). Undefined when the text is none of these.
 */
export function parseCalendar(s: string): Calendar | undefined {
  const named = NAMED[s.trim().toLowerCase()];
  let days: number;
  let hours: number;
  if (named) ({ days, hours } = named);
  else {
    const m = /^\s*(\d+(?:\.\d+)?)d:(\d+(?:\.\d+)?)h\s*$/i.exec(s);
    if (!m) return undefined;
    days = Number(m[1]);
    hours = Number(m[2]);
    if (!(days > 0 && days <= 366 && hours > 0 && hours <= 24)) return undefined;
  }
  return { daysPerYear: days, hoursPerDay: hours, name: nameOf(days, hours), basis: `calendar ${nameOf(days, hours)} given (${days} days a year × ${hours} h)`, assumed: false };
}

const CRYPTO = ['BTC', 'XBT', 'ETH', 'USDT', 'USDC', 'BUSD', 'FDUSD', 'TUSD', 'DAI', 'SOL', 'BNB', 'XRP', 'DOGE', 'ADA', 'LTC', 'DOT', 'AVAX', 'TRX', 'LINK', 'MATIC'];
const FIAT = ['USD', 'EUR', 'JPY', 'GBP', 'CHF', 'AUD', 'NZD', 'CAD', 'SEK', 'NOK', 'DKK', 'HKD', 'SGD', 'CNH', 'MXN', 'ZAR', 'TRY', 'PLN', 'HUF', 'CZK'];

/** What the symbol names suggest: 'crypto' when every one is a crypto pair, 'fx' for currency pairs. */
export function symbolHint(symbols: readonly string[]): 'crypto' | 'fx' | undefined {
  if (symbols.length === 0) return undefined;
  const clean = symbols.map((s) => s.toUpperCase().replace(/[-/_.:]|PERP$/g, ''));
  const isCrypto = (s: string): boolean => CRYPTO.some((c) => s.startsWith(c) || s.endsWith(c)) && s.length >= 6;
  const isFx = (s: string): boolean => s.length === 6 && FIAT.includes(s.slice(0, 3)) && FIAT.includes(s.slice(3));
  if (clean.every(isCrypto)) return 'crypto';
  if (clean.every(isFx)) return 'fx';
  return undefined;
}

/** What the data shows (all figures NaN or undefined where it is too short to show them). */
export interface CalendarMeasure {
  readonly spanUs: number;
  /** Daily (or longer) bars only: the session cannot be seen. */
  readonly dailyBars: boolean;
  readonly hoursPerDay: number;
  readonly weekends: boolean | undefined;
  readonly tradingDaysPerYear: number;
}

const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday

/** Measures the calendar's parts from a table (see the module's rules). O(rows + days × 288). */
export function measureCalendar(t: TickTable): CalendarMeasure {
  const c = new CalendarScan(t.barStart.length > 0);
  c.scanSpan(t, 0, t.length);
  c.scanActivity(t, 0, t.length);
  return c.result();
}

/**
 * Activity merged into stretches (rows in time order; a bar covers [start, close)): a row within
 * {@link JOIN_GAP_US} of the stretch's end joins it, any other closes it (to `mark`) and starts
 * the next. Its state carries over from block to block.
 */
class Stretches {
  private cs = 0;
  private ce = 0;
  private ceClose = false;
  private stretching = false;

  scan(t: TickTable, from: number, to: number, hasBars: boolean, mark: (a: number, b: number, bIsClose: boolean) => void): void {
    const { ts, kind, barStart } = t;
    let i = from;
    if (!this.stretching) {
      this.cs = rowTime(t, i);
      this.ce = ts[i]!;
      this.ceClose = hasBars && kind[i] === BAR;
      this.stretching = true;
      i++;
    }
    let { cs, ce, ceClose } = this;
    for (; i < to; i++) {
      const bar = hasBars && kind[i] === BAR;
      const a = bar ? barStart[i]! : ts[i]!;
      const b = ts[i]!;
      if (a - ce <= JOIN_GAP_US) {
        if (a < cs) cs = a;
        if (b >= ce) {
          ceClose = b > ce ? bar : ceClose && bar;
          ce = b;
        }
      } else {
        mark(cs, ce, ceClose);
        cs = a;
        ce = b;
        ceClose = bar;
      }
    }
    this.cs = cs;
    this.ce = ce;
    this.ceClose = ceClose;
  }

  /**
   * {@link scan} of ticks only (no bar: a row's start is its time, no stretch ends at a close),
   * with the least time of the rows folded in (`first`, returned): one loop where the bars' case
   * and a loop of its own for the least time took ~2x as long (11.5M rows, bench/replay.ts).
   */
  scanTicks(ts: Float64Array, from: number, to: number, first: number, mark: (a: number, b: number, bIsClose: boolean) => void): number {
    let i = from;
    if (!this.stretching) {
      this.cs = ts[i]!;
      this.ce = ts[i]!;
      this.ceClose = false;
      this.stretching = true;
      if (ts[i]! < first) first = ts[i]!;
      i++;
    }
    let { cs, ce } = this;
    for (; i < to; i++) {
      const a = ts[i]!;
      if (a < first) first = a;
      if (a - ce <= JOIN_GAP_US) {
        if (a < cs) cs = a;
        if (a > ce) ce = a;
      } else {
        mark(cs, ce, false);
        cs = a;
        ce = a;
      }
    }
    this.cs = cs;
    this.ce = ce;
    this.ceClose = false;
    return first;
  }

  /** The last stretch, to `mark` (once every row has been scanned). */
  close(mark: (a: number, b: number, bIsClose: boolean) => void): void {
    mark(this.cs, this.ce, this.ceClose);
  }
}

/**
 * {@link measureCalendar} over rows given in blocks (a streamed run, engine/stream-facts.ts): every
 * row in order to {@link scanSpan}, then every row again in order to {@link scanActivity}, then
 * {@link result}. The same arithmetic on the same rows: the same figures.
 */
export class CalendarScan {
  private rows = 0;
  /** Daily bars: every row a bar at least 20 h long. */
  private dailyBars: boolean;
  private first = Infinity;
  private last = NaN;
  private day0 = 0;
  private nDays = 0;
  private slots: Uint8Array | undefined;
  private readonly stretches = new Stretches();
  private readonly marker = (a: number, b: number, bIsClose: boolean): void => this.mark(a, b, bIsClose);

  constructor(private readonly hasBars: boolean) {
    this.dailyBars = hasBars;
  }

  /** First pass: the span and whether the rows are daily bars. */
  scanSpan(t: TickTable, from: number, to: number): void {
    if (to <= from) return;
    const hasBars = this.hasBars;
    // the row loops read the columns as locals (no per-row closure: 1M rows in ~5 ms)
    const { ts, kind, barStart } = t;
    let dailyBars = this.dailyBars;
    let first = this.first;
    for (let i = from; i < to; i++) {
      const bar = hasBars && kind[i] === BAR;
      const a = bar ? barStart[i]! : ts[i]!;
      if (a < first) first = a;
      if (dailyBars && (!bar || ts[i]! - a < 20 * US_PER_HOUR)) dailyBars = false;
    }
    this.dailyBars = dailyBars;
    this.first = first;
    this.last = ts[to - 1]!;
    this.rows += to - from;
  }

  /** A stretch [a, b]: b is inclusive when it is a tick's time, exclusive when it is a bar's close. */
  private mark(a: number, b: number, bIsClose: boolean): void {
    const slots = this.slots!;
    const base = this.day0 * SLOTS;
    const s0 = Math.floor(a / SLOT_US) - base;
    const s1 = Math.max(s0 + 1, (bIsClose ? Math.ceil(b / SLOT_US) : Math.floor(b / SLOT_US) + 1) - base);
    slots.fill(1, Math.max(0, s0), Math.min(slots.length, s1));
  }

  /** Second pass (after {@link scanSpan} has seen every row): activity merged into stretches, marked in 5-minute slots. */
  scanActivity(t: TickTable, from: number, to: number): void {
    if (to <= from) return;
    if (!this.slots) {
      this.day0 = Math.floor(this.first / US_PER_DAY);
      this.nDays = Math.floor(this.last / US_PER_DAY) - this.day0 + 1;
      this.slots = new Uint8Array(this.nDays * SLOTS);
    }
    this.stretches.scan(t, from, to, this.hasBars, this.marker);
  }

  /** Whether every row scanned so far is a bar of 20 h or more. */
  get isDailyBars(): boolean {
    return this.dailyBars;
  }

  /** The measure, once both passes have seen every row. */
  result(): CalendarMeasure {
    if (this.rows === 0) return { spanUs: 0, dailyBars: false, hoursPerDay: NaN, weekends: undefined, tradingDaysPerYear: NaN };
    this.stretches.close(this.marker);
    const { nDays, day0, dailyBars, first, last } = this;
    const slots = this.slots!;
    return slotMeasure(slots, nDays, day0, dailyBars, last - first);
  }
}

/**
 * {@link CalendarScan} in one pass (a streamed run measures the calendar while it replays,
 * engine/stream-facts.ts): every row once, in order, to {@link scan}, then {@link result}.
 *
 * The two-pass scan needs the span first only to size its slots (the days from the first start
 * to the last time) and clips every stretch to them; here the slots grow to whatever days the
 * stretches cover and the result reads the same days out of them: the same slots, the same
 * figures (tests/engine/stream-facts.test.ts compares the two on the same rows).
 */
export class CalendarOnePass {
  private readonly span: CalendarScan;
  private rows = 0;
  private first = Infinity;
  private last = NaN;
  /** Active slots, from absolute slot {@link lo} on (grown as the stretches need). */
  private slots = new Uint8Array(0);
  private lo = 0;
  private readonly stretches = new Stretches();
  private readonly marker = (a: number, b: number, bIsClose: boolean): void => this.mark(a, b, bIsClose);

  constructor(private readonly hasBars: boolean) {
    this.span = new CalendarScan(hasBars);
  }

  /** Absolute slots [s0, s1) marked active, the array grown to hold them. */
  private mark(a: number, b: number, bIsClose: boolean): void {
    const s0 = Math.floor(a / SLOT_US);
    const s1 = Math.max(s0 + 1, bIsClose ? Math.ceil(b / SLOT_US) : Math.floor(b / SLOT_US) + 1);
    if (this.slots.length === 0) {
      this.lo = s0;
      this.slots = new Uint8Array(Math.max(SLOTS, 2 * (s1 - s0)));
    } else if (s0 < this.lo || s1 > this.lo + this.slots.length) {
      const lo = Math.min(this.lo, s0);
      const hi = Math.max(this.lo + this.slots.length, s1);
      const grown = new Uint8Array(Math.max(2 * this.slots.length, hi - lo));
      grown.set(this.slots, this.lo - lo);
      this.slots = grown;
      this.lo = lo;
    }
    this.slots.fill(1, s0 - this.lo, s1 - this.lo);
  }

  /** Rows [from, to) of a block, the next in order. */
  scan(t: TickTable, from: number, to: number): void {
    if (to <= from) return;
    const hasBars = this.hasBars;
    const { ts, kind, barStart } = t;
    if (!hasBars) {
      // ticks: the span's pass finds nothing the result reads (no daily bars; its rows only
      // when there are none, as here), the least time folded into the stretches' loop
      this.first = this.stretches.scanTicks(ts, from, to, this.first, this.marker);
      this.last = ts[to - 1]!;
      this.rows += to - from;
      return;
    }
    this.span.scanSpan(t, from, to);
    let first = this.first;
    for (let j = from; j < to; j++) {
      const a = hasBars && kind[j] === BAR ? barStart[j]! : ts[j]!;
      if (a < first) first = a;
    }
    this.stretches.scan(t, from, to, hasBars, this.marker);
    this.first = first;
    this.last = ts[to - 1]!;
    this.rows += to - from;
  }

  /** The measure, once every row has been scanned: {@link CalendarScan.result}'s. */
  result(): CalendarMeasure {
    if (this.rows === 0) return this.span.result();
    this.stretches.close(this.marker);
    const day0 = Math.floor(this.first / US_PER_DAY);
    const nDays = Math.floor(this.last / US_PER_DAY) - day0 + 1;
    // the two-pass scan's slots: these days, the stretches clipped to them
    const slots = new Uint8Array(nDays * SLOTS);
    const base = day0 * SLOTS;
    const from = Math.max(base, this.lo);
    const to = Math.min(base + slots.length, this.lo + this.slots.length);
    if (to > from) slots.set(this.slots.subarray(from - this.lo, to - this.lo), from - base);
    return slotMeasure(slots, nDays, day0, this.span.isDailyBars, this.last - this.first);
  }
}

/** The calendar's figures from the active slots of each day. */
function slotMeasure(slots: Uint8Array, nDays: number, day0: number, dailyBars: boolean, spanUs: number): CalendarMeasure {
  const activeSlots = new Uint16Array(nDays);
  for (let d = 0; d < nDays; d++) {
    let c = 0;
    for (let s = 0; s < SLOTS; s++) c += slots[d * SLOTS + s]!;
    activeSlots[d] = c;
  }
  // hours a day: slots active on at least half of the active weekdays
  let hoursPerDay = NaN;
  if (!dailyBars && spanUs >= MIN_SPAN_FOR_HOURS_US) {
    const count = new Uint32Array(SLOTS);
    let days = 0;
    for (let d = 0; d < nDays; d++) {
      const w = weekday(day0 + d);
      if (w === 0 || w === 6 || activeSlots[d] === 0) continue;
      days++;
      for (let s = 0; s < SLOTS; s++) count[s]! += slots[d * SLOTS + s]!;
    }
    if (days > 0) {
      let active = 0;
      for (let s = 0; s < SLOTS; s++) if (count[s]! * 2 >= days) active++;
      hoursPerDay = (active * SLOT_US) / US_PER_HOUR;
      if (hoursPerDay >= 23) hoursPerDay = 24;
    }
  }
  // weekends: full Saturdays and Sundays inside the span against the weekdays
  let weekendSlots = 0;
  let weekendDays = 0;
  let weekdaySlots = 0;
  let weekdays = 0;
  for (let d = 1; d < nDays - 1; d++) {
    const w = weekday(day0 + d);
    if (w === 0 || w === 6) {
      weekendDays++;
      weekendSlots += activeSlots[d]!;
    } else {
      weekdays++;
      weekdaySlots += activeSlots[d]!;
    }
  }
  const weekends = weekendDays === 0 || weekdays === 0 ? undefined : weekendSlots / weekendDays >= 0.5 * (weekdaySlots / weekdays);
  // trading days a year: days with at least half of a typical (median) active day's time
  let tradingDaysPerYear = NaN;
  if (spanUs >= MIN_SPAN_FOR_DAYS_US) {
    const act = Array.from(activeSlots)
      .filter((c) => c > 0)
      .sort((x, y) => x - y);
    const typical = act[Math.floor(act.length / 2)] ?? 0;
    let trading = 0;
    for (let d = 0; d < nDays; d++) if (activeSlots[d]! > 0 && activeSlots[d]! * 2 >= typical) trading++;
    tradingDaysPerYear = trading / (nDays / 365.25);
  }
  return { spanUs, dailyBars, hoursPerDay, weekends, tradingDaysPerYear };
}

function snapDays(d: number): number {
  for (const k of [252, 260, 365]) if (Math.abs(d - k) <= (k === 365 ? 10 : 4)) return k;
  return Math.round(d);
}

/**
 * The calendar of a table: measured where the data allows, the rest from the symbols (and said).
 * `intraday`: whether the hours of a day matter (periods shorter than a day); when they do not
 * and the data cannot show them, the calendar is days only (`252d`).
 */
export function inferCalendar(t: TickTable, intraday = true): Calendar {
  return calendarOf(measureCalendar(t), t.symbols, intraday);
}

/** {@link inferCalendar} from the measure of the data and its symbols. */
export function calendarOf(m: CalendarMeasure, symbols: readonly string[], intraday = true): Calendar {
  const hint = symbolHint(symbols);
  const hintText = hint === 'crypto' ? `the symbols (${symbols.join(', ')}) are crypto pairs` : hint === 'fx' ? `the symbols (${symbols.join(', ')}) are currency pairs` : 'no other evidence: a US equity session';
  const measured: string[] = [];
  const assumed: string[] = [];
  const span = formatDuration(Math.round(m.spanUs / US_PER_MINUTE) * US_PER_MINUTE || US_PER_MINUTE);
  // hours a day
  let hours: number;
  if (Number.isFinite(m.hoursPerDay)) {
    hours = m.hoursPerDay;
    measured.push(`${+hours.toFixed(2)} h a day`);
  } else if (!intraday) hours = NaN;
  else {
    hours = hint === 'crypto' || hint === 'fx' ? 24 : 6.5;
    if (m.dailyBars) assumed.push(`${hours} h a day (daily bars do not show the session; ${hintText})`);
    else assumed.push(`${hours} h a day (${span} of data is too short to measure it; ${hintText})`);
  }
  // weekends
  let weekends: boolean;
  if (m.weekends !== undefined) {
    weekends = m.weekends;
    measured.push(weekends ? 'trades on weekends' : 'closed on weekends');
  } else {
    weekends = hint === 'crypto';
    if (!Number.isFinite(m.tradingDaysPerYear)) assumed.push(`${weekends ? 'trades on weekends' : 'closed on weekends'} (no full weekend in the data; ${hint === undefined ? (Number.isFinite(m.hoursPerDay) && hours < 24 ? 'an exchange session' : hintText) : hintText})`);
  }
  // days a year
  let days: number;
  if (Number.isFinite(m.tradingDaysPerYear)) {
    days = snapDays(m.tradingDaysPerYear);
    measured.push(`${m.tradingDaysPerYear.toFixed(1)} trading days a year${days !== Math.round(m.tradingDaysPerYear) || days !== m.tradingDaysPerYear ? ` (taken as ${days})` : ''}`);
  } else days = weekends ? 365 : hours >= 24 ? 260 : 252;
  const name = Number.isFinite(hours) ? nameOf(days, hours) : `${days}d`;
  const parts = [measured.length > 0 ? `measured over ${span}: ${measured.join(', ')}` : '', assumed.length > 0 ? `assumed: ${assumed.join('; ')}` : ''].filter((x) => x !== '');
  return {
    daysPerYear: days,
    hoursPerDay: hours,
    name,
    basis: `calendar ${name} (${days} days a year${Number.isFinite(hours) ? ` × ${hours} h` : ''}); ${parts.join('; ')}${assumed.length > 0 ? '; state it with --calendar' : ''}`,
    assumed: assumed.length > 0,
  };
}

/** Periods a year of `periodUs` under a calendar: days for daily and longer periods, else days × hours. */
export function periodsPerYearOf(c: Calendar, periodUs: number): number {
  if (periodUs >= US_PER_DAY) return c.daysPerYear / (periodUs / US_PER_DAY);
  return (c.daysPerYear * Math.min(24, Number.isFinite(c.hoursPerDay) ? c.hoursPerDay : 24) * US_PER_HOUR) / periodUs;
}
