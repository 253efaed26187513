/**
 * `crossbar case FILE.json`: runs a reference case file (the format of
 * the oracle's cases/, plain or gzipped) on an engine and prints the results in the format of
 * the oracle's expected/; with `--expected EXPECTED.json` it compares them
 * (the conformance suite's comparison) and prints pass/fail per case with the
 * largest deviation.
 */
import { Command, Option } from 'commander';
import {
  checkOracleCase,
  oracleEntries,
  pairOracleFile,
  resolveTolerance,
  runOracleCase,
  stringifyOracleResult,
  TOLERANCES,
  type OracleCase,
  type OracleResult,
  type ToleranceMode,
} from '@crossbar/conformance/portable';
import { defaultToleranceMode, prepareEngines, resolveEngine } from '../engines.js';
import { EXIT_FAILED, EXIT_OK } from '../errors.js';
import { textTable } from '../format.js';
import { printJson, println, type CliIO } from '../io.js';
import { largestDeviation, readCaseFile, readExpectedFile, type Deviation } from '../oracle.js';
import { addCommonOptions, intArg, regexArg, type CommonOptions } from '../options.js';

interface CaseCliOptions extends CommonOptions {
  expected?: string;
  maxReps?: number;
  tolerance?: ToleranceMode;
  filter?: RegExp;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? x.toExponential(3) : String(Number(x.toPrecision(6)));
}

export function deviationText(d: Deviation | undefined): string {
  if (!d) return '–';
  return `${fmt(d.abs)} at ${d.key}${d.path}${d.compared === 'mean' ? ' (mean over reps)' : ''}: ours ${fmt(d.ours)}, expected ${fmt(d.reference)}`;
}

/** A case's row in the comparison: id, verdict, largest deviation, first failure or note. */
export interface CaseVerdict {
  name: string;
  kind: string;
  pass: boolean;
  largestDeviation: Deviation | null;
  failures: string[];
  notes: string[];
  flips: number;
}

function withSeed(c: OracleCase, seed: number | undefined): OracleCase {
  return seed === undefined || c.seed !== undefined ? c : { ...c, seed };
}

export function caseCommand(io: CliIO, setExit: (code: number) => void): Command {
  const cmd = new Command('case')
    .description(
      'Run a reference case file (format of the oracle cases/, .json or .json.gz) on an engine and print the results (format of the oracle expected/); with --expected, compare and print pass/fail per case',
    )
    .argument('<file>', 'case file: {"cases": [...]}')
    .option('--expected <file>', 'reference results to compare with: {"results": [...]} (aihwkit\'s, e.g. from the oracle\'s expected/)')
    .option('--max-reps <n>', 'run at most this many repetitions of a stochastic case', intArg(1))
    .addOption(
      new Option(
        '--tolerance <mode>',
        "the engine's arithmetic, for the float32 allowance of the comparison (default: the engine's mode, e.g. headlessgl for gpujs:headlessgl; else cpu)",
      ).choices(Object.keys(TOLERANCES)),
    )
    .option('--filter <regex>', 'only cases whose name matches', regexArg);
  addCommonOptions(cmd);
  cmd.addOption(new Option('-s, --seed <n>', "seed of cases that have none (default: the suite's default seed)").argParser(intArg(0)));
  cmd.action(async (file: string, opts: CaseCliOptions) => {
    await prepareEngines(opts.load);
    const { stem, cases: all } = readCaseFile(file);
    const { filter } = opts;
    const selected = (c: OracleCase) => !filter || filter.test(c.name);
    const backend = await resolveEngine(opts.engine);
    const runOptions = opts.maxReps === undefined ? {} : { maxReps: opts.maxReps };

    if (!opts.expected) {
      const results: OracleResult[] = [];
      for (const c of all.filter(selected)) {
        const r = await runOracleCase(backend, withSeed(c, opts.seed), runOptions);
        results.push(r);
        println(io.stderr, `  ${c.name}: ${r.ok ? `ok (${fmt(r.seconds ?? 0)} s)` : `refused: ${r.error}`}`);
      }
      println(
        io.stdout,
        stringifyOracleResult({ meta: { engine: backend.name, engine_description: backend.description ?? null, source: file }, source: `${stem}.json`, results }),
      );
      setExit(EXIT_OK);
      return;
    }

    const expectedJson = readExpectedFile(opts.expected);
    const paired = pairOracleFile(stem, { cases: all }, expectedJson);
    const tol = resolveTolerance(opts.tolerance ?? defaultToleranceMode(backend));
    const verdicts: CaseVerdict[] = [];
    for (const entry of oracleEntries({ source: file, files: [paired] })) {
      if (!selected(entry.case)) continue;
      const check = await checkOracleCase(backend, { ...entry, case: withSeed(entry.case, opts.seed) }, tol, runOptions);
      const dev = largestDeviation(entry.expected, check.result) ?? null;
      verdicts.push({
        name: entry.case.name,
        kind: entry.case.kind,
        pass: check.ok,
        largestDeviation: dev,
        failures: check.failures,
        notes: check.notes,
        flips: check.flips.length,
      });
      if (!opts.json) println(io.stderr, `  ${entry.case.name}: ${check.ok ? 'pass' : 'FAIL'}`);
    }
    const failed = verdicts.filter((v) => !v.pass).length;
    if (opts.json) {
      printJson(io, { engine: backend.name, tolerance: tol.mode, file, expected: opts.expected, passed: verdicts.length - failed, failed, cases: verdicts });
    } else {
      println(
        io.stdout,
        textTable(
          ['case', 'kind', 'result', 'largest deviation'],
          verdicts.map((v) => [v.name, v.kind, v.pass ? 'pass' : 'FAIL', deviationText(v.largestDeviation ?? undefined)]),
        ),
      );
      for (const v of verdicts.filter((x) => !x.pass)) println(io.stdout, `\n${v.name}: ${v.failures.join('\n  ')}`);
      println(io.stdout, `\n${verdicts.length - failed} passed, ${failed} failed (engine ${backend.name}, ${tol.mode} tolerance)`);
    }
    setExit(failed > 0 ? EXIT_FAILED : EXIT_OK);
  });
  return cmd;
}
