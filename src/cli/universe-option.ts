/**
 * `--universe FILE` of `run`, `walk-forward` and `compare` (an execution option, run-command.ts): the point-in-time membership file
 * (src/universe/members.ts), read before any work, with a note on stderr naming the symbols of the
 * file that are not in the data.
 */
import { readMembersFile, type MembersFile } from '../universe/members.js';
import { Membership } from '../universe/membership.js';

export const UNIVERSE_HELP = 'point-in-time membership: symbol,from,to[,delisting_return] (orders outside it refused; a position closed when its symbol leaves, at its last price x (1 + delisting return)); without it each symbol is a member from its first to its last bar';

/** The file of `--universe` as read, or undefined; notes on stderr the symbols of the file not in `symbols`. */
export function readUniverseOption(file: string | undefined, symbols: readonly string[], quiet = false): MembersFile | undefined {
  if (file === undefined) return undefined;
  const universe = readMembersFile(file);
  const absent = new Membership(symbols, universe, Infinity).absent;
  if (absent.length > 0 && !quiet) process.stderr.write(`tickfold: note: ${absent.length} symbol${absent.length === 1 ? '' : 's'} of ${file} ${absent.length === 1 ? 'is' : 'are'} not in the data: ${absent.slice(0, 10).join(', ')}${absent.length > 10 ? ', ...' : ''}\n`);
  return universe;
}
