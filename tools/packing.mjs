// The publishable packages and how they are packed: shared by
// tools/check-packages.mjs (publint, attw, manifest checks) and the outsider
// test (tools/test/outsider.test.ts), so both look at what `pnpm publish` would upload.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every package that is not private: { dir, name, pkg } in folder order. */
export function publicPackages() {
  const out = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const file = join(root, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (!pkg.private) out.push({ dir, name: pkg.name, pkg });
  }
  return out;
}

/** The command that runs pnpm: the one running us (pnpm test), else npx with the root's packageManager version. */
export function pnpmCommand() {
  const execpath = process.env.npm_execpath;
  // pnpm's npm package may be a JS file (run it with this Node) or a native executable (run it as it is).
  if (execpath && /pnpm/.test(execpath)) return /\.[cm]?js$/.test(execpath) ? [process.execPath, [execpath]] : [execpath, []];
  const pm = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager ?? 'pnpm';
  return ['npx', ['-y', pm]];
}

/**
 * Packs each public package (pnpm pack: workspace: ranges become versions and
 * publishConfig's fields replace the manifest's) into `dest`; returns
 * { name, dir, tarball } per package (`dirs`: only these folders of packages/).
 * The packages must be built (dist/).
 */
export function packAll(dest, dirs) {
  const [cmd, pre] = pnpmCommand();
  const chosen = publicPackages().filter((p) => !dirs || dirs.includes(p.dir));
  if (dirs && chosen.length !== dirs.length) throw new Error(`packAll: no public package in ${dirs.filter((d) => !chosen.some((p) => p.dir === d)).join(', ')}`);
  return chosen.map(({ dir, name }) => {
    const res = spawnSync(cmd, [...pre, 'pack', '--pack-destination', dest], { cwd: join(root, 'packages', dir), encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`pnpm pack in packages/${dir} failed (${res.status}): ${res.stderr || res.stdout}`);
    const tgz = readdirSync(dest).find(
      (f) => f === `${name.replace('@', '').replace('/', '-')}-${JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')).version}.tgz`,
    );
    if (!tgz) throw new Error(`pnpm pack in packages/${dir}: no tarball for ${name} in ${dest}`);
    return { name, dir, tarball: join(dest, tgz) };
  });
}
