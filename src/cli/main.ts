/**
 * The `tickfold` command line: commander wiring only; each command lives in its own module.
 */
import { checkOutputValues } from './outputs.js';
import { Command, CommanderError } from 'commander';
import { TickfoldError } from '../errors.js';
import { environmentError } from '../environment.js';
import { VERSION } from '../version.js';
import { installInterruptHandlers } from './interrupt.js';
import { checkRepeatedOptions } from './repeated-options.js';
import { maskUrl } from '../runtime/queue-url.js';

let currentArgv: readonly string[] = [];

/**
 * Each command's module, loaded when it is used: a process loads the code of the one command it
 * runs (`tickfold run` does not compile the validation, cointegration or HTML report modules),
 * about 40 ms of a short run's start. Help, a version or an unknown command load them all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command[]>>> = {
  data: async () => [(await import('./data-commands.js')).dataCommand()],
  run: async () => [(await import('./run-command.js')).runCommand(() => currentArgv)],
  coint: async () => [(await import('./coint-commands.js')).cointCommand()],
  pairs: async () => [(await import('./coint-commands.js')).pairsCommand()],
  leadlag: async () => [(await import('./leadlag-command.js')).leadlagCommand()],
  factor: async () => [(await import('./factor-command.js')).factorCommand()],
  universe: async () => [(await import('./universe-command.js')).universeCommand()],
  worker: async () => [(await import('./worker-command.js')).workerCommand()],
  'walk-forward': async () => [(await import('./validate-commands.js')).walkForwardCommand(() => currentArgv)],
  compare: async () => [(await import('./validate-commands.js')).compareCommand(() => currentArgv)],
  overfit: async () => [(await import('./overfit-command.js')).overfitCommand()],
  check: async () => [(await import('./check-command.js')).checkCommand()],
  ledger: async () => [(await import('./ledger-command.js')).ledgerCommand()],
  ui: async () => [(await import('./ui-command.js')).uiCommand()],
  rerun: async () => [(await import('./rerun-command.js')).rerunCommand((argv, manifestArgv) => main(argv, manifestArgv))],
};

/** The program, with the command named first in `argv` (or, when none is, every command). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('tickfold').description('Event-driven tick/quote/bar backtester with walk-forward validation and overfitting statistics').version(VERSION).showHelpAfterError('(run with --help for usage)').exitOverride();
  const first = argv[0];
  // `--version` alone needs no command (all of them loaded cost it ~0.25 s of module loading)
  const only = first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : argv.length === 1 && (first === '--version' || first === '-V') ? [] : Object.keys(COMMANDS);
  for (const name of only) for (const c of await COMMANDS[name]!()) program.addCommand(c);
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
  // (a queue URL's password is never recorded: reports, the ledger and manifests get it masked)
  currentArgv = manifestArgv.map(maskUrl);
  try {
    checkOutputValues(argv);
    const program = await buildProgram(argv);
    checkRepeatedOptions(program, argv);
    await program.parseAsync([...argv], { from: 'user' });
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
    // a full disk, a read-only folder, a broken link met where no code said it: the machine's, not a bug
    const env = environmentError(e);
    if (env) {
      process.stderr.write(`tickfold: ${env.message}\n`);
      return env.exitCode;
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
  // the command is done and its output written (stdout and stderr are synchronous on files and
  // pipes here): a library's idle timer must not hold the exit (redis-parser shrinks its buffer
  // pool on a 50 ms interval for ~2 s after a large reply: 2 s of every --queue run, measured)
  setTimeout(() => process.exit(), 100).unref();
}
