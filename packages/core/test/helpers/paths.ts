import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/core/test/helpers/paths.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

/**
 * The shared reference data (aihwkit seed, oracle) lives beside the
 * repository: <repo root>/../shared. CROSSBAR_SHARED_DIR overrides it.
 */
export function sharedPath(...parts: string[]): string {
  const dir = process.env.CROSSBAR_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');
  const file = join(dir, ...parts);
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: the tests read aihwkit's reference data from <repo root>/../shared ` +
        '(clone the repository beside shared/, or set CROSSBAR_SHARED_DIR)',
    );
  }
  return file;
}
