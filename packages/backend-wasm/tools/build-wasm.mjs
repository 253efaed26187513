// Compiles the AssemblyScript kernels (assembly/) twice, from the same sources:
//   dist/kernels-shared.wasm  SIMD + threads, imports a shared memory (worker threads)
//   dist/kernels.wasm         SIMD, imports a plain memory (where SharedArrayBuffer is
//                             unavailable: browser pages without cross-origin isolation)
// `--enable threads` alone would turn SIMD off: both are named.
// The memory is imported (the loader makes it) and the kernels allocate nothing
// (--runtime stub); 65536 pages (4 GiB) is the most a loader may ask for.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')), 'bin', 'asc.js');
mkdirSync(join(root, 'dist'), { recursive: true });
const common = [
  asc,
  'assembly/index.ts',
  '--optimizeLevel',
  '3',
  '--shrinkLevel',
  '0',
  '--noAssert',
  '--runtime',
  'stub',
  // AS112 "exchange of v128 values": fdlibmLogX2 takes a v128, exported only to the other assembly/ modules
  '--disableWarning',
  '112',
  '--importMemory',
  '--initialMemory',
  '1',
  '--maximumMemory',
  '65536',
];
const variants = [
  ['dist/kernels-shared.wasm', '--enable', 'simd,threads', '--sharedMemory'],
  ['dist/kernels.wasm', '--enable', 'simd'],
];
for (const [out, ...flags] of variants) {
  const r = spawnSync(process.execPath, [...common, '--outFile', out, ...flags], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build-wasm: asc failed on ${out} (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
