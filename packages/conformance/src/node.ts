/**
 * Finding and reading the oracle from disk (Node only; a browser page uses
 * `loadOracleWithFetch`). Default location: `<repo root>/../shared/oracle`,
 * where the repo root is the nearest folder above the working directory (or
 * above this package) holding pnpm-workspace.yaml; env CROSSBAR_ORACLE_DIR
 * overrides it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ORACLE_FILES, OracleFormatError, pairOracleFile, type Oracle } from './format.js';

export const ORACLE_DIR_ENV = 'CROSSBAR_ORACLE_DIR';
export const REQUIRE_ORACLE_ENV = 'CROSSBAR_REQUIRE_ORACLE';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isOracleDir(p: string): boolean {
  return isDir(join(p, 'cases')) && isDir(join(p, 'expected'));
}

function repoRootAbove(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Where the oracle is, or why it was not found (every place tried). */
export function findOracleDir(env: Record<string, string | undefined> = process.env): { dir?: string; reason?: string } {
  const fromEnv = env[ORACLE_DIR_ENV];
  if (fromEnv) {
    const dir = resolve(fromEnv);
    return isOracleDir(dir) ? { dir } : { reason: `${ORACLE_DIR_ENV}=${fromEnv}: no cases/ and expected/ folders there` };
  }
  const tried: string[] = [];
  for (const start of [process.cwd(), dirname(fileURLToPath(import.meta.url))]) {
    const root = repoRootAbove(start);
    if (!root) continue;
    const dir = join(root, '..', 'shared', 'oracle');
    if (isOracleDir(dir)) return { dir };
    if (!tried.includes(dir)) tried.push(dir);
  }
  return {
    reason:
      `the aihwkit oracle was not found (looked for <repo root>/../shared/oracle: ${tried.join(', ') || 'no repo root with pnpm-workspace.yaml'}); ` +
      `set ${ORACLE_DIR_ENV} to its folder`,
  };
}

/** Reads every `cases/<name>.json` of a folder with its `expected/<name>.json`. */
export function loadOracleFromDir(dir: string): Oracle {
  const stems = readdirSync(join(dir, 'cases'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
  const order = (s: string): number => {
    const i = (DEFAULT_ORACLE_FILES as readonly string[]).indexOf(s);
    return i < 0 ? DEFAULT_ORACLE_FILES.length : i;
  };
  stems.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const files = stems.map((stem) => {
    const expectedPath = join(dir, 'expected', `${stem}.json`);
    if (!existsSync(expectedPath)) throw new OracleFormatError(`${dir}: cases/${stem}.json has no expected/${stem}.json`);
    const read = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));
    return pairOracleFile(stem, read(join(dir, 'cases', `${stem}.json`)), read(expectedPath));
  });
  return { source: dir, files };
}

const cache = new Map<string, Oracle>();

/** The oracle from its default place (or CROSSBAR_ORACLE_DIR), or the reason it is not here. */
export function loadOracle(env: Record<string, string | undefined> = process.env): { oracle?: Oracle; reason?: string } {
  const found = findOracleDir(env);
  if (!found.dir) return { reason: found.reason };
  let oracle = cache.get(found.dir);
  if (!oracle) {
    oracle = loadOracleFromDir(found.dir);
    cache.set(found.dir, oracle);
  }
  return { oracle };
}
