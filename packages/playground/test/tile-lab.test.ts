// The tile view's computation (src/tile-lab.ts) on the ndarray engine.
import { describe, expect, it } from 'vitest';
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { FloatingPointRPUConfig, InferenceRPUConfig, type AnalogTileBackend } from '@crossbar/core';
import { idealProduct, runTile, tileStats } from '../src/tile-lab.js';
import { seededMatrix } from '../src/data.js';

const ndarray = new NdarrayBackend();

describe('tile view computation', () => {
  it('computes the exact product and the error statistics', () => {
    const w = Float32Array.from([1, 2, 3, 4]);
    const x = Float32Array.from([1, 0, 0.5, -1]);
    expect(Array.from(idealProduct(w, x, 2, 2, 2))).toEqual([1, 3, -1.5, -2.5]);
    const s = tileStats([1, 3, -1, -2.5], [1, 3, -1.5, -2.5], [1, 2]);
    expect(s.rmsError).toBeCloseTo(0.25, 12);
    expect(s.maxAbsError).toBe(0.5);
    expect(s.rmsIdeal).toBeCloseTo(Math.sqrt((1 + 9 + 2.25 + 6.25) / 4), 12);
    expect(s.relativeError).toBeCloseTo(s.rmsError / s.rmsIdeal, 12);
    expect(s.meanPasses).toBe(1.5);
    expect(s.maxPasses).toBe(2);
    expect(s.passHistogram).toEqual([0, 1, 1]);
    expect(tileStats([0, 0], [0, 0], null)).toMatchObject({ relativeError: NaN, correlation: NaN, meanPasses: null, passHistogram: null });
  });

  it('runs a fresh seeded tile: its first call is what a tile made the same way gives, with passes', async () => {
    const [outSize, inSize, batch, seed] = [16, 24, 10, 4];
    const w = seededMatrix(seed, 0, outSize, inSize, { dist: 'uniform', scale: 0.5 });
    const x = seededMatrix(seed, 1, batch, inSize, { dist: 'normal', scale: 0.5 });
    const config = new InferenceRPUConfig({ forward: { outBound: 0.6 } });
    const run = await runTile(ndarray, config, w, x, { outSize, inSize, batch, seed, maxTimedCalls: 3 });
    const t = ndarray.createTile({ outSize, inSize, rpuConfig: config, seed });
    t.setWeights(w);
    expect(run.analog).toEqual(t.forward(x, batch, { isTest: true }));
    expect(run.passes).toEqual(t.getForwardPassCounts());
    expect(run.stats.maxPasses).toBeGreaterThan(1);
    expect(run.stats.correlation).toBeGreaterThan(0.95);
    expect(run.timedCalls).toBeGreaterThan(0);
    expect(run.timedCalls).toBeLessThanOrEqual(3);
    expect(run.firstCallMs).toBeGreaterThan(0);
  });

  it('has no error with an exact MVM (FloatingPointRPUConfig) beyond float32 rounding', async () => {
    const w = seededMatrix(1, 0, 8, 8, { dist: 'normal', scale: 1 });
    const x = seededMatrix(1, 1, 4, 8, { dist: 'normal', scale: 1 });
    const run = await runTile(ndarray, new FloatingPointRPUConfig(), w, x, { outSize: 8, inSize: 8, batch: 4, seed: 1, maxTimedCalls: 1 });
    expect(run.stats.rmsError).toBeLessThan(1e-6 * run.stats.rmsIdeal);
    expect(run.stats.passHistogram).toEqual([0, 4]);
  });

  it('reports no passes for an engine without getForwardPassCounts, and disposes the tile', async () => {
    let disposed = 0;
    const plain: AnalogTileBackend = {
      name: 'plain',
      createTile(o) {
        const t = ndarray.createTile(o);
        return Object.assign(Object.create(null), {
          setWeights: (v: Float32Array) => t.setWeights(v),
          forward: (v: Float32Array, b: number, opt: object) => t.forward(v, b, opt),
          dispose: () => {
            disposed++;
            t.dispose();
          },
        });
      },
    };
    const run = await runTile(plain, new InferenceRPUConfig(), new Float32Array(4).fill(0.1), new Float32Array(2).fill(0.5), {
      outSize: 2,
      inSize: 2,
      batch: 1,
      seed: 0,
      maxTimedCalls: 1,
    });
    expect(run.passes).toBeNull();
    expect(run.stats.meanPasses).toBeNull();
    expect(disposed).toBe(1);
  });
});
