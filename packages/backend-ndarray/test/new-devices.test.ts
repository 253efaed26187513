/**
 * The single devices issue 16 added: PiecewiseStepDevice, SoftBoundsPmaxDevice,
 * SoftBoundsReferenceDevice and PowStepReferenceDevice, on the ndarray engine. Expected
 * values are aihwkit 0.7.1's formulas (src/rpucuda/rpu_piecewisestep_device.cpp,
 * rpu_softbounds_reference_device.cpp, rpu_powstep_reference_device.cpp, devices.py
 * SoftBoundsPmaxDevice.as_bindings) worked out here; the oracle's `devices` file holds
 * PiecewiseStep and SoftBoundsPmax against aihwkit's own numbers.
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  PiecewiseStepDevice,
  piecewiseStepPulse,
  PowStepDevice,
  PowStepReferenceDevice,
  powStepSymmetryPoint,
  SingleRPUConfig,
  SoftBoundsDevice,
  SoftBoundsPmaxDevice,
  SoftBoundsReferenceDevice,
  UpdateParameters,
  type AnalogTile,
} from '@crossbar/core';
import { hidden, tile } from './device-helpers.js';

const f = Math.fround;

const weights = (t: AnalogTile): Float32Array => t.getWeights() as Float32Array;

/** A device without device-to-device or cycle-to-cycle variation. */
const exact = { dwMinDtod: 0, dwMinStd: 0, wMaxDtod: 0, wMinDtod: 0, upDownDtod: 0, resetStd: 0 };
/** DeterministicImplicit: lr = granularity, |x| = |d| = 1 gives exactly one pulse. */
const implicit = new UpdateParameters({ pulseType: 'DeterministicImplicit' });

describe('PiecewiseStepDevice', () => {
  const up = Float32Array.of(1.6, 1.3, 1, 0.7, 0.4);
  const down = Float32Array.of(0.4, 0.7, 1, 1.3, 1.6);

  it('interpolates the step between the nodes spread over [min, max]', () => {
    // w = 0.15 in [-0.6, 0.6] with 4 sections: q = 0.75/1.2·4 = 2.5, between nodes 2 and 3
    expect(piecewiseStepPulse(0.15, -1, 0.01, 0.01, -0.6, 0.6, up, down, 0, 0)).toBeCloseTo(0.15 + 0.01 * 0.85, 6);
    expect(piecewiseStepPulse(0.15, 1, 0.01, 0.01, -0.6, 0.6, up, down, 0, 0)).toBeCloseTo(0.15 - 0.01 * 1.15, 6);
    // at the upper bound the last section is used with t = 1, then clipped
    expect(piecewiseStepPulse(0.6, -1, 0.01, 0.01, -0.6, 0.6, up, down, 0, 0)).toBe(0.6);
    expect(piecewiseStepPulse(0.6, 1, 0.01, 0.01, -0.6, 0.6, up, down, 0, 0)).toBeCloseTo(0.6 - 0.016, 6);
    // below the lower bound q is 0: the first node
    expect(piecewiseStepPulse(-0.6, -1, 0.01, 0.01, -0.6, 0.6, up, down, 0, 0)).toBeCloseTo(-0.6 + 0.016, 6);
  });

  it('one node, or bounds that collapse, give a constant step dwmin·v[0]', () => {
    expect(piecewiseStepPulse(0.3, -1, 0.01, 0.02, -0.6, 0.6, [2], [3], 0, 0)).toBeCloseTo(0.32, 6);
    expect(piecewiseStepPulse(0.3, 1, 0.01, 0.02, -0.6, 0.6, [2], [3], 0, 0)).toBeCloseTo(0.24, 6);
    expect(piecewiseStepPulse(0, -1, 0.01, 0.02, 0, 0, up, down, 0, 0)).toBe(0);
  });

  it('multiplies the step by 1 + dw_min_std·ξ', () => {
    const plain = piecewiseStepPulse(0.15, -1, 0.01, 0.01, -0.6, 0.6, up, down, 0, 0) - f(0.15);
    const noisy = piecewiseStepPulse(0.15, -1, 0.01, 0.01, -0.6, 0.6, up, down, 0.5, 1) - f(0.15);
    expect(noisy / plain).toBeCloseTo(1.5, 5);
  });

  it('on a tile: the granularity is dw_min·piecewise_up[n/2], and ExpStep-like extras are absent from the hidden parameters', () => {
    const device = new PiecewiseStepDevice({ ...exact, dwMin: 0.01, piecewiseUp: [2, 1, 0.5], piecewiseDown: [0.5, 1, 2] });
    const t = tile(new SingleRPUConfig({ device, update: implicit }), 1, 1);
    t.setWeights(Float32Array.of(0));
    // granularity 0.01·piecewise_up[1] = 0.01: lr 0.01 gives one pulse of dw_min·1 at w = 0
    t.update(Float32Array.of(1), Float32Array.of(-1), 1, 0.01);
    expect(weights(t)[0]).toBeCloseTo(0.01, 6);
    expect(Object.keys(hidden(t))).toEqual(['max_bound', 'min_bound', 'dwmin_up', 'dwmin_down', 'decay_scales', 'diffusion_rates', 'reset_bias', 'drift_nu']);
  });

  it('refuses vectors of different lengths, naming the field', () => {
    expect(() => new PiecewiseStepDevice({ piecewiseUp: [1, 1, 1], piecewiseDown: [1, 1] })).toThrow(ConfigError);
    expect(() => new PiecewiseStepDevice({ piecewiseUp: [1, 1, 1], piecewiseDown: [1, 1] })).toThrow(/piecewise_down/);
  });
});

describe('SoftBoundsPmaxDevice', () => {
  it('is the SoftBoundsDevice of its p_max experiment: same draws and updates', () => {
    const pmax = new SoftBoundsPmaxDevice({ ...exact, pMax: 50, alpha: 0.05, rangeMin: -0.5, rangeMax: 1 });
    const b = 1.5 / (1 - Math.exp(-50 * 0.05));
    const sb = new SoftBoundsDevice({ ...exact, wMin: -0.5, wMax: -0.5 + b, dwMin: b * 0.05, upDown: 1 + (2 * -0.5) / b });
    const a = tile(new SingleRPUConfig({ device: pmax, update: implicit }), 2, 3, 5);
    const c = tile(new SingleRPUConfig({ device: sb, update: implicit }), 2, 3, 5);
    const w = Float32Array.of(0.1, -0.2, 0.3, 0.4, -0.45, 0);
    const x = Float32Array.of(0.5, -1, 0.25);
    const d = Float32Array.of(1, -0.5);
    for (const t of [a, c]) {
      t.setWeights(w);
      t.update(x, d, 1, 0.2);
    }
    expect(hidden(a)).toEqual(hidden(c));
    expect(weights(a)).toEqual(weights(c));
    expect(hidden(a).max_bound![0]).toBe(f(-0.5 + b));
  });
});

describe('SoftBoundsReferenceDevice', () => {
  it('steps the conductance w + reference with soft bounds and reads w = conductance − reference', () => {
    const device = new SoftBoundsReferenceDevice({ ...exact, dwMin: 0.01, wMax: 1, wMin: -1, referenceMean: 0.2 });
    const t = tile(new SingleRPUConfig({ device, update: implicit }), 1, 1);
    t.setWeights(Float32Array.of(0.3));
    t.update(Float32Array.of(1), Float32Array.of(-1), 1, 0.01); // one up pulse
    const g = 0.5;
    expect(weights(t)[0]).toBeCloseTo(g + 0.01 * (1 - g / 1) - 0.2, 6);
    t.update(Float32Array.of(1), Float32Array.of(1), 1, 0.01); // one down pulse
    const g2 = g + 0.01 * (1 - g);
    expect(weights(t)[0]).toBeCloseTo(g2 - 0.01 * (1 - g2 / -1) - 0.2, 6);
  });

  it('hidden parameters: the pulsed ones, then reference (aihwkit order); persistent_weights under write noise', () => {
    const device = new SoftBoundsReferenceDevice({ ...exact, referenceMean: 0.1, referenceStd: 0.05 });
    const h = hidden(tile(new SingleRPUConfig({ device }), 20, 20, 3));
    expect(Object.keys(h)).toEqual(['max_bound', 'min_bound', 'dwmin_up', 'dwmin_down', 'decay_scales', 'diffusion_rates', 'reset_bias', 'drift_nu', 'reference']);
    const ref = h.reference!;
    const mean = ref.reduce((a, b) => a + b, 0) / ref.length;
    const std = Math.sqrt(ref.reduce((a, b) => a + (b - mean) ** 2, 0) / (ref.length - 1));
    expect(mean).toBeCloseTo(0.1, 1);
    expect(std).toBeGreaterThan(0.04);
    expect(std).toBeLessThan(0.06);
    const noisy = hidden(tile(new SingleRPUConfig({ device: new SoftBoundsReferenceDevice({ writeNoiseStd: 1 }) }), 2, 2));
    expect(Object.keys(noisy).slice(-2)).toEqual(['persistent_weights', 'reference']);
  });

  it('slope_*_dtod moves the bounds as dwmin/slope; subtract_symmetry_point adds the symmetry point to reference and reset_bias', () => {
    const varied = hidden(tile(new SingleRPUConfig({ device: new SoftBoundsReferenceDevice({ ...exact, slopeUpDtod: 0.2, slopeDownDtod: 0.2 }) }), 10, 10));
    expect(new Set(varied.max_bound).size).toBeGreaterThan(50);
    const device = new SoftBoundsReferenceDevice({ ...exact, dwMin: 0.01, upDown: 0.2, wMax: 0.6, wMin: -0.6, subtractSymmetryPoint: true });
    const h = hidden(tile(new SingleRPUConfig({ device }), 1, 1));
    const [su, sd] = [0.01, 0.008];
    const sp = (su - sd) / (su / 0.6 - sd / -0.6);
    expect(h.reference![0]).toBeCloseTo(sp, 6);
    expect(h.reset_bias![0]).toBeCloseTo(sp, 6);
    expect(h.max_bound![0]).toBeCloseTo(0.6, 6);
  });
});

describe('PowStepReferenceDevice', () => {
  it('with a zero reference it is PowStepDevice: same hidden gammas and updates', () => {
    const common = { ...exact, dwMin: 0.02, powGamma: 2, powGammaDtod: 0.1, powUpDown: 0.2 };
    const ref = tile(new SingleRPUConfig({ device: new PowStepReferenceDevice(common), update: implicit }), 2, 2, 9);
    const pow = tile(new SingleRPUConfig({ device: new PowStepDevice(common), update: implicit }), 2, 2, 9);
    for (const t of [ref, pow]) {
      t.setWeights(Float32Array.of(0.1, -0.3, 0.5, 0));
      t.update(Float32Array.of(1, -0.5), Float32Array.of(0.8, -1), 1, 0.05);
    }
    expect(weights(ref)).toEqual(weights(pow));
    const h = hidden(ref);
    expect(Object.keys(h).slice(-3)).toEqual(['gamma_up', 'gamma_down', 'reference']);
    expect(h.gamma_up).toEqual(hidden(pow).gamma_up);
    expect(Array.from(h.reference!)).toEqual([0, 0, 0, 0]);
  });

  it('steps the conductance w + reference', () => {
    const device = new PowStepReferenceDevice({ ...exact, dwMin: 0.04, powGamma: 2, powGammaDtod: 0, referenceMean: -0.1 });
    const t = tile(new SingleRPUConfig({ device, update: implicit }), 1, 1);
    t.setWeights(Float32Array.of(0.3));
    t.update(Float32Array.of(1), Float32Array.of(-1), 1, 0.01); // granularity 0.04·0.5² = 0.01: one up pulse
    const g = 0.2;
    expect(weights(t)[0]).toBeCloseTo(g + 0.04 * ((0.6 - g) / 1.2) ** 2 + 0.1, 6);
  });

  it('subtract_symmetry_point: the point where n_estimation_steps noise-free down/up pairs from 0 settle', () => {
    const opts = { ...exact, dwMin: 0.01, powGamma: 1, powGammaDtod: 0, powUpDown: 0.3, subtractSymmetryPoint: true, nEstimationSteps: 500 };
    const h = hidden(tile(new SingleRPUConfig({ device: new PowStepReferenceDevice(opts) }), 1, 1));
    const sp = powStepSymmetryPoint(h.dwmin_up![0]!, h.dwmin_down![0]!, h.gamma_up![0]!, h.gamma_down![0]!, h.min_bound![0]!, h.max_bound![0]!, 500);
    expect(h.reference![0]).toBe(sp);
    expect(h.reset_bias![0]).toBe(sp);
    // pow_up_down 0.3: γ_up = 1, γ_down = 0.7; with equal steps they balance where ((max − sp)/r)^γ_up = ((sp − min)/r)^γ_down
    expect([h.gamma_up![0], h.gamma_down![0]]).toEqual([1, f(0.7)]);
    const r = 1.2;
    expect((0.6 - sp) / r).toBeCloseTo(((sp + 0.6) / r) ** 0.7, 1);
  });
});
