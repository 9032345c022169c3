/**
 * The runs page: every command in the ledger and every report in the folder, filtered (a text
 * box, a command, a source), sorted by a column's header, 50 a page (the server filters, sorts and
 * pages: 100,000 trials cost the page one page of rows). Tick two or more and Compare.
 */
import { cmd, fmt, getJson, h, message, routeParams, setChildren, when } from './dom.js';

interface RunRow {
  id: string;
  source: 'ledger' | 'report';
  when: string;
  command: string;
  dataHash: string | null;
  dataLabel: string;
  strategies: string[];
  trials: number | null;
  verdict: string;
  verdictClass: string;
  problem: string | null;
  file: string | null;
  reproduce: string;
}
interface RunsAnswer {
  ledger: { path: string; ok: boolean; message: string | null; trials: number };
  reports: { dir: string; count: number; message: string | null };
  commands: string[];
  total: number;
  offset: number;
  limit: number;
  rows: RunRow[];
}

const PAGE = 50;
const COLUMNS: readonly [string, string][] = [
  ['when', 'When'],
  ['source', 'Source'],
  ['command', 'Command'],
  ['data', 'Data'],
  ['', 'Strategies'],
  ['trials', 'Trials'],
  ['verdict', 'Verdict'],
];

/** Ticked runs, kept across pages and refreshes. */
const selected = new Set<string>();

export function runsPage(main: HTMLElement): { refresh: () => Promise<void> } {
  const p = routeParams();
  const state = { q: p.get('q') ?? '', command: p.get('command') ?? '', source: p.get('source') ?? '', sort: p.get('sort') ?? 'when', dir: p.get('dir') ?? 'desc', page: Number(p.get('page') ?? 0) || 0 };
  const setHash = (): void => {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(state)) if (v !== '' && !(k === 'page' && v === 0) && !(k === 'sort' && v === 'when') && !(k === 'dir' && v === 'desc')) s.set(k, String(v));
    history.replaceState(null, '', `#/runs${s.size ? `?${s.toString()}` : ''}`);
  };
  const search = h('input', { type: 'search', id: 'filter', placeholder: 'command, strategy, data, verdict…', value: state.q, 'aria-label': 'filter runs' });
  const commandSel = h('select', { id: 'command', 'aria-label': 'command' }, h('option', { value: '' }, 'every command'));
  const sourceSel = h('select', { id: 'source', 'aria-label': 'source' }, h('option', { value: '' }, 'ledger and reports'), h('option', { value: 'ledger' }, 'ledger'), h('option', { value: 'report' }, 'reports'));
  sourceSel.value = state.source;
  const compareBtn = h('button', { id: 'compare', type: 'button', disabled: true }, 'Compare selected');
  const problems = h('div', {});
  const summary = h('p', { class: 'note', id: 'summary' });
  const body = h('div', { id: 'runs' });
  const pager = h('div', { class: 'pager' });
  const ledgerCmd = h('div', {});
  main.replaceChildren(
    h('h1', {}, 'Runs'),
    h('p', { class: 'note' }, 'Every command recorded in the trial ledger and every JSON report in the reports folder. A ledger run is the trials one command recorded on one data set with one fold plan and execution; its trial count is what deflates its Sharpe (DSR).'),
    problems,
    h('div', { class: 'toolbar', role: 'search' }, h('label', { for: 'filter' }, 'Filter '), search, commandSel, sourceSel, compareBtn),
    summary,
    ledgerCmd,
    body,
    pager,
  );
  const updateCompare = (): void => {
    compareBtn.disabled = selected.size < 2;
    compareBtn.textContent = `Compare selected (${selected.size})`;
  };
  compareBtn.addEventListener('click', () => {
    location.hash = `#/compare?ids=${[...selected].join(',')}`;
  });

  const load = async (): Promise<void> => {
    const qs = new URLSearchParams({ q: state.q, command: state.command, source: state.source, sort: state.sort, dir: state.dir, offset: String(state.page * PAGE), limit: String(PAGE) });
    let a: RunsAnswer;
    try {
      a = await getJson<RunsAnswer>(`/api/runs?${qs.toString()}`);
    } catch (e) {
      body.replaceChildren(message(`The runs could not be read: ${(e as Error).message}`));
      return;
    }
    setChildren(
      problems,
      [a.ledger.message, a.reports.message].map((m) => (m === null ? null : message(m))),
    );
    const known = new Set(Array.from(commandSel.options).map((o) => o.value));
    for (const c of a.commands) if (!known.has(c)) commandSel.append(h('option', { value: c }, c));
    commandSel.value = state.command;
    summary.textContent = `${a.total.toLocaleString('en-US')} run${a.total === 1 ? '' : 's'} shown of the ledger's ${a.ledger.trials.toLocaleString('en-US')} trials (${a.ledger.path}) and ${a.reports.count} report${a.reports.count === 1 ? '' : 's'} (${a.reports.dir})`;
    const head = h(
      'tr',
      {},
      h('th', { scope: 'col' }, h('span', { class: 'skip' }, 'select')),
      COLUMNS.map(([key, label]) => {
        if (!key) return h('th', { scope: 'col' }, label);
        const on = state.sort === key;
        return h(
          'th',
          { scope: 'col', 'aria-sort': on ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none' },
          h(
            'button',
            {
              class: 'sort',
              type: 'button',
              'data-sort': key,
              onclick: () => {
                state.dir = on && state.dir === 'desc' ? 'asc' : 'desc';
                state.sort = key;
                state.page = 0;
                setHash();
                void load();
              },
            },
            `${label}${on ? (state.dir === 'asc' ? ' ▲' : ' ▼') : ''}`,
          ),
        );
      }),
    );
    const rows = a.rows.map((r) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `select ${r.command || r.file || r.id} for comparison`, 'data-id': r.id, checked: selected.has(r.id) });
      box.addEventListener('change', () => {
        if (box.checked) selected.add(r.id);
        else selected.delete(r.id);
        updateCompare();
      });
      if (r.problem) {
        return h('tr', { class: 'problem', 'data-id': r.id }, h('td', {}), h('td', {}, when(r.when)), h('td', {}, 'report'), h('td', { colspan: 5 }, h('a', { href: `#/run/${r.id}` }, r.file ?? r.id), ` — ${r.problem}`));
      }
      return h(
        'tr',
        { 'data-id': r.id, 'data-source': r.source },
        h('td', {}, box),
        h('td', {}, when(r.when)),
        h('td', {}, r.source),
        h('td', {}, h('a', { href: `#/run/${r.id}`, class: 'run-link' }, r.command), r.file ? h('div', { class: 'note mono' }, r.file) : null),
        h('td', { class: 'mono', title: r.dataHash ?? '' }, r.dataLabel),
        h('td', {}, r.strategies.join(', ')),
        h('td', { class: 'num' }, r.trials === null ? '' : fmt(r.trials, 0)),
        h('td', { class: r.verdictClass === 'no significant edge' ? 'verdict-no' : '' }, r.verdict),
      );
    });
    setChildren(body, [h('table', { class: 'runs' }, h('thead', {}, head), h('tbody', {}, rows)), a.rows.length ? null : h('p', { class: 'note' }, 'No run matches.')]);
    const pages = Math.max(1, Math.ceil(a.total / PAGE));
    const go = (n: number): void => {
      state.page = n;
      setHash();
      void load();
    };
    pager.replaceChildren(
      h('button', { type: 'button', id: 'prev', disabled: state.page === 0, onclick: () => go(state.page - 1) }, '‹ Previous'),
      h('span', {}, `page ${state.page + 1} of ${pages}`),
      h('button', { type: 'button', id: 'next', disabled: state.page + 1 >= pages, onclick: () => go(state.page + 1) }, 'Next ›'),
    );
    ledgerCmd.replaceChildren(cmd(`tickfold ledger list --ledger ${a.ledger.path}`, "the ledger's trials by data and strategy"));
    updateCompare();
    document.body.dataset.rendered = '1';
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.q = search.value;
      state.page = 0;
      setHash();
      void load();
    }, 150);
  });
  commandSel.addEventListener('change', () => {
    state.command = commandSel.value;
    state.page = 0;
    setHash();
    void load();
  });
  sourceSel.addEventListener('change', () => {
    state.source = sourceSel.value;
    state.page = 0;
    setHash();
    void load();
  });
  void load();
  return { refresh: load };
}
