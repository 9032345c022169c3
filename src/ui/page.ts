/**
 * The UI's page shell and style. Colours are chosen for contrast (WCAG AA: 4.5:1 for text; the
 * browser tests measure every visible text); focus is always visible (a 3 px outline), and every
 * control is a link, button, input or select, so the keyboard reaches all of them.
 */
export const INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tickfold ui</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css"></head>
<body><a class="skip" href="#main">Skip to content</a>
<header><span class="brand">tickfold</span><nav aria-label="pages"><a href="#/runs" data-nav="runs">Runs</a><a href="#/compare" data-nav="compare">Compare</a><a href="#/data" data-nav="data">Data</a></nav><span id="status" role="status" aria-live="polite"></span></header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<script src="/app.js"></script></body></html>
`;

export const STYLE = `
:root { --fg: #1b1f24; --muted: #4b5563; --bg: #ffffff; --panel: #f5f7fa; --line: #d0d7de; --link: #0b4fb3; --bad: #a11d1d; --good: #17673a; --diff: #fff4c2; --focus: #1a56db; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
.skip { position: absolute; left: -9999px; top: 0; background: var(--bg); padding: 6px 10px; }
.skip:focus { left: 8px; z-index: 10; }
header { display: flex; align-items: center; gap: 24px; padding: 10px 20px; background: #14213d; color: #ffffff; }
header .brand { font-weight: 700; font-size: 16px; }
header nav a { color: #ffffff; margin-right: 16px; text-decoration: none; padding: 4px 6px; border-radius: 4px; }
header nav a[aria-current="page"] { background: #2b3d66; text-decoration: underline; }
header #status { margin-left: auto; font-size: 12px; color: #e5e7eb; }
main { padding: 16px 20px 40px; max-width: 1400px; }
h1 { font-size: 20px; margin: 4px 0 12px; }
h2 { font-size: 16px; margin: 20px 0 8px; }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.note { color: var(--muted); margin: 4px 0 8px; }
.message { border: 1px solid var(--bad); background: #fdecec; color: #7a1010; padding: 10px 14px; border-radius: 6px; margin: 10px 0; white-space: pre-wrap; }
.cmd { display: block; font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; margin: 6px 0 10px; white-space: pre-wrap; word-break: break-all; color: var(--fg); }
.toolbar { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 8px 0 12px; }
.toolbar label { color: var(--fg); }
input[type="search"], select { font: inherit; padding: 5px 8px; border: 1px solid #6b7280; border-radius: 4px; color: var(--fg); background: var(--bg); }
button { font: inherit; padding: 5px 12px; border: 1px solid #1e3a8a; border-radius: 4px; background: #1e40af; color: #ffffff; cursor: pointer; }
button[disabled] { background: #e5e7eb; color: #374151; border-color: #9ca3af; cursor: default; }
button.link { background: none; border: none; color: var(--link); padding: 0; text-decoration: underline; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
th button.sort { background: none; border: none; color: var(--fg); font-weight: 600; padding: 0; text-decoration: underline dotted; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.mono, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
tr.problem td { background: #fdecec; color: #7a1010; }
tr.diff td { background: var(--diff); }
tr.chosen td { background: #e7f5ec; }
.pager { display: flex; gap: 10px; align-items: center; margin: 10px 0; }
.chart { height: 320px; border: 1px solid var(--line); border-radius: 4px; margin: 8px 0; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 4px 0; }
.legend span::before { content: ""; display: inline-block; width: 12px; height: 3px; margin-right: 6px; vertical-align: middle; background: var(--c); }
iframe.report { width: 100%; height: 900px; border: 1px solid var(--line); border-radius: 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.verdict-no { color: var(--bad); }
.verdict-yes { color: var(--good); }
`;
