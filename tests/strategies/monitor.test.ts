import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { parseIso, parseDuration } from '../../src/data/time.js';
import { runJob } from '../../src/jobs/run.js';
import type { BasketDiagnostics } from '../../strategies/basket.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { RelationshipMonitor } from '../../strategies/monitor.js';
import type { PairsDiagnostics } from '../../strategies/pairs.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const job = (files: string[], name: string, params: Record<string, string>, period = '1m') => runJob(files, { cache: false }, { strategy: BUILTIN_STRATEGIES.get(name)!, params, execution: DEFAULT_EXECUTION, initialCapital: 100_000, seed: '1', periodUs: parseDuration(period) });

/** Equity at the last sample at or before `t`, and at the end. */
function split(r: { sampleTs: Float64Array; equity: Float64Array; initialCapital: number; finalEquity: number }, t: number): { before: number; after: number } {
  let k = 0;
  while (k < r.sampleTs.length && r.sampleTs[k]! <= t) k++;
  const at = k > 0 ? r.equity[k - 1]! : r.initialCapital;
  return { before: at - r.initialCapital, after: r.finalEquity - at };
}

describe('the relationship monitor', () => {
  it('CUSUM of |z| − level: breaks past the limit, resumes only when back to 0 and the test holds', () => {
    const m = new RelationshipMonitor(3, 10);
    for (const z of [1, -2, 2.9, -0.5]) expect(m.step(0, z)).toBe(false);
    expect(m.calm).toBe(true);
    expect(m.step(1, 5)).toBe(false); // S = 2
    expect(m.step(2, -7)).toBe(false); // S = 6
    expect(m.step(3, 8)).toBe(true); // S = 11 > 10: broken
    m.setTest(true, 0.01);
    expect(m.step(4, 0)).toBe(true); // S = 8: not back yet
    expect(m.step(5, 0)).toBe(true); // 5
    expect(m.step(6, 0)).toBe(true); // 2
    m.setTest(false, 0.3);
    expect(m.step(7, 0)).toBe(true); // S = 0, but the test says no
    m.setTest(true, 0.02);
    expect(m.step(8, 0)).toBe(false); // back, and the test agrees
    const s = m.summary();
    expect(s.breaks).toBe(1);
    expect(s.events.map((e) => [e.ts, e.what])).toEqual([
      [3, 'break'],
      [8, 'resume'],
    ]);
    expect(s.events[1]!.test).toBe(0.02);
  });

  it('pairs on the regime-break sample: equal before the break; after it, the loss at least halved (the rest is the jump at the break itself)', async () => {
    const BREAK = parseIso('2024-01-02T17:50:04.507166Z');
    const file = join(ROOT, 'data/sample_pair_break_quotes.csv');
    const params = { symbols: 'BBB,AAA', every: '30s', lookback: '180' };
    const plain = await job([file], 'pairs', params);
    const watched = await job([file], 'pairs', { ...params, monitor: 'true' });
    const a = split(plain.record, BREAK);
    const b = split(watched.record, BREAK);
    expect(b.before).toBe(a.before);
    expect(a.after).toBeLessThan(0);
    expect(b.after).toBeGreaterThanOrEqual(a.after / 2);
    const d = watched.record.strategySummary as PairsDiagnostics;
    expect(d.monitorBreaks).toBe(1);
    const ev = d.monitor!.events[0]!;
    expect(ev.what).toBe('break');
    expect(ev.ts).toBeGreaterThan(BREAK);
    expect(ev.ts - BREAK).toBeLessThan(10 * 60e6); // within 10 minutes
    // the hedge ratio changed for good: it never resumes
    expect(d.monitor!.events.some((e) => e.what === 'resume')).toBe(false);
  });

  it('on the sample without a break it never breaks, and changes nothing', async () => {
    const file = join(ROOT, 'data/sample_pair_quotes.csv');
    const params = { symbols: 'BBB,AAA', every: '30s', lookback: '180' };
    const plain = await job([file], 'pairs', params);
    const watched = await job([file], 'pairs', { ...params, monitor: 'true' });
    expect((watched.record.strategySummary as PairsDiagnostics).monitorBreaks).toBe(0);
    expect(Array.from(watched.record.equity)).toEqual(Array.from(plain.record.equity));
  });

  it('basket: a planted change of the vector (and a drift) after day 1000 is caught before it costs anything', async () => {
    const rng = seedrandom('b1');
    const g = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    let la = Math.log(100);
    let lb = Math.log(50);
    let u = 0;
    let drift = 0;
    const rows = ['ts,symbol,open,high,low,close,volume'];
    const brk = 1000;
    for (let d = 0; d < 1500; d++) {
      la += 0.02 * g();
      lb += 0.02 * g();
      u = (d < brk ? 0.9 : 0.995) * u + 0.004 * g();
      if (d >= brk) drift += 0.003;
      const ts = new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      for (const [s, lp] of [
        ['A', la],
        ['B', lb],
        ['C', (d < brk ? 0.6 : 0.9) * la + 0.5 * lb + u + drift + 1],
      ] as const) {
        const p = Math.exp(lp).toFixed(4);
        rows.push(`${ts},${s},${p},${p},${p},${p},1000000`);
      }
    }
    const file = join(tempDir(), 'break.csv');
    writeFileSync(file, rows.join('\n') + '\n');
    const at = (Date.UTC(2020, 0, 1) + brk * 86_400_000) * 1000;
    const plain = split((await job([file], 'basket', { symbols: 'C,A,B', formation: '250' }, '1d')).record, at);
    const o = await job([file], 'basket', { symbols: 'C,A,B', formation: '250', monitor: 'true' }, '1d');
    const watched = split(o.record, at);
    expect(watched.before).toBe(plain.before);
    expect(plain.after).toBeLessThan(-10_000);
    expect(watched.after).toBeGreaterThanOrEqual(plain.after / 2);
    const d = o.record.strategySummary as BasketDiagnostics;
    expect(d.monitorBreaks).toBe(1);
    expect(d.monitor!.events[0]!.ts).toBeGreaterThan(at);
  });

  it('its settings are refused without monitor=true, and the run text shows the breaks', async () => {
    const q = join(ROOT, 'data/sample_pair_break_quotes.csv');
    const bad = await runCliIn(['run', '--data', q, '--strategy', 'pairs', '--param', 'cusumLimit=10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cusumLimit applies with monitor=true/);
    const d = tempDir();
    const ok = await runCliIn(['run', '--data', q, '--strategy', 'pairs', '--param', 'symbols=BBB,AAA', '--param', 'every=30s', '--param', 'lookback=180', '--param', 'monitor=true', '--report', 'r.html'], d);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/monitorBreaks 1, monitorBrokenShare 0\.\d+, monitorLastBreak 2024-01-02T17:5\d/);
    // the HTML report's spread chart carries the break as a marker, and says so
    const html = readFileSync(join(d, 'r.html'), 'utf8');
    // the spread chart's break marker (pairs' diagnostics()), counted in its note
    expect(html).toContain('Red markers: the relationship monitor broke (flattened and out); green: it resumed. Markers: break ×1.');
    expect(html).toMatch(/"markers":\[\{"time":\d+,"label":"break","direction":"down","color":null\}\]/);
  });
});
