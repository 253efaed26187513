/** The README's example is examples/quickstart.ts, and it runs. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { main } from '../examples/quickstart.js';

it('the README shows examples/quickstart.ts verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../examples/quickstart.ts', import.meta.url), 'utf8');
  expect(readme).toContain(example.trim());
});

it('the quickstart example trains, drifts and reloads', { timeout: 300_000 }, async () => {
  const { trained, drifted, reloaded } = await main();
  expect(trained).toBeGreaterThanOrEqual(0.9);
  expect(drifted).toBeGreaterThanOrEqual(0.85);
  expect(reloaded).toBe(trained);
});
