/**
 * A strategy's parameter whose value does not fit the data (a symbol the data does not hold): the
 * user's mistake, not the strategy's failure. Thrown from `create` or `onStart`, it ends the run
 * with exit 2, the parameter, the value, a did-you-mean and a fix, as `--symbols GOGL` does; any
 * other error thrown there is the strategy's (exit 3). Before, `--param symbol=GOOGX` ended in
 * "strategy 'linreg' failed at 1998-01-03: onStart threw Error: ..." (a user trial).
 */
import { didYouMean, TickfoldError } from '../errors.js';

export class ParamError extends TickfoldError {
  constructor(
    /** The parameter, as the strategy names it (`symbol`). */
    readonly param: string,
    readonly value: string,
    readonly reason: string,
    readonly hint?: string,
  ) {
    super('bad-param', `parameter ${param}=${value}: ${reason}${hint !== undefined ? `\n  fix: ${hint}` : ''}`, 2);
    this.name = 'ParamError';
  }
}

/** The ParamError of a symbol named by parameter `param` (given as `value`) that `symbols` (the data's) do not hold. */
export function symbolNotInData(param: string, value: string, symbol: string, symbols: readonly string[]): ParamError {
  const near = didYouMean(symbol, symbols);
  const listed = symbols.length <= 12 ? symbols.join(', ') : `${symbols.slice(0, 12).join(', ')}, ... (${symbols.length})`;
  return new ParamError(param, value, `symbol '${symbol}' is not in the data (${listed})${near !== undefined ? `; did you mean '${near}'?` : ''}`, `name symbols the data holds (tickfold data inspect FILE lists them), or leave ${param} out for the default`);
}
