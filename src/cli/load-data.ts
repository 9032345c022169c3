/**
 * Loading the data of a command: {@link loadData}, then what it left out said on stderr: a
 * warning for a file with more than 1% of its rows skipped as bad (every command, whatever its
 * output), and, for a command whose text has no data section (`coint`, `pairs scan`, `leadlag`,
 * `check`), the notes the text of `run`, `walk-forward` and `compare` carries.
 */
import { loadData, type Loaded, type LoadOptions } from '../data/load.js';
import { loadWindow, planWindow, type PlannedWindow } from '../data/catalog/load-window.js';
import type { StreamWindow } from '../data/catalog/merge-stream.js';
import { dataNoteEntries, dataNotesJson, dataWarnings } from '../report/data-notes.js';

/** The window's catalog plan for a streamed run (data/catalog/load-window.ts), its notes and warnings said as {@link loadCommandData} says them; undefined: load in memory. */
export async function planCommandData(paths: readonly string[], opts: LoadOptions, window: StreamWindow): Promise<PlannedWindow | undefined> {
  const planned = await planWindow(paths, opts, window);
  if (planned) sayNotes(planned.files, planned.leftOut, false);
  return planned;
}

function sayNotes(files: Loaded['files'], leftOut: Loaded['leftOut'], notesOnStderr: boolean): void {
  const j = dataNotesJson(files, leftOut);
  if (notesOnStderr) for (const [label, text] of dataNoteEntries(j)) process.stderr.write(`tickfold: ${label === 'skipped' ? 'skipped ' : 'note: '}${text}\n`);
  for (const w of dataWarnings(j)) process.stderr.write(`tickfold: WARNING: ${w}\n`);
}

export async function loadCommandData(paths: readonly string[], opts: LoadOptions, notesOnStderr: boolean, window?: StreamWindow): Promise<Loaded> {
  const loaded = (window ? await loadWindow(paths, opts, window) : undefined) ?? (await loadData(paths, opts));
  sayNotes(loaded.files, loaded.leftOut, notesOnStderr);
  return loaded;
}
