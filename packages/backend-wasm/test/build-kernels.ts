// vitest global setup: (re)builds dist/kernels*.wasm when missing or older than
// the AssemblyScript sources, so a test run never loads stale kernels.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export default function setup(): void {
  const outputs = ['kernels.wasm', 'kernels-shared.wasm'].map((f) => join(root, 'dist', f));
  const newestSource = Math.max(
    statSync(join(root, 'tools', 'build-wasm.mjs')).mtimeMs,
    ...readdirSync(join(root, 'assembly')).map((f) => statSync(join(root, 'assembly', f)).mtimeMs),
  );
  if (outputs.every((f) => existsSync(f) && statSync(f).mtimeMs >= newestSource)) return;
  execFileSync(process.execPath, [join(root, 'tools', 'build-wasm.mjs')], { cwd: root, stdio: 'inherit' });
}
