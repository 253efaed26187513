/**
 * Core's physics formulas compiled into kernels: every formula the engine
 * lists (kernels/library.ts) compiles in every mode and agrees with core's
 * JavaScript on a grid of arguments — cpu exactly (gpu.js's CPU kernels run
 * core's own code), webasm and GL to float32 rounding. (webgl2: browser.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { checkFormulas } from '../browser/checks.js';
import { NODE_MODES, requireMode } from './helpers.js';

describe.each(NODE_MODES)('core formulas in kernels (%s)', (mode) => {
  it('every listed formula compiles and agrees with core', async (ctx) => {
    requireMode(ctx, mode);
    expect(await checkFormulas(mode, mode === 'cpu' ? 0 : 2e-6)).toEqual([]);
  });
});
