/**
 * One named test per execution model rule (broker/models): each on a few hand-written events
 * where the rule's answer can be worked out by hand.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeExecution } from '../../src/broker/settings.js';
import { B, Q, run, scripted, T, tableOf } from '../engine/harness.js';
import type { Fill, Strategy } from '../../src/strategy/types.js';
import { tempDir } from '../helpers.js';
import { runBacktest } from '../../src/engine/engine.js';

const at = (s: number): string => new Date(Date.UTC(2024, 0, 2, 10, 0, s)).toISOString();

describe('latency models', () => {
  it('constant: fills reach the strategy `response` after they happen; the books change at the fill', async () => {
    const t = await tableOf(`${Q}\n${at(0)},A,100,101,10,10\n${at(1)},A,100,101,10,10\n${at(2)},A,100,101,10,10\n${at(3)},A,100,101,10,10\n${at(4)},A,100,101,10,10`);
    const heard: { now: number; position: number; fill: Fill }[] = [];
    const s: Strategy = {
      onTick: (ctx, tk) => {
        if (tk.index === 0) ctx.submit({ symbol: 'A', side: 'buy', qty: 1 });
      },
      onFill: (ctx, f) => heard.push({ now: ctx.now, position: ctx.position('A'), fill: f }),
    };
    const r = run(t, s, {}, 1e6, { 'latency.response': '2s' });
    expect(r.fills.at(0)).toMatchObject({ index: 1, price: 101 });
    // filled at 10:00:01, heard of at the first event at or after 10:00:03 (before its onTick)
    expect(heard).toHaveLength(1);
    expect(heard[0]!.now).toBe(Date.parse(at(3)) * 1000);
    expect(heard[0]!.fill.ts).toBe(Date.parse(at(1)) * 1000);
    expect(heard[0]!.position).toBe(1);
  });

  it('file: entry latency interpolated between the measured orders that bracket the submission', async () => {
    const d = tempDir();
    const f = join(d, 'lat.csv');
    // at 10:00:00 the venue took 1 s, at 10:00:10 3 s: an order sent at 10:00:05 is live 2 s later
    writeFileSync(f, `request,exchange,response\n${at(0)},${at(1)},${at(1)}\n${at(10)},${at(13)},${at(13)}\n`);
    const rows = Array.from({ length: 12 }, (_, k) => `${at(k)},A,${100 + k},${101 + k},10,10`).join('\n');
    const t = await tableOf(`${Q}\n${rows}`);
    const r = run(t, scripted({ 5: [{ symbol: 'A', side: 'buy', qty: 1 }] }), {}, 1e6, { latency: 'file', 'latency.file': f });
    expect(r.fills.at(0)).toMatchObject({ index: 7, price: 108 });
  });

  it('file: a rejection row rejects the orders it brackets, heard of after its round trip', async () => {
    const d = tempDir();
    const f = join(d, 'lat.csv');
    writeFileSync(f, `request,exchange,response\n${at(0)},${at(1)},${at(1)}\n${at(4)},,${at(6)}\n${at(10)},${at(11)},${at(11)}\n`);
    const rows = Array.from({ length: 12 }, (_, k) => `${at(k)},A,100,101,10,10`).join('\n');
    const t = await tableOf(`${Q}\n${rows}`);
    const rejected: number[] = [];
    const s: Strategy = {
      onTick: (ctx, tk) => {
        if (tk.index === 5) ctx.submit({ symbol: 'A', side: 'buy', qty: 1 });
      },
      onReject: (ctx) => rejected.push(ctx.now),
    };
    const r = run(t, s, {}, 1e6, { latency: 'file', 'latency.file': f });
    expect(r.fills).toHaveLength(0);
    expect(r.rejections[0]!.reason).toMatch(/rejected by the venue/);
    // sent at 10:00:05, round trip of the rejection row 2 s: heard of at 10:00:07's event
    expect(rejected).toEqual([Date.parse(at(7)) * 1000]);
  });

  it('file: a bad latency file is refused with file, line, column and fix', () => {
    const d = tempDir();
    const f = join(d, 'lat.csv');
    writeFileSync(f, `request,exchange,response\n${at(0)},${at(1)},${at(1)}\n${at(4)},yesterday,${at(6)}\n`);
    expect(() => makeExecution({ exec: { latency: 'file', 'latency.file': f } })).toThrow(/lat\.csv:3:2: not a time[\s\S]*fix:/);
    expect(() => makeExecution({ exec: { latency: 'file' } })).toThrow(/needs the file: --exec latency.file=PATH/);
  });
});

describe('queue models (resting limits at L1)', () => {
  // A buy limit at the bid 100 (10 shown ahead), then prints at 100 and size changes
  const book = (events: string): Promise<ReturnType<typeof tableOf> extends Promise<infer X> ? X : never> => tableOf(`${Q}\n${at(0)},A,100,101,10,10\n${at(1)},A,100,101,10,10${events.includes('Q') ? '' : ''}`, `${T}\n${events}`);
  const order = { 0: [{ symbol: 'A', side: 'buy' as const, qty: 5, type: 'limit' as const, limit: 100 }] };

  it('through (default): a print at the limit does not fill it', async () => {
    const r = run(await book(`${at(2)},A,100,30`), scripted(order));
    expect(r.fills).toHaveLength(0);
  });
  it('touch: a print at the limit fills it whole', async () => {
    const r = run(await book(`${at(2)},A,100,1`), scripted(order), {}, 1e6, { queue: 'touch' });
    expect(r.fills.rows().map((f) => [f.qty, f.price])).toEqual([[5, 100]]);
  });
  it('risk-averse: joins behind the 10 shown; prints at its price advance it; it fills with what trades beyond the queue', async () => {
    const r = run(await book(`${at(2)},A,100,4\n${at(3)},A,100,7\n${at(4)},A,100,3`), scripted(order), {}, 1e6, { queue: 'risk-averse' });
    // 10 ahead: 4 leaves 6, 7 consumes them and fills 1, 3 more fill 3
    expect(r.fills.rows().map((f) => f.qty)).toEqual([1, 3]);
  });
  it('risk-averse: a smaller displayed size moves it to min(ahead, size)', async () => {
    const t = await tableOf(`${Q}\n${at(0)},A,100,101,10,10\n${at(1)},A,100,101,10,10\n${at(2)},A,100,101,2,10`, `${T}\n${at(3)},A,100,4`);
    const r = run(t, scripted(order), {}, 1e6, { queue: 'risk-averse' });
    // ahead 10 → 2 (the size fell to 2), then a print of 4 fills 2
    expect(r.fills.rows().map((f) => f.qty)).toEqual([2]);
  });
  it('probabilistic: a size drop not explained by trades is split, p = f(back)/(f(back)+f(front)) from behind', async () => {
    // 10 ahead; prints of 4 (ahead 6), then the size falls 10 → 2: 4 traded, 4 cancelled;
    // front 6, back 10 − 6 = 4, p = 4²/(4² + 6²) = 16/52; ahead = 6 − (1 − p)·4 + min(4 − 4p, 0) = 6 − 144/52
    const t = await tableOf(`${Q}\n${at(0)},A,100,101,10,10\n${at(1)},A,100,101,10,10\n${at(3)},A,100,101,2,10`, `${T}\n${at(2)},A,100,4\n${at(4)},A,100,4`);
    const r = run(t, scripted(order), {}, 1e6, { queue: 'probabilistic' });
    const ahead = 6 - 144 / 52;
    expect(r.fills.at(0).qty).toBeCloseTo(4 - Math.min(2, ahead), 12);
    // risk-averse on the same events: ahead min(6, 2) = 2, so the second print fills 2
    const ra = run(t, scripted(order), {}, 1e6, { queue: 'risk-averse' });
    expect(ra.fills.at(0).qty).toBe(2);
    // f = log: p = ln 5/(ln 5 + ln 7)
    const lg = run(t, scripted(order), {}, 1e6, { queue: 'probabilistic', 'queue.f': 'log' });
    const p = Math.log1p(4) / (Math.log1p(4) + Math.log1p(6));
    expect(lg.fills.at(0).qty).toBeCloseTo(4 - Math.min(2, 6 - (1 - p) * 4 + Math.min(4 - p * 4, 0)), 12);
  });
  it('a limit better than the best bid has no one ahead: the first print at its price fills it', async () => {
    const t = await tableOf(`${Q}\n${at(0)},A,99.5,101,10,10\n${at(1)},A,99.5,101,10,10`, `${T}\n${at(2)},A,100,3`);
    const r = run(t, scripted(order), {}, 1e6, { queue: 'risk-averse' });
    expect(r.fills.rows().map((f) => f.qty)).toEqual([3]);
  });
  it('bars: a limit only touched fills with probability barTouch (seeded), under any queue but touch', async () => {
    const bars = `${B}\n2024-01-02,A,10,12,9,11,100\n2024-01-03,A,11,12,10,11,100\n2024-01-04,A,11,12,10,11,100`;
    const o = { 0: [{ symbol: 'A', side: 'buy' as const, qty: 1, type: 'limit' as const, limit: 10 }] };
    expect(run(await tableOf(bars), scripted(o)).fills).toHaveLength(0);
    // the second bar's low is exactly the limit: a touch
    expect(
      run(await tableOf(bars), scripted(o), {}, 1e6, { 'fill.barTouch': 1 })
        .fills.rows()
        .map((f) => [f.index, f.price]),
    ).toEqual([[1, 10]]);
    // with 0.5, which touch fills is drawn from the run's seed: the same seed, the same answer
    const half = (seed: string): number[] =>
      runBacktest(table2, scripted(o), { strategyName: 't', initialCapital: 1e6, execution: makeExecution({ exec: { 'fill.barTouch': 0.5 } }), periodUs: 60e6, seed })
        .fills.rows()
        .map((f) => f.index);
    const table2 = await tableOf(bars);
    expect(half('1')).toEqual(half('1'));
    const outcomes = new Set(['1', '2', '3', '4', '5', '6', '7', '8'].map((k) => half(k).join(',')));
    expect(outcomes.size).toBeGreaterThan(1);
    expect(run(await tableOf(bars), scripted(o), {}, 1e6, { queue: 'touch' }).fills).toHaveLength(1);
  });
});

describe('slippage and impact models', () => {
  const bars = `${B}\n2024-01-02,A,10,12,9,11,1000\n2024-01-03,A,11,12,10,11,1000\n2024-01-04,A,12,13,11,12,1000`;
  it('volume-share: min(q/V, limit)² × impact against the order (LEAN)', async () => {
    const t = await tableOf(bars);
    const o = { 0: [{ symbol: 'A', side: 'buy' as const, qty: 100 }] };
    // q/V = 0.1 > limit 0.025: 0.025² × 0.1
    expect(run(t, scripted(o), {}, 1e6, { slippage: 'volume-share' }).fills.at(0).price).toBeCloseTo(11 * (1 + 0.025 ** 2 * 0.1), 12);
    expect(run(t, scripted(o), {}, 1e6, { slippage: 'volume-share', 'slippage.limit': 1 }).fills.at(0).price).toBeCloseTo(11 * (1 + 0.1 ** 2 * 0.1), 12);
  });
  it("sqrt-impact: y × σ × √(Q/V), σ and V from the symbol's trailing horizon before the fill", async () => {
    const t = await tableOf(bars);
    const r = run(t, scripted({ 1: [{ symbol: 'A', side: 'sell', qty: 250 }] }), { maxLeverage: 10 }, 1e6, { slippage: 'sqrt-impact', 'slippage.horizon': '3d' });
    // the fill is on the 3rd bar; before it: closes 11, 11 (σ² = ln(11/11)² = 0) ... so σ = 0: no impact
    expect(r.fills.at(0).price).toBe(12);
    const moving = await tableOf(`${B}\n2024-01-02,A,10,12,9,10,1000\n2024-01-03,A,11,12,10,11,1000\n2024-01-04,A,12,13,11,12,1000`);
    const m = run(moving, scripted({ 1: [{ symbol: 'A', side: 'sell', qty: 250 }] }), { maxLeverage: 10 }, 1e6, { slippage: 'sqrt-impact', 'slippage.horizon': '3d', 'slippage.y': 0.5 });
    const sigma = Math.abs(Math.log(11 / 10));
    expect(m.fills.at(0).price).toBeCloseTo(12 * (1 - 0.5 * sigma * Math.sqrt(250 / 2000)), 12);
  });
  it("participation: one fill takes at most that share of the event's volume; the rest stays working", async () => {
    const t = await tableOf(bars);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 150 }] }), {}, 1e6, { 'fill.participation': 0.1 });
    expect(r.fills.rows().map((f) => f.qty)).toEqual([100, 50]);
  });
});

describe('fee models', () => {
  it('schedule: a resting limit filled at its limit pays the maker rate, a marketable one the taker rate', async () => {
    const t = await tableOf(`${Q}\n${at(0)},A,100,101,10,10\n${at(1)},A,100,101,10,10\n${at(2)},A,99,99.5,10,10`);
    const r = run(
      t,
      scripted({
        0: [
          { symbol: 'A', side: 'buy', qty: 1, type: 'limit', limit: 99.5 },
          { symbol: 'A', side: 'buy', qty: 1, type: 'limit', limit: 102 },
        ],
      }),
      {},
      1e6,
      { 'fees.bps': 10, 'fees.makerBps': 1 },
    );
    const rows = r.fills.rows();
    expect(rows.map((f) => [f.index, f.price])).toEqual([
      [1, 101],
      [2, 99.5],
    ]);
    expect(rows[0]!.fee).toBeCloseTo(101 * 10e-4, 12); // marketable: taker
    expect(rows[1]!.fee).toBeCloseTo(99.5 * 1e-4, 12); // resting: maker
  });
});

describe('execution settings', () => {
  it('unknown slots, models and parameters are refused with "did you mean"', () => {
    expect(() => makeExecution({ exec: { queu: 'touch' } })).toThrow(/no slot 'queu'.*did you mean 'queue'/);
    expect(() => makeExecution({ exec: { queue: 'risk-avers' } })).toThrow(/no queue model 'risk-avers'; did you mean 'risk-averse'/);
    expect(() => makeExecution({ exec: { 'slippage.bsp': 3 } })).toThrow(/slippage model 'fixed' has no parameter 'bsp'; did you mean 'bps'/);
    expect(() => makeExecution({ exec: { 'queue.n': 3 } })).toThrow(/'n' is a parameter of the queue model 'probabilistic': choose it with --exec queue=probabilistic/);
    expect(() => makeExecution({ exec: { 'fill.participation': 2 } })).toThrow(/participation=2 is not <= 1/);
  });
});
