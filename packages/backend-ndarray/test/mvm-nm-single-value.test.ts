import { describe, expect, it } from 'vitest';
import { IOParameters, SingleRPUConfig, IdealDevice } from '@crossbar/core';
import { NdarrayBackend } from '../src/index.js';

/**
 * AverageAbsMaxSingleValue (aihwkit's CUDA noise manager after 0.7.1): one running value per
 * call — the mean abs max of the batch's non-zero vectors, decayed by nm_decay — scales
 * every vector. With every other non-ideality off, the input is clipped at that value.
 */
describe('noise management AverageAbsMaxSingleValue', () => {
  const io = new IOParameters({
    noiseManagement: 'AverageAbsMaxSingleValue',
    boundManagement: 'None',
    outNoise: 0,
    inpRes: -1,
    outRes: -1,
    outBound: 0,
    nmDecay: 0.5,
  });
  const config = new SingleRPUConfig({ forward: io, backward: io });
  config.device = new IdealDevice();
  const w = Float32Array.from([1, 1]); // one output: y = x0 + x1 (clipped at the scale)

  it('scales the whole batch by the mean abs max of its non-zero vectors, then decays it per call', async () => {
    const tile = new NdarrayBackend().createTile({ outSize: 1, inSize: 2, rpuConfig: config, seed: 1 });
    tile.setWeights(w);
    // abs maxes 2, 4 and a zero row: running value (2 + 4) / 2 = 3, so 4 clips to 3.
    const y1 = tile.forward(Float32Array.from([2, 1, 4, 0, 0, 0]), 3);
    expect(Array.from(y1)).toEqual([3, 3, 0]);
    // Next call: abs max 5 → running 3 · 0.5 + 5 · 0.5 = 4; the input 5 clips at 4: 4 − 1.
    const y2 = tile.forward(Float32Array.from([5, -1]), 1);
    expect(Array.from(y2)).toEqual([3]);
    // An all-zero batch leaves the value (4) as it was.
    tile.forward(new Float32Array(2), 1);
    const y3 = tile.forward(Float32Array.from([0.5, 0.5]), 1);
    // running 4 · 0.5 + 0.5 · 0.5 = 2.25: nothing clips; a fresh value would be 0.5.
    expect(y3[0]).toBeCloseTo(1, 6);
    const state = tile.getState();
    expect(state.scalars['mvm.averageAbsMax']).toBeCloseTo(2.25, 6);
  });
});
