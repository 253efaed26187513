import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/core/test/helpers/paths.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

/** The shared reference data (aihwkit seed, oracle): <repo root>/../shared, or CROSSBAR_SHARED_DIR. */
export const SHARED_DIR = process.env.CROSSBAR_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');

/**
 * Like the conformance suite: tests that read ../shared skip (saying why) when
 * it is not there, unless CROSSBAR_REQUIRE_ORACLE=1 (as in CI), where they fail.
 */
export const REQUIRE_SHARED = process.env.CROSSBAR_REQUIRE_ORACLE === '1';

/** The path of a shared file, or undefined when it is missing (and not required). */
export function sharedFile(...parts: string[]): string | undefined {
  const file = join(SHARED_DIR, ...parts);
  if (existsSync(file)) return file;
  const why =
    `${file} is missing: aihwkit's reference data is read from <repo root>/../shared ` +
    '(clone the repository beside shared/, or set CROSSBAR_SHARED_DIR)';
  if (REQUIRE_SHARED) throw new Error(`${why} (CROSSBAR_REQUIRE_ORACLE=1)`);
  console.warn(`skipping tests that need it: ${why}`);
  return undefined;
}
