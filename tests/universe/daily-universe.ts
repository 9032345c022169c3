/**
 * A small synthetic universe for the baselines' tests: daily bars (open = high = low = close) of
 * `names` over `sessions` days from `start`, each close a random walk of ±2% a day rounded to cents,
 * from the seed; and a members file of one span per name, sessions `from(k)` to `to(k)`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { tempDir } from '../helpers.js';

const DAY = 86_400e6;
const iso = (us: number): string => new Date(us / 1000).toISOString().slice(0, 10);

export function writeDailyUniverse(seed: string, names: readonly string[], sessions: number, start: number, from: (k: number) => number, to: (k: number) => number): { bars: string; members: string; close: Map<string, number> } {
  const rng = seedrandom(seed);
  const close = new Map<string, number>(); // `${sym} ${session}` -> close
  const px = names.map(() => 20 + 80 * rng());
  const rows = ['ts,symbol,open,high,low,close,volume'];
  for (let t = 0; t < sessions; t++) {
    names.forEach((n, k) => {
      const c = Math.round(px[k]! * Math.exp(0.04 * (rng() - 0.5)) * 100) / 100;
      px[k] = c;
      rows.push(`${iso(start + t * DAY)},${n},${c},${c},${c},${c},1000`);
      close.set(`${n} ${t}`, c);
    });
  }
  const d = tempDir();
  const bars = join(d, 'bars.csv');
  const members = join(d, 'members.csv');
  writeFileSync(bars, rows.join('\n') + '\n');
  writeFileSync(members, ['symbol,from,to', ...names.map((n, k) => `${n},${iso(start + from(k) * DAY)},${iso(start + to(k) * DAY)}`)].join('\n') + '\n');
  return { bars, members, close };
}
