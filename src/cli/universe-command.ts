/**
 * `tickfold universe scores`: the Avellaneda-Lee state of a universe at one session
 * (src/universe/avellaneda-lee.ts): eigenvalues, and per symbol its betas, a, b, kappa, m,
 * sigma_eq, s and the centred s: the numbers pca-stat-arb decides on that session.
 */
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseIso } from '../data/time.js';
import { barMatrix } from '../panel/bar-matrix.js';
import { alState, AL_DEFAULTS } from '../universe/avellaneda-lee.js';
import { isoSecond } from '../factor/report.js';
import { loadCommandData } from './load-data.js';
import { addLoadOptions, emitOutput, JSON_OPTION_DOC, numberOption, toLoadOptions, type RawLoadFlags } from './options.js';
import { guardOutputs } from './outputs.js';

interface Flags extends RawLoadFlags {
  data: string[];
  at: string;
  symbols?: string;
  pcaWindow: string;
  window: string;
  factors: string;
  json?: string;
}

const n = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function universeCommand(): Command {
  const cmd = new Command('universe').description('a universe of symbols: the Avellaneda-Lee state at a session');
  const scores = new Command('scores')
    .description('PCA eigenvalues, and per symbol betas, a, b, kappa, m, sigma_eq, s and the centred s (Avellaneda-Lee) at one session')
    .requiredOption('--data <paths...>', 'bar files or folders')
    .requiredOption('--at <date>', 'the session (bar start, ISO-8601); its return is the last of the windows')
    .option('--symbols <A,B,...>', 'the symbols (default: every symbol with a close on each session of the windows)')
    .option('--pca-window <n>', 'returns the correlation matrix is estimated on', String(AL_DEFAULTS.pcaWindow))
    .option('--window <n>', 'returns of the regression and the OU fit', String(AL_DEFAULTS.regressionWindow))
    .option('--factors <m>', 'eigenportfolios', String(AL_DEFAULTS.factors))
    .option('--json <file>', JSON_OPTION_DOC);
  addLoadOptions(scores);
  scores.action(async (f: Flags) => {
    guardOutputs([{ flag: '--json', path: f.json, stdout: true }], f.data);
    const whole = (flag: string, v: string, lo: number): number => numberOption(flag, v, (x) => Number.isInteger(x) && x >= lo && x <= 5000, `a whole number from ${lo} to 5000`);
    const pcaWindow = whole('--pca-window', f.pcaWindow, 3);
    const window = whole('--window', f.window, 3);
    const factors = whole('--factors', f.factors, 1);
    const at = parseIso(f.at);
    if (Number.isNaN(at)) throw new UsageError(`--at '${f.at}' is not an ISO-8601 date; write e.g. 2017-06-30`);
    const { table } = await loadCommandData(f.data, toLoadOptions(f), true);
    const close = barMatrix(table, 'close');
    const t = close.calendar.indexOf(at);
    if (t < 0) throw new UsageError(`--at ${f.at}: no session of the data starts then (sessions ${isoSecond(close.calendar[0]!)} .. ${isoSecond(close.calendar[close.rows - 1]!)})`);
    const W = Math.max(pcaWindow, window);
    if (t < W) throw new UsageError(`--at ${f.at}: only ${t} returns before it, the windows need ${W}`);
    const complete = (s: number): boolean => {
      for (let r = t - W; r <= t; r++) if (!(close.values[r * close.cols + s]! > 0)) return false;
      return true;
    };
    let cols: number[];
    if (f.symbols !== undefined) {
      cols = f.symbols.split(',').map((x) => {
        const s = close.symbols.indexOf(x.trim());
        if (s < 0) throw new UsageError(`--symbols: '${x.trim()}' is not a symbol of the data`);
        if (!complete(s)) throw new UsageError(`--symbols: ${x.trim()} has no close on some session of the ${W + 1} the windows need`);
        return s;
      });
    } else cols = close.symbols.map((_, s) => s).filter(complete);
    cols.sort((a, b) => (close.symbols[a]! < close.symbols[b]! ? -1 : close.symbols[a]! > close.symbols[b]! ? 1 : 0));
    const N = cols.length;
    if (factors >= Math.min(N, pcaWindow - 1)) throw new UsageError(`--factors ${factors}: at most ${Math.min(N, pcaWindow - 1) - 1} with ${N} symbols and a ${pcaWindow}-return window`);
    const R = new Float64Array(W * N);
    for (let k = 0; k < W; k++) {
      const row = t - W + 1 + k;
      for (let i = 0; i < N; i++) R[k * N + i] = Math.log(close.values[row * close.cols + cols[i]!]! / close.values[(row - 1) * close.cols + cols[i]!]!);
    }
    const st = alState(R, W, N, { ...AL_DEFAULTS, pcaWindow, regressionWindow: window, factors });
    const total = st.eigenvalues.reduce((a, b) => a + b, 0);
    const out = {
      date: isoSecond(at),
      n_symbols: N,
      pca_window_returns: pcaWindow,
      regression_window_returns: window,
      m_factors: factors,
      eigenvalues: Array.from(st.eigenvalues),
      explained_variance_ratio_top_m: Array.from(st.eigenvalues.subarray(0, factors), (x) => x / total),
      cross_sectional_mean_of_m_over_valid: n(st.mBar),
      per_stock: cols.map((s, i) => ({
        symbol: close.symbols[s]!,
        sigma: st.sigma[i]!,
        intercept_beta0: st.beta0[i]!,
        betas: Array.from(st.betas.subarray(i * factors, (i + 1) * factors)),
        a: st.a[i]!,
        b: st.b[i]!,
        var_zeta: st.varZeta[i]!,
        kappa: n(st.kappa[i]!),
        m: n(st.mu[i]!),
        sigma_eq: n(st.sigmaEq[i]!),
        s: n(st.s[i]!),
        s_centred: n(st.sCentred[i]!),
        valid: st.valid[i] === 1,
        eligible: st.eligible[i] === 1,
      })),
    };
    const f4 = (x: number | null): string => (x === null ? '-' : x.toFixed(4)).padStart(9);
    emitOutput(f.json, out, () =>
      [
        `Avellaneda-Lee state at ${out.date}: ${N} symbols, PCA of ${pcaWindow} returns, ${factors} factors (${(100 * out.explained_variance_ratio_top_m.reduce((a, b) => a + b, 0)).toFixed(1)}% of the variance), regression and OU fit over ${window}`,
        `  eigenvalues ${out.eigenvalues
          .slice(0, factors)
          .map((x) => x.toFixed(3))
          .join(' ')}`,
        `  symbol      kappa         m  sigma_eq         s  s_centred  eligible`,
        ...out.per_stock.map((p) => `  ${p.symbol.padEnd(8)}${f4(p.kappa)} ${f4(p.m)} ${f4(p.sigma_eq)} ${f4(p.s)}  ${f4(p.s_centred)}  ${p.eligible ? 'yes' : p.valid ? 'no (kappa)' : 'no (b)'}`),
      ].join('\n'),
    );
  });
  cmd.addCommand(scores);
  return cmd;
}
