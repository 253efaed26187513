/**
 * The gpu.js engine is an optional peer of the CLI: where it is not installed,
 * the benchmark cases that need it are left out with the npm install line, and
 * an import failure is told apart from a broken package. (The CLI's own
 * message for `--engine gpujs` is checked by the outsider test, in a project
 * without it: tools/test/outsider.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCases } from '../src/bench/index.js';
import { GPUJS_NOT_INSTALLED, GPUJS_PACKAGE, isMissingPackage } from '../src/engines.js';

describe('without @crossbar/backend-gpujs', () => {
  it('bench leaves out the case files that need it and says how to install it', async () => {
    // A folder outside the workspace: the package cannot be resolved from there.
    const dir = mkdtempSync(join(tmpdir(), 'crossbar-optional-'));
    try {
      writeFileSync(join(dir, 'a-gpujs.mjs'), "import '@crossbar/backend-gpujs';\nexport default [];\n");
      writeFileSync(join(dir, 'b-plain.mjs'), "export default { name: 'plain', group: 'g', engine: 'none', size: 1, setup: () => ({ run: () => {} }) };\n");
      const skipped: string[] = [];
      const cases = await loadCases(dir, (reason) => skipped.push(reason));
      expect(cases.map((c) => c.name)).toEqual(['plain']);
      expect(skipped).toEqual(['benchmark cases of a-gpujs.mjs left out: @crossbar/backend-gpujs is not installed (npm install @crossbar/backend-gpujs)']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing package is told apart from an error inside an installed one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbar-optional-'));
    try {
      writeFileSync(join(dir, 'needs.mjs'), `import '${GPUJS_PACKAGE}';\n`);
      writeFileSync(join(dir, 'broken.mjs'), "import './nope.mjs';\n");
      const missing = await import(pathToFileURL(join(dir, 'needs.mjs')).href).catch((e: unknown) => e);
      const broken = await import(pathToFileURL(join(dir, 'broken.mjs')).href).catch((e: unknown) => e);
      expect(isMissingPackage(missing, GPUJS_PACKAGE)).toBe(true);
      expect(isMissingPackage(broken, GPUJS_PACKAGE)).toBe(false);
      expect(isMissingPackage(new Error(`'${GPUJS_PACKAGE}'`), GPUJS_PACKAGE)).toBe(false);
      expect(GPUJS_NOT_INSTALLED).toContain(`npm install ${GPUJS_PACKAGE}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
