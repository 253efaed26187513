// The end-to-end tests run dist/ only when it was built from the src/ they
// see: the build's stamp is a hash of the sources, not a file time (nx restores
// cached outputs with old times).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { srcStamp, STAMP_FILE, stampProblem } from '../../../tools/src-stamp.mjs';

describe('tools/src-stamp.mjs', () => {
  it('accepts a dist stamped from the same sources and refuses a missing stamp or changed sources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbar-stamp-'));
    mkdirSync(join(dir, 'src', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'src', 'sub', 'b.ts'), 'export const b = 2;\n');
    expect(stampProblem(dir)).toMatch(/src-stamp\.txt is missing: build first/);
    writeFileSync(join(dir, 'dist', STAMP_FILE), srcStamp(dir) + '\n');
    expect(stampProblem(dir)).toBeUndefined();
    writeFileSync(join(dir, 'src', 'sub', 'b.ts'), 'export const b = 3;\n');
    expect(stampProblem(dir)).toMatch(/built from other sources than src\/: build first/);
    writeFileSync(join(dir, 'src', 'sub', 'b.ts'), 'export const b = 2;\n');
    expect(stampProblem(dir)).toBeUndefined();
    writeFileSync(join(dir, 'src', 'c.ts'), '');
    expect(stampProblem(dir)).toMatch(/other sources/);
  });
});
