/**
 * `--universe FILE` of `run`, `walk-forward` and `compare` (an execution option, run-command.ts):
 * the point-in-time membership file (src/universe/members.ts), read before any work, with a note
 * on stderr naming the symbols of the file that are not in the data, and a warning when it looks
 * chosen on the same data (src/universe/survivors.ts).
 */
import { readMembersFile, type MembersFile } from '../universe/members.js';
import { dataEndSession, Membership } from '../universe/membership.js';
import { survivorWarning } from '../universe/survivors.js';
import type { TickTable } from '../data/table.js';

export const UNIVERSE_HELP = 'point-in-time membership: symbol,from,to[,delisting_return] (orders outside it refused; a position closed when its symbol leaves, at its last price x (1 + delisting return)); without it each symbol is a member from its first to its last bar';

/**
 * The file of `--universe` as read, or undefined; notes on stderr the symbols of the file not in
 * the data, and warns when the universe looks chosen on the same data (survivors.ts).
 */
export function readUniverseOption(file: string | undefined, table: TickTable, quiet = false): MembersFile | undefined {
  if (file === undefined) return undefined;
  const universe = readMembersFile(file);
  const symbols = table.symbols;
  const absent = new Membership(symbols, universe, Infinity).absent;
  const survivors = survivorWarning(universe, symbols, dataEndSession(table));
  if (survivors !== undefined) process.stderr.write(`tickfold: warning: ${survivors}\n`);
  if (absent.length > 0 && !quiet) process.stderr.write(`tickfold: note: ${absent.length} symbol${absent.length === 1 ? '' : 's'} of ${file} ${absent.length === 1 ? 'is' : 'are'} not in the data: ${absent.slice(0, 10).join(', ')}${absent.length > 10 ? ', ...' : ''}\n`);
  return universe;
}
