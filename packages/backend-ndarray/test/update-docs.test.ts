/**
 * docs/training.md stays true: its example runs on the ndarray engine and
 * prints what the page says it prints, and the figure it shows exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runExample } from '../../../tools/run-example.mjs';

const DOC = fileURLToPath(new URL('../../../docs/training.md', import.meta.url));

it('docs/training.md: the example prints what the page says', async () => {
  const doc = readFileSync(DOC, 'utf8');
  const code = /## Example\n\n```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  const printed = /prints \(ndarray engine\):\n\n```text\n([\s\S]*?)```/.exec(doc)?.[1];
  expect(code, 'a ```ts block').toBeDefined();
  expect(printed, 'a ```text block of its output').toBeDefined();
  const lines = await runExample(code!, {
    '@crossbar/core': fileURLToPath(new URL('../../core/src/index.ts', import.meta.url)),
    '@crossbar/backend-ndarray': fileURLToPath(new URL('../src/index.ts', import.meta.url)),
  });
  expect(lines.join('\n') + '\n').toBe(printed);
});

it('docs/training.md: the figure it shows is in docs/img', () => {
  const doc = readFileSync(DOC, 'utf8');
  for (const [, src] of doc.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
    expect(existsSync(fileURLToPath(new URL(`../../../docs/${src}`, import.meta.url))), src).toBe(true);
  }
});
