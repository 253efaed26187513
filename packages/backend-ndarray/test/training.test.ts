/**
 * Weight modifier, clip, remap and the digital output scales of the ndarray
 * engine against aihwkit 0.7.1 (the oracle's modifier.json, clip_remap.json),
 * plus the behaviour around them. A perfect float32 MVM stands in for the MVM
 * module (the oracle cases use is_perfect forward), so only the weights' physics
 * is under test here; the conformance suite runs the same cases through the real one.
 */
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, FloatingPointRPUConfig, InferenceRPUConfig, InputError, SingleRPUConfig, rpuConfigFromDict, type WeightModifierParameter } from '@crossbar/core';
import { NdarrayTile } from '../src/tile.js';
import { closeness, eye, flat, loadOracle, meanStd, statZ, transpose, type OracleCase } from './training-helpers.js';

vi.mock('../src/mvm.js', async () => {
  const { createPerfectMvm } = await import('./training-helpers.js');
  return { createMvm: createPerfectMvm };
});

function shape(v: unknown): number[] {
  const dims: number[] = [];
  let x = v;
  while (Array.isArray(x)) {
    dims.push(x.length);
    x = x[0];
  }
  return dims;
}

function caseTile(c: OracleCase, extra: Record<string, unknown> = {}, seed = 0): NdarrayTile {
  const [outSize, inSize] = shape(c.weights) as [number, number];
  const { modifier, clip, remap } = c.config as Record<string, unknown>;
  const dict: Record<string, unknown> = { type: 'InferenceRPUConfig', forward: { is_perfect: true }, ...extra };
  if (modifier) dict.modifier = modifier;
  if (clip) dict.clip = clip;
  if (remap) dict.remap = remap;
  const tile = new NdarrayTile({ outSize, inSize, rpuConfig: rpuConfigFromDict(dict), seed });
  tile.setWeights(flat(c.weights));
  return tile;
}

/** The weights the training-mode forward pass reads (forward on the one-hot inputs, perfect MVM). */
function forwardWeights(tile: NdarrayTile, isTest = false): Float32Array {
  return transpose(tile.forward(eye(tile.inSize), tile.inSize, { isTest }), tile.inSize, tile.outSize);
}

const ULP = 2 ** -23;

describe('weight modifier vs aihwkit (modifier.json)', () => {
  const all = loadOracle('modifier');
  const deterministic = all.filter(({ c }) => (c.reps ?? 1) === 1);
  const stochastic = all.filter(({ c }) => (c.reps ?? 1) > 1);

  it('has the 15 cases, 7 deterministic', () => {
    expect(all).toHaveLength(15);
    expect(deterministic).toHaveLength(7);
  });

  for (const { c, e } of deterministic) {
    it(`${c.name}: modified weights and outputs match to float32 rounding`, () => {
      const tile = caseTile(c);
      const [batch] = shape(c.inputs) as [number];
      const x = flat(c.inputs);
      tile.applyWeightModifier();
      expect(closeness(forwardWeights(tile), flat(e.modified_weights), 1e-7, 2 * ULP)).toBeLessThanOrEqual(1);
      expect(closeness(tile.forward(x, batch), flat(e.outputs), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
      expect(closeness(tile.forward(x, batch, { isTest: true }), flat(e.outputs_test), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
      // The tile's own weights never change.
      expect(tile.getWeights()).toEqual(flat(c.weights));
    });
  }

  for (const { c, e } of stochastic) {
    it(`${c.name}: per-element mean and std match aihwkit's over ${String(c.reps)} draws`, () => {
      const reps = 2000;
      const tile = caseTile(c, {}, 7);
      const samples: Float32Array[] = [];
      for (let r = 0; r < reps; r++) {
        tile.applyWeightModifier();
        samples.push(forwardWeights(tile));
      }
      const ours = meanStd(samples);
      const ref = { mean: flat(e.modified_weights_mean), std: flat(e.modified_weights_std) };
      const z = statZ(ours, reps, ref, c.reps!, 1e-4);
      expect(z.mean).toBeLessThan(4.5);
      expect(z.std).toBeLessThan(4.5);
      // Test mode reads the unmodified weights.
      const [batch] = shape(c.inputs) as [number];
      expect(closeness(tile.forward(flat(c.inputs), batch, { isTest: true }), flat(e.outputs_test), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    });
  }
});

describe('weight clip and remap vs aihwkit (clip_remap.json)', () => {
  const all = loadOracle('clip_remap');
  it('has the 14 cases', () => expect(all).toHaveLength(14));

  for (const { c, e } of all) {
    it(`${c.name}: weights${c.kind === 'remap' ? ', scales and outputs' : ''} after each call match`, () => {
      const tile = caseTile(c);
      const cfg = c.config as { n: number; scales_init?: number[] };
      if (cfg.scales_init) tile.setScales(Float32Array.from(cfg.scales_init));
      const weights = flat(e.weights);
      const size = tile.outSize * tile.inSize;
      for (let call = 0; call < cfg.n; call++) {
        if (c.kind === 'clip') tile.clipWeights();
        else tile.remapWeights();
        expect(closeness(tile.getWeights(), weights.subarray(call * size, (call + 1) * size), 1e-7, 2 * ULP)).toBeLessThanOrEqual(1);
        if (c.kind === 'remap') {
          const scales = flat(e.scales).subarray(call * tile.outSize, (call + 1) * tile.outSize);
          expect(closeness(tile.getScales(), scales, 1e-7, 2 * ULP)).toBeLessThanOrEqual(1);
        }
      }
      if (c.kind === 'remap') {
        const [batch] = shape(c.inputs) as [number];
        const y = tile.forward(flat(c.inputs), batch, { isTest: true });
        expect(closeness(y, flat(e.outputs), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
        // The layer function is unchanged by remapping (the scales carry the factor).
        expect(closeness(y, tile.forward(flat(c.inputs), batch), 1e-7)).toBeLessThanOrEqual(1);
      }
    });
  }
});

function inferenceTile(modifier: Partial<Record<keyof WeightModifierParameter, unknown>>, outSize = 4, inSize = 5, seed = 3): NdarrayTile {
  const rpuConfig = new InferenceRPUConfig({ forward: { isPerfect: true }, modifier: modifier as never });
  return new NdarrayTile({ outSize, inSize, rpuConfig, seed });
}

function ramp(n: number, scale = 0.1, offset = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.fround(((i * 7) % 11) * scale - 0.5 + offset));
}

describe('weight modifier behaviour', () => {
  it('forward in training and backward read the modified weights; test mode the weights (unless enableDuringTest)', () => {
    for (const enableDuringTest of [false, true]) {
      const tile = inferenceTile({ type: 'Discretize', res: 0.25, enableDuringTest });
      const w = ramp(20);
      tile.setWeights(w);
      tile.applyWeightModifier();
      const m = forwardWeights(tile);
      expect(m).not.toEqual(w);
      // backward: z = Mᵀ d, so backward on the one-hot d gives the rows of M.
      expect(tile.backward(eye(4), 4)).toEqual(m);
      expect(forwardWeights(tile, true)).toEqual(enableDuringTest ? m : w);
    }
  });

  it('keeps the modified weights across calls until the next applyWeightModifier, drops them on setWeights', () => {
    const tile = inferenceTile({ type: 'AddNormal', stdDev: 0.1 });
    tile.setWeights(ramp(20));
    tile.applyWeightModifier();
    const m1 = forwardWeights(tile);
    expect(forwardWeights(tile)).toEqual(m1);
    tile.applyWeightModifier();
    const m2 = forwardWeights(tile);
    expect(m2).not.toEqual(m1);
    const w = ramp(20, 0.05);
    tile.setWeights(w);
    expect(forwardWeights(tile)).toEqual(w);
  });

  it('is reproducible from the seed', () => {
    const draw = (seed: number): Float32Array => {
      const tile = inferenceTile({ type: 'Poly', stdDev: 1, pdrop: 0.2 }, 4, 5, seed);
      tile.setWeights(ramp(20));
      tile.applyWeightModifier();
      return forwardWeights(tile);
    };
    expect(draw(11)).toEqual(draw(11));
    expect(draw(11)).not.toEqual(draw(12));
  });

  it('Copy without pdrop and None modify nothing and draw nothing', () => {
    for (const modifier of [{ type: 'Copy' }, { type: 'None', pdrop: 0.5 }]) {
      const tile = inferenceTile(modifier);
      const w = ramp(20);
      tile.setWeights(w);
      const call = tile.rngCall;
      tile.applyWeightModifier();
      expect(tile.rngCall).toBe(call);
      expect(forwardWeights(tile)).toEqual(w);
    }
  });

  it('DropConnect (and pdrop with any type) zeroes a pdrop fraction; copyLastColumn keeps the last column', () => {
    const tile = inferenceTile({ type: 'DropConnect', pdrop: 0.3, copyLastColumn: true }, 50, 40);
    const w = Float32Array.from({ length: 2000 }, (_, i) => 0.1 + (i % 13) / 20);
    tile.setWeights(w);
    tile.applyWeightModifier();
    const m = forwardWeights(tile);
    let zeros = 0;
    for (let r = 0; r < 50; r++) {
      for (let c = 0; c < 39; c++) {
        const v = m[r * 40 + c]!;
        if (v === 0) zeros++;
        else expect(v).toBe(w[r * 40 + c]);
      }
      expect(m[r * 40 + 39]).toBe(w[r * 40 + 39]);
    }
    expect(zeros / (50 * 39)).toBeGreaterThan(0.26);
    expect(zeros / (50 * 39)).toBeLessThan(0.34);
  });

  it('ProgNoise adds Poly noise of std std_dev/g_max·Σc_k|w/amax|^k·amax and keeps the sign', () => {
    const coeffs = [0.2, 0.4, 0.1];
    const tile = inferenceTile({ type: 'ProgNoise', stdDev: 5, gMax: 25, coeffs }, 2, 3);
    const w = Float32Array.of(0.8, -0.4, 0.02, -0.02, 0.6, -0.8);
    tile.setWeights(w);
    const samples: Float32Array[] = [];
    for (let r = 0; r < 4000; r++) {
      tile.applyWeightModifier();
      const m = forwardWeights(tile);
      for (let i = 0; i < 6; i++) expect(Math.sign(m[i]!) * Math.sign(w[i]!)).toBeGreaterThanOrEqual(0);
      samples.push(m);
    }
    const { mean, std } = meanStd(samples);
    for (const i of [0, 1, 4, 5]) {
      // far from zero the mirroring does not matter: mean w, std as the formula
      const a = Math.abs(w[i]!) / 0.8;
      const sd = (5 / 25) * (coeffs[0]! + coeffs[1]! * a + coeffs[2]! * a * a) * 0.8;
      expect(Math.abs(mean[i]! - w[i]!)).toBeLessThan((5 * sd) / Math.sqrt(4000));
      expect(Math.abs(std[i]! / sd - 1)).toBeLessThan(0.06);
    }
  });

  it('PCMNoise: no noise and no drift time give the weights back; with noise the std is programming plus read noise', () => {
    const quiet = inferenceTile({ type: 'PCMNoise', stdDev: 0 }, 2, 3);
    const w = Float32Array.of(0.8, -0.4, 0.2, -0.1, 0.6, -0.8);
    quiet.setWeights(w);
    quiet.applyWeightModifier();
    expect(closeness(forwardWeights(quiet), w, 1e-7, 4 * ULP)).toBeLessThanOrEqual(1);

    const noisy = inferenceTile({ type: 'PCMNoise', stdDev: 1 }, 2, 3);
    noisy.setWeights(w);
    const samples: Float32Array[] = [];
    for (let r = 0; r < 4000; r++) {
      noisy.applyWeightModifier();
      samples.push(forwardWeights(noisy));
    }
    const { mean, std } = meanStd(samples);
    const readFactor = Math.sqrt(Math.log((20 + 250e-9) / (2 * 250e-9)));
    for (const i of [0, 1, 4, 5]) {
      const g = (Math.abs(w[i]!) / 0.8) * 25;
      const a = g / 25;
      const sigProg = 0.26348 + 1.965 * a - 1.1731 * a * a;
      const qs = Math.min(0.0088 / Math.max(a ** 0.65, 1e-3), 0.2);
      const sd = (Math.sqrt(sigProg ** 2 + (g * qs * readFactor) ** 2) / 25) * 0.8;
      expect(Math.abs(mean[i]! - w[i]!)).toBeLessThan((5 * sd) / Math.sqrt(4000));
      expect(Math.abs(std[i]! / sd - 1)).toBeLessThan(0.06);
    }
  });

  it('MultNormal scales its relative std by amax, as aihwkit does', () => {
    const tile = inferenceTile({ type: 'MultNormal', stdDev: 0.2, relToActualWmax: false, assumedWmax: 2 }, 1, 2);
    tile.setWeights(Float32Array.of(0.5, -0.25));
    const samples: Float32Array[] = [];
    for (let r = 0; r < 4000; r++) {
      tile.applyWeightModifier();
      samples.push(forwardWeights(tile));
    }
    const { std } = meanStd(samples);
    expect(std[0]! / (0.5 * 0.2 * 2)).toBeCloseTo(1, 1);
    expect(std[1]! / (0.25 * 0.2 * 2)).toBeCloseTo(1, 1);
  });
});

describe('clip, remap and scales behaviour', () => {
  it('applies the scales to forward outputs and backward gradients, in training and test', () => {
    const tile = new NdarrayTile({ outSize: 3, inSize: 2, rpuConfig: new InferenceRPUConfig({ forward: { isPerfect: true } }) });
    tile.setWeights(Float32Array.of(1, 2, 3, 4, 5, 6));
    tile.setScales(Float32Array.of(2, 0.5, -1));
    expect(tile.getScales()).toEqual(Float32Array.of(2, 0.5, -1));
    expect(tile.forward(Float32Array.of(1, 1), 1)).toEqual(Float32Array.of(6, 3.5, -11));
    expect(tile.forward(Float32Array.of(1, 1), 1, { isTest: true })).toEqual(Float32Array.of(6, 3.5, -11));
    expect(tile.backward(Float32Array.of(1, 1, 1), 1)).toEqual(Float32Array.of(2 + 1.5 - 5, 4 + 2 - 6));
    const d = Float32Array.of(1, 1, 1);
    tile.backward(d, 1);
    expect(d).toEqual(Float32Array.of(1, 1, 1)); // the caller's gradient is not changed
  });

  it('refuses bad scales and leaves them as they were', () => {
    const tile = new NdarrayTile({ outSize: 3, inSize: 2, rpuConfig: new InferenceRPUConfig() });
    expect(() => tile.setScales(Float32Array.of(1, 2))).toThrow(InputError);
    expect(() => tile.setScales(Float32Array.of(1, NaN, 2))).toThrow(InputError);
    expect(tile.getScales()).toEqual(Float32Array.of(1, 1, 1));
  });

  it('ChannelwiseSymmetric with a scale range and remapped_wmax != 1 (aihwkit RPU_FATAL) cannot be configured', () => {
    expect(() => new InferenceRPUConfig({ remap: { type: 'ChannelwiseSymmetric', maxScaleRange: 2, remappedWmax: 0.5 } })).toThrow(ConfigError);
  });

  it('FixedValue clip at 0 clears the weights (the device clip acts for values >= 0); a negative value does nothing', () => {
    const at = (fixedValue: number): Float32Array => {
      const tile = new NdarrayTile({ outSize: 2, inSize: 2, rpuConfig: new InferenceRPUConfig({ clip: { type: 'FixedValue', fixedValue } }) });
      tile.setWeights(Float32Array.of(0.5, -0.2, 0.1, -0.7));
      tile.clipWeights();
      return tile.getWeights();
    };
    expect(Array.from(at(0))).toEqual([0, -0, 0, -0]);
    expect(at(-1)).toEqual(Float32Array.of(0.5, -0.2, 0.1, -0.7));
  });

  it('does nothing on FloatingPointRPUConfig and SingleRPUConfig tiles, which have no clip, modifier or remap', () => {
    for (const rpuConfig of [new FloatingPointRPUConfig(), new SingleRPUConfig()]) {
      const tile = new NdarrayTile({ outSize: 2, inSize: 2, rpuConfig });
      tile.applyWeightModifier();
      tile.clipWeights();
      tile.remapWeights();
      expect(tile.getWeights()).toEqual(new Float32Array(4));
      expect(tile.getScales()).toEqual(Float32Array.of(1, 1));
    }
  });

  it('saves and restores the scales and the modified weights with getState/setState', () => {
    const rpuConfig = new InferenceRPUConfig({ forward: { isPerfect: true }, modifier: { type: 'AddNormal', stdDev: 0.2 }, remap: { type: 'ChannelwiseSymmetric' } });
    const a = new NdarrayTile({ outSize: 4, inSize: 5, rpuConfig, seed: 5 });
    a.setWeights(ramp(20));
    a.remapWeights();
    a.applyWeightModifier();
    const state = JSON.parse(JSON.stringify(a.getState())) as ReturnType<NdarrayTile['getState']>;
    const b = new NdarrayTile({ outSize: 4, inSize: 5, rpuConfig, seed: 5 });
    b.setState(state);
    expect(b.getScales()).toEqual(a.getScales());
    expect(forwardWeights(b)).toEqual(forwardWeights(a));
    a.applyWeightModifier();
    b.applyWeightModifier();
    expect(forwardWeights(b)).toEqual(forwardWeights(a));
    // A state that does not fit is refused before anything changes.
    const bad = { ...state, arrays: { ...state.arrays, 'training.scales': [1, 2] } };
    const w = b.getWeights();
    expect(() => b.setState(bad)).toThrow(InputError);
    expect(b.getWeights()).toEqual(w);
  });
});
