import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/core/test/helpers/paths.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

/**
 * aihwkit 0.7.1's own configs source (the seed the config fields were written
 * from) is upstream material, not part of this repository: a checkout that has
 * the upstream folder beside it (as CI's has) checks the fields against it;
 * elsewhere those tests skip and say why. Everything else the tests need
 * (the oracle included) is in the repository.
 */
export function upstreamSeedFile(): string | undefined {
  const file = join(REPO_ROOT, '..', 'shared', 'seed', 'aihwkit-configs-utils.txt');
  if (existsSync(file)) return file;
  console.warn(`skipping the checks against aihwkit's configs source: ${file} is not beside this checkout (only CI's has it)`);
  return undefined;
}
