#!/usr/bin/env node
// Gives every package the same nx targets, run as plain commands (so `npx nx
// affected -t test` works without pnpm on the PATH). Run after adding a package.
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const targets = {
  build: 'tsc -p tsconfig.build.json',
  typecheck: 'tsc -p tsconfig.json --noEmit',
  lint: 'eslint .',
  test: 'vitest run',
};
for (const dir of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', dir, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  pkg.nx ??= {};
  pkg.nx.targets ??= {};
  for (const [name, command] of Object.entries(targets)) {
    const own = pkg.scripts?.[name] ?? command;
    pkg.nx.targets[name] = { executor: 'nx:run-commands', options: { command: own, cwd: '{projectRoot}' }, ...(pkg.nx.targets[name]?.dependsOn ? { dependsOn: pkg.nx.targets[name].dependsOn } : {}) };
  }
  writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
}
