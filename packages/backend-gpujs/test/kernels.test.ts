/**
 * The engine's device machinery in each mode: the resident weights, the MVM
 * kernels (odd sizes, so every padding path runs), the in-kernel Philox
 * against core's generator, and texture/kernel accounting with dispose.
 * (webgl2: the same checks in browser.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { FloatingPointRPUConfig } from '@crossbar/core';
import { createGpujsBackend } from '../src/index.js';
import { checkAccounting, checkMvm, checkPhilox } from '../browser/checks.js';
import { NODE_MODES, requireMode } from './helpers.js';

describe.each(NODE_MODES)('MVM kernels (%s)', (mode) => {
  it('forward and backward on resident weights match float64 (odd sizes)', async (ctx) => {
    requireMode(ctx, mode);
    const results = await checkMvm(mode, [
      [1, 1, 1],
      [5, 7, 3],
      [13, 21, 5],
      [64, 32, 17],
    ]);
    for (const r of results) {
      expect(r.weightsRoundTrip).toBe(true);
      expect(r.forwardError).toBeLessThan(r.forwardTolerance);
      expect(r.backwardError).toBeLessThan(r.backwardTolerance);
    }
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
    expect(a.afterFirstCalls).toBeGreaterThan(a.base);
    expect(a.afterManyCalls).toBe(a.afterFirstCalls);
    expect(a.kernelsAfterManyCalls).toBe(a.kernelsAfterFirstCalls);
    expect(a.kernelsAfterDispose).toBe(0);
    expect(a.texturesAfterDispose).toBe(a.base);
    expect(a.useAfterDispose).toMatch(/disposed/);
    expect(a.kernelsAfterEngineDispose).toBe(0);
    expect(a.texturesAfterEngineDispose).toBe(0);
  });
});

describe.each(['cpu', 'webasm'] as const)('in-kernel Philox (%s)', (mode) => {
  it("draws core's numbers: uniforms bit for bit, normals to float32 rounding", async (ctx) => {
    requireMode(ctx, mode);
    for (const r of await checkPhilox(mode)) {
      expect(r.firstUniformDifference).toBe('');
      expect(r.normalMaxDiff).toBeLessThan(mode === 'cpu' ? 1e-6 : 2e-6);
    }
  });
});
