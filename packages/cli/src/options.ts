/**
 * Option parsers and the options every command shares (--engine, --load,
 * --json, --verbose; --seed where a command draws random numbers).
 */
import { Command, InvalidArgumentError, Option } from 'commander';

/** Options every command has. */
export interface CommonOptions {
  engine?: string;
  load: string[];
  json?: boolean;
  verbose?: boolean;
  seed?: number;
}

export function intArg(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^[+]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}]`);
    }
    return n;
  };
}

export function numberArg(min: number, opts: { exclusive?: boolean; max?: number } = {}): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(n) && (opts.exclusive ? n > min : n >= min) && (opts.max === undefined || n <= opts.max);
    if (!ok) throw new InvalidArgumentError(`expected a number ${opts.exclusive ? '>' : '>='} ${min}${opts.max !== undefined ? ` and <= ${opts.max}` : ''}`);
    return n;
  };
}

/** A regular expression (for --filter). */
export function regexArg(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (e) {
    throw new InvalidArgumentError(`not a regular expression (${(e as Error).message})`);
  }
}

/** A comma-separated list of numbers, each checked. */
export function listArg(each: (value: string) => number): (value: string) => number[] {
  return (value: string) => {
    const parts = value.split(',').map((s) => s.trim());
    if (parts.some((p) => p === '')) throw new InvalidArgumentError('expected a comma-separated list, e.g. 256,128');
    return parts.map(each);
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds --engine, --load, --json and --verbose (and --seed with `seed`) to a command. */
export function addCommonOptions(cmd: Command, opts: { seed?: { default: number; help: string } } = {}): Command {
  cmd
    .option(
      '-e, --engine <name>',
      "engine to run on, 'name' or 'name:mode' (e.g. ndarray, gpujs:webasm); default: the registry's choice (CROSSBAR_BACKEND, else the highest-priority engine that works here)",
    )
    .addOption(new Option('--load <file>', 'load an engine module that registers itself (repeatable)').argParser(collect).default([] as string[], 'none'))
    .option('--json', 'machine-readable JSON on stdout')
    .option('-v, --verbose', 'stack traces on errors');
  if (opts.seed) cmd.addOption(new Option('-s, --seed <n>', opts.seed.help).argParser(intArg(0)).default(opts.seed.default));
  return cmd;
}
