// The portable entry must run in a browser page: no node: modules and no vitest
// anywhere in what it imports (the package's own files and @crossbar/core).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const coreSrc = resolve(here, '../../core/src/index.ts');

/** Static and dynamic import specifiers of a TypeScript file (type-only imports excluded). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]!);
  return out;
}

function closure(entry: string): { files: string[]; external: string[] } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (spec === '@crossbar/core') visit(coreSrc);
      else external.add(spec);
    }
  };
  visit(entry);
  return { files: [...files], external: [...external] };
}

describe('@crossbar/conformance/portable', () => {
  it('imports no node: module and no vitest, directly or through @crossbar/core', () => {
    const { files, external } = closure(join(here, '../src/portable.ts'));
    expect(files.length).toBeGreaterThan(8);
    expect(external.filter((s) => s.startsWith('node:') || s === 'vitest' || ['fs', 'path', 'url'].includes(s))).toEqual([]);
    expect(external).toEqual(['fast-check']);
  });
});
