// Core's host physics on the wasm engine with its draws in the kernels (src/draws.ts,
// TileKernels.streamFills) gives the ndarray engine's weights bit for bit: the weight
// modifier (every type, stochastic rounding, drop connect), PCM programming, drift and
// read noise, device diffusion and write noise; and the fills are core's numbers over
// more than one chunk of draws and from any start.
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConstantStepDevice,
  InferenceRPUConfig,
  LinearStepDevice,
  RandomStream,
  RandomStreamId,
  WeightModifierType,
  SingleRPUConfig,
  type AnalogTile,
  type AnalogTileBackend,
  type RPUConfig,
} from '@crossbar/core';
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
    for (const n of [1, 5, 16, 17, 65_536 + 7, 2 * 65_536 + 1]) {
      const want = new RandomStream(12345, RandomStreamId.WeightModifier, 9, 2);
      expect(bits(fills.normal(new Float32Array(n), 12345, RandomStreamId.WeightModifier, 9, 2))).toEqual(bits(want.fillNormal(new Float32Array(n))));
      for (const start of n < 100 ? [1, 3, 70_001] : []) {
        const got = fills.normal(new Float64Array(n), 12345, RandomStreamId.DeviceDiffusion, 4, 0, start);
        const ref = new RandomStream(12345, RandomStreamId.DeviceDiffusion, 4, 0).fillNormal(new Float64Array(n), start);
        expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(ref.buffer));
      }
      expect(bits(fills.uniform(new Float32Array(n), 2 ** 40 + 3, RandomStreamId.WeightModifierDrop, 1, 0))).toEqual(
        bits(new RandomStream(2 ** 40 + 3, RandomStreamId.WeightModifierDrop, 1, 0).fillUniform(new Float32Array(n))),
      );
    }
  });

  it('rejects a start that is not a non-negative integer', async () => {
    const fills = wasmStreamFills(await loadKernels());
    expect(() => fills.normal(new Float32Array(4), 1, 0, 0, 0, -1)).toThrow(/start must be a non-negative integer/);
  });
});

/** The same operations on a tile of each engine: the weights after them, bit for bit. */
async function sameWeights(rpuConfig: RPUConfig, ops: (t: AnalogTile) => Promise<void>): Promise<void> {
  const [outSize, inSize] = [9, 70];
  const w = uniform(5, outSize * inSize, 0.5);
  const run = async (b: AnalogTileBackend): Promise<Float32Array> => {
    const t = await b.createTile({ outSize, inSize, rpuConfig, seed: 21 });
    await t.setWeights(w);
    await ops(t);
    return (await t.getWeights()) as Float32Array;
  };
  const want = await run(new NdarrayBackend());
  expect(bits(want)).not.toEqual(bits(w));
  const b = await createWasmBackend({ threads: 1 });
  backends.push(b);
  expect(bits(await run(b))).toEqual(bits(want));
}

describe("core's host physics with the wasm engine's draws", () => {
  it("PCM programming, drift and read noise (InferenceRPUConfig): the ndarray engine's weights", async () => {
    await sameWeights(new InferenceRPUConfig({ forward: { isPerfect: true } }), async (t) => {
      await t.programWeights();
      await t.driftWeights(3600);
      await t.driftWeights(86_400);
    });
  });

  it("device diffusion and write noise: the ndarray engine's weights", async () => {
    const x = uniform(8, 70 * 4, 1);
    const d = uniform(9, 9 * 4, 1);
    await sameWeights(new SingleRPUConfig({ device: new ConstantStepDevice({ diffusion: 0.05 }) }), async (t) => {
      await t.diffuseWeights();
      await t.update(x, d, 4, 0.01);
      await t.diffuseWeights();
    });
    await sameWeights(new SingleRPUConfig({ device: new LinearStepDevice({ writeNoiseStd: 0.5, diffusion: 0.02 }) }), async (t) => {
      await t.update(x, d, 4, 0.01);
      await t.diffuseWeights();
    });
  });
});
