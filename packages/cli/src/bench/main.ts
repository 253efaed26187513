/**
 * `node packages/cli/dist/bench/main.js [options]` (what `pnpm bench` runs
 * through tools/bench.mjs): runs the benchmark cases, prints a table, and
 * writes JSON and/or the Markdown table of docs/benchmarks.md.
 *
 *   --filter <regex>     only cases whose "group/engine/name" matches
 *   --time <ms>          time budget per case (default 1000)
 *   --json <file>        write the report as JSON
 *   --markdown <file>    write the results table into the file (between its bench markers)
 *   --list               list the cases and exit
 *   --in-process         run every case in this process (default: each in a fresh one, harness.ts `isolate`)
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../atomic-write.js';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadCases } from './cases.js';
import { formatMarkdown, formatTable, replaceMarkdownBlock, runBenchmarks, si } from './harness.js';

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      filter: { type: 'string' },
      time: { type: 'string' },
      json: { type: 'string' },
      markdown: { type: 'string' },
      list: { type: 'boolean' },
      'in-process': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log('usage: bench [--filter <regex>] [--time <ms>] [--json <file>] [--markdown <file>] [--list] [--in-process]');
    return 0;
  }
  const timeMs = values.time === undefined ? 1000 : Number(values.time);
  if (!(timeMs > 0)) throw new Error(`--time must be a positive number of milliseconds, got ${values.time}`);
  const filter = values.filter === undefined ? undefined : new RegExp(values.filter);
  const cases = (await loadCases()).filter((c) => !filter || filter.test(`${c.group}/${c.engine}/${c.name}`));
  if (values.list) {
    for (const c of cases) console.log(`${c.group}/${c.engine}/${c.name}  (size ${c.size})`);
    return 0;
  }
  if (cases.length === 0) {
    console.error('no benchmark case matches');
    return 1;
  }
  const report = await runBenchmarks(cases, {
    timeMs,
    isolate: !values['in-process'],
    onResult: (r) =>
      console.error(
        r.status === 'ok'
          ? `  ${r.group}/${r.engine}/${r.name}: ${r.meanMs!.toPrecision(3)} ms/run${r.itemsPerSecond ? `, ${si(r.itemsPerSecond)} ${r.itemUnit}/s` : ''}`
          : `  ${r.group}/${r.engine}/${r.name}: ${r.status} (${r.reason})`,
      ),
  });
  console.log(formatTable(report));
  if (values.json) {
    writeFileAtomicSync(values.json, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwrote ${values.json}`);
  }
  if (values.markdown) {
    const doc = existsSync(values.markdown) ? readFileSync(values.markdown, 'utf8') : '# Benchmarks\n';
    writeFileAtomicSync(values.markdown, replaceMarkdownBlock(doc, formatMarkdown(report)));
    console.log(`wrote ${values.markdown}`);
  }
  return report.results.some((r) => r.status === 'failed') ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
