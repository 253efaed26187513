// The weight modifier on the wasm engine (core's physics, the draws in the kernels:
// src/draws.ts) gives the ndarray engine's modified weights bit for bit, for every
// modifier type, with stochastic rounding and drop connect, and over more than one
// chunk of draws.
import { afterAll, describe, expect, it } from 'vitest';
import { InferenceRPUConfig, RandomStream, RandomStreamId, WeightModifierType, type AnalogTile, type AnalogTileBackend } from '@crossbar/core';
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { createWasmBackend, loadKernels } from '../src/index.js';
import { wasmStreamFills } from '../src/draws.js';
import { bits, uniform } from './helpers.js';

const backends: AnalogTileBackend[] = [];
afterAll(async () => {
  for (const b of backends) await b.dispose?.();
});

/** The modified weights the training forward reads: a perfect forward of the identity (one product per output, exact). */
async function modifiedWeights(t: AnalogTile, outSize: number, inSize: number): Promise<Float32Array> {
  await t.applyWeightModifier();
  const eye = new Float32Array(inSize * inSize);
  for (let j = 0; j < inSize; j++) eye[j * inSize + j] = 1;
  const y = (await t.forward(eye, inSize)) as Float32Array; // y[j, i] = W'[i, j]
  const w = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) for (let j = 0; j < inSize; j++) w[i * inSize + j] = y[j * outSize + i]!;
  return w;
}

const MODIFIERS = [
  { type: 'AddNormal', stdDev: 0.1 },
  { type: 'MultNormal', stdDev: 0.2, relToActualWmax: false, assumedWmax: 0.8 },
  { type: 'Discretize', res: 0.1, stoRound: true },
  { type: 'DiscretizeAddNormal', res: 0.05, stdDev: 0.05, stoRound: true },
  { type: 'DoReFa', res: 0.1, stoRound: true },
  { type: 'Poly', stdDev: 0.1, coeffs: [0.1, 0.2, 0.3] },
  { type: 'ProgNoise', stdDev: 1, gMax: 25, coeffs: [0.26348, 1.965, -1.1731] },
  { type: 'PCMNoise', stdDev: 1, pcmProbAtReset: 0.1, pcmProbAtGmax: 0.1, pcmProbAtRandom: 0.1 },
  { type: 'DropConnect', pdrop: 0.3 },
  { type: 'AddNormal', stdDev: 0.1, pdrop: 0.2, copyLastColumn: true },
] as const;

describe('weight modifier on the wasm engine', () => {
  for (const modifier of MODIFIERS) {
    it(`${modifier.type}${'pdrop' in modifier ? ` (pdrop ${modifier.pdrop})` : ''}: the ndarray engine's modified weights, bit for bit, on 1 and 2 threads`, async () => {
      expect(Object.values(WeightModifierType)).toContain(modifier.type);
      const rpuConfig = new InferenceRPUConfig({ forward: { isPerfect: true }, modifier: { ...modifier } as never });
      const [outSize, inSize] = [7, 13];
      const w = uniform(3, outSize * inSize, 0.6);
      const ref = await new NdarrayBackend().createTile({ outSize, inSize, rpuConfig, seed: 11 });
      await ref.setWeights(w);
      const want = [await modifiedWeights(ref, outSize, inSize), await modifiedWeights(ref, outSize, inSize)];
      expect(bits(want[0]!)).not.toEqual(bits(w)); // the modifier changed something
      expect(bits(want[1]!)).not.toEqual(bits(want[0]!)); // and draws afresh on each call
      for (const threads of [1, 2]) {
        const b = await createWasmBackend({ threads, minThreadedWork: 0 });
        backends.push(b);
        const t = await b.createTile({ outSize, inSize, rpuConfig, seed: 11 });
        await t.setWeights(w);
        for (const expected of want) expect(bits(await modifiedWeights(t, outSize, inSize))).toEqual(bits(expected));
      }
    });
  }

  it("the kernels' fills are core's RandomStream numbers over several chunks and at odd lengths", async () => {
    const fills = wasmStreamFills(await loadKernels());
    for (const n of [1, 5, 16, 17, 65_536 + 7, 3 * 65_536 + 1]) {
      const want = new RandomStream(12345, RandomStreamId.WeightModifier, 9, 2);
      expect(bits(fills.normal(new Float32Array(n), 12345, RandomStreamId.WeightModifier, 9, 2))).toEqual(bits(want.fillNormal(new Float32Array(n))));
      expect(bits(fills.uniform(new Float32Array(n), 2 ** 40 + 3, RandomStreamId.WeightModifierDrop, 1, 0))).toEqual(
        bits(new RandomStream(2 ** 40 + 3, RandomStreamId.WeightModifierDrop, 1, 0).fillUniform(new Float32Array(n))),
      );
    }
  });
});
