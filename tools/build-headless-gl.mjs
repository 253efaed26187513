#!/usr/bin/env node
// Builds headless-gl (`gl`, gpu.js's optional dependency) from source: opt-in,
// because it compiles ANGLE for minutes and needs the X/GL headers
// (Debian: libx11-dev libxi-dev libxext-dev libgl1-mesa-dev pkg-config). The
// install skips its build script (pnpm-workspace.yaml, allowBuilds gl: false),
// so a plain install stays fast and needs no compiler; .ci/run and `pnpm bench`
// call this. Without it the gpu.js engine's headlessgl mode reports itself
// unavailable and its tests skip, saying why.
//
//   node tools/build-headless-gl.mjs           build unless already built
//   node tools/build-headless-gl.mjs --check   exit 0 when built, 1 when not
//   node tools/build-headless-gl.mjs --optional   build, but a failure only warns (exit 0)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fromGpujs = createRequire(createRequire(join(root, 'packages', 'backend-gpujs', 'package.json')).resolve('gpu.js'));
let glDir;
try {
  glDir = dirname(fromGpujs.resolve('gl/package.json'));
} catch {
  console.error('build-headless-gl: gpu.js has no `gl` package installed (run the install first)');
  process.exit(1);
}
const binary = join(glDir, 'build', 'Release', 'webgl.node');
if (existsSync(binary)) {
  console.log(`build-headless-gl: already built (${binary})`);
  process.exit(0);
}
if (process.argv.includes('--check')) {
  console.log('build-headless-gl: not built');
  process.exit(1);
}
const nodeGyp = createRequire(join(glDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
console.log(`build-headless-gl: compiling ${glDir} (a few minutes) ...`);
const t0 = Date.now();
// Node's own headers where npm is set to use them (npm config nodedir), so the build needs no download.
const nodedir = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).stdout?.trim();
const headers = nodedir && nodedir !== 'undefined' && existsSync(join(nodedir, 'include', 'node', 'node.h')) ? [`--nodedir=${nodedir}`] : [];
const r = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--jobs', 'max', ...headers], {
  cwd: glDir,
  stdio: ['ignore', 'ignore', 'pipe'],
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
if (r.status !== 0 || !existsSync(binary)) {
  // The compiler's warnings run to thousands of lines: show the end, where the error is.
  process.stderr.write(`${(r.stderr ?? '').split('\n').slice(-40).join('\n')}\n`);
  console.error('build-headless-gl: the build failed (the X/GL headers: apt-get install libx11-dev libxi-dev libxext-dev libgl1-mesa-dev pkg-config)');
  process.exit(process.argv.includes('--optional') ? 0 : 1);
}
console.log(`build-headless-gl: built in ${Math.round((Date.now() - t0) / 1000)} s`);
