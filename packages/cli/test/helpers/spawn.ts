/**
 * Runs the built `crossbar` binary (packages/cli/dist/bin.js) as a separate
 * process, as a user would: the end-to-end tests check its stdout, stderr and
 * exit code. The dist must be built (`npx nx run-many -t build`; the
 * repository's test command builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stampProblem } from '../../../../tools/src-stamp.mjs';

export const CLI_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(CLI_ROOT, 'dist', 'bin.js');
export const FIXTURES = join(CLI_ROOT, 'test', 'fixtures');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Why the dist cannot be tested (missing, or built from other sources than src/), or undefined. */
export function distProblem(): string | undefined {
  if (!existsSync(BIN)) return `${BIN} is missing: build first (npx nx run-many -t build)`;
  return stampProblem(CLI_ROOT);
}

/** A fresh temporary working folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'crossbar-cli-'));
}

/**
 * Runs `crossbar ...args` in `cwd`. The registry's default engine depends on
 * the machine (gpu.js where a GL context works), so tests name the engine or
 * set CROSSBAR_BACKEND; the environment here has no CROSSBAR_BACKEND or
 * CROSSBAR_GPUJS_MODE unless `env` gives them.
 */
export function crossbar(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): RunResult {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CROSSBAR_BACKEND' && k !== 'CROSSBAR_GPUJS_MODE') env[k] = v;
  Object.assign(env, { NO_COLOR: '1' }, options.env ?? {});
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? tempDir(),
    env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The non-empty lines of a text. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim().length > 0);
}
