/**
 * The `crossbar` command line: commander program, error handling, exit codes.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { benchCommand } from './commands/bench.js';
import { caseCommand } from './commands/case.js';
import { conformanceCommand } from './commands/conformance.js';
import { demoCommand } from './commands/demo.js';
import { enginesCommand } from './commands/engines.js';
import { sweepCommand } from './commands/sweep.js';
import { workerCommand } from './commands/worker.js';
import { evaluateCommand } from './commands/evaluate.js';
import { EXIT_OK, EXIT_USAGE, errorLine, exitCodeOf, oneLine } from './errors.js';
import { processIO, println, type CliIO } from './io.js';

function version(): string {
  try {
    return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The program; `setExit` receives the exit code a command decided on. */
export function createProgram(io: CliIO = processIO(), setExit: (code: number) => void = () => undefined): Command {
  const program = new Command('crossbar')
    .description(
      "Crossbar: analog in-memory-computing crossbar tiles with aihwkit's physics, in TypeScript.\n" +
        'Start with `crossbar demo`: what analog hardware does to a neural network.',
    )
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nEvery command takes --help. Exit codes: 0 success, 1 the run failed (a check, or an error while running), 2 bad usage or bad input (nothing ran).',
    );
  program.addCommand(demoCommand(io));
  program.addCommand(evaluateCommand(io));
  program.addCommand(benchCommand(io, setExit));
  program.addCommand(caseCommand(io, setExit));
  program.addCommand(conformanceCommand(io, setExit));
  program.addCommand(enginesCommand(io));
  program.addCommand(sweepCommand(io, setExit));
  program.addCommand(workerCommand(io));
  const configure = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander's parse errors: one line, with where to look.
      outputError: (s, write) => write(`${oneLine(s)} (see '${cmd === program ? 'crossbar' : `crossbar ${cmd.name()}`} --help')\n`),
    });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
  return program;
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns
 * the exit code. Errors print one line on stderr; the stack trace with --verbose.
 */
export async function main(argv: readonly string[] = process.argv.slice(2), io: CliIO = processIO()): Promise<number> {
  let code = EXIT_OK;
  const program = createProgram(io, (c) => {
    code = c;
  });
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return exitCodeOf(e); // commander has printed its message (or the help)
    println(io.stderr, errorLine(e, verbose));
    if (verbose && e instanceof Error && e.stack) println(io.stderr, e.stack);
    return exitCodeOf(e);
  }
}
