// The wasm engine's update kernels (src/update.ts, assembly/update.ts) against the ndarray
// engine's: the same seed gives the same weights, bit for bit, after several pulsed
// updates (every pulse type, batch 1 and 256, with and without update management) and
// after floating-point updates, on every pulsed device kind; the exp and pow the steps use
// (assembly/exp.ts, assembly/pow.ts) against V8's Math.exp and Math.pow.
import { afterAll, describe, expect, it } from 'vitest';
import { NotSupportedError, rpuConfigFromDict, type AnalogTileBackend } from '@crossbar/core';
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { createWasmBackend, createWasmKernels, WasmEngine, wasmUpdateRefusal } from '../src/index.js';
import { bits, kernels, uniform } from './helpers.js';

type Dict = Record<string, unknown>;

let wasmBackend: Promise<AnalogTileBackend> | undefined;
const wasm = (): Promise<AnalogTileBackend> => (wasmBackend ??= createWasmBackend({ threads: 1 }));
const ndarray = new NdarrayBackend();
afterAll(async () => {
  await (await wasmBackend)?.dispose?.();
});

/** The weights after `calls` updates of `batch` rows on each engine (same seed, inputs, config). */
async function weightsAfter(
  device: Dict,
  update: Dict,
  outSize: number,
  inSize: number,
  batch: number,
  seed: number,
  calls: number,
  lr: number,
): Promise<[Float32Array, Float32Array]> {
  const results: Float32Array[] = [];
  for (const backend of [ndarray, await wasm()]) {
    const rpuConfig = rpuConfigFromDict({ type: 'SingleRPUConfig', device, update });
    const tile = await backend.createTile({ outSize, inSize, rpuConfig, seed });
    await tile.setWeights(uniform(seed + 1, outSize * inSize, 0.4));
    for (let c = 0; c < calls; c++) {
      await tile.update(uniform(seed + 10 + c, batch * inSize, 1), uniform(seed + 100 + c, batch * outSize, 1), batch, lr);
    }
    results.push(await tile.getWeights());
    await tile.dispose();
  }
  return [results[0]!, results[1]!];
}

const PULSE_TYPES = ['StochasticCompressed', 'Stochastic', 'DeterministicImplicit', 'MeanCount'] as const;
const DEVICES: [string, Dict][] = [
  ['ConstantStep (dw_min_std 0.3: the summed-pulse shortcut)', { type: 'ConstantStepDevice' }],
  ['ConstantStep without cycle-to-cycle noise', { type: 'ConstantStepDevice', dw_min_std: 0 }],
  ['ConstantStep near its bounds (tight bounds: the pulse-by-pulse walk)', { type: 'ConstantStepDevice', w_max: 0.45, w_min: -0.45, w_max_dtod: 0, w_min_dtod: 0 }],
  ['LinearStep (additive noise)', { type: 'LinearStepDevice', gamma_up: 0.2, gamma_down: 0.3 }],
  ['LinearStep (multiplicative noise)', { type: 'LinearStepDevice', mult_noise: true }],
  ['SoftBounds', { type: 'SoftBoundsDevice' }],
  ['PiecewiseStep (5 nodes)', { type: 'PiecewiseStepDevice', piecewise_up: [1.6, 1.2, 1, 0.7, 0.3], piecewise_down: [0.4, 0.8, 1, 1.3, 1.5] }],
  ['PiecewiseStep (one node, no noise)', { type: 'PiecewiseStepDevice', piecewise_up: [1.2], piecewise_down: [0.9], dw_min_std: 0 }],
  ['SoftBoundsReference (additive noise)', { type: 'SoftBoundsReferenceDevice', reference_std: 0.05 }],
  ['SoftBoundsReference (multiplicative noise)', { type: 'SoftBoundsReferenceDevice', mult_noise: true, reference_mean: 0.1 }],
  ['ExpStep (defaults)', { type: 'ExpStepDevice' }],
  ['ExpStep (complex noise: dw_min_std_add, dw_min_std_slope)', { type: 'ExpStepDevice', dw_min_std_add: 0.2, dw_min_std_slope: 0.5, A_up: 0.2, A_down: 0.3 }],
  ['PowStep (defaults: γ = 1 with device-to-device spread)', { type: 'PowStepDevice' }],
  ['PowStep (fractional γ, up/down bias, no cycle-to-cycle noise)', { type: 'PowStepDevice', pow_gamma: 2.7, pow_up_down: 0.3, pow_up_down_dtod: 0.05, dw_min_std: 0 }],
  ['PowStep (tight bounds: the walk reaches them)', { type: 'PowStepDevice', pow_gamma: 0.45, w_max: 0.45, w_min: -0.45, w_max_dtod: 0, w_min_dtod: 0 }],
  ['PowStepReference (reference spread)', { type: 'PowStepReferenceDevice', pow_gamma: 1.6, reference_std: 0.05 }],
  ['PowStepReference (no cycle-to-cycle noise)', { type: 'PowStepReferenceDevice', pow_gamma: 3.3, pow_up_down: -0.2, reference_mean: 0.1, dw_min_std: 0 }],
];

describe('wasm pulsed update vs the ndarray engine (bit-identical weights)', () => {
  for (const [name, device] of DEVICES) {
    for (const pulseType of PULSE_TYPES) {
      it(`${name}, ${pulseType}: batch 1 and 256, with and without update management, two seeds`, async () => {
        for (const seed of [3, 11]) {
          for (const [batch, calls] of [
            [1, 6],
            [256, 2],
          ] as const) {
            for (const management of [true, false]) {
              const update = { pulse_type: pulseType, update_management: management, update_bl_management: management, desired_bl: management ? 31 : 5 };
              const lr = management ? 0.01 : 0.002;
              const [expected, got] = await weightsAfter(device, update, 13, 21, batch, seed, calls, lr);
              expect(bits(got), `seed ${seed}, batch ${batch}, management ${management}`).toEqual(bits(expected));
              // the updates did something
              const [before] = await weightsAfter(device, update, 13, 21, batch, seed, 0, lr);
              expect(bits(got)).not.toEqual(bits(before));
            }
          }
        }
      });
    }
  }

  it('BL 1 (update management at lr = dw_min, as in the bench): one-bit trains, near and far from the bounds', async () => {
    for (const device of [{ type: 'ConstantStepDevice' }, { type: 'ConstantStepDevice', w_max: 0.41, w_min: -0.41, w_max_dtod: 0, w_min_dtod: 0 }]) {
      for (const pulseType of ['StochasticCompressed', 'Stochastic']) {
        const [expected, got] = await weightsAfter(device, { pulse_type: pulseType }, 24, 40, 256, 6, 12, 0.001);
        expect(bits(got)).toEqual(bits(expected));
      }
    }
  });

  it('sto_round and res: the probabilities as core draws them', async () => {
    const update = { pulse_type: 'StochasticCompressed', res: 0.05, sto_round: true, desired_bl: 7, update_bl_management: false };
    const [expected, got] = await weightsAfter({ type: 'ConstantStepDevice' }, update, 9, 33, 40, 5, 3, 0.01);
    expect(bits(got)).toEqual(bits(expected));
  });

  it('several row blocks (batch 600 > 256 rows): the pulse count carries over', async () => {
    const update = { pulse_type: 'StochasticCompressed', desired_bl: 3, update_bl_management: false, update_management: false };
    for (const device of [
      { type: 'ConstantStepDevice' },
      { type: 'ConstantStepDevice', w_max: 0.42, w_min: -0.42, w_max_dtod: 0, w_min_dtod: 0 },
      { type: 'SoftBoundsDevice' },
    ]) {
      const [expected, got] = await weightsAfter(device, update, 7, 10, 600, 9, 1, 0.004);
      expect(bits(got)).toEqual(bits(expected));
    }
  });

  it('a call that fails (the kernels cannot get its memory) throws and leaves the tile as it was', async () => {
    const small = await createWasmBackend({ threads: 1, maximumBytes: 4 << 20 });
    try {
      const rpuConfig = rpuConfigFromDict({ type: 'SingleRPUConfig', device: { type: 'ConstantStepDevice' } });
      // a 512 × 512 update needs about 7 MiB of kernel memory (the device's arrays, the noise table)
      const tile = await small.createTile({ outSize: 512, inSize: 512, rpuConfig, seed: 1 });
      await tile.setWeights(uniform(1, 512 * 512, 0.3));
      const w0 = await tile.getWeights();
      expect(() => tile.update(uniform(2, 4 * 512, 1), uniform(3, 4 * 512, 1), 4, 0.01)).toThrow(/grow/);
      const w1 = await tile.getWeights();
      expect(w1.every((v, k) => Object.is(v, w0[k]))).toBe(true);
      await tile.dispose();
    } finally {
      await small.dispose?.();
    }
  });

  it('every pulsed device kind runs in the kernel (no refusal)', () => {
    for (const kind of ['ConstantStep', 'LinearStep', 'SoftBounds', 'PiecewiseStep', 'SoftBoundsReference', 'ExpStep', 'PowStep', 'PowStepReference']) {
      expect(wasmUpdateRefusal({ device: { kind } as never }), kind).toBeNull();
    }
    expect(wasmUpdateRefusal({ device: { kind: 'NoSuchStep' } as never })).toBe('device NoSuchStep');
  });

  it('a device kind the kernel does not know is refused with a NotSupportedError naming it, and nothing is written', async () => {
    const engine = await WasmEngine.create({ threads: 1 });
    try {
      const rpuConfig = rpuConfigFromDict({ type: 'SingleRPUConfig', device: { type: 'ConstantStepDevice' } });
      const k = createWasmKernels(engine, { engine: 'wasm', outSize: 2, inSize: 3, seed: 1, rpuConfig });
      const target = new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
      const args = { device: { kind: 'NoSuchStep' }, target } as never;
      expect(() => k.pulsedUpdate!(args)).toThrow(NotSupportedError);
      expect(() => k.pulsedUpdate!(args)).toThrow(/wasm engine: the pulsed update of device NoSuchStep is not supported/);
      expect(Array.from(target)).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])));
      k.dispose?.();
    } finally {
      await engine.dispose();
    }
  });
});

describe("fdlibmExp (assembly/exp.ts) is V8's Math.exp", () => {
  it('bit for bit on float32 arguments of every scale, the range limits and the special values', async () => {
    const { exports } = await kernels();
    const fdlibmExp = (exports as unknown as { fdlibmExp(x: number): number }).fdlibmExp;
    const xs: number[] = [
      0,
      -0,
      1,
      -1,
      0.5,
      -0.5,
      1e-9,
      -1e-9,
      2 ** -30,
      0.34657359,
      0.3465736,
      1.0397208,
      1.03972,
      700,
      709.78,
      709.79,
      -745.1,
      -745.2,
      1000,
      -1000,
      Infinity,
      -Infinity,
      NaN,
    ];
    const u = uniform(77, 200000, 1);
    for (let k = 0; k < u.length; k++) {
      // float32 arguments from 2^-30 to 2^10 in magnitude, both signs (ExpStep passes fl(γ·z))
      xs.push(Math.fround(u[k]! * 2 ** ((k % 41) - 30)));
    }
    let bad = 0;
    for (const x of xs) if (!Object.is(fdlibmExp(x), Math.exp(x))) bad++;
    expect(bad).toBe(0);
  });
});

describe("fdlibmPow (assembly/pow.ts) is V8's Math.pow", () => {
  it('bit for bit on the PowStep arguments (float32 bases in [0, 2], exponents in [0, 10]) and the special values', async () => {
    const { exports } = await kernels();
    const fdlibmPow = (exports as unknown as { fdlibmPow(x: number, y: number): number }).fdlibmPow;
    const special = [
      0,
      -0,
      1,
      -1,
      0.5,
      -0.5,
      2,
      -2,
      3,
      -3,
      10,
      1 / 3,
      2.5,
      -2.5,
      7,
      1e-310,
      -1e-310,
      5e-324,
      1e308,
      -1e308,
      0.9999999,
      1.0000001,
      1024,
      -1075,
      2 ** 31 + 0.5,
      2 ** 53,
      2 ** 64,
      Infinity,
      -Infinity,
      NaN,
    ];
    let bad = 0;
    let count = 0;
    const check = (x: number, y: number): void => {
      count++;
      if (!Object.is(fdlibmPow(x, y), Math.pow(x, y))) bad++;
    };
    for (const x of special) for (const y of special) check(x, y);
    const u = uniform(91, 400000, 1);
    const v = uniform(92, 400000, 1);
    for (let k = 0; k < u.length; k++) {
      // PowStep's bases: float32 quotients (w − min)/(max − min) in [0, 2]; exponents: float32 γ in [0, 10],
      // integers and halves (γ = 1, 2, 0.5 take pow's shortcuts), and float64 ones
      const x = Math.fround(u[k]! + 1);
      const g = Math.abs(v[k]!) * 10;
      check(x, Math.fround(g));
      check(x, Math.round(g * 2) / 2);
      check(x, g);
    }
    const w = uniform(93, 100000, 1);
    for (let k = 0; k < w.length; k++) {
      // any sign and scale: negative bases with integer exponents, subnormal bases, overflow and underflow
      const x = w[k]! * 2 ** ((k % 61) - 30);
      const y = v[k]! * 2 ** ((k % 23) - 8);
      check(x, y);
      check(x, Math.round(y));
      check(w[k]! * 1e-308, Math.abs(y));
      check(1 + w[k]! * 1e-7, y * 2 ** 30);
    }
    expect(count).toBeGreaterThan(1_000_000);
    expect(bad).toBe(0);
  });
});

describe('wasm floating-point update vs the ndarray engine', () => {
  for (const batch of [1, 7, 64]) {
    it(`batch ${batch}: W += −lr·dᵀx rounded as BLAS ger / gemm, bit for bit`, async () => {
      const [outSize, inSize] = [19, 23];
      const results: Float32Array[] = [];
      for (const backend of [ndarray, await wasm()]) {
        const tile = await backend.createTile({ outSize, inSize, rpuConfig: rpuConfigFromDict({ type: 'FloatingPointRPUConfig' }), seed: 2 });
        await tile.setWeights(uniform(1, outSize * inSize, 0.5));
        for (let c = 0; c < 3; c++) {
          const d = uniform(30 + c, batch * outSize, 1);
          d[2] = 0; // a zero gradient entry (the kernels skip it)
          await tile.update(uniform(20 + c, batch * inSize, 1), d, batch, 0.037);
        }
        results.push(await tile.getWeights());
        await tile.dispose();
      }
      expect(bits(results[1]!)).toEqual(bits(results[0]!));
    });
  }
});
