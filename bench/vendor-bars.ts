/**
 * The vendor-shaped bar file of the bench's first user job: `Date,Open,High,Low,Close,Volume`,
 * times `YYYY-MM-DD HH:MM:SS` without a zone, one-minute bars back to back (a 24/7 market), prices
 * a seeded random walk rounded to cents. Deterministic: the same rows give the same bytes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import seedrandom from 'seedrandom';

export function writeVendorBars(path: string, rows: number): void {
  const rng = seedrandom.alea('tickfold-bench-vendor-bars');
  const fd = openSync(path, 'w');
  const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
  const cents = (x: number): number => Math.round(x * 100) / 100;
  let out = 'Date,Open,High,Low,Close,Volume\n';
  let px = 100;
  let t = Date.UTC(2000, 0, 3, 9, 30);
  for (let i = 0; i < rows; i++) {
    const d = new Date(t);
    const open = px;
    let hi = open;
    let lo = open;
    for (let k = 0; k < 4; k++) {
      px *= Math.exp((rng() - 0.5) * 0.002);
      hi = Math.max(hi, px);
      lo = Math.min(lo, px);
    }
    out += `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:00,${cents(open)},${cents(hi)},${cents(lo)},${cents(px)},${Math.floor(rng() * 10000)}\n`;
    t += 60_000;
    if (out.length > 1 << 20) {
      writeSync(fd, out);
      out = '';
    }
  }
  writeSync(fd, out);
  closeSync(fd);
}
