/**
 * docs/writing-an-engine.md stays true: its example registers the example engine
 * (examples/plain-engine.ts), runs a tile on it and on a copy without the pulsed
 * update, and prints what the page says it prints.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runExample } from '../../../tools/run-example.mjs';

describe('docs/writing-an-engine.md', () => {
  it('runs the worked example and prints what the page says', async () => {
    const page = readFileSync(fileURLToPath(new URL('../../../docs/writing-an-engine.md', import.meta.url)), 'utf8');
    const code = /This runs[^\n]*\n[^\n]*\n\n```ts\n([\s\S]*?)```/.exec(page)?.[1];
    const printed = /It prints[^\n]*\n[^\n]*\n\n```text\n([\s\S]*?)```/.exec(page)?.[1];
    expect(code, 'the ```ts block after "This runs"').toBeDefined();
    expect(printed, 'the ```text block after "It prints:"').toBeDefined();
    const lines = await runExample(code!, {
      '@crossbar/core': fileURLToPath(new URL('../../core/src/index.ts', import.meta.url)),
      './plain-engine.js': fileURLToPath(new URL('../examples/plain-engine.ts', import.meta.url)),
    });
    expect(lines.join('\n') + '\n').toBe(printed);
  });
});
