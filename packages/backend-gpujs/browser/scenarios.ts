/**
 * The cross-engine scenarios: the same seed and the same calls on any engine,
 * with the arrays to compare. Shared by test/cross-engine.test.ts (gpujs in
 * Node against ndarray) and the browser page (gpujs as WebGL2).
 */
import {
  ConstantStepDevice,
  DriftParameter,
  ExpStepDevice,
  FloatingPointRPUConfig,
  IdealDevice,
  InferenceRPUConfig,
  IOParameters,
  LinearStepDevice,
  OneSidedUnitCell,
  PiecewiseStepDevice,
  PowStepDevice,
  PowStepReferenceDevice,
  SingleRPUConfig,
  SoftBoundsDevice,
  SoftBoundsReferenceDevice,
  TransferCompound,
  UnitCellRPUConfig,
  UpdateParameters,
  WeightModifierParameter,
  type AnalogTile,
  type AnalogTileBackend,
  type PulsedDevice,
  type PulseType,
  type RPUConfig,
} from '@crossbar/core';
import { testData } from './checks.js';

export interface Scenario {
  name: string;
  config: () => RPUConfig;
  outSize: number;
  inSize: number;
  batch: number;
  /** The calls, in order; returns the arrays to compare (by name). */
  run: (tile: AnalogTile, x: Float32Array, d: Float32Array, batch: number) => Promise<Record<string, Float32Array>>;
  /** Largest allowed flip (one ADC step in output units); 0 for unquantised results. */
  maxFlip: number;
  /** Largest fraction of elements that may flip (default 0.02). */
  maxFlipFraction?: number;
}

const io = (init: ConstructorParameters<typeof IOParameters>[0]) => new IOParameters(init);
const ideal = (forward: IOParameters, backward = new IOParameters()) => new SingleRPUConfig({ device: new IdealDevice(), forward, backward });

async function fwdBwd(tile: AnalogTile, x: Float32Array, d: Float32Array, batch: number): Promise<Record<string, Float32Array>> {
  const y1 = await tile.forward(x, batch);
  const y2 = await tile.forward(x, batch);
  const z = await tile.backward(d, batch);
  return { y1, y2, z };
}

async function deviceOps(tile: AnalogTile, x: Float32Array, d: Float32Array, batch: number): Promise<Record<string, Float32Array>> {
  const set = await tile.getWeights();
  await tile.decayWeights(0.5);
  await tile.diffuseWeights();
  await tile.resetColumns(1, 3, 0.5);
  await tile.driftWeights(10);
  await tile.update(x, d, batch, 0.1);
  await tile.driftWeights(20);
  const hidden = await tile.getHiddenParameters();
  return { set, w: await tile.getWeights(), maxBound: hidden.max_bound!, dwminUp: hidden.dwmin_up!, y: await tile.forward(x, batch) };
}

/**
 * Pulsed updates: with a learning rate that gives one pulse bit per row (BL = 1: lr·max|x|·max|d|
 * <= dw_min), then longer trains (BL up to 31), then the weights (and the persistent ones under
 * write noise).
 */
async function pulsedUpdates(tile: AnalogTile, x: Float32Array, d: Float32Array, batch: number): Promise<Record<string, Float32Array>> {
  await tile.update(x, d, batch, 0.001);
  await tile.update(x, d, batch, 0.002);
  const single = await tile.getWeights();
  await tile.update(x, d, batch, 0.05);
  await tile.update(x, d, batch, 0.02);
  const first = await tile.getWeights();
  await tile.update(x, d, batch, 0.2);
  const out: Record<string, Float32Array> = { single, first, w: await tile.getWeights() };
  const persistent = (await tile.getHiddenParameters()).persistent_weights;
  if (persistent) out.persistent = persistent;
  return out;
}

/**
 * A pulsed-update scenario: tight bounds (±0.3, weights up to ±0.4 clipped) so that devices walk
 * into them, where ConstantStep noise is not summed and runs pulse by pulse.
 */
function pulsed(
  name: string,
  device: () => PulsedDevice,
  update: ConstructorParameters<typeof UpdateParameters>[0],
  sizes: [number, number, number] = [10, 13, 6],
): Scenario {
  return compound(name, () => new SingleRPUConfig({ device: device(), update: new UpdateParameters(update) }), sizes);
}

/** A pulsed-update scenario of any config (a compound device's UnitCellRPUConfig). */
function compound(name: string, config: () => RPUConfig, sizes: [number, number, number] = [10, 13, 6]): Scenario {
  return {
    name: `pulsed update: ${name}`,
    config,
    outSize: sizes[0],
    inSize: sizes[1],
    batch: sizes[2],
    run: pulsedUpdates,
    // the same pulses and noise give the same weights; a float32 rounding difference (a GPU's fused
    // multiply-add) may move a summed-noise decision on its boundary: a step of dw_min plus its noise
    maxFlip: 0.02,
    maxFlipFraction: 0.01,
  };
}

const bounds = { wMax: 0.3, wMin: -0.3 };
const PULSE_TYPES: PulseType[] = ['StochasticCompressed', 'Stochastic', 'MeanCount', 'DeterministicImplicit'];

/** Every pulse type × ConstantStep and LinearStep × with and without cycle-to-cycle noise, and the other devices and layouts. */
export const PULSED_SCENARIOS: Scenario[] = [
  ...PULSE_TYPES.flatMap((pulseType) =>
    [0.3, 0].flatMap((dwMinStd) => [
      pulsed(`${pulseType}, ConstantStep, dw_min_std ${dwMinStd}`, () => new ConstantStepDevice({ ...bounds, dwMinStd }), { pulseType }),
      pulsed(`${pulseType}, LinearStep, dw_min_std ${dwMinStd}`, () => new LinearStepDevice({ ...bounds, dwMinStd, gammaUp: 0.2, gammaDown: 0.4 }), { pulseType }),
    ]),
  ),
  pulsed('StochasticCompressed, SoftBounds with write noise', () => new SoftBoundsDevice({ ...bounds, writeNoiseStd: 1.5 }), {}),
  pulsed('StochasticCompressed, ExpStep with additive noise', () => new ExpStepDevice({ dwMinStdAdd: 0.001, dwMinStdSlope: 0.2 }), {}),
  pulsed('Stochastic, PowStep', () => new PowStepDevice({ ...bounds }), { pulseType: 'Stochastic' }),
  pulsed('StochasticCompressed, ConstantStep, desired_bl 40 (trains of three 16-bit words), sto_round', () => new ConstantStepDevice(bounds), {
    desiredBl: 40,
    res: 0.01,
    stoRound: true,
  }),
  pulsed('StochasticCompressed, ConstantStep, 300 rows (two row blocks)', () => new ConstantStepDevice(bounds), {}, [6, 7, 300]),
  pulsed('DeterministicImplicit, LinearStep, 300 rows (two row blocks)', () => new LinearStepDevice(bounds), { pulseType: 'DeterministicImplicit' }, [5, 6, 300]),
  pulsed(
    'StochasticCompressed, PiecewiseStep (5 nodes), dw_min_std 0.3',
    () => new PiecewiseStepDevice({ ...bounds, dwMinStd: 0.3, piecewiseUp: [1.5, 1.2, 1, 0.6, 0.2], piecewiseDown: [0.3, 0.7, 1, 1.3, 1.6] }),
    {},
  ),
  pulsed('DeterministicImplicit, PiecewiseStep (one node)', () => new PiecewiseStepDevice({ ...bounds, piecewiseUp: [1.3], piecewiseDown: [0.8] }), {
    pulseType: 'DeterministicImplicit',
  }),
  pulsed(
    'StochasticCompressed, SoftBoundsReference with a reference, additive noise',
    () => new SoftBoundsReferenceDevice({ ...bounds, dwMinStd: 0.2, referenceMean: 0.05, referenceStd: 0.02 }),
    {},
  ),
  pulsed(
    'Stochastic, PowStepReference with a reference (bounds ±1: w + reference stays inside)',
    () => new PowStepReferenceDevice({ wMax: 1, wMin: -1, dwMinStd: 0.1, referenceMean: -0.03, referenceStd: 0.02 }),
    {
      pulseType: 'Stochastic',
    },
  ),
  // compounds (core's tile/compounds.ts): several devices per tile, each through the engine's
  // pulsedUpdate with its own arrays and seed; Tiki-Taka's transfer reads through the analog pass
  compound(
    'TransferCompound (ConstantStep, SoftBounds; default transfer IO)',
    () =>
      new UnitCellRPUConfig({
        device: new TransferCompound({
          unitCellDevices: [new ConstantStepDevice({ ...bounds, dwMinStd: 0.3 }), new SoftBoundsDevice(bounds)],
          gamma: 0.5,
          transferEvery: 1,
        }),
      }),
  ),
  compound(
    'OneSidedUnitCell (two LinearStep devices)',
    () => new UnitCellRPUConfig({ device: new OneSidedUnitCell({ unitCellDevices: [new LinearStepDevice({ ...bounds, dwMinStd: 0.2 })] }) }),
  ),
];

export const SCENARIOS: Scenario[] = [
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
    name: 'ConstantStep device: draws, bounds, decay, diffusion, reset, drift, NoneWithDevice update',
    config: () =>
      new SingleRPUConfig({
        device: new ConstantStepDevice({
          wMax: 0.3,
          wMin: -0.3,
          lifetime: 20,
          diffusion: 0.01,
          resetStd: 0.02,
          drift: new DriftParameter({ nu: 0.05, nuStd: 0.1, wNoiseStd: 0.001 }),
        }),
        update: new UpdateParameters({ pulseType: 'NoneWithDevice' }),
      }),
    outSize: 8,
    inSize: 10,
    batch: 3,
    run: deviceOps,
    maxFlip: 0.2,
  },
  {
    name: 'LinearStep device with write noise: persistent weights, NoneWithDevice update',
    config: () =>
      new SingleRPUConfig({
        device: new LinearStepDevice({ writeNoiseStd: 2, lifetime: 30, diffusion: 0.02, drift: new DriftParameter({ nu: 0.02 }) }),
        update: new UpdateParameters({ pulseType: 'NoneWithDevice' }),
      }),
    outSize: 7,
    inSize: 9,
    batch: 2,
    run: deviceOps,
    maxFlip: 0.2,
  },
  {
    name: 'weight modifier (AddNormal, drop connect) in training, not in test',
    config: () => new InferenceRPUConfig({ forward: io({ outNoise: 0.02 }), modifier: new WeightModifierParameter({ type: 'AddNormal', stdDev: 0.05, pdrop: 0.1 }) }),
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
  ...PULSED_SCENARIOS,
];

export async function runOn(backend: AnalogTileBackend, s: Scenario): Promise<Record<string, Float32Array>> {
  const tile = await backend.createTile({ outSize: s.outSize, inSize: s.inSize, rpuConfig: s.config(), seed: 4242 });
  await tile.setWeights(testData(s.outSize * s.inSize, 11).map((v) => v * 0.8));
  const x = testData(s.batch * s.inSize, 12).map((v) => v * 1.6);
  const d = testData(s.batch * s.outSize, 13);
  const r = await s.run(tile, x, d, s.batch);
  await tile.dispose();
  return r;
}
