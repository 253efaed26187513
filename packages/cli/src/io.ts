/** Where a command writes: stdout for results, stderr for progress and status. */
import type { ProgressStream } from './progress.js';

/** Where a command writes: stdout for results, stderr for progress and status (tests pass their own). */
export interface CliIO {
  stdout: {
    /** Writes text as it is. */
    write(text: string): unknown;
  };
  stderr: ProgressStream;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** Writes a line (adds the newline). */
export function println(stream: { write(text: string): unknown }, text = ''): void {
  stream.write(`${text}\n`);
}

/** JSON on stdout (the --json output of every command). */
export function printJson(io: CliIO, value: unknown): void {
  println(io.stdout, JSON.stringify(value, null, 2));
}
