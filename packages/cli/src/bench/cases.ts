/**
 * Finds the benchmark cases: every module in ./cases/ (compiled .js in dist,
 * .ts when run from the sources) whose default export is a case or a list
 * of cases (see defineBench in harness.ts). Adding a file there is all it
 * takes to add a case.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { BenchCase } from './harness.js';

const CASE_FILE = /^(?!index\.)[^.].*\.(js|mjs|ts|mts)$/;

function isCase(v: unknown): v is BenchCase {
  return typeof v === 'object' && v !== null && typeof (v as BenchCase).setup === 'function' && typeof (v as BenchCase).name === 'string';
}

/** Every case in `dir` (default: the cases/ folder beside this module), in file-name order. */
export async function loadCases(dir: URL | string = new URL('./cases/', import.meta.url)): Promise<BenchCase[]> {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const files = readdirSync(path)
    .filter((f) => CASE_FILE.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.d.mts'))
    .sort();
  const cases: BenchCase[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(path, f)).href)) as { default?: unknown };
    const list = Array.isArray(mod.default) ? mod.default : [mod.default];
    for (const c of list) {
      if (!isCase(c)) throw new Error(`benchmark case file ${f}: the default export must be a case or a list of cases (defineBench)`);
      cases.push(c);
    }
  }
  return cases;
}
