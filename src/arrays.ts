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
