/**
 * The data sets: each data hash (the files' content hashes and the window) with its files, span
 * and symbols (as the reports on it record them), and every strategy tried on it with its trial
 * count: the N that the deflated Sharpe of a result on this data deflates by.
 */
import { cmd, getJson, h, message, setChildren, table, when } from './dom.js';

interface DataSet {
  dataHash: string;
  trials: number;
  first: string | null;
  last: string | null;
  strategies: { strategy: string; trials: number }[];
  files: { file: string; kind: string; rows: number | null; symbols: string[] }[];
  window: { from: string; to: string; events: number | null } | null;
  reports: { id: string; file: string }[];
  reproduce: string;
}

export function dataPage(main: HTMLElement): { refresh: () => Promise<void> } {
  const load = async (): Promise<void> => {
    let a: { ledger: { path: string; ok: boolean; message: string | null }; sets: DataSet[] };
    try {
      a = await getJson('/api/data');
    } catch (e) {
      main.replaceChildren(h('h1', {}, 'Data'), message((e as Error).message));
      document.body.dataset.rendered = '1';
      return;
    }
    setChildren(main, [
      h('h1', {}, 'Data'),
      h('p', { class: 'note' }, "Each data set as the ledger keys it (its files' content hashes and the --from/--to window), with every strategy tried on it and how many trials: DSR deflates a Sharpe on this data by that count."),
      a.ledger.message ? message(a.ledger.message) : null,
      a.sets.length
        ? h(
            'div',
            { class: 'cards' },
            a.sets.map((s) =>
              h(
                'section',
                { class: 'card', 'data-hash': s.dataHash, 'aria-label': `data ${s.dataHash.slice(0, 12)}` },
                h('h2', { class: 'mono' }, s.dataHash.slice(0, 12)),
                cmd(s.reproduce, 'the trials on this data'),
                s.files.length
                  ? table(
                      ['File', 'Kind', 'Rows', 'Symbols'],
                      s.files.map((f) => [h('span', { class: 'mono' }, f.file), f.kind, f.rows ?? '', f.symbols.join(' ')]),
                      { class: 'files' },
                    )
                  : h('p', { class: 'note' }, 'No report on this data in the reports folder: its files are known by their hash only.'),
                s.window ? h('p', { class: 'note' }, `span ${when(s.window.from)} → ${when(s.window.to)}${s.window.events !== null ? `, ${s.window.events.toLocaleString('en-US')} events` : ''}`) : null,
                table(['Strategy', 'Trials'], [...s.strategies.map((x) => [x.strategy, x.trials] as const), ['all', s.trials] as const], { class: 'strategies' }),
                s.first ? h('p', { class: 'note' }, `recorded ${when(s.first)} → ${when(s.last ?? '')}`) : null,
                s.reports.length
                  ? h(
                      'p',
                      {},
                      'Reports: ',
                      s.reports.flatMap((r, i) => [i ? ', ' : '', h('a', { href: `#/run/${r.id}` }, r.file)]),
                    )
                  : null,
              ),
            ),
          )
        : h('p', { class: 'note' }, 'No data set yet: no trial in the ledger, no report in the folder.'),
    ]);
    document.body.dataset.rendered = '1';
  };
  void load();
  return { refresh: load };
}
