/**
 * `crossbar conformance`: the conformance suite (aihwkit's oracle cases and
 * the properties every engine must hold) against any registered engine,
 * including one loaded with `--load ./my-engine.js`, outside vitest: how a
 * contributor checks a new engine without touching this repository.
 */
import { Command, Option } from 'commander';
import {
  caseSkipReason,
  checkOracleCase,
  checkProperty,
  suiteSkipReason,
  oracleEntries,
  PROPERTIES,
  propertySkipReason,
  resolveTolerance,
  TOLERANCES,
  validateSkips,
  type ConformanceSkips,
  type ToleranceMode,
} from '@crossbar/conformance/portable';
import { loadOracle, loadOracleFromDir } from '@crossbar/conformance/node';
import { defaultToleranceMode, prepareEngines, resolveEngine } from '../engines.js';
import { CliError, EXIT_FAILED, EXIT_OK, oneLine } from '../errors.js';
import { duration } from '../format.js';
import { printJson, println, type CliIO } from '../io.js';
import { readJsonFile } from '../oracle.js';
import { addCommonOptions, intArg, regexArg, type CommonOptions } from '../options.js';

interface ConformanceCliOptions extends CommonOptions {
  tolerance?: ToleranceMode;
  oracle?: string;
  filter?: RegExp;
  skips?: string;
  maxReps?: number;
  numRuns: number;
  properties: boolean;
  cases: boolean;
}

export interface ConformanceItem {
  id: string;
  status: 'pass' | 'fail' | 'skip';
  /** Why it failed or was skipped. */
  detail?: string;
  flips?: number;
  seconds: number;
}

function readSkips(path: string): ConformanceSkips {
  const json = readJsonFile(path, '--skips');
  if (json === null || typeof json !== 'object' || Array.isArray(json) || Object.values(json).some((v) => typeof v !== 'string')) {
    throw new CliError(`--skips ${path}: expected a JSON object of case or property key → reason`);
  }
  return json as ConformanceSkips;
}

export function conformanceCommand(io: CliIO, setExit: (code: number) => void): Command {
  const cmd = new Command('conformance')
    .description("Run the conformance suite (aihwkit's reference cases and the engine properties) against an engine, e.g. one loaded with --load ./my-engine.js")
    .addOption(
      new Option(
        '--tolerance <mode>',
        "the engine's arithmetic: float32 allowance of the comparisons (default: the engine's mode, e.g. headlessgl for gpujs:headlessgl; else cpu)",
      ).choices(Object.keys(TOLERANCES)),
    )
    .option(
      '--oracle <dir>',
      'another oracle folder with cases/ and expected/ (.json or .json.gz; default: the oracle packaged with @crossbar/conformance, or CROSSBAR_ORACLE_DIR)',
    )
    .option('--filter <regex>', 'only cases and properties whose id matches (e.g. "^forward_det/" or "property:mvm")', regexArg)
    .option('--skips <file>', "JSON object of case or property key → reason, as an engine's skip list")
    .option('--max-reps <n>', 'most repetitions of a stochastic case (default 1000)', intArg(1))
    .option('--num-runs <n>', 'generated cases per generative property', intArg(1), 25)
    .option('--no-properties', 'only the oracle cases')
    .option('--no-cases', 'only the properties');
  addCommonOptions(cmd, { seed: { default: 20240611, help: "seed of the properties' generated data" } });
  cmd.action(async (opts: ConformanceCliOptions) => {
    await prepareEngines(opts.load);
    const { filter } = opts;
    const skips = opts.skips ? readSkips(opts.skips) : {};
    const backend = await resolveEngine(opts.engine);
    const tol = resolveTolerance(opts.tolerance ?? defaultToleranceMode(backend));
    const items: ConformanceItem[] = [];
    const report = (item: ConformanceItem) => {
      items.push(item);
      if (!opts.json) {
        const mark = item.status === 'pass' ? 'pass' : item.status === 'skip' ? 'skip' : 'FAIL';
        println(io.stdout, `${mark}  ${item.id}${item.detail ? `  (${oneLine(item.detail).slice(0, 300)})` : ''}`);
      }
    };
    const start = performance.now();

    let entries = undefined as ReturnType<typeof oracleEntries> | undefined;
    if (opts.cases) {
      let oracle;
      if (opts.oracle) {
        try {
          oracle = loadOracleFromDir(opts.oracle);
        } catch (e) {
          throw new CliError(`--oracle ${opts.oracle}: ${(e as Error).message}`);
        }
      } else {
        const found = loadOracle();
        if (!found.oracle) throw new CliError(`${found.reason ?? 'the oracle was not found'} (or pass --oracle <dir>, or --no-cases)`);
        oracle = found.oracle;
      }
      entries = oracleEntries(oracle);
      for (const entry of entries) {
        if (filter && !filter.test(entry.id)) continue;
        const t = performance.now();
        const reason = suiteSkipReason(entry) ?? caseSkipReason(skips, entry);
        if (reason) {
          report({ id: entry.id, status: 'skip', detail: reason, seconds: 0 });
          continue;
        }
        const check = await checkOracleCase(backend, entry, tol, opts.maxReps === undefined ? {} : { maxReps: opts.maxReps });
        report({
          id: entry.id,
          status: check.ok ? 'pass' : 'fail',
          ...(check.ok ? {} : { detail: check.failures.join('; ') }),
          ...(check.flips.length ? { flips: check.flips.length } : {}),
          seconds: (performance.now() - t) / 1000,
        });
      }
    }
    if (opts.properties) {
      for (const p of PROPERTIES) {
        const id = `property:${p.id}`;
        if (filter && !filter.test(id)) continue;
        const t = performance.now();
        const reason = propertySkipReason(skips, p.id);
        if (reason) {
          report({ id, status: 'skip', detail: reason, seconds: 0 });
          continue;
        }
        const res = await checkProperty(p, { backend, tolerance: tol, seed: opts.seed ?? 20240611, numRuns: opts.numRuns });
        report({ id, status: res.ok ? 'pass' : 'fail', ...(res.ok ? {} : { detail: res.failures.join('; ') }), seconds: (performance.now() - t) / 1000 });
      }
    }
    const problems = validateSkips(
      skips,
      entries,
      PROPERTIES.map((p) => p.id),
    );
    const counts = { pass: 0, fail: 0, skip: 0 };
    for (const i of items) counts[i.status]++;
    const flips = items.reduce((a, i) => a + (i.flips ?? 0), 0);
    const seconds = (performance.now() - start) / 1000;
    if (opts.json) {
      printJson(io, {
        engine: backend.name,
        engineDescription: backend.description ?? null,
        tolerance: tol.mode,
        passed: counts.pass,
        failed: counts.fail,
        skipped: counts.skip,
        quantisationFlips: flips,
        skipListProblems: problems,
        seconds,
        items,
      });
    } else {
      for (const p of problems) println(io.stdout, `FAIL  skip list: ${p}`);
      println(
        io.stdout,
        `\nconformance ${backend.name} (${tol.mode} tolerance): ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped; ` +
          `${flips} quantisation flip(s) on rounding boundaries; ${duration(seconds)}`,
      );
    }
    if (items.length === 0) throw new CliError(`nothing to run${opts.filter ? `: --filter ${opts.filter.source} matches no case or property` : ''}`);
    setExit(counts.fail > 0 || problems.length > 0 ? EXIT_FAILED : EXIT_OK);
  });
  return cmd;
}
