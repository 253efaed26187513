// AnalogTile.getForwardPassCounts on the ndarray engine: the analog passes each
// input vector of the last public forward call took (1 + bound-management re-runs,
// 0 for a vector noise management skips), as the browser playground shows them.
import { describe, expect, it } from 'vitest';
import { InferenceRPUConfig, IOParameters, SingleRPUConfig, IdealDevice, type IOParameters as IOParametersType } from '@crossbar/core';
import { NdarrayBackend } from '../src/index.js';

const backend = new NdarrayBackend();

/** A 1 × 1 tile with weight `w` and forward IO `io` (exact otherwise: no noise, no quantisation). */
function tile(w: number, io: IOParametersType) {
  const t = backend.createTile({ outSize: 1, inSize: 1, rpuConfig: new SingleRPUConfig({ device: new IdealDevice(), forward: io }), seed: 3 });
  t.setWeights(new Float32Array([w]));
  return t;
}

const exact = { outNoise: 0, inpRes: -1, outRes: -1 };

describe('forward pass counts (ndarray)', () => {
  it('counts the bound-management passes of each vector: the input halves until the output fits', () => {
    // no noise management: y = x w / r for r = 1, 2, 4, …; out_bound 1
    const t = tile(1, new IOParameters({ ...exact, noiseManagement: 'None', inpBound: 10, outBound: 1, boundManagement: 'Iterative' }));
    expect(t.getForwardPassCounts()).toBeNull();
    const y = t.forward(new Float32Array([0.5, 1.5, 3.5, 0, -3.5]), 5);
    // 0.5 fits; 1.5 → 0.75 (2 passes); 3.5 → 1.75 → 0.875 (3 passes); 0 fits; −3.5 fails the negative bound too
    expect(Array.from(t.getForwardPassCounts()!)).toEqual([1, 2, 3, 1, 3]);
    expect(Array.from(y)).toEqual([0.5, 1.5, 3.5, 0, -3.5]);
  });

  it('gives 0 for a vector that noise management lets skip the array, and counts with AbsMax scaling', () => {
    // AbsMax scales x to max |x| = 1: y = 3 / r must reach <= 1: r = 4, three passes
    const t = tile(3, new IOParameters({ ...exact, outBound: 1, boundManagement: 'Iterative' }));
    t.forward(new Float32Array([0.2, 0, -7]), 3);
    expect(Array.from(t.getForwardPassCounts()!)).toEqual([3, 0, 3]);
  });

  it('is 1 for every vector without bound management, with clipping outputs, and with a perfect IO', () => {
    const none = tile(1, new IOParameters({ ...exact, noiseManagement: 'None', inpBound: 10, outBound: 1, boundManagement: 'None' }));
    none.forward(new Float32Array([0.5, 3.5]), 2);
    expect(Array.from(none.getForwardPassCounts()!)).toEqual([1, 1]);
    const perfect = tile(1, new IOParameters({ isPerfect: true }));
    perfect.forward(new Float32Array([0.5, 3.5, 0]), 3);
    expect(Array.from(perfect.getForwardPassCounts()!)).toEqual([1, 1, 1]);
  });

  it("keeps the last public forward's counts: backward, programming and drift readouts do not change them; a copy is returned", () => {
    const cfg = new InferenceRPUConfig({ forward: { ...exact, outBound: 1, boundManagement: 'Iterative' } });
    const t = backend.createTile({ outSize: 2, inSize: 2, rpuConfig: cfg, seed: 5 });
    t.setWeights(new Float32Array([2, 0, 0, 0.25]));
    t.forward(new Float32Array([1, 0, 0, 1]), 2);
    const counts = Array.from(t.getForwardPassCounts()!);
    expect(counts).toEqual([2, 1]);
    t.backward(new Float32Array([1, 1]), 1);
    t.programWeights();
    t.driftWeights(3600); // the drift compensation readout runs forward passes of its own
    expect(Array.from(t.getForwardPassCounts()!)).toEqual(counts);
    t.getForwardPassCounts()!.fill(9);
    expect(Array.from(t.getForwardPassCounts()!)).toEqual(counts);
    t.forward(new Float32Array([0, 1]), 1); // a smaller batch
    expect(Array.from(t.getForwardPassCounts()!)).toEqual([1]);
  });
});
