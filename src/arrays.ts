/**
 * An empty array that V8 already stores as an array of objects.
 *
 * `[]` starts as an array of small integers, and the first object pushed changes its storage kind
 * (and hidden class). Optimised code compiled for one kind is thrown away when it meets the other
 * ("wrong map", "not a Smi" in --trace-deopt), and since each backtest makes its own lists (fills,
 * orders, working orders, round trips), every new run met fresh `[]`s in code compiled for the
 * last run's grown ones: a handful of deoptimisations in each of a process's first runs. Lists
 * made here have the objects kind from the start, so the code compiled for them stays valid.
 */
export function objectList<T>(): T[] {
  const a = [null] as unknown as T[];
  a.pop();
  return a;
}

/**
 * The largest of `init` and the values (NaN if any is NaN, as Math.max). A loop, not Math.max
 * over a spread array: each spread argument takes a stack slot, and an array whose length depends
 * on the data (2,000,000 trades' returns) throws "Maximum call stack size exceeded".
 */
export function maxOf(xs: ArrayLike<number>, init = -Infinity): number {
  let m = init;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x > m || Number.isNaN(x)) m = x;
    if (Number.isNaN(m)) return NaN;
  }
  return m;
}

/** The smallest of `init` and the values (NaN if any is NaN, as Math.min); see {@link maxOf}. */
export function minOf(xs: ArrayLike<number>, init = Infinity): number {
  let m = init;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x < m || Number.isNaN(x)) m = x;
    if (Number.isNaN(m)) return NaN;
  }
  return m;
}

/** Appends the items to `out` (a loop, not `out.push(...items)`: see {@link maxOf}); returns `out`. */
export function pushAll<T>(out: T[], items: Iterable<T>): T[] {
  for (const x of items) out.push(x);
  return out;
}
