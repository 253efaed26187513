/**
 * Finding and reading the oracle from disk (Node only; a browser page uses
 * `loadOracleWithFetch`). The oracle ships inside this package
 * (`oracle/cases/*.json.gz`, `oracle/expected/*.json.gz`); env
 * CROSSBAR_ORACLE_DIR points to another folder (a newer oracle, `.json` or
 * `.json.gz` files) instead.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_ORACLE_FILES, OracleFormatError, oracleEntries, pairOracleFile, type Oracle, type OracleEntry } from './format.js';

/** The environment variable naming another oracle folder. */
export const ORACLE_DIR_ENV = 'CROSSBAR_ORACLE_DIR';

/** The oracle that ships with this package (`src/` and `dist/` both sit beside `oracle/`). */
export const PACKAGED_ORACLE_DIR = fileURLToPath(new URL('../oracle/', import.meta.url));

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

/** Where the oracle is (CROSSBAR_ORACLE_DIR, else the packaged copy), or why it is not there. */
export function findOracleDir(env: Record<string, string | undefined> = process.env): { dir?: string; reason?: string } {
  const fromEnv = env[ORACLE_DIR_ENV];
  if (fromEnv) {
    const dir = resolve(fromEnv);
    return isOracleDir(dir) ? { dir } : { reason: `${ORACLE_DIR_ENV}=${fromEnv}: no cases/ and expected/ folders there` };
  }
  const dir = resolve(PACKAGED_ORACLE_DIR);
  return isOracleDir(dir) ? { dir } : { reason: `the packaged oracle is missing (${dir}): reinstall @crossbar/conformance` };
}

const STEM = /^(.+)\.json(\.gz)?$/;

/** A file's JSON, gunzipped when its name ends in `.gz`. */
function readJson(path: string): unknown {
  const bytes = readFileSync(path);
  try {
    return JSON.parse((path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
  } catch (e) {
    throw new OracleFormatError(`${path}: not ${path.endsWith('.gz') ? 'gzipped ' : ''}JSON (${(e as Error).message})`);
  }
}

/** Reads every `cases/<name>.json[.gz]` of a folder with its `expected/<name>.json[.gz]`. */
export function loadOracleFromDir(dir: string): Oracle {
  const stemsOf = (sub: string): Map<string, string> =>
    new Map(
      readdirSync(join(dir, sub))
        .map((f) => [STEM.exec(f)?.[1], f] as const)
        .filter((e): e is readonly [string, string] => e[0] !== undefined),
    );
  const cases = stemsOf('cases');
  const expected = stemsOf('expected');
  const order = (s: string): number => {
    const i = (DEFAULT_ORACLE_FILES as readonly string[]).indexOf(s);
    return i < 0 ? DEFAULT_ORACLE_FILES.length : i;
  };
  const stems = [...cases.keys()].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const files = stems.map((stem) => {
    const expectedFile = expected.get(stem);
    if (!expectedFile || !existsSync(join(dir, 'expected', expectedFile))) {
      throw new OracleFormatError(`${dir}: cases/${cases.get(stem)} has no expected/${stem}.json(.gz)`);
    }
    return pairOracleFile(stem, readJson(join(dir, 'cases', cases.get(stem)!)), readJson(join(dir, 'expected', expectedFile)));
  });
  return { source: dir, files };
}

const cache = new Map<string, Oracle>();

/** The oracle (the packaged copy, or CROSSBAR_ORACLE_DIR's), or the reason it is not here. */
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

/** A test page that loads the oracle itself (loadOracleWithFetch behind its `loadOracle` call). */
export interface OraclePage {
  /** Asks the page to load the oracle from `url` (relative to the page). */
  call(method: 'loadOracle', url: string): Promise<unknown>;
}

/** The oracle for a browser run of the suite (oracleForPage). */
export interface PageOracle {
  /** The oracle's entries; empty when it is not here. */
  entries: OracleEntry[];
  /** Why the oracle is not here. */
  reason?: string;
  /** The folder to serve at `/oracle/` (none without an oracle). */
  mounts: Record<string, string>;
  /** The page's ready step: loads the oracle in the page when there is one. */
  ready: (page: OraclePage) => Promise<void>;
}

/**
 * The oracle for a browser run of the suite (describeRemoteConformance): its entries (or
 * the reason it is not here), the folder to serve at `/oracle/`, and the page's ready step
 * that loads it there.
 */
export function oracleForPage(env: Record<string, string | undefined> = process.env): PageOracle {
  const found = findOracleDir(env);
  const loaded = loadOracle(env);
  const entries = loaded.oracle ? oracleEntries(loaded.oracle) : [];
  return {
    entries,
    ...(loaded.reason === undefined ? {} : { reason: loaded.reason }),
    mounts: found.dir ? { '/oracle/': found.dir } : {},
    ready: async (page) => {
      if (entries.length) await page.call('loadOracle', 'oracle/');
    },
  };
}
