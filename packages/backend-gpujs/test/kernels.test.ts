/**
 * The engine's device machinery in each mode: the resident weights, the MVM
 * kernels (odd sizes, so every padding path runs), the in-kernel Philox
 * against core's generator, and texture/kernel accounting with dispose.
 */
import { describe, expect, it } from 'vitest';
import { FloatingPointRPUConfig, RandomStream } from '@crossbar/core';
import { createGpujsBackend } from '../src/index.js';
import { GpuRuntime } from '../src/runtime.js';
import { PHILOX_FUNCTIONS, keyHalves } from '../src/kernels/philox.js';
import { NODE_MODES, maxAbsDiff, refBackward, refForward, requireMode, testData } from './helpers.js';

describe.each(NODE_MODES)('MVM kernels (%s)', (mode) => {
  it.for([
    [1, 1, 1],
    [5, 7, 3],
    [13, 21, 5],
    [64, 32, 17],
  ] as const)('forward and backward of a %i × %i tile, batch %i, match float64', async ([outSize, inSize, batch], ctx) => {
    requireMode(ctx, mode);
    const backend = createGpujsBackend({ mode });
    try {
      const tile = backend.createTile({ outSize, inSize, rpuConfig: new FloatingPointRPUConfig() });
      const w = testData(outSize * inSize, 1);
      await tile.setWeights(w);
      expect(await tile.getWeights()).toEqual(w);
      const x = testData(batch * inSize, 2);
      const d = testData(batch * outSize, 3);
      const y = await tile.forward(x, batch);
      const z = await tile.backward(d, batch);
      // float32 accumulation of inSize (outSize) products of magnitude <= 1/4
      expect(maxAbsDiff(y, refForward(w, x, outSize, inSize, batch))).toBeLessThan(1e-6 * Math.max(4, inSize));
      expect(maxAbsDiff(z, refBackward(w, d, outSize, inSize, batch))).toBeLessThan(1e-6 * Math.max(4, outSize));
      await tile.dispose();
    } finally {
      await backend.dispose();
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
    const backend = createGpujsBackend({ mode });
    const base = backend.liveTextures;
    const tile = backend.createTile({ outSize: 9, inSize: 6, rpuConfig: new FloatingPointRPUConfig() });
    await tile.setWeights(testData(54, 4));
    const x = testData(4 * 6, 5);
    await tile.forward(x, 4);
    await tile.backward(testData(4 * 9, 6), 4);
    const textures = backend.liveTextures;
    const kernels = backend.liveKernels;
    expect(textures).toBeGreaterThan(base);
    for (let i = 0; i < 20; i++) {
      await tile.setWeights(testData(54, 7 + i));
      await tile.forward(x, 4);
      await tile.backward(testData(4 * 9, 6), 4);
    }
    expect(backend.liveTextures).toBe(textures);
    expect(backend.liveKernels).toBe(kernels);
    await tile.dispose();
    expect(backend.liveKernels).toBe(0);
    expect(backend.liveTextures).toBe(base);
    await expect(async () => tile.forward(x, 4)).rejects.toThrow(/disposed/);
    await backend.dispose();
  });
});

describe.each(['cpu', 'webasm'] as const)('in-kernel Philox (%s)', (mode) => {
  it("draws core's numbers: uniforms bit for bit, normals to float32 rounding", async (ctx) => {
    requireMode(ctx, mode);
    const rt = new GpuRuntime(mode, { functions: PHILOX_FUNCTIONS });
    const n = 1000;
    const types = { k0h: 'Integer', k0l: 'Integer', k1h: 'Integer', k1l: 'Integer', sub: 'Integer', sid: 'Integer', call: 'Integer' };
    for (const seed of [0, 42, 2 ** 32 + 7, 2 ** 52 + 12345]) {
      const [a, b, c, d] = keyHalves(seed);
      const ku = rt.acquire(
        'function(k0h, k0l, k1h, k1l, sub, sid, call) { return philoxUniform(k0h, k0l, k1h, k1l, sub, sid, call, this.thread.x); }',
        { output: [n], argumentTypes: types },
      );
      const kn = rt.acquire(
        'function(k0h, k0l, k1h, k1l, sub, sid, call) { return philoxNormal(k0h, k0l, k1h, k1l, sub, sid, call, this.thread.x); }',
        { output: [n], argumentTypes: types },
      );
      const stream = new RandomStream(seed, 31, 9, 5);
      const u = ku(a, b, c, d, 5, 31, 9) as Float32Array;
      rt.assertMode(ku, 'philoxUniform');
      expect(u).toEqual(stream.fillUniform(new Float32Array(n)));
      const g = kn(a, b, c, d, 5, 31, 9) as Float32Array;
      expect(maxAbsDiff(g, stream.fillNormal(new Float64Array(n)))).toBeLessThan(mode === 'cpu' ? 1e-6 : 1e-5);
    }
    await rt.dispose();
  });
});
