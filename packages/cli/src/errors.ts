/**
 * How the CLI ends: exit codes and the one-line error message.
 *
 *   0  success
 *   1  the command ran and something failed: a check (case comparison,
 *      conformance, a benchmark), or an error while running (a missing or
 *      malformed file, an engine that does not work, a config it refuses)
 *   2  bad usage: an unknown command or option, a bad option value
 *
 * Every error prints one line on stderr (`error: ...`); the stack trace only
 * with --verbose.
 */
import { CommanderError } from 'commander';
import { CrossbarError } from '@crossbar/core';
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

/** A problem the user can fix (a missing file, a malformed file): printed without the class name (exit code 1). */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
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

/** The exit code of an error. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return EXIT_USAGE;
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
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
  if (e instanceof CliError) return `error: ${oneLine(e.message)}`;
  if (e instanceof CrossbarError || e instanceof OracleFormatError) {
    return `error: ${e.name}: ${oneLine(e.message)}`;
  }
  const name = e instanceof Error ? e.name : 'Error';
  return `error: ${name}: ${oneLine(messageOf(e))}${verbose ? '' : ' (run with --verbose for the stack trace)'}`;
}
