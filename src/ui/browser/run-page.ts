/**
 * One run. A report: its strategies' verdicts with the trials behind them, its out-of-sample
 * equity, its folds (the parameters chosen in each and their in- and out-of-sample Sharpe), the
 * HTML report itself as tickfold wrote it, and the ledger's trials on its data. A ledger run: its
 * settings and its trials, best in-sample Sharpe first, a page at a time.
 */
import { equityChart, PALETTE } from './chart.js';
import { cmd, fmt, getJson, h, message, routeParams, setChildren, table, when } from './dom.js';

interface Trial {
  key: string;
  recordedAt: string;
  strategy: string;
  params: string;
  isSharpe: number | null;
  periods: number;
  budget: string | null;
}
interface Strategy {
  name: string;
  baseline: boolean;
  verdict: string;
  verdictClass: string;
  trials: number | null;
  dsr: number | null;
  pbo: number | null;
  oosSharpe: number | null;
  pnlNet: number | null;
}
interface Fold {
  strategy: string;
  index: number;
  testStart: string;
  testEnd: string;
  chosen: string;
  isSharpe: number | null;
  oosSharpe: number | null;
  oosPnl: number | null;
}
interface Curve {
  name: string;
  time: number[];
  value: number[];
}
interface Report {
  id: string;
  file: string;
  html: string | null;
  modified: string;
  version: string;
  command: string;
  argv: string[];
  rerun: string;
  dataHash: string | null;
  data: { file: string; kind: string; rows: number | null; symbols: string[] }[];
  window: { from: string; to: string; events: number | null } | null;
  settings: Record<string, string>;
  strategies: Strategy[];
  folds: Fold[];
  equity: Curve[];
}
interface LedgerRun {
  id: string;
  command: string;
  dataHash: string;
  scheme: string;
  execution: string;
  trials: number;
  first: string;
  last: string;
  strategies: string[];
}
type RunAnswer =
  | { kind: 'ledger'; error: string }
  | { kind: 'ledger'; ledger: string; run: LedgerRun; trials: Trial[]; total: number; offset: number; limit: number; reports: { id: string; file: string; rerun: string }[]; reproduce: string }
  | { kind: 'report'; problem: { file: string; message: string } }
  | { kind: 'report'; report: Report; ledger: { path: string; message: string | null }; ledgerRuns: { id: string; trials: number; strategies: string[]; last: string }[]; trials: { run: string; rows: Trial[]; total: number; offset: number; limit: number } | null };

const PAGE = 50;

function trialsTable(rows: readonly Trial[], ledger: string): HTMLElement {
  return table(
    ['Trial', 'Strategy', 'Parameters', 'IS Sharpe (per period)', 'Periods', 'Recorded', 'Reproduce'],
    rows.map((t) => [
      h('span', { class: 'mono' }, t.key.slice(0, 12)),
      t.strategy,
      h('span', { class: 'mono' }, t.budget === null ? t.params : `${t.params} (partial: ${t.budget})`),
      t.isSharpe === null ? 'n/a' : fmt(t.isSharpe, 4),
      t.periods,
      when(t.recordedAt),
      h('span', { class: 'mono' }, `tickfold ledger show ${t.key.slice(0, 12)} --ledger ${ledger}`),
    ]),
    { class: 'trials' },
  );
}

function pager(total: number, offset: number, go: (offset: number) => void): HTMLElement {
  const page = Math.floor(offset / PAGE);
  const pages = Math.max(1, Math.ceil(total / PAGE));
  return h(
    'div',
    { class: 'pager' },
    h('button', { type: 'button', disabled: page === 0, onclick: () => go(offset - PAGE) }, '‹ Previous'),
    h('span', {}, `trials ${offset + 1}–${Math.min(total, offset + PAGE)} of ${total.toLocaleString('en-US')}`),
    h('button', { type: 'button', disabled: page + 1 >= pages, onclick: () => go(offset + PAGE) }, 'Next ›'),
  );
}

export function runPage(main: HTMLElement, id: string): { refresh: () => Promise<void> } {
  const load = async (): Promise<void> => {
    const offset = Number(routeParams().get('offset') ?? 0) || 0;
    let a: RunAnswer;
    try {
      a = await getJson<RunAnswer>(`/api/run/${encodeURIComponent(id)}?offset=${offset}&limit=${PAGE}`);
    } catch (e) {
      main.replaceChildren(h('h1', {}, 'Run'), message((e as Error).message), h('p', {}, h('a', { href: '#/runs' }, 'All runs')));
      document.body.dataset.rendered = '1';
      return;
    }
    const go = (o: number): void => {
      history.replaceState(null, '', `#/run/${id}?offset=${Math.max(0, o)}`);
      void load();
    };
    if ('error' in a) main.replaceChildren(h('h1', {}, 'Run'), message(a.error));
    else if ('problem' in a) main.replaceChildren(h('h1', {}, a.problem.file), message(a.problem.message));
    else if (a.kind === 'ledger') {
      const r = a.run;
      main.replaceChildren(
        h('h1', {}, `${r.command} on ${r.dataHash.slice(0, 12)}`),
        cmd(a.reproduce, "the ledger's trials on this data"),
        table(
          ['', ''],
          [
            ['command', r.command],
            ['data hash', h('span', { class: 'mono' }, r.dataHash)],
            ['strategies', r.strategies.join(', ')],
            ['trials', r.trials.toLocaleString('en-US')],
            ['fold plan', h('span', { class: 'mono' }, r.scheme)],
            ['execution', h('span', { class: 'mono' }, r.execution)],
            ['recorded', `${when(r.first)} → ${when(r.last)}`],
          ],
          { class: 'settings' },
        ),
        h('h2', {}, 'Reports on this data'),
        a.reports.length
          ? h(
              'ul',
              {},
              a.reports.map((x) => h('li', {}, h('a', { href: `#/run/${x.id}` }, x.file))),
            )
          : h('p', { class: 'note' }, 'None in the reports folder (the ledger keeps trials, not reports: write one with --json).'),
        h('h2', {}, 'Trials'),
        h('p', { class: 'note' }, "Best in-sample Sharpe first. Each trial's line reproduces its record (parameters, fold plan, execution, returns)."),
        trialsTable(a.trials, a.ledger),
        pager(a.total, a.offset, go),
      );
    } else {
      const r = a.report;
      const main_ = r.strategies.filter((s) => !s.baseline);
      const parts: (HTMLElement | null)[] = [
        h('h1', {}, `${r.command}: ${r.file}`),
        cmd(r.rerun, 'this report, byte for byte'),
        h(
          'p',
          { class: 'note' },
          `Written ${when(r.modified)} by tickfold ${r.version}. Data: ${r.data.map((d) => `${d.file} (${d.kind}${d.rows !== null ? `, ${d.rows.toLocaleString('en-US')} rows` : ''}${d.symbols.length ? `, ${d.symbols.join(' ')}` : ''})`).join('; ')}${r.window ? `; ${r.window.from} → ${r.window.to}` : ''}.`,
        ),
        h('h2', {}, 'Verdicts'),
        cmd(r.rerun),
        table(
          ['Strategy', 'Verdict', "Trials (DSR's N)", 'DSR', 'PBO', 'OOS Sharpe (ann.)', 'OOS PnL', 'In full'],
          r.strategies.map((s) => [s.baseline ? `${s.name} (baseline)` : s.name, s.verdictClass, s.trials ?? '', fmt(s.dsr), fmt(s.pbo), fmt(s.oosSharpe, 2), fmt(s.pnlNet, 2), s.verdict]),
          { class: 'verdicts' },
        ),
      ];
      if (r.equity.length) {
        parts.push(
          h('h2', {}, 'Equity (growth of 1)'),
          cmd(r.rerun),
          equityChart(
            r.equity.map((c, i) => ({ curve: c, color: PALETTE[i % PALETTE.length]! })),
            false,
            `equity of ${r.equity.map((c) => c.name).join(', ')}`,
          ),
        );
      }
      if (r.folds.length) {
        parts.push(
          h('h2', {}, 'Folds: the parameters chosen in each'),
          cmd(r.rerun),
          table(
            ['Strategy', 'Fold', 'Test window', 'Chosen (best in-sample)', 'IS Sharpe', 'OOS Sharpe', 'OOS PnL'],
            r.folds.map((f) => [f.strategy, f.index, `${when(f.testStart)} → ${when(f.testEnd)}`, h('span', { class: 'mono' }, f.chosen), fmt(f.isSharpe, 2), fmt(f.oosSharpe, 2), fmt(f.oosPnl, 2)]),
            { class: 'folds' },
            () => ({ class: 'chosen' }),
          ),
        );
      }
      parts.push(h('h2', {}, 'Trials behind it (the ledger)'));
      if (a.ledger.message) parts.push(message(a.ledger.message));
      else if (!a.trials) parts.push(h('p', { class: 'note' }, `The ledger (${a.ledger.path}) holds no ${r.command} trials on this data${main_.length ? '' : ' (a single run records none)'}.`));
      else {
        parts.push(
          h('p', { class: 'note' }, `${a.ledgerRuns.map((g) => `${g.trials.toLocaleString('en-US')} trials of ${g.strategies.join(', ')}`).join('; ')}. `, h('a', { href: `#/run/${a.trials.run}` }, 'Open the ledger run')),
          cmd(`tickfold ledger list --ledger ${a.ledger.path} --data-hash ${(r.dataHash ?? '').slice(0, 12)}`),
          trialsTable(a.trials.rows, a.ledger.path),
          pager(a.trials.total, a.trials.offset, go),
        );
      }
      if (r.html) {
        parts.push(
          h('h2', {}, 'The report'),
          cmd(r.rerun),
          h('p', {}, h('a', { href: `/reports/${r.html.split('/').map(encodeURIComponent).join('/')}`, target: '_blank', rel: 'noopener' }, `Open ${r.html} on its own`)),
          h('iframe', { class: 'report', title: `the HTML report ${r.html}`, src: `/reports/${r.html.split('/').map(encodeURIComponent).join('/')}`, sandbox: 'allow-scripts' }),
        );
      }
      setChildren(main, parts);
    }
    document.body.dataset.rendered = '1';
  };
  void load();
  return { refresh: load };
}
