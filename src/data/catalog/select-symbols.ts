/**
 * `--symbols` on the catalog (the rule: data/symbol-selection.ts): the index selects the
 * partitions. Each file's entry keeps the partitions of the symbols named and none of the others',
 * and says which of its symbols are in (`StreamSource.selected`), so that nothing downstream
 * reads another symbol's partition: the merge (merge-stream.ts: a file's sequence rows of other
 * symbols are passed over, as rows outside a window are), the facts before the replay
 * (engine/stream-facts.ts), the memory bound (jobs/stream-run.ts blockRowsFor), and the merged
 * dictionary, which numbers the symbols in as the in-memory table numbers them after
 * `selectRows` (data/symbol-selection.ts).
 */
import { keptSymbols } from '../symbol-selection.js';
import { mergedDictionary, type StreamSource } from './merge-stream.js';

/** The sources with only the `selected` symbols' partitions (undefined: all); a name not in the data is a usage error (data/symbol-selection.ts). */
export function selectSources(sources: readonly StreamSource[], selected: readonly string[] | undefined): StreamSource[] {
  if (selected === undefined) return [...sources];
  const data = mergedDictionary(sources).symbols;
  return sources.map((src) => {
    const keep = keptSymbols(selected, data, src.entry.symbols)!;
    if (keep.every((k) => k)) return src;
    return { ...src, entry: { ...src.entry, partitions: src.entry.partitions.map((parts, s) => (keep[s] ? parts : [])) }, selected: keep };
  });
}
