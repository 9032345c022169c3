/**
 * The `tickfold` command line: commander wiring only; each command lives in its own module.
 */
import { checkOutputValues } from './outputs.js';
import { Command, CommanderError } from 'commander';
import { TickfoldError } from '../errors.js';
import { dataCommand } from './data-commands.js';
import { runCommand } from './run-command.js';
import { cointCommand, pairsCommand } from './coint-commands.js';
import { overfitCommand } from './overfit-command.js';
import { compareCommand, walkForwardCommand } from './validate-commands.js';
import { VERSION } from '../version.js';
import { installInterruptHandlers } from './interrupt.js';
import { rerunCommand } from './rerun-command.js';
import { checkCommand } from './check-command.js';

let currentArgv: readonly string[] = [];

export function buildProgram(): Command {
  const program = new Command('tickfold')
    .description('Event-driven tick/quote/bar backtester with walk-forward validation and overfitting statistics')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addCommand(dataCommand());
  program.addCommand(runCommand(() => currentArgv));
  program.addCommand(cointCommand());
  program.addCommand(pairsCommand());
  program.addCommand(walkForwardCommand(() => currentArgv));
  program.addCommand(compareCommand(() => currentArgv));
  program.addCommand(overfitCommand());
  program.addCommand(checkCommand());
  program.addCommand(rerunCommand((argv, manifestArgv) => main(argv, manifestArgv)));
  for (const c of program.commands) propagateExitOverride(c);
  return program;
}

function propagateExitOverride(c: Command): void {
  c.exitOverride();
  for (const sub of c.commands) propagateExitOverride(sub);
}

/** Runs the CLI; returns the exit code (0 ok, 2 user error, 1 internal error). */
export async function main(argv: readonly string[], manifestArgv: readonly string[] = argv): Promise<number> {
  // the command line a report records (a rerun records the original one, see rerun-command.ts)
  currentArgv = manifestArgv;
  try {
    checkOutputValues(argv);
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit with 0; usage mistakes were already printed by commander
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof TickfoldError) {
      process.stderr.write(`tickfold: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`tickfold: internal error (a bug in tickfold; please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] !== undefined && /tickfold$|main\.js$/.test(process.argv[1]);
if (isEntry) {
  installInterruptHandlers();
  // output piped into a reader that stops early (| head): end quietly, as Unix tools do
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  process.exitCode = await main(process.argv.slice(2));
}
