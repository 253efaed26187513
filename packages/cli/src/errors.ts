/**
 * How the CLI ends: exit codes and the one-line error message. The exit code
 * of every error is decided here, in `exitCodeOf` (docs/cli.md, "Exit codes",
 * has the same table; the e2e tests check each row):
 *
 *   0  success (and --help, --version)
 *   1  the run failed: a check failed (case comparison, conformance, a
 *      benchmark case), or an error while running that is not the input's
 *      fault (an engine that throws mid-run, an unexpected error)
 *   2  bad usage or bad input, refused before anything ran: an unknown
 *      command or option, a bad option value, an unknown engine or mode, an
 *      engine that does not work here, a missing or malformed input file, a
 *      config the engine refuses, an output folder in use
 *
 * Every error prints one line on stderr (`error: ...`); the stack trace only
 * with --verbose.
 */
import { CommanderError } from 'commander';
import { BackendError, ConfigError, CrossbarError, InputError, NotSupportedError } from '@crossbar/core';
import { OracleFormatError } from '@crossbar/conformance/portable';

/** Exit code of a run that succeeded. */
export const EXIT_OK = 0;
/** Exit code of a run that failed (a failing check, an error while running). */
export const EXIT_FAILED = 1;
/** Exit code of bad usage (unknown option or engine, bad value). */
export const EXIT_USAGE = 2;

/** A bad option value or argument (exit code 2), with the command whose help to see. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command line prefix to point at, e.g. "crossbar demo". */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Bad input the user can fix (a missing or malformed file, an output folder
 * in use, a filter that matches nothing): printed without the class name
 * (exit code 2).
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** The run failed for a reason that is not the input's (a broken installation): printed without the class name (exit code 1). */
export class RunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}

/** One line: the message's lines joined, whitespace collapsed. */
export function oneLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  // A continuation line in parentheses (commander's "(Did you mean ...?)") joins with a space, others with "; ".
  return lines
    .map((l, i) => (i === 0 ? l : l.startsWith('(') || /[:;,]$/.test(lines[i - 1]!) ? ` ${l}` : `; ${l}`))
    .join('')
    .replace(/\s+/g, ' ');
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * The errors that mean "bad usage or bad input" (exit code 2): the CLI's own,
 * and Crossbar's refusals of what the user gave (a config, an engine choice,
 * an input value, a malformed case file).
 */
const BAD_INPUT: ReadonlyArray<abstract new (...args: never[]) => Error> = [
  UsageError,
  CliError,
  ConfigError,
  NotSupportedError,
  InputError,
  BackendError,
  OracleFormatError,
];

/** The exit code of an error: the one place that maps errors to codes. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (BAD_INPUT.some((cls) => e instanceof cls)) return EXIT_USAGE;
  return EXIT_FAILED;
}

/**
 * The line printed for an error: `error: <message>`. Crossbar's own errors
 * (ConfigError, NotSupportedError, ...) keep their class name, which says
 * which boundary refused; an unexpected error says how to see its stack.
 */
export function errorLine(e: unknown, verbose = false): string {
  if (e instanceof UsageError) {
    return `error: ${oneLine(e.message)}${e.command ? ` (see '${e.command} --help')` : ''}`;
  }
  if (e instanceof CliError || e instanceof RunError) return `error: ${oneLine(e.message)}`;
  if (e instanceof CrossbarError || e instanceof OracleFormatError) {
    return `error: ${e.name}: ${oneLine(e.message)}`;
  }
  const name = e instanceof Error ? e.name : 'Error';
  return `error: ${name}: ${oneLine(messageOf(e))}${verbose ? '' : ' (run with --verbose for the stack trace)'}`;
}
