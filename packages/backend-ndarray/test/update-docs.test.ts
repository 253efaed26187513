/**
 * docs/training.md stays true: its example runs on the ndarray engine and
 * prints what the page says it prints, and the figure it shows exists.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it, vi } from 'vitest';

const DOC = fileURLToPath(new URL('../../../docs/training.md', import.meta.url));

it('docs/training.md: the example prints what the page says', async () => {
  const doc = readFileSync(DOC, 'utf8');
  const code = /## Example\n\n```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  const printed = /prints \(ndarray engine\):\n\n```text\n([\s\S]*?)```/.exec(doc)?.[1];
  expect(code, 'a ```ts block').toBeDefined();
  expect(printed, 'a ```text block of its output').toBeDefined();
  const core = fileURLToPath(new URL('../../core/src/index.ts', import.meta.url));
  const engine = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'crossbar-training-doc-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, code!.replace(/from '@crossbar\/core'/g, `from ${JSON.stringify(core)}`).replace(/import '@crossbar\/backend-ndarray'/g, `import ${JSON.stringify(engine)}`));
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    await import(pathToFileURL(file).href);
  } finally {
    spy.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(lines.join('\n') + '\n').toBe(printed);
});

it('docs/training.md: the figure it shows is in docs/img', () => {
  const doc = readFileSync(DOC, 'utf8');
  for (const [, src] of doc.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
    expect(existsSync(fileURLToPath(new URL(`../../../docs/${src}`, import.meta.url))), src).toBe(true);
  }
});
