#!/usr/bin/env node
// `pnpm demo [-- demo options]`: builds what the `crossbar` command needs (the
// cli package and the packages it depends on, not the playground), quietly,
// then runs `crossbar demo`. Only the demo's own output reaches the terminal;
// the build's output is shown only when the build fails.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false', NX_VERBOSE_LOGGING: 'false' };
const nx = join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
// One line while the build runs, on a terminal only (piped output stays the demo's alone).
if (process.stderr.isTTY) process.stderr.write('building the packages the demo needs ...\r');
const build = spawnSync(process.execPath, [nx, 'run', '@crossbar/cli:build', '--outputStyle=static'], { cwd: root, env, encoding: 'utf8' });
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}\nthe build failed (above); the demo did not run\n`);
  process.exit(build.status ?? 1);
}
if (process.stderr.isTTY) process.stderr.write(' '.repeat(48) + '\r');
const demo = spawnSync(process.execPath, [join(root, 'packages', 'cli', 'dist', 'bin.js'), 'demo', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(demo.status ?? 1);
