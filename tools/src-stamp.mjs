#!/usr/bin/env node
/**
 * A package's build is stamped with a hash of its sources, so a test that runs
 * the built output (the CLI's end-to-end tests) can tell whether dist/ was
 * built from the src/ it sees. File times cannot tell: nx restores cached
 * build outputs with the times they were made, which can be older than a fresh
 * checkout's sources.
 *
 *   node ../../tools/src-stamp.mjs      (in a package folder, after its build: writes dist/src-stamp.txt)
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAMP_FILE = 'src-stamp.txt';

function files(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** sha256 over the relative paths and contents of every file under `packageDir`/src. */
export function srcStamp(packageDir) {
  const src = join(packageDir, 'src');
  const hash = createHash('sha256');
  for (const file of files(src)
    .map((f) => relative(src, f).split(sep).join('/'))
    .sort()) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(src, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

/** Why `packageDir`/dist was not built from its src (missing stamp, other sources), or undefined. */
export function stampProblem(packageDir) {
  const stamp = join(packageDir, 'dist', STAMP_FILE);
  if (!existsSync(stamp)) return `${stamp} is missing: build first (npx nx run-many -t build)`;
  if (readFileSync(stamp, 'utf8').trim() !== srcStamp(packageDir)) {
    return `${relative(process.cwd(), join(packageDir, 'dist')) || 'dist'} was built from other sources than src/: build first (npx nx run-many -t build)`;
  }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.cwd();
  writeFileSync(join(dir, 'dist', STAMP_FILE), srcStamp(dir) + '\n');
}
