/**
 * Two or more runs side by side: every setting in a row, the rows where they differ marked (a
 * highlighted row and a "differs" cell, not colour alone); the verdicts with the trial counts
 * behind them; the equity curves overlaid (reports on calendar time, ledger runs by period).
 */
import { equityChart, PALETTE, type Curve } from './chart.js';
import { cmd, fmt, getJson, h, message, routeParams, setChildren, table } from './dom.js';

interface Item {
  id: string;
  missing?: boolean;
  problem?: string;
  label?: string;
  source?: 'ledger' | 'report';
  settings?: Record<string, string>;
  verdicts?: { name: string; baseline: boolean; verdictClass: string; trials: number | null; dsr: number | null; pbo: number | null; oosSharpe: number | null }[];
  equity?: Curve[];
  equityNote?: string;
  reproduce?: string;
}

export function comparePage(main: HTMLElement): { refresh: () => Promise<void> } {
  const load = async (): Promise<void> => {
    const ids = (routeParams().get('ids') ?? '').split(',').filter((s) => s !== '');
    if (ids.length < 2) {
      main.replaceChildren(h('h1', {}, 'Compare'), h('p', {}, 'Tick two or more runs on the ', h('a', { href: '#/runs' }, 'runs page'), ' and press Compare selected.'));
      document.body.dataset.rendered = '1';
      return;
    }
    let items: Item[];
    try {
      items = (await getJson<{ items: Item[] }>(`/api/compare?ids=${ids.map(encodeURIComponent).join(',')}`)).items;
    } catch (e) {
      main.replaceChildren(h('h1', {}, 'Compare'), message((e as Error).message));
      document.body.dataset.rendered = '1';
      return;
    }
    const ok = items.filter((i) => i.settings);
    const problems = items.filter((i) => !i.settings || i.problem).map((i) => message(i.missing ? `run ${i.id}: not in the ledger or the reports folder any more` : `${i.label ?? i.id}: ${i.problem ?? ''}`));
    const keys = [...new Set(ok.flatMap((i) => Object.keys(i.settings!)))];
    const colour = new Map(ok.map((i, k) => [i.id, PALETTE[k % PALETTE.length]!]));
    const settingRows = keys.map((k) => {
      const vals = ok.map((i) => i.settings![k] ?? '—');
      const differs = new Set(vals).size > 1;
      return { differs, cells: [k, differs ? 'differs' : 'same', ...vals.map((v) => h('span', { class: 'mono' }, v))] };
    });
    const parts: HTMLElement[] = [h('h1', {}, `Compare ${ok.length} runs`), ...problems];
    parts.push(h('h2', {}, 'Settings'), h('p', { class: 'note' }, `${settingRows.filter((r) => r.differs).length} of ${keys.length} settings differ (highlighted rows).`));
    parts.push(
      table(
        ['Setting', '', ...ok.map((i) => h('span', {}, h('span', { style: `color:${colour.get(i.id)!}` }, '■ '), h('a', { href: `#/run/${i.id}` }, i.label ?? i.id)))],
        settingRows.map((r) => r.cells),
        { class: 'settings-compare' },
        (n) => (settingRows[n]!.differs ? { class: 'diff', 'data-differs': '1' } : {}),
      ),
    );
    parts.push(h('h2', {}, 'Verdicts and the trials behind them'));
    for (const i of ok) parts.push(cmd(i.reproduce ?? '', i.label ?? i.id));
    parts.push(
      table(
        ['Run', 'Strategy', 'Verdict', "Trials (DSR's N)", 'DSR', 'PBO', 'OOS Sharpe (ann.)'],
        ok.flatMap((i) => (i.verdicts ?? []).map((v) => [i.label ?? i.id, v.baseline ? `${v.name} (baseline)` : v.name, v.verdictClass || (i.source === 'ledger' ? 'trials only (no report)' : ''), v.trials ?? '', fmt(v.dsr), fmt(v.pbo), fmt(v.oosSharpe, 2)])),
        { class: 'verdicts' },
      ),
    );
    const timed = ok.filter((i) => i.source === 'report' && i.equity?.length);
    const periodic = ok.filter((i) => i.source === 'ledger' && i.equity?.length);
    if (timed.length) {
      parts.push(h('h2', {}, 'Equity overlaid (reports)'), h('p', { class: 'note' }, `${timed[0]!.equityNote ?? ''}, each as growth of 1 from its first point.`));
      for (const i of timed) parts.push(cmd(i.reproduce ?? '', i.label ?? i.id));
      parts.push(
        equityChart(
          timed.flatMap((i) => i.equity!.filter((c) => !c.name.endsWith('(baseline)')).map((c) => ({ curve: { ...c, name: `${i.label ?? i.id}: ${c.name}` }, color: colour.get(i.id)! }))),
          false,
          'equity curves of the reports overlaid',
        ),
      );
    }
    if (periodic.length) {
      parts.push(h('h2', {}, 'Equity overlaid (ledger runs)'), h('p', { class: 'note' }, `${periodic[0]!.equityNote ?? ''}.`));
      for (const i of periodic) parts.push(cmd(i.reproduce ?? '', i.label ?? i.id));
      parts.push(
        equityChart(
          periodic.flatMap((i) => i.equity!.map((c) => ({ curve: { ...c, name: `${i.label ?? i.id}: ${c.name}` }, color: colour.get(i.id)! }))),
          true,
          "in-sample growth of the ledger runs' best trials overlaid",
        ),
      );
    }
    setChildren(main, parts);
    document.body.dataset.rendered = '1';
  };
  void load();
  return { refresh: load };
}
