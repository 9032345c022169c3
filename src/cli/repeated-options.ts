/**
 * An option that takes one value, given twice with two values, is refused: commander keeps the
 * last silently (`--strategy flat --strategy momentum` ran momentum, `--from 2005-01-01 --from
 * 2006-01-01` started in 2006; found by a user trial), where the repeatable options (`--param`,
 * `--grid`, `--data`, ...: a collector or a list) add up. The same value twice is harmless and
 * taken.
 */
import type { Command, Option } from 'commander';
import { UsageError } from '../errors.js';

const repeatable = (o: Option): boolean => o.variadic || Array.isArray(o.defaultValue);

/** Throws a UsageError for the first option of `argv`'s command given twice with different values. */
export function checkRepeatedOptions(program: Command, argv: readonly string[]): void {
  let cmd = program;
  let i = 0;
  // the (sub)command: `run`, `data generate`, `pairs scan`, ...
  for (;;) {
    const sub = cmd.commands.find((c) => c.name() === argv[i] || c.aliases().includes(argv[i] ?? ''));
    if (!sub) break;
    cmd = sub;
    i++;
  }
  if (cmd === program) return;
  const seen = new Map<Option, string>();
  for (; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') break;
    if (!tok.startsWith('-') || tok === '-') continue;
    const eq = tok.indexOf('=');
    const flag = tok.startsWith('--') && eq > 0 ? tok.slice(0, eq) : tok;
    const o = cmd.options.find((x) => x.long === flag || x.short === flag);
    if (!o) continue;
    const takesValue = o.required || o.optional;
    let value = 'true';
    if (takesValue) {
      if (flag !== tok) value = tok.slice(eq + 1);
      else if (i + 1 < argv.length && (o.required || !argv[i + 1]!.startsWith('-'))) value = argv[++i]!;
    }
    if (repeatable(o)) continue;
    const before = seen.get(o);
    if (before !== undefined && before !== value) {
      const name = o.long ?? o.short ?? flag;
      throw new UsageError(takesValue ? `${name} is given twice (${before}, then ${value}): it takes one value; give it once` : `${name} is given twice: give it once`);
    }
    seen.set(o, value);
  }
}
