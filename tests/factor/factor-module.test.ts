/**
 * `tickfold factor --factor PATH`: a user's factor module, bundled and run on a sandboxed worker
 * thread as a strategy module is. A module that reimplements `momentum` gives the built-in's JSON
 * byte for byte; the example module runs; each way a module can be wrong is told with its file
 * (and line), exit 2 for a usage mistake or a broken rule, 3 for the module's own fault, never a
 * stack trace; the sandbox refuses files, the network and process.exit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShared, ROOT, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

/** momentum of src/factor/factors.ts, as a user writes it: the same doubles in the same order. */
const MOMENTUM_COPY = `
export default {
  name: 'momentum',
  description: 'a copy of the built-in',
  params: { lookback: { type: 'integer', default: 20, min: 1, max: 10000, doc: 'sessions back' } },
  label: (p) => 'momentum_' + p.lookback,
  compute(close, t, p, out) {
    const n = close.cols;
    const L = p.lookback;
    if (t - L < 0) { out.fill(NaN); return; }
    for (let s = 0; s < n; s++) out[s] = close.values[t * n + s] / close.values[(t - L) * n + s] - 1.0;
  },
};
`;

/** The same in TypeScript, returning its row instead of writing into out. */
const MOMENTUM_TS = `import type { FactorModule } from 'tickfold';
const m: FactorModule = {
  name: 'momentum',
  description: 'a copy of the built-in, returning its row',
  params: { lookback: { type: 'integer', default: 20, min: 1, max: 10000, doc: 'sessions back' } },
  label: (p) => \`momentum_\${p.lookback}\`,
  compute(close, t, p): number[] {
    const n = close.cols;
    const L = p.lookback as number;
    const row: number[] = [];
    for (let s = 0; s < n; s++) row.push(t - L < 0 ? NaN : close.values[t * n + s]! / close.values[(t - L) * n + s]! - 1.0);
    return row;
  },
};
export default m;
`;

let dir: string;
let data: string;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** 30 symbols × 300 daily sessions of a seeded random walk; a few sessions missing for some symbols. */
function syntheticPanel(path: string): void {
  const rng = seedrandom('factor-module');
  const rows = ['ts,symbol,open,high,low,close,volume'];
  const px = Array.from({ length: 30 }, () => 50 + 50 * rng());
  for (let d = 0; d < 300; d++) {
    const day = new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < px.length; i++) {
      px[i]! *= Math.exp(0.02 * (rng() - 0.5));
      if (i % 7 === 3 && d % 11 === 0) continue;
      const c = px[i]!.toFixed(4);
      rows.push(`${day},S${String(i).padStart(2, '0')},${c},${c},${c},${c},1000`);
    }
  }
  writeFileSync(path, rows.join('\n') + '\n');
}

beforeAll(() => {
  dir = tempDir();
  data = join(dir, 'panel.csv');
  syntheticPanel(data);
});

/** `tickfold factor` on the synthetic panel. */
const factor = (...args: string[]) => runCliIn(['factor', '--data', data, '--no-cache', ...args], dir);

/** The error of a run: its exit code, and stderr without a stack trace. */
async function fails(code: number, ...args: string[]): Promise<string> {
  const r = await factor(...args);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
  return r.stderr;
}

describe('a factor module file', () => {
  it('a copy of momentum (.mjs writing out, .ts returning rows) gives the built-in JSON byte for byte', async () => {
    const mjs = file('momentum-copy.mjs', MOMENTUM_COPY);
    const ts = file('momentum-copy.ts', MOMENTUM_TS);
    const json = (name: string) => join(dir, name);
    const common = ['--param', 'lookback=10', '--horizons', '1,5', '--from', '2020-03-01'];
    for (const [factorArg, out] of [
      ['momentum', 'builtin.json'],
      [mjs, 'mjs.json'],
      [ts, 'ts.json'],
    ] as const) {
      const r = await factor('--factor', factorArg, ...common, '--json', json(out));
      expect(r.code, r.stderr).toBe(0);
    }
    const want = readFileSync(json('builtin.json'), 'utf8');
    expect(JSON.parse(want).summary.n_dates).toBeGreaterThan(200);
    expect(readFileSync(json('mjs.json'), 'utf8')).toBe(want);
    expect(readFileSync(json('ts.json'), 'utf8')).toBe(want);
  });

  it('a factor sees the panel as it stood at t: reading the next session gives NaN, not the future (a factor that peeks is refused, not scored)', async () => {
    // next-session return: if the future were readable, its 1-session IC would be near 1
    const peek = file(
      'peek.mjs',
      `export default { name: 'peek', description: 'reads t+1', params: {}, label: () => 'peek',
      compute(close, t, p, out) { for (let s = 0; s < close.cols; s++) out[s] = close.values[(t + 1) * close.cols + s] / close.values[t * close.cols + s] - 1; } };`,
    );
    const err = await fails(2, '--factor', peek, '--horizons', '1');
    // nor through the view's buffer
    const buffer = file(
      'buffer.mjs',
      `export default { name: 'buffer', description: 'reads t+1 through the buffer', params: {}, label: () => 'buffer',
      compute(close, t, p, out) { const all = new Float64Array(close.values.buffer); for (let s = 0; s < close.cols; s++) out[s] = all[(t + 1) * close.cols + s] / all[t * close.cols + s] - 1; } };`,
    );
    expect(await fails(2, '--factor', buffer, '--horizons', '1')).toMatch(/gave NaN for every symbol on every scored session/);
    expect(err).toMatch(/gave NaN for every symbol on every scored session: compute\(close, t, \.\.\.\) sees rows 0\.\.t of close only/);
    // what it sees: rows 0..t, close.rows = t + 1
    const rows = file(
      'rows.mjs',
      `export default { name: 'rows', description: 'close.rows - t', params: {}, label: () => 'rows',
      compute(close, t, p, out) { if (close.rows !== t + 1 || close.calendar.length !== t + 1 || close.values.length !== (t + 1) * close.cols) throw new Error('saw ' + close.rows + ' rows at ' + t); out.fill(0); for (let s = 0; s < close.cols; s++) out[s] = s % 5; } };`,
    );
    const r = await factor('--factor', rows, '--horizons', '1', '--json', join(dir, 'rows.json'));
    expect(r.code, r.stderr).toBe(0);
  });

  it('--param before --factor, --from/--to and --html: the same report as the built-in', async () => {
    const mjs = file('momentum-copy.mjs', MOMENTUM_COPY);
    const html = join(dir, 'f.html');
    const a = await runCliIn(['factor', '--param', 'lookback=5', '--to', '2020-09-30', '--data', data, '--factor', mjs, '--from', '2020-02-01', '--html', html, '--json', '-', '--no-cache'], dir);
    expect(a.code, a.stderr).toBe(0);
    const b = await factor('--factor', 'momentum', '--param', 'lookback=5', '--from', '2020-02-01', '--to', '2020-09-30', '--json', '-');
    expect(a.stdout).toBe(b.stdout);
    const rep = JSON.parse(a.stdout);
    expect(rep.requested).toEqual({ first: '2020-02-01T00:00:00Z', last: '2020-09-30T00:00:00Z', count: 243 });
    expect(readFileSync(html, 'utf8')).toContain('<section class="factor-report">');
  });

  it('examples/skip-momentum.ts: with skip=0 the numbers of momentum, with skip=5 its own label; its refusal names its line', async () => {
    const example = join(ROOT, 'examples/skip-momentum.ts');
    const zero = await factor('--factor', example, '--param', 'lookback=20', '--param', 'skip=0', '--json', '-');
    expect(zero.code, zero.stderr).toBe(0);
    const mom = await factor('--factor', 'momentum', '--param', 'lookback=20', '--json', '-');
    const [z, m] = [JSON.parse(zero.stdout), JSON.parse(mom.stdout)];
    expect(z.factor).toBe('skip-momentum_20_0');
    expect(z.summary).toEqual(m.summary);
    expect(z.by_date).toEqual(m.by_date);
    const five = await factor('--factor', example, '--json', '-');
    expect(five.code, five.stderr).toBe(0);
    expect(JSON.parse(five.stdout).factor).toBe('skip-momentum_60_5');
    expect(JSON.parse(five.stdout).summary).not.toEqual(m.summary);
    const line =
      readFileSync(example, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('must be less than lookback')) + 1;
    const err = await fails(3, '--factor', example, '--param', 'skip=60');
    expect(err).toContain(`factor ${example} threw Error: skip=60 must be less than lookback=60 in compute() at session 0 (2020-01-01) at ${example}:${line}:`);
  });
});

describe('a factor module file that is wrong: the file, the rule, the fix', () => {
  it('a name that is neither a built-in nor a path; a path that does not exist (with the near file)', async () => {
    const a = await fails(2, '--factor', 'momentun');
    expect(a).toContain("--factor 'momentun' is not a built-in factor; did you mean 'momentum'? (built-ins: momentum, reversal); or give the path of a factor module file (.ts, .js, .mjs), which must exist");
    file('my-factor.mjs', MOMENTUM_COPY);
    const b = await fails(2, '--factor', './my-factr.mjs');
    expect(b).toContain('factor file ./my-factr.mjs does not exist; did you mean my-factor.mjs?');
    expect(b).toContain('built-ins: momentum, reversal');
    expect(await fails(2, '--factor', './')).toContain('--factor ./ is a folder; give the factor module file in it');
  });

  it('a syntax error: file, line and column, before the data is read', async () => {
    const p = file('syntax.mjs', 'export default {\n  name: "x",\n  compute(close, t, p, out) {\n    out[0] = = 1;\n  },\n};\n');
    const e = await runCliIn(['factor', '--data', join(dir, 'no-such-data.csv'), '--factor', p], dir);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain(`cannot load factor ${p}: ${p}:4:14: Unexpected "="`);
  });

  it('no default export, the wrong shape, a strategy module given as a factor', async () => {
    const named = await fails(2, '--factor', file('named.mjs', 'export const factor = { name: "x", compute() {} };\n'));
    expect(named).toContain("named.mjs is not a tickfold factor module: its default export is missing (it exports 'factor': write export default factor)");
    expect(named).toContain("(see README, 'tickfold factor')");
    const noCompute = await fails(2, '--factor', file('strategy.mjs', 'export default { name: "s", create() { return {}; } };\n'));
    expect(noCompute).toContain("it has no 'compute(close, t, params, out)' function (it has create(): is it a strategy module? tickfold run takes those)");
  });

  it('an exception: the file and line where it was thrown, and the session (exit 3); at the top level (exit 2)', async () => {
    const p = file('throws.ts', '// a helper\nfunction f(t: number): void {\n  if (t > 30) throw new RangeError(`bad row ${t}`);\n}\nexport default { name: "thrower", compute(_c: unknown, t: number) { f(t); } };\n');
    expect(await fails(3, '--factor', p)).toContain(`factor ${p} threw RangeError: bad row 31 in compute() at session 31 (2020-02-01) at ${p}:3:21`);
    const top = file('top.mjs', 'const x = 1;\nthrow new Error("top " + x);\nexport default { name: "a", compute() {} };\n');
    expect(await fails(2, '--factor', top)).toContain(`cannot load factor ${top}: top 1 (at ${top}:2:7)`);
  });

  it('a factor that never returns is stopped by --timeout (exit 3)', async () => {
    const p = file('loop.mjs', 'export default { name: "loop", compute() { for (;;) {} } };\n');
    expect(await fails(3, '--factor', p, '--timeout', '2s')).toContain(`factor ${p}: did not finish within 2s (--timeout) loading its module or computing the factor, so the thread was stopped`);
  });

  it('a row of the wrong length, a non-number, an infinity: exit 2 with the rule', async () => {
    const rule = 'writes one number per symbol into out (NaN where it has none) and returns nothing, or returns an array of close.cols numbers; each value finite or NaN';
    const short = file('short.mjs', 'export default { name: "short", compute() { return [1, 2]; } };\n');
    expect(await fails(2, '--factor', short)).toContain(`factor ${short}: compute() at session 0 (2020-01-01) returned 2 values for 30 symbols; compute(close, t, params, out) ${rule}`);
    const str = file('str.mjs', 'export default { name: "str", compute(close) { return Array.from({ length: close.cols }, () => "1"); } };\n');
    expect(await fails(2, '--factor', str)).toContain(`factor ${str}: compute() at session 0 (2020-01-01) returned the string "1" for S00; `);
    const obj = file('obj.mjs', 'export default { name: "obj", compute() { return { S00: 1 }; } };\n');
    expect(await fails(2, '--factor', obj)).toContain('returned an object (Object)');
    const inf = file('inf.mjs', 'export default { name: "inf", compute(close, t, p, out) { out.fill(t > 3 ? 1 / 0 : 0); } };\n');
    expect(await fails(2, '--factor', inf)).toContain(`factor ${inf}: compute() at session 4 (2020-01-05) gave Infinity for S00; `);
    const label = file('label.mjs', 'export default { name: "l", label: () => 42, compute() {} };\n');
    expect(await fails(2, '--factor', label)).toContain(`factor ${label}: label(params) returned a number`);
  });

  it("--param checked against the module's schema, with did-you-mean", async () => {
    const p = file('momentum-copy.mjs', MOMENTUM_COPY);
    expect(await fails(2, '--factor', p, '--param', 'lookbak=3')).toContain(`factor ${p} has no parameter 'lookbak'; did you mean 'lookback'? (parameters: lookback)`);
    expect(await fails(2, '--factor', p, '--param', 'lookback=0')).toContain(`factor ${p}: parameter lookback=0 is not >= 1`);
  });

  it('the options of a module file are refused with a built-in', async () => {
    expect(await fails(2, '--factor', 'momentum', '--timeout', '3s', '--allow-net')).toContain('--timeout, --allow-net apply to a factor module file only; --factor momentum is a built-in');
  });
});

describe('the sandbox of a factor module', () => {
  it('refuses reading a file (the data itself), the network and process.exit; --allow-fs lets it read', async () => {
    const reads = file('reads.mjs', `import { readFileSync } from 'node:fs';\nexport default { name: 'reader', compute(close, t, p, out) { const n = readFileSync(${JSON.stringify(data)}, 'utf8').length; for (let s = 0; s < close.cols; s++) out[s] = s + n; } };\n`);
    expect(await fails(3, '--factor', reads)).toContain(
      `factor ${reads} tried to read ${data}: factor code may not touch files (a factor that reads the data itself sees prices ahead of the clock); if it needs this, allow it with --allow-fs ${data} (in compute() at session 0 (2020-01-01))`,
    );
    const net = file('net.mjs', 'export default { name: "net", compute() { fetch("http://127.0.0.1:9/"); } };\n');
    expect(await fails(3, '--factor', net)).toContain(`factor ${net} tried to use the network (fetch): factor code may not; allow it with --allow-net`);
    const exit = file('exit.mjs', 'process.exit(0);\nexport default { name: "exit", compute() {} };\n');
    expect(await fails(3, '--factor', exit)).toContain(`factor ${exit} called process.exit(0): factor code may not end the process; throw an Error to stop a run (while its module loaded)`);
    const allowed = await factor('--factor', reads, '--allow-fs', data, '--json', '-');
    expect(allowed.code, allowed.stderr).toBe(0);
  });
});

describeShared('a factor module file on the S&P 500 file', () => {
  it('a copy of momentum gives the JSON of --factor momentum byte for byte', async () => {
    const mjs = file('momentum-copy.mjs', MOMENTUM_COPY);
    const args = ['factor', '--data', shared('sp500_daily_2013_2018.csv'), '--param', 'lookback=20', '--quantiles', '5', '--horizons', '1,5,10', '--from', '2017-02-08', '--json', '-'];
    const a = await runCliIn([...args, '--factor', 'momentum'], dir);
    const b = await runCliIn([...args, '--factor', mjs], dir);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(a.stdout).factor).toBe('momentum_20');
    expect(b.stdout).toBe(a.stdout);
  });

  it("README's run of examples/skip-momentum.ts shows its real output", async () => {
    const block = /```\n\$ npx tickfold (factor [^\n]*--factor examples\/skip-momentum\.ts[^\n]*)\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(block).not.toBeNull();
    const r = await runCliIn([...block![1]!.split(' '), '--no-cache'], ROOT);
    expect(r.code, r.stderr).toBe(0);
    const shown = block![2]!.split('\n').filter((l) => l !== '' && l !== '...');
    expect(shown.length).toBeGreaterThan(10);
    for (const line of shown) expect(r.stdout.split('\n')).toContain(line);
  });
});
