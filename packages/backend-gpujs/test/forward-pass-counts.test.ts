/**
 * AnalogTile.getForwardPassCounts on the gpu.js engine: the analog passes each
 * input vector of the last public forward call took (1 + bound-management
 * re-runs, 0 for a vector noise management skips) are the ndarray engine's,
 * with the same seed and calls, in every Node mode that runs here.
 *
 * The ndarray engine is imported from its source by path, as in the
 * cross-engine test.
 */
import { describe, expect, it } from 'vitest';
import {
  IdealDevice,
  InferenceRPUConfig,
  IOParameters,
  SingleRPUConfig,
  type AnalogTile,
  type AnalogTileBackend,
  type IOParameters as IOParametersType,
  type RPUConfig,
} from '@crossbar/core';
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { createGpujsBackend } from '../src/index.js';
import { NODE_MODES, requireMode, testData } from './helpers.js';

const OUT = 7;
const IN = 9;
const BATCH = 6;
const ROW_SCALES = [4, 1, 0.5, 12, 4, 2];

const single = (io: IOParametersType): RPUConfig => new SingleRPUConfig({ device: new IdealDevice(), forward: io });

interface Case {
  name: string;
  config: () => RPUConfig;
  /** Scale of the weights: large enough that outputs clip and bound management re-runs. */
  wScale: number;
}

const CASES: Case[] = [
  {
    name: 'exact IO, no noise management, out_bound 1, Iterative',
    config: () => single(new IOParameters({ outNoise: 0, inpRes: -1, outRes: -1, noiseManagement: 'None', inpBound: 10, outBound: 1, boundManagement: 'Iterative' })),
    wScale: 2,
  },
  {
    name: 'noisy IO (AbsMax, out_noise, ADC), out_bound 2, Iterative',
    config: () => single(new IOParameters({ outBound: 2, boundManagement: 'Iterative' })),
    wScale: 1.5,
  },
  {
    name: 'noisy IO, PosNegSeparate, IterativeWorstCase',
    config: () => single(new IOParameters({ outBound: 2, boundManagement: 'IterativeWorstCase', mvType: 'PosNegSeparate' })),
    wScale: 1.5,
  },
  {
    name: 'InferenceRPUConfig (PCM read noise), out_bound 1, Iterative',
    config: () => new InferenceRPUConfig({ forward: { outBound: 1, boundManagement: 'Iterative' } }),
    wScale: 1,
  },
];

/** The passes of two forward calls (a second, smaller batch) on a tile of `backend`. */
async function passCounts(backend: AnalogTileBackend, c: Case): Promise<{ counts: number[][]; before: Int32Array | null }> {
  const tile: AnalogTile = await backend.createTile({ outSize: OUT, inSize: IN, rpuConfig: c.config(), seed: 11 });
  try {
    const before = (await tile.getForwardPassCounts!()) ?? null;
    await tile.setWeights(testData(OUT * IN, 3).map((v) => v * 2 * c.wScale));
    // vectors of different sizes (passes without noise management) and shapes (with it)
    const x = testData(BATCH * IN, 5).map((v, i) => v * ROW_SCALES[Math.floor(i / IN)]!);
    x.fill(0, IN, 2 * IN); // an all-zero vector: noise management lets it skip the array
    x.fill(0.01, 4 * IN + 1, 5 * IN); // one large element: a small output under AbsMax scaling
    const counts: number[][] = [];
    await tile.forward(x, BATCH);
    counts.push(Array.from((await tile.getForwardPassCounts!())!));
    await tile.backward(testData(2 * OUT, 7), 2); // a backward pass leaves the counts alone
    counts.push(Array.from((await tile.getForwardPassCounts!())!));
    await tile.forward(x.subarray(2 * IN, 4 * IN), 2);
    counts.push(Array.from((await tile.getForwardPassCounts!())!));
    return { counts, before };
  } finally {
    await tile.dispose();
  }
}

describe.each(NODE_MODES)('forward pass counts, gpujs (%s) against ndarray', (mode) => {
  for (const c of CASES) {
    it(c.name, async (ctx) => {
      requireMode(ctx, mode);
      const want = await passCounts(new NdarrayBackend(), c);
      const backend = createGpujsBackend({ mode });
      try {
        const got = await passCounts(backend, c);
        expect(got.before).toBeNull();
        expect(got.counts).toEqual(want.counts);
      } finally {
        await backend.dispose();
      }
      // the case exercises bound management: some vector needed more than one pass
      expect(Math.max(...want.counts[0]!), `${c.name}: ${want.counts[0]!.join(',')}`).toBeGreaterThan(1);
      expect(want.counts[1]).toEqual(want.counts[0]);
      expect(want.counts[2]).toHaveLength(2);
    });
  }

  it('keeps the last public forward across drift (its compensation readout runs passes of its own); a copy is returned', async (ctx) => {
    requireMode(ctx, mode);
    const backend = createGpujsBackend({ mode });
    try {
      const tile = backend.createTile({
        outSize: 2,
        inSize: 2,
        rpuConfig: new InferenceRPUConfig({ forward: { outNoise: 0, inpRes: -1, outRes: -1, outBound: 1, boundManagement: 'Iterative' } }),
        seed: 5,
      });
      tile.setWeights(new Float32Array([2, 0, 0, 0.25]));
      await tile.forward(new Float32Array([1, 0, 0, 1]), 2);
      expect(Array.from(tile.getForwardPassCounts()!)).toEqual([2, 1]);
      await tile.programWeights();
      await tile.driftWeights(3600);
      expect(Array.from(tile.getForwardPassCounts()!)).toEqual([2, 1]);
      tile.getForwardPassCounts()!.fill(9);
      expect(Array.from(tile.getForwardPassCounts()!)).toEqual([2, 1]);
      const perfect = backend.createTile({ outSize: 1, inSize: 1, rpuConfig: single(new IOParameters({ isPerfect: true })) });
      await perfect.forward(new Float32Array([0.5, 3.5, 0]), 3);
      expect(Array.from(perfect.getForwardPassCounts()!)).toEqual([1, 1, 1]);
    } finally {
      await backend.dispose();
    }
  });
});
