/**
 * Cross-engine: with the same seed and the same calls, the gpu.js engine (each
 * mode that runs here) and the ndarray engine give the same numbers — noisy
 * forward and backward outputs (every random stream of the pass), the
 * floating-point update, the weight modifier and PCM programming and drift —
 * to the float32 tolerance of the mode (the conformance package's TOLERANCES).
 * A quantised output may sit on a rounding boundary that float32 sums (GPU)
 * and float64 sums (ndarray) round differently: such flips are one step of the
 * ADC, counted and kept rare.
 *
 * The ndarray engine is imported from its source by path: no engine depends on
 * another (design.md), and this test is where the two meet.
 */
import { describe, expect, it } from 'vitest';
import {
  FloatingPointRPUConfig,
  IdealDevice,
  InferenceRPUConfig,
  IOParameters,
  SingleRPUConfig,
  WeightModifierParameter,
  type AnalogTile,
  type AnalogTileBackend,
  type RPUConfig,
} from '@crossbar/core';
import { floatAllowance, TOLERANCES, type ToleranceMode } from '@crossbar/conformance/portable';
import { NdarrayBackend } from '../../backend-ndarray/src/index.js';
import { createGpujsBackend } from '../src/index.js';
import type { GpujsMode } from '../src/modes.js';
import { NODE_MODES, requireMode, testData } from './helpers.js';

const toleranceMode = (mode: GpujsMode): ToleranceMode => (mode === 'cpu' ? 'cpu' : mode === 'webasm' ? 'webasm' : mode === 'webgl' ? 'webgl2' : mode);

interface Agreement {
  worst: number;
  allowance: number;
  flips: number;
  n: number;
}

/** Elements beyond the float allowance of the array's scale are flips; the worst is reported. */
function agree(mode: GpujsMode, got: Float32Array, want: Float32Array, terms: number): Agreement {
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  const allowance = floatAllowance(TOLERANCES[toleranceMode(mode)], Math.max(scale, 1e-30), terms) * Math.max(1, terms / 16);
  let flips = 0;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= allowance)) {
      flips++;
      worst = Math.max(worst, d);
    }
  }
  return { worst, allowance, flips, n: want.length };
}

function expectAgreement(a: Agreement, what: string, maxFlipFraction: number, maxFlip: number): void {
  const allowed = Math.floor(maxFlipFraction * a.n);
  expect(a.flips, `${what}: ${a.flips} of ${a.n} beyond ${a.allowance.toExponential(2)} (worst ${a.worst})`).toBeLessThanOrEqual(allowed);
  expect(a.worst, `${what}: a flip larger than a quantisation step`).toBeLessThanOrEqual(maxFlip);
}

interface Scenario {
  name: string;
  config: () => RPUConfig;
  outSize: number;
  inSize: number;
  batch: number;
  /** The calls, in order; returns the arrays to compare (by name). */
  run: (tile: AnalogTile, x: Float32Array, d: Float32Array, batch: number) => Promise<Record<string, Float32Array>>;
  /** Largest allowed flip (one ADC step in output units); 0 for unquantised results. */
  maxFlip: number;
}

const io = (init: ConstructorParameters<typeof IOParameters>[0]) => new IOParameters(init);
const ideal = (forward: IOParameters, backward = new IOParameters()) => new SingleRPUConfig({ device: new IdealDevice(), forward, backward });

async function fwdBwd(tile: AnalogTile, x: Float32Array, d: Float32Array, batch: number): Promise<Record<string, Float32Array>> {
  const y1 = await tile.forward(x, batch);
  const y2 = await tile.forward(x, batch);
  const z = await tile.backward(d, batch);
  return { y1, y2, z };
}

const SCENARIOS: Scenario[] = [
  { name: 'default IO (noise, noise and bound management, ADC)', config: () => ideal(io({})), outSize: 24, inSize: 40, batch: 9, run: fwdBwd, maxFlip: 0.2 },
  {
    name: 'input and output noise, stochastic rounding, small output bound (bound management re-runs)',
    config: () => ideal(io({ inpNoise: 0.05, outNoise: 0.1, inpStoRound: true, outStoRound: true, outBound: 2 }), io({ inpNoise: 0.02, outStoRound: true })),
    outSize: 20,
    inSize: 33,
    batch: 7,
    run: fwdBwd,
    maxFlip: 0.2,
  },
  {
    name: 'weight noise (additive constant) and IterativeWorstCase',
    config: () => ideal(io({ wNoise: 0.05, wNoiseType: 'AdditiveConstant', boundManagement: 'IterativeWorstCase', outBound: 3 })),
    outSize: 16,
    inSize: 24,
    batch: 5,
    run: fwdBwd,
    maxFlip: 0.2,
  },
  {
    name: 'PCM read noise, IR drop, voltage offsets, non-linearity',
    config: () =>
      ideal(io({ wNoise: 0.04, wNoiseType: 'PCMRead', irDrop: 0.5, irDropGRatio: 100, vOffsetStd: 0.05, rSeries: 0.02, outNonlinearity: 0.3, outNonlinearityStd: 0.2 })),
    outSize: 13,
    inSize: 21,
    batch: 6,
    run: fwdBwd,
    maxFlip: 0.2,
  },
  {
    name: 'PosNegSeparateDigitalSum with read asymmetry and input asymmetry',
    config: () => ideal(io({ mvType: 'PosNegSeparateDigitalSum', wReadAsymmetryDtod: 0.1, inpAsymmetry: 0.1, outAsymmetry: 0.1, outBound: 1 })),
    outSize: 12,
    inSize: 18,
    batch: 5,
    run: fwdBwd,
    maxFlip: 0.2,
  },
  {
    name: 'PosNegSeparate (one ADC for the sum)',
    config: () => ideal(io({ mvType: 'PosNegSeparate', wReadAsymmetryDtod: 0.05, outNoise: 0.05 })),
    outSize: 10,
    inSize: 14,
    batch: 4,
    run: fwdBwd,
    maxFlip: 0.2,
  },
  {
    name: 'floating-point update, diffusion and decay',
    config: () => new FloatingPointRPUConfig({ device: { diffusion: 0.01, lifetime: 50 } } as never),
    outSize: 9,
    inSize: 11,
    batch: 4,
    async run(tile, x, d, batch) {
      await tile.update(x, d, batch, 0.1);
      await tile.update(x.subarray(0, 11), d.subarray(0, 9), 1, 0.05);
      await tile.diffuseWeights();
      await tile.decayWeights();
      return { w: await tile.getWeights(), y: await tile.forward(x, batch) };
    },
    maxFlip: 0,
  },
  {
    name: 'weight modifier (AddNormal, drop connect) in training, not in test',
    config: () =>
      new InferenceRPUConfig({ forward: io({ outNoise: 0.02 }), modifier: new WeightModifierParameter({ type: 'AddNormal', stdDev: 0.05, pdrop: 0.1 }) }),
    outSize: 12,
    inSize: 15,
    batch: 4,
    async run(tile, x, _d, batch) {
      await tile.applyWeightModifier();
      return { train: await tile.forward(x, batch), test: await tile.forward(x, batch, { isTest: true }) };
    },
    maxFlip: 0.2,
  },
  {
    name: 'PCM programming, drift with read noise, drift compensation',
    config: () => new InferenceRPUConfig({ forward: io({ outNoise: 0.0 }) }),
    outSize: 10,
    inSize: 12,
    batch: 3,
    async run(tile, x, _d, batch) {
      await tile.programWeights();
      const programmed = await tile.getWeights();
      await tile.driftWeights(3600);
      return {
        programmed,
        drifted: await tile.getWeights(),
        y: await tile.forward(x, batch, { isTest: true }),
        alpha: new Float32Array([await tile.getDriftCompensationScale()]),
        nu0: (await tile.getHiddenParameters()).nu_drift_0!,
      };
    },
    maxFlip: 0.2,
  },
];

async function runOn(backend: AnalogTileBackend, s: Scenario): Promise<Record<string, Float32Array>> {
  const tile = await backend.createTile({ outSize: s.outSize, inSize: s.inSize, rpuConfig: s.config(), seed: 4242 });
  await tile.setWeights(testData(s.outSize * s.inSize, 11).map((v) => v * 0.8));
  const x = testData(s.batch * s.inSize, 12).map((v) => v * 1.6);
  const d = testData(s.batch * s.outSize, 13);
  const r = await s.run(tile, x, d, s.batch);
  await tile.dispose();
  return r;
}

describe.each(NODE_MODES)('gpujs (%s) against ndarray, same seed and calls', (mode) => {
  for (const s of SCENARIOS) {
    it(s.name, async (ctx) => {
      requireMode(ctx, mode);
      const reference = await runOn(new NdarrayBackend(), s);
      const backend = createGpujsBackend({ mode });
      try {
        const got = await runOn(backend, s);
        expect(Object.keys(got)).toEqual(Object.keys(reference));
        for (const [key, want] of Object.entries(reference)) {
          const terms = Math.max(s.inSize, s.outSize);
          expectAgreement(agree(mode, got[key]!, want, terms), `${s.name}: ${key}`, 0.02, s.maxFlip);
        }
      } finally {
        await backend.dispose();
      }
    });
  }
});
