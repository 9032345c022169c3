/**
 * The strategies of a validation command and the `--param` / `--grid` entries that belong to each.
 *
 * Rules (README, "Validation"): a strategy is listed as a built-in name, a module path, or
 * `alias=path` (`--strategies sma=./sma.ts`); it is then called by its alias, else its module's
 * name. A key `NAME.key=...` belongs to the strategy called NAME (or listed as NAME); an unprefixed
 * key belongs to the one strategy under test when there is one, and is an error otherwise. A
 * prefix that names no strategy of the command is an error with "did you mean": no entry is ever
 * dropped. (Unknown keys of a strategy are refused by its schema, also with "did you mean".)
 */
import { didYouMean, UsageError } from '../errors.js';
import { parseParamPairs } from '../strategy/params.js';

export interface Listed {
  /** What `--strategies` / `--strategy` said: built-in name or module path. */
  readonly spec: string;
  /** `alias=` before the spec, if any. */
  readonly alias?: string;
}

/** `a=./a.ts` → { alias: 'a', spec: './a.ts' }; a built-in name or a path → { spec }. */
export function parseListed(item: string): Listed {
  const s = item.trim();
  const eq = s.indexOf('=');
  if (eq < 0) return { spec: s };
  const alias = s.slice(0, eq).trim();
  const spec = s.slice(eq + 1).trim();
  if (!/^[A-Za-z][\w-]*$/.test(alias) || spec === '') throw new UsageError(`--strategies '${s}': write NAME=PATH with a name of letters, digits, - and _ (e.g. sma=./sma.ts)`);
  return { alias, spec };
}

/**
 * Routes `key=value` entries of `flag` to their owners. `owners` maps every name a strategy may be
 * called by (its name, its spec) to its canonical name; `main` takes unprefixed keys.
 */
export function routeEntries(flag: string, entries: readonly string[], owners: ReadonlyMap<string, string>, main: string | undefined, ownersOf?: (key: string) => string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const canonical = [...new Set(owners.values())];
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} '${e}' must be key=${flag === '--grid' ? 'a,b,c' : 'value'}, e.g. ${flag} ${main === undefined ? `${canonical[0] ?? 'pairs'}.` : ''}lookback=${flag === '--grid' ? '10,20' : '20'}`);
    const key = e.slice(0, eq).trim();
    const dot = key.lastIndexOf('.');
    let owner: string | undefined;
    let rest = key;
    if (dot > 0) {
      const prefix = key.slice(0, dot);
      owner = owners.get(prefix);
      rest = key.slice(dot + 1);
      if (owner === undefined) {
        const near = didYouMean(prefix, [...owners.keys()]);
        throw new UsageError(`${flag} '${e}': no strategy called '${prefix}' in this command${near ? `; did you mean '${near}'?` : ''} (strategies: ${canonical.join(', ')})`);
      }
    } else if (main !== undefined) owner = main;
    else {
      const having = ownersOf ? ownersOf(key) : [];
      const example = (having[0] ?? canonical[0] ?? 'pairs') + `.${key}=${e.slice(eq + 1)}`;
      throw new UsageError(
        `${flag} '${e}': with several strategies, prefix the key with the strategy's name, e.g. ${flag} ${example}${having.length > 1 ? ` (${having.join(', ')} all have '${key}')` : having.length === 0 ? ` (none of ${canonical.join(', ')} has a parameter '${key}')` : ''}`,
      );
    }
    const list = out.get(owner) ?? [];
    list.push(`${rest}=${e.slice(eq + 1)}`);
    out.set(owner, list);
  }
  return out;
}

/**
 * The `--param` entries of a command that runs one strategy (`run`, `check`), once its module is
 * known: unprefixed keys, or keys prefixed with the strategy's name or with the spec it was given
 * by (a path); any other prefix is an error.
 */
export function singleStrategyParams(entries: readonly string[], spec: string, name: string): ReturnType<typeof parseParamPairs> {
  return parseParamPairs(
    routeEntries(
      '--param',
      entries,
      new Map([
        [name, name],
        [spec, name],
      ]),
      name,
    ).get(name) ?? [],
  );
}
