/** `tickfold overfit`: overfitting statistics of a matrix of trial returns. */
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { overfitReport } from '../analysis/overfit.js';
import { readReturnMatrix } from '../data/matrix.js';
import { fmtNum, fmtP, fmtPct } from '../report/format.js';
import { emitOutput, JSON_OPTION_DOC, numberOption } from './options.js';
import { guardOutputs } from './outputs.js';
import { DEFAULTS } from '../jobs/settings.js';

export function overfitCommand(): Command {
  return new Command('overfit')
    .description('PBO (CSCV), DSR, PSR, MinTRL, MinBTL and the hit-rate test for a matrix of trial returns (rows = periods, columns = trials)')
    .requiredOption('--returns <file>', 'CSV matrix of per-period returns; optional header of trial names')
    .option('--partitions <S>', 'CSCV blocks (even)', String(DEFAULTS.pboPartitions))
    .option('--periods-per-year <P>', 'for annualised Sharpe ratios', '252')
    .option('--target-sharpe <x>', 'annual Sharpe for MinBTL', String(DEFAULTS.targetSharpe))
    .option('--json <file>', JSON_OPTION_DOC)
    .action((f: { returns: string; partitions: string; periodsPerYear: string; targetSharpe: string; json?: string }) => {
      guardOutputs([{ flag: '--json', path: f.json, stdout: true }], [f.returns]);
      const S = numberOption('--partitions', f.partitions, (x) => Number.isInteger(x) && x >= 2 && x % 2 === 0 && x <= 24, 'an even integer from 2 to 24');
      const P = numberOption('--periods-per-year', f.periodsPerYear, (x) => x > 0, 'a number > 0');
      const target = numberOption('--target-sharpe', f.targetSharpe, (x) => x > 0, 'a number > 0');
      const m = readReturnMatrix(f.returns);
      if (m.columns.length < 2) throw new UsageError(`${f.returns} has one trial: overfitting statistics need at least 2 columns`);
      let r;
      try {
        r = overfitReport(m.names, m.columns, S, P, target);
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      const b = r.best;
      emitOutput(f.json, r, () =>
        [
          `${r.trials} trials × ${r.periods} periods (${r.periodsPerYear} a year)`,
          `  verdict        ${r.verdict}`,
          `  best trial     ${b.name}: Sharpe ${fmtNum(b.sharpeAnnualized)} a year (${fmtNum(b.sharpePerPeriod, 4)} per period), skew ${fmtNum(b.skewness, 3)}, kurtosis ${fmtNum(b.kurtosisNonExcess, 3)}`,
          `  PSR(0)         ${fmtNum(b.psr, 4)};  MinTRL ${fmtNum(b.minTrl, 0)} periods at 95%`,
          `  DSR            ${fmtNum(r.dsr, 4)}  (SR0 ${fmtNum(r.sr0, 4)} per period = √V × E[max of ${r.trials}] ${fmtNum(r.expectedMaxZ, 3)}; V ${r.trialSharpeVariance.toExponential(3)})`,
          `  MinBTL         ${fmtNum(r.minBtlYears, 2)} years for ${r.trials} trials not to reach a Sharpe of ${r.targetSharpe} by luck`,
          `  PBO            ${fmtNum(r.pbo.pbo, 4)}  (${r.pbo.combinations} CSCV splits of ${r.pbo.partitions} blocks${r.pbo.rowsDropped ? `, first ${r.pbo.rowsDropped} rows dropped` : ''}); degradation slope ${fmtNum(r.pbo.degradationSlope, 3)}; P(OOS loss) ${fmtPct(r.pbo.probOosLoss, 1)}`,
          `  OOS ranks      ${r.pbo.rankCounts.join(' ')}  (1 = worst … ${r.trials} = best)`,
          `  hit rate       ${fmtPct(b.hitRate.rate, 1)} of ${b.hitRate.wins + b.hitRate.losses} periods (p = ${fmtP(b.hitRate.pValue)} vs 50%)`,
        ].join('\n'),
      );
    });
}
