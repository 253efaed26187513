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

/** Packages the CLI does not install (optional peers): case files that need one are skipped where it is missing. */
const OPTIONAL_PACKAGES = ['@crossbar/backend-gpujs', 'playwright-core'];

function missingOptional(e: unknown): string | undefined {
  if ((e as { code?: unknown })?.code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  const message = e instanceof Error ? e.message : String(e);
  return OPTIONAL_PACKAGES.find((p) => message.includes(`'${p}'`));
}

/**
 * Every case in `dir` (default: the cases/ folder beside this module), in
 * file-name order. A case file that needs an optional package which is not
 * installed is left out, and `onSkip` is told why (default: a line on stderr).
 */
export async function loadCases(
  dir: URL | string = new URL('./cases/', import.meta.url),
  onSkip: (reason: string) => void = (reason) => process.stderr.write(`${reason}\n`),
): Promise<BenchCase[]> {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const files = readdirSync(path)
    .filter((f) => CASE_FILE.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.d.mts'))
    .sort();
  const cases: BenchCase[] = [];
  for (const f of files) {
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(join(path, f)).href)) as { default?: unknown };
    } catch (e) {
      const pkg = missingOptional(e);
      if (!pkg) throw e;
      onSkip(`benchmark cases of ${f} left out: ${pkg} is not installed (npm install ${pkg})`);
      continue;
    }
    const list = Array.isArray(mod.default) ? mod.default : [mod.default];
    for (const c of list) {
      if (!isCase(c)) throw new Error(`benchmark case file ${f}: the default export must be a case or a list of cases (defineBench)`);
      cases.push(c);
    }
  }
  return cases;
}
