#!/usr/bin/env node
// Writes docs/configuration.md from the built @crossbar/core (run
// `npx nx run @crossbar/core:build` first). `--check` only compares and
// exits 1 when the file is stale.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderConfigurationReference } from './config-docs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'packages', 'core', 'dist', 'index.js');
if (!existsSync(built)) {
  console.error('packages/core/dist is missing: run `npx nx run @crossbar/core:build` first');
  process.exit(1);
}
const core = await import(pathToFileURL(built).href);
const file = join(root, 'docs', 'configuration.md');
const text = renderConfigurationReference(core);
if (process.argv.includes('--check')) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current !== text) {
    console.error('docs/configuration.md is stale: run `node tools/gen-config-docs.mjs`');
    process.exit(1);
  }
  console.log('docs/configuration.md is up to date');
} else {
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
