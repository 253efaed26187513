#!/usr/bin/env node
// Checks what `pnpm publish` would upload, package by package: packs each
// public package (tools/packing.mjs), then on each tarball runs publint
// (strict) and @arethetypeswrong/cli (profile esm-only: the packages are ESM;
// CommonJS callers use require(esm), which every Node the engines field allows
// has) and checks the manifest: no nx block, no `source` condition into src/,
// no workspace: ranges, the publishing metadata, the LICENSE, the oracle inside
// @crossbar/conformance, vitest and gpu.js only optional; and that typedoc.json
// documents every public package. Exits 1 on any problem.
//   node tools/check-packages.mjs [--tarballs <dir with packed .tgz>]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { packAll, publicPackages, root } from './packing.mjs';

const REQUIRED = ['description', 'keywords', 'homepage', 'bugs', 'repository', 'license', 'author', 'engines', 'sideEffects', 'exports', 'files', 'publishConfig'];
// What only some users need: never a plain dependency of these packages.
const OPTIONAL_ONLY = { '@crossbar/conformance': ['vitest'], '@crossbar/cli': ['@crossbar/backend-gpujs', 'gpu.js', 'gl', 'vitest'] };

function filesUnder(dir, base = dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p, base) : [relative(base, p)];
  });
}

function conditionsIn(exports, found = new Set()) {
  if (exports && typeof exports === 'object') {
    for (const [k, v] of Object.entries(exports)) {
      if (!k.startsWith('.')) found.add(k);
      conditionsIn(v, found);
    }
  }
  return found;
}

/** Problems of one unpacked package (`dir` holds package.json), as lines. */
export async function checkUnpacked(dir, name) {
  const problems = [];
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const k of REQUIRED) if (pkg[k] === undefined) problems.push(`manifest has no "${k}"`);
  if (pkg.nx) problems.push('manifest keeps an "nx" block (nx targets belong in project.json)');
  if (conditionsIn(pkg.exports).has('source')) problems.push('exports keep the "source" condition (it points into src/)');
  if (JSON.stringify(pkg).includes('workspace:')) problems.push('a workspace: range was not replaced');
  if (pkg.publishConfig?.access !== 'public') problems.push('publishConfig.access is not "public"');
  if (!pkg.repository?.directory) problems.push('repository has no directory');
  if (!pkg.engines?.node) problems.push('engines has no node range');
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) problems.push('no keywords');
  if (!existsSync(join(dir, 'README.md'))) problems.push('no README.md');
  if (!existsSync(join(dir, 'LICENSE'))) problems.push('no LICENSE');
  else if (readFileSync(join(dir, 'LICENSE'), 'utf8') !== readFileSync(join(root, 'LICENSE'), 'utf8')) problems.push("LICENSE differs from the repository's");
  for (const dep of OPTIONAL_ONLY[name] ?? []) {
    if (pkg.dependencies?.[dep]) problems.push(`${dep} is a dependency (every user would install it); make it an optional peer`);
    if (pkg.peerDependencies?.[dep] && !pkg.peerDependenciesMeta?.[dep]?.optional) problems.push(`peer ${dep} is not optional`);
  }
  for (const [dep, meta] of Object.entries(pkg.peerDependenciesMeta ?? {})) {
    if (meta.optional && !pkg.peerDependencies?.[dep]) problems.push(`peerDependenciesMeta names ${dep}, which is no peer`);
  }
  // The aihwkit oracle ships inside the suite's package.
  if (name === '@crossbar/conformance') {
    const repoOracle = join(root, 'packages', 'conformance', 'oracle');
    if (existsSync(repoOracle)) {
      const want = filesUnder(repoOracle).sort();
      const have = existsSync(join(dir, 'oracle')) ? filesUnder(join(dir, 'oracle')).sort() : [];
      const missing = want.filter((f) => !have.includes(f));
      if (missing.length)
        problems.push(`the tarball lacks oracle files: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
    }
  }
  const lint = await publint({ pkgDir: dir, pack: false, level: 'suggestion', strict: true });
  for (const m of lint.messages) problems.push(`publint ${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`);
  return problems;
}

function attw(tarball) {
  const bin = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
  const res = spawnSync(process.execPath, [bin, tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color'], { encoding: 'utf8' });
  return res.status === 0 ? [] : [`attw: ${(res.stdout + res.stderr).trim()}`];
}

async function main() {
  const at = process.argv.indexOf('--tarballs');
  const work = mkdtempSync(join(tmpdir(), 'crossbar-check-packages-'));
  let failed = 0;
  try {
    const sync = spawnSync(process.execPath, [join(root, 'tools', 'sync-packages.mjs'), '--check'], { encoding: 'utf8' });
    if (sync.status !== 0) {
      failed++;
      console.log(`FAIL  manifests: ${sync.stderr.trim()}`);
    }
    // The API reference covers every public package (typedoc.json lists them).
    const documented = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')).entryPoints ?? [];
    const undocumented = publicPackages().filter(({ dir }) => !documented.includes(`packages/${dir}`));
    if (undocumented.length) {
      failed++;
      console.log(`FAIL  typedoc.json: entryPoints lack ${undocumented.map((p) => `packages/${p.dir}`).join(', ')}`);
    }
    let packed;
    if (at >= 0) {
      const dir = process.argv[at + 1];
      packed = publicPackages().map(({ name }) => {
        const tgz = readdirSync(dir).find((f) => f.startsWith(`${name.replace('@', '').replace('/', '-')}-`) && f.endsWith('.tgz'));
        if (!tgz) throw new Error(`--tarballs ${dir}: no tarball of ${name}`);
        return { name, tarball: join(dir, tgz) };
      });
    } else {
      mkdirSync(join(work, 'packs'));
      packed = packAll(join(work, 'packs'));
    }
    for (const { name, tarball } of packed) {
      const dir = join(work, name.replace('/', '+'));
      mkdirSync(dir);
      const tar = spawnSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
      if (tar.status !== 0) throw new Error(`tar could not unpack ${tarball}`);
      const problems = [...(await checkUnpacked(dir, name)), ...attw(tarball)];
      if (problems.length) failed++;
      console.log(`${problems.length ? 'FAIL' : 'ok  '}  ${name}`);
      for (const p of problems) console.log(`      ${p.replace(/\n/g, '\n      ')}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (failed) {
    console.log(`\n${failed} package check(s) failed`);
    process.exit(1);
  }
  console.log('\nevery package passes publint, attw and the manifest checks');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
