/**
 * What `run`, `walk-forward` and `compare` say on stderr about their `--universe` file (read by
 * run-options.ts): the symbols of the file that are not in the data, and a warning when the
 * universe looks chosen on the same data (src/universe/survivors.ts).
 */
import type { MembersFile } from '../universe/members.js';
import { Membership } from '../universe/membership.js';
import { survivorWarning } from '../universe/survivors.js';

export function noteUniverse(universe: MembersFile | undefined, symbols: readonly string[], endSession: number): void {
  if (universe === undefined) return;
  const file = universe.file;
  const survivors = survivorWarning(universe, symbols, endSession);
  if (survivors !== undefined) process.stderr.write(`tickfold: warning: ${survivors}\n`);
  const absent = new Membership(symbols, universe, Infinity).absent;
  if (absent.length > 0) process.stderr.write(`tickfold: note: ${absent.length} symbol${absent.length === 1 ? '' : 's'} of ${file} ${absent.length === 1 ? 'is' : 'are'} not in the data: ${absent.slice(0, 10).join(', ')}${absent.length > 10 ? ', ...' : ''}\n`);
}
