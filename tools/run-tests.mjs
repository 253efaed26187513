#!/usr/bin/env node
// Runs every package's tests in one vitest run (the README's test command).
// Where xvfb-run exists, the run happens under it so headless-gl tests get a
// display; elsewhere those tests report themselves skipped with the reason.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = [vitest, 'run', ...process.argv.slice(2)];

const hasXvfb = !process.env.DISPLAY && spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0;
const [cmd, cmdArgs] = hasXvfb ? ['xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', process.execPath, ...args]] : [process.execPath, args];

if (!existsSync(vitest)) {
  console.error('vitest is not installed: run the install first (npx -y pnpm@12.4.2 install)');
  process.exit(1);
}
const env = { ...process.env };
if (!process.stdout.isTTY && env.FORCE_COLOR === undefined) env.NO_COLOR = '1';
const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
process.exit(result.status ?? 1);
