/**
 * The docs stay true: docs/configuration.md is what tools/gen-config-docs.mjs
 * renders from the field tables now, and the README's example runs and prints
 * what the README says it prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import { renderConfigurationReference } from '../../../tools/config-docs.mjs';
import { runExample } from '../../../tools/run-example.mjs';
import { REPO_ROOT } from './helpers/paths.js';

describe('docs/configuration.md', () => {
  it('is up to date with the field tables (else: npx nx run @crossbar/core:build && node tools/gen-config-docs.mjs)', () => {
    const expected = renderConfigurationReference(core as unknown as Record<string, unknown>);
    const actual = readFileSync(join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
    expect(actual === expected, 'docs/configuration.md is stale: run `npx nx run @crossbar/core:build && node tools/gen-config-docs.mjs`').toBe(true);
  });

  it('lists every field of every class with its aihwkit name', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
    for (const C of core.CONFIG_CLASSES) {
      expect(doc).toContain(`### ${C.configName}`);
      for (const [k, f] of Object.entries(C.fields)) {
        if (C.configName !== 'ConstantStepDevice' && k in core.PULSED_DEVICE_FIELDS) continue;
        expect(doc, `${C.configName}.${k}`).toContain(`| \`${k}\` | \`${core.pyName(k, f)}\` |`);
      }
    }
  });
});

describe('docs/training.md', () => {
  it('the compound devices example runs on core alone and prints what the page says', async () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'training.md'), 'utf8');
    const section = /## Compound devices as configs\n([\s\S]*?)\n## /.exec(doc)?.[1] ?? '';
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    const printed = /It prints:\n\n```text\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, 'a ```ts block').toBeDefined();
    expect(printed, 'a ```text block of its output').toBeDefined();
    const lines = await runExample(code!, { '@crossbar/core': fileURLToPath(new URL('../src/index.ts', import.meta.url)) });
    expect(lines.join('\n') + '\n').toBe(printed);
  });
});

describe('packages/core/README.md', () => {
  it('runs its TypeScript example and prints what it says', async () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const printed = /It prints[^\n]*\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code, 'a ```ts block').toBeDefined();
    expect(printed, 'a ```text block of its output').toBeDefined();
    const lines = await runExample(code!, { '@crossbar/core': fileURLToPath(new URL('../src/index.ts', import.meta.url)) });
    expect(lines.join('\n') + '\n').toBe(printed);
  });
});
