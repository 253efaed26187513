/**
 * For the tests that keep the docs true: runs a documentation example (the
 * TypeScript of a ```ts block) as a module, with its package imports pointed
 * at files (e.g. a package's src/index.ts), and returns what it printed with
 * console.log, one line per call (arguments joined with spaces). Run it from a
 * vitest test: vitest compiles the TypeScript when the example is imported.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * @param {string} code the example's source
 * @param {Record<string, string>} imports package name → file it imports instead
 *   (`from '<name>'` and the side-effect `import '<name>'`)
 * @returns {Promise<string[]>} the lines it printed
 */
export async function runExample(code, imports = {}) {
  let source = code;
  for (const [name, file] of Object.entries(imports)) {
    source = source.replace(new RegExp(`(\\bfrom\\s*|\\bimport\\s*)(['"])${escapeRegExp(name)}\\2`, 'g'), (_, kw) => `${kw}${JSON.stringify(file)}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'crossbar-example-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, source);
  const lines = [];
  const log = console.log;
  console.log = (...args) => {
    lines.push(args.map(String).join(' '));
  };
  try {
    await import(pathToFileURL(file).href);
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
