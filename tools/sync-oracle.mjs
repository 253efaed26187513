#!/usr/bin/env node
// Copies the aihwkit oracle (cases/*.json, expected/*.json, README.md) from its
// upstream folder (default: ../shared/oracle beside the repository) into
// packages/conformance/oracle/, gzipped, then reads every copied file back and
// checks that it equals its source byte for byte.
//
//   node tools/sync-oracle.mjs [SOURCE_DIR]           copy, then check
//   node tools/sync-oracle.mjs --check [SOURCE_DIR]   only check (exit 1 on any difference)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const checkOnly = args.includes('--check');
const source = resolve(args.find((a) => !a.startsWith('--')) ?? join(root, '..', 'shared', 'oracle'));
const target = join(root, 'packages', 'conformance', 'oracle');

if (!existsSync(join(source, 'cases')) || !existsSync(join(source, 'expected'))) {
  console.error(`sync-oracle: ${source} has no cases/ and expected/ folders`);
  process.exit(2);
}

const sourceFiles = (sub) =>
  readdirSync(join(source, sub))
    .filter((f) => f.endsWith('.json'))
    .sort();
const problems = [];

for (const sub of ['cases', 'expected']) {
  const names = sourceFiles(sub);
  if (!checkOnly) {
    rmSync(join(target, sub), { recursive: true, force: true });
    mkdirSync(join(target, sub), { recursive: true });
    // level 9 and no file name or time in the header: the same source gives the same bytes.
    for (const f of names) writeFileSync(join(target, sub, `${f}.gz`), gzipSync(readFileSync(join(source, sub, f)), { level: 9 }));
  }
  const copied = existsSync(join(target, sub)) ? readdirSync(join(target, sub)).filter((f) => f.endsWith('.json.gz')) : [];
  for (const f of names) {
    const gz = join(target, sub, `${f}.gz`);
    if (!existsSync(gz)) problems.push(`${sub}/${f}: missing in the repository's copy`);
    else if (!gunzipSync(readFileSync(gz)).equals(readFileSync(join(source, sub, f)))) problems.push(`${sub}/${f}: differs from ${source}`);
  }
  for (const f of copied) if (!names.includes(f.slice(0, -3))) problems.push(`${sub}/${f}: not in ${source} any more`);
}
// The README is upstream's but for the sentence that says where the files are.
const readme = readFileSync(join(source, 'README.md'), 'utf8').replace(
  /Read them from tests as `[^`]*` relative to the project root\./,
  'Here they are gzipped (`*.json.gz`), read by `loadOracle()` of `@crossbar/conformance/node`;\n`tools/sync-oracle.mjs` refreshes them from the upstream copy.',
);
if (!checkOnly) writeFileSync(join(target, 'README.md'), readme);
else if (readFileSync(join(target, 'README.md'), 'utf8') !== readme) problems.push('README.md differs');

if (problems.length) {
  console.error(`sync-oracle: the repository's oracle differs from ${source}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`sync-oracle: packages/conformance/oracle ${checkOnly ? 'matches' : 'copied from'} ${source} (${sourceFiles('cases').length} case files)`);
