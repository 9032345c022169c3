/**
 * Ledgers for the UI's tests and bench: trials generated from a seeded generator
 * (deterministic), recorded through the Ledger class as a walk-forward records them.
 */
import seedrandom from 'seedrandom';
import { Ledger, type LedgerTrial } from '../src/ledger/ledger.js';

/** `n` trials over `runs` (command, data, scheme) groups, `periods` returns each. */
export function generatedTrials(n: number, runs: number, periods = 40, seed = 'ui'): LedgerTrial[] {
  const rnd = seedrandom(seed);
  const commands = ['walk-forward', 'compare', 'search'];
  const strategies = ['pairs', 'linreg', 'momentum', 'basket'];
  const out: LedgerTrial[] = [];
  for (let i = 0; i < n; i++) {
    const g = i % runs;
    const returns = new Float64Array(periods);
    for (let k = 0; k < periods; k++) returns[k] = (rnd() - 0.49) * 0.01;
    out.push({
      key: `${i.toString(16).padStart(8, '0')}${'0'.repeat(32)}`,
      dataHash: `${(g % 7).toString(16).padStart(2, '0')}${'d'.repeat(38)}`,
      strategy: strategies[g % strategies.length]!,
      moduleHash: 'builtin:test@0',
      params: JSON.stringify({ entry: 1 + (i % 13) / 4, lookback: 30 + (i % 17) * 10 }),
      scheme: JSON.stringify({ mode: 'walk-forward', spec: `train=${1 + g}h` }),
      execution: JSON.stringify({ fee: g % 3 }),
      command: commands[g % commands.length]!,
      isSharpe: rnd() * 0.4 - 0.1,
      periods,
      returns,
    });
  }
  return out;
}

export function writeLedger(path: string, trials: readonly LedgerTrial[]): void {
  const l = Ledger.open(path);
  try {
    for (let i = 0; i < trials.length; i += 20_000) l.record(trials.slice(i, i + 20_000), new Date(Date.UTC(2026, 0, 1 + Math.floor(i / 20_000))));
  } finally {
    l.close();
  }
}
