/**
 * The engine's device machinery in each mode: the resident weights, the MVM
 * kernels (odd sizes, so every padding path runs), the in-kernel Philox
 * against core's generator, and texture/kernel accounting with dispose.
 * (webgl2: the same checks in browser.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { FloatingPointRPUConfig } from '@crossbar/core';
import { createGpujsBackend } from '../src/index.js';
import { checkAccounting, checkCoincidences, checkMvm, checkPhilox } from '../browser/checks.js';
import { expectAccounting, expectMvm, MVM_SIZES, NODE_MODES, requireMode } from './helpers.js';

describe.each(NODE_MODES)('MVM kernels (%s)', (mode) => {
  it('forward and backward on resident weights match float64 (odd sizes)', async (ctx) => {
    requireMode(ctx, mode);
    expectMvm(await checkMvm(mode, MVM_SIZES));
  });

  it('keeps the weights on the device: setWeights replaces them, forward reads the new ones', async (ctx) => {
    requireMode(ctx, mode);
    const backend = createGpujsBackend({ mode });
    const tile = backend.createTile({ outSize: 3, inSize: 2, rpuConfig: new FloatingPointRPUConfig() });
    await tile.setWeights(new Float32Array([1, 0, 0, 1, 1, 1]));
    expect(Array.from(await tile.forward(new Float32Array([2, 3]), 1))).toEqual([2, 3, 5]);
    await tile.setWeights(new Float32Array([0, 1, 1, 0, 2, 0]));
    expect(Array.from(await tile.forward(new Float32Array([2, 3]), 1))).toEqual([3, 2, 4]);
    await backend.dispose();
  });

  it('dispose frees every texture and kernel; repeated calls allocate none', async (ctx) => {
    requireMode(ctx, mode);
    const a = await checkAccounting(mode);
    expectAccounting(a);
  });
});

describe.each(['cpu', 'webasm'] as const)('in-kernel Philox (%s)', (mode) => {
  it("draws core's numbers: uniforms bit for bit, normals to float32 rounding", async (ctx) => {
    requireMode(ctx, mode);
    for (const r of await checkPhilox(mode)) {
      expect(r.firstUniformDifference).toBe('');
      expect(r.normalMaxDiff).toBeLessThan(mode === 'cpu' ? 1e-6 : 2e-6);
      expect(r.firstTableDifference).toBe('');
    }
  });
});

describe.each(NODE_MODES)('pulse coincidences (%s)', (mode) => {
  it("counts 16 rows of trains as core's slicedCoincidences (bit operations where the mode has them)", async (ctx) => {
    requireMode(ctx, mode);
    expect(await checkCoincidences(mode)).toBe('');
  });
});
