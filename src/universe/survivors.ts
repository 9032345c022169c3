/**
 * The warning of issue 32 when a universe was chosen on the same data: a membership file in
 * which no symbol of the data leaves before the data's last session is a list of the names that
 * survived to the end (as the S&P 500 file of ../shared/data, February 2018's list): it was picked
 * knowing the names' later fate, so a run over it carries survivorship bias (the names that fell
 * out, often after losses, are missing) and its results overstate a point-in-time universe.
 *
 * Rule: at least two symbols of the file are in the data, and none of their spans ends before the
 * data's last session. One removal is enough to show the file was written point in time.
 */
import { Membership } from './membership.js';
import type { MembersFile } from './members.js';
import { formatIso } from '../data/time.js';

/** The warning's text, or undefined when the file has a removal (or fewer than two symbols of the data). */
export function survivorWarning(file: MembersFile, symbols: readonly string[], dataEnd: number): string | undefined {
  const m = new Membership(symbols, file, dataEnd);
  const inData = symbols.filter((s) => file.spans.has(s)).length;
  if (inData < 2 || m.removals.length > 0) return undefined;
  return (
    `no symbol of ${file.file} leaves the universe before the data ends (${formatIso(dataEnd)}): ` +
    `a list of the ${inData} names that survived to the end is chosen on the same data (survivorship bias); ` +
    `the results overstate what a point-in-time universe would give (add the names that left, with their last sessions and delisting returns)`
  );
}
