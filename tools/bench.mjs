#!/usr/bin/env node
// `pnpm bench`: runs the benchmark suite of the built CLI
// (packages/cli/dist/bench/main.js), prints the table and writes it into
// docs/benchmarks.md. Extra arguments go to the runner, e.g.
//   npx -y pnpm@12.4.2 bench -- --filter rng --time 2000 --json bench.json
// With --no-docs the docs are left alone.
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'packages', 'cli', 'dist', 'bench', 'main.js');
if (!existsSync(entry)) {
  console.error('packages/cli/dist/bench/main.js is missing: build first (npx nx run-many -t build)');
  process.exit(1);
}
let args = process.argv.slice(2).filter((a) => a !== '--');
const noDocs = args.includes('--no-docs');
args = args.filter((a) => a !== '--no-docs');
if (!noDocs && !args.includes('--markdown') && !args.includes('--list')) args.push('--markdown', join(root, 'docs', 'benchmarks.md'));
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(args);
