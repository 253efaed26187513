#!/usr/bin/env node
// Keeps every package's manifest and nx project in one shape, from the root
// package.json's publishing fields:
//   - nx targets live in each package's project.json (never in package.json,
//     whose `nx` block would ship in the tarball), run as plain commands so
//     `npx nx affected -t test` works without pnpm on the PATH;
//   - each public package gets the root's author, license, repository (with its
//     directory), homepage, bugs and engines, `publishConfig.access: public`,
//     `publishConfig.exports` (its exports without the `source` condition, which
//     points into src/ for the workspace's own tools: pnpm pack and publish use
//     publishConfig's exports instead) and a copy of the root LICENSE.
// `node tools/sync-packages.mjs` writes; `--check` only lists what differs and
// exits 1 (tools/check-packages.mjs runs it so).
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const license = readFileSync(join(root, 'LICENSE'), 'utf8');

const defaultTargets = {
  build: 'tsc -p tsconfig.build.json',
  typecheck: 'tsc -p tsconfig.json --noEmit',
  lint: 'eslint .',
  test: 'vitest run',
};

// Key order of a public manifest (keys not listed keep their order, after these).
const ORDER = [
  'name',
  'version',
  'private',
  'description',
  'keywords',
  'homepage',
  'bugs',
  'repository',
  'license',
  'author',
  'type',
  'sideEffects',
  'engines',
  'exports',
  'bin',
  'files',
  'scripts',
  'dependencies',
  'devDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'optionalDependencies',
  'publishConfig',
];

/** The exports map without `source` conditions (what a published manifest carries). */
export function withoutSource(exports) {
  if (typeof exports !== 'object' || exports === null) return exports;
  const out = {};
  for (const [k, v] of Object.entries(exports)) if (k !== 'source') out[k] = withoutSource(v);
  return out;
}

function ordered(pkg) {
  const out = {};
  for (const k of ORDER) if (k in pkg) out[k] = pkg[k];
  for (const k of Object.keys(pkg)) if (!(k in out)) out[k] = pkg[k];
  return out;
}

const problems = [];
function write(file, text) {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (old === text) return;
  if (check) problems.push(`${file.slice(root.length + 1)} is not in sync (run node tools/sync-packages.mjs)`);
  else writeFileSync(file, text);
}

for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const pkgDir = join(root, 'packages', dir);
  const file = join(pkgDir, 'package.json');
  if (!existsSync(file)) continue;
  let pkg = JSON.parse(readFileSync(file, 'utf8'));

  // nx targets: package.json's nx block (if any) and scripts → project.json
  const projectFile = join(pkgDir, 'project.json');
  const project = existsSync(projectFile) ? JSON.parse(readFileSync(projectFile, 'utf8')) : {};
  project.$schema = '../../node_modules/nx/schemas/project-schema.json';
  project.name = pkg.name;
  project.targets = { ...(project.targets ?? {}), ...(pkg.nx?.targets ?? {}) };
  for (const [name, command] of Object.entries(defaultTargets)) {
    const own = pkg.scripts?.[name] ?? command;
    const prev = project.targets[name] ?? {};
    project.targets[name] = { ...prev, executor: 'nx:run-commands', options: { ...(prev.options ?? {}), command: own, cwd: '{projectRoot}' } };
  }
  delete pkg.nx;
  write(projectFile, JSON.stringify({ $schema: project.$schema, name: project.name, ...project }, null, 2) + '\n');

  if (!pkg.private) {
    pkg.homepage = `${rootPkg.homepage}/tree/main/packages/${dir}#readme`;
    pkg.bugs = rootPkg.bugs;
    pkg.repository = { ...rootPkg.repository, directory: `packages/${dir}` };
    pkg.license = rootPkg.license;
    pkg.author = rootPkg.author;
    pkg.engines = rootPkg.engines;
    pkg.files = [...new Set([...(pkg.files ?? []), 'LICENSE'])];
    pkg.publishConfig = { ...(pkg.publishConfig ?? {}), access: 'public' };
    if (pkg.exports) pkg.publishConfig.exports = withoutSource(pkg.exports);
    pkg = ordered(pkg);
    write(join(pkgDir, 'LICENSE'), license);
  }
  write(file, JSON.stringify(pkg, null, 2) + '\n');
}

if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
