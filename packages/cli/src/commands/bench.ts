/**
 * `crossbar bench`: the benchmark cases of src/bench/cases (every installed
 * engine and mode) through the harness: a table, JSON, and the Markdown block
 * of docs/benchmarks.md (what `pnpm bench` writes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../atomic-write.js';
import { Command } from 'commander';
import { getBackend } from '@crossbar/core';
import { formatMarkdown, formatTable, loadCases, replaceMarkdownBlock, runBenchmarks, si, type BenchCase, type BenchReport } from '../bench/index.js';
import { DEMO_EPOCH_DIGITS } from '../bench/cases/demo-training.js';
import { prepareEngines } from '../engines.js';
import { CliError, EXIT_FAILED, EXIT_OK } from '../errors.js';
import { duration } from '../format.js';
import { printJson, println, type CliIO } from '../io.js';
import { addCommonOptions, intArg, regexArg, type CommonOptions } from '../options.js';

interface BenchCliOptions extends CommonOptions {
  filter?: RegExp;
  time: number;
  output?: string;
  markdown?: string;
  list?: boolean;
  inProcess?: boolean;
}

/** Whether a case measures the engine `spec` ("gpujs" matches "gpujs" and "gpujs:webasm"; "gpujs:webasm" only that). */
export function caseMatchesEngine(c: BenchCase, spec: string): boolean {
  if (c.engine === spec) return true;
  return !spec.includes(':') && c.engine.split(/[:\s(]/)[0] === spec;
}

/** The demo's epoch time on each engine, from the demo-training cases. */
export function demoEpochLines(report: BenchReport, defaultEngine?: string): string[] {
  return report.results
    .filter((r) => r.group === 'demo' && r.status === 'ok' && r.itemUnit === 'digits' && r.itemsPerSecond)
    .map(
      (r) =>
        `demo: one epoch of ${DEMO_EPOCH_DIGITS.toLocaleString('en-US')} digits ≈ ${duration(DEMO_EPOCH_DIGITS / r.itemsPerSecond!)} on ${r.engine}` +
        `${r.engine === defaultEngine ? ' (the default engine here)' : ''} (${r.name})`,
    );
}

export function benchCommand(io: CliIO, setExit: (code: number) => void): Command {
  const cmd = new Command('bench')
    .description("Benchmark every installed engine and mode (forward, backward, update, the demo's training step; sizes, batch) and print a table")
    .option('--filter <regex>', 'only cases whose "group/engine/name" matches', regexArg)
    .option('--time <ms>', 'time budget per case in ms', intArg(1), 1000)
    .option('--output <file>', 'also write the report as JSON to a file')
    .option('--markdown <file>', 'write the results table into a Markdown file, between its bench markers (docs/benchmarks.md)')
    .option('--list', 'list the cases and exit')
    .option('--in-process', 'run every case in this process (default: each in a fresh Node process, so one case cannot slow the next)');
  addCommonOptions(cmd);
  cmd.action(async (opts: BenchCliOptions) => {
    await prepareEngines(opts.load);
    const { filter } = opts;
    const cases = (await loadCases()).filter((c) => (!filter || filter.test(`${c.group}/${c.engine}/${c.name}`)) && (!opts.engine || caseMatchesEngine(c, opts.engine)));
    if (opts.list) {
      if (opts.json)
        printJson(
          io,
          cases.map((c) => ({ group: c.group, engine: c.engine, name: c.name, size: c.size })),
        );
      else for (const c of cases) println(io.stdout, `${c.group}/${c.engine}/${c.name}  (size ${c.size})`);
      setExit(EXIT_OK);
      return;
    }
    if (cases.length === 0)
      throw new CliError(`no benchmark case matches${opts.filter ? ` --filter ${opts.filter.source}` : ''}${opts.engine ? ` --engine ${opts.engine}` : ''}`);
    const report = await runBenchmarks(cases, {
      timeMs: opts.time,
      isolate: !opts.inProcess,
      onResult: (r) =>
        println(
          io.stderr,
          r.status === 'ok'
            ? `  ${r.group}/${r.engine}/${r.name}: ${r.meanMs!.toPrecision(3)} ms/run${r.itemsPerSecond ? `, ${si(r.itemsPerSecond)} ${r.itemUnit}/s` : ''}`
            : `  ${r.group}/${r.engine}/${r.name}: ${r.status} (${r.reason})`,
        ),
    });
    if (opts.json) printJson(io, report);
    else {
      println(io.stdout, formatTable(report));
      const defaultEngine = await getBackend().then(
        (b) => b.name,
        () => undefined,
      );
      const demo = demoEpochLines(report, defaultEngine);
      if (demo.length) println(io.stdout, `\n${demo.join('\n')}`);
    }
    if (opts.output) writeFileAtomicSync(opts.output, JSON.stringify(report, null, 2) + '\n');
    if (opts.markdown) {
      const doc = existsSync(opts.markdown) ? readFileSync(opts.markdown, 'utf8') : '# Benchmarks\n';
      writeFileAtomicSync(opts.markdown, replaceMarkdownBlock(doc, formatMarkdown(report)));
    }
    if (!opts.json && (opts.output || opts.markdown)) println(io.stdout, `\nwrote ${[opts.output, opts.markdown].filter(Boolean).join(', ')}`);
    setExit(report.results.some((r) => r.status === 'failed') ? EXIT_FAILED : EXIT_OK);
  });
  return cmd;
}
