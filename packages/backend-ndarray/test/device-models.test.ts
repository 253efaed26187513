/**
 * The device models of the ndarray engine: device-to-device draws and hidden
 * parameters, the response of each device to pulses, decay, diffusion,
 * reset, drift, write noise, and the floating-point configs. Expected values
 * are aihwkit 0.7.1's formulas (src/rpucuda/rpu_*_device.cpp) worked out
 * here, or the statistics they imply.
 */
import { describe, expect, it } from 'vitest';
import {
  ConstantStepDevice,
  ExpStepDevice,
  FloatingPointRPUConfig,
  IdealDevice,
  InputError,
  LinearStepDevice,
  NotSupportedError,
  PowStepDevice,
  RandomStream,
  SingleRPUConfig,
  SoftBoundsDevice,
  UpdateParameters,
  type AnalogTile,
} from '@crossbar/core';
import { hidden, tile } from './device-helpers.js';

const f = Math.fround;

function stats(a: ArrayLike<number>): { mean: number; std: number } {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i]!;
  m /= a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - m) ** 2;
  return { mean: m, std: Math.sqrt(v / (a.length - 1)) };
}

/** A device without device-to-device or cycle-to-cycle variation. */
const exact = {
  dwMinDtod: 0,
  dwMinStd: 0,
  wMaxDtod: 0,
  wMinDtod: 0,
  upDownDtod: 0,
  resetStd: 0,
};

/** DeterministicImplicit with BL management: lr = n·dw_min, |x| = |d| = 1 gives exactly n pulses per row. */
const implicit = new UpdateParameters({ pulseType: 'DeterministicImplicit' });

function pulses(t: AnalogTile, sign: 1 | -1, n: number, dwMin: number, rows = 1): void {
  const x = new Float32Array(rows * t.inSize).fill(1);
  const d = new Float32Array(rows * t.outSize).fill(sign);
  t.update(x, d, rows, n * dwMin);
}

describe('device-to-device draws and hidden parameters', () => {
  it('ConstantStep defaults: bounds, steps and up_down spread as aihwkit draws them', () => {
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice() }), 64, 64);
    const h = hidden(t);
    expect(Object.keys(h)).toEqual(['max_bound', 'min_bound', 'dwmin_up', 'dwmin_down', 'decay_scales', 'diffusion_rates', 'reset_bias', 'drift_nu']);
    const max = stats(h.max_bound!);
    expect(max.mean).toBeCloseTo(0.6, 1);
    expect(max.std).toBeGreaterThan(0.15);
    expect(max.std).toBeLessThan(0.2);
    expect(Math.min(...h.max_bound!)).toBeGreaterThanOrEqual(0); // enforce_consistency
    expect(Math.max(...h.min_bound!)).toBeLessThanOrEqual(0);
    const up = stats(h.dwmin_up!);
    expect(up.mean).toBeCloseTo(0.001, 4);
    expect(up.std / 0.001).toBeGreaterThan(0.27);
    expect(up.std / 0.001).toBeLessThan(0.33);
    // up − down = 2·r·dw_min with r ~ N(0, up_down_dtod²)
    const diff = stats(h.dwmin_up!.map((u, k) => (u - h.dwmin_down![k]!) / 0.001));
    expect(diff.std).toBeGreaterThan(0.018);
    expect(diff.std).toBeLessThan(0.022);
    expect(h.decay_scales!.every((v) => v === 1)).toBe(true);
    expect(h.diffusion_rates!.every((v) => v === 0)).toBe(true);
    expect(h.reset_bias!.every((v) => v === 0)).toBe(true);
    expect(h.drift_nu!.every((v) => v === 0)).toBe(true);
  });

  it('construction_seed fixes the draws whatever the tile seed', () => {
    const cfg = new SingleRPUConfig({ device: new ConstantStepDevice({ constructionSeed: 99 }) });
    const a = hidden(tile(cfg, 8, 6, 1));
    const b = hidden(tile(cfg, 8, 6, 2));
    expect(b.max_bound).toEqual(a.max_bound);
    expect(b.dwmin_up).toEqual(a.dwmin_up);
    const c = hidden(tile(new SingleRPUConfig({ device: new ConstantStepDevice() }), 8, 6, 1));
    const d = hidden(tile(new SingleRPUConfig({ device: new ConstantStepDevice() }), 8, 6, 2));
    expect(c.max_bound).not.toEqual(d.max_bound);
  });

  it('up_down > 0 shrinks the down steps, up_down < 0 the up steps', () => {
    const pos = hidden(tile(new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, upDown: 0.2, dwMin: 0.01 }) }), 2, 2));
    expect(pos.dwmin_up![0]).toBe(f(0.01));
    expect(pos.dwmin_down![0]).toBe(f(f(0.8) * f(0.01)));
    const neg = hidden(tile(new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, upDown: -0.3, dwMin: 0.01 }) }), 2, 2));
    expect(neg.dwmin_up![0]).toBe(f(f(0.7) * f(0.01)));
    expect(neg.dwmin_down![0]).toBe(f(0.01));
  });

  it('corrupt devices are stuck at a value within ±corrupt_devices_range', () => {
    const cfg = new SingleRPUConfig({ device: new ConstantStepDevice({ corruptDevicesProb: 0.3, corruptDevicesRange: 0.05, dwMinStd: 0 }) });
    const t = tile(cfg, 40, 50);
    const h = hidden(t);
    const stuck: number[] = [];
    h.max_bound!.forEach((v, k) => {
      if (v === h.min_bound![k]) stuck.push(k);
    });
    expect(stuck.length / 2000).toBeGreaterThan(0.25);
    expect(stuck.length / 2000).toBeLessThan(0.35);
    for (const k of stuck) {
      expect(Math.abs(h.max_bound![k]!)).toBeLessThanOrEqual(0.05 + 1e-7);
      expect(h.dwmin_up![k]).toBe(0);
      expect(h.dwmin_down![k]).toBe(0);
    }
    t.setWeights(new Float32Array(2000).fill(0.3));
    t.update(new Float32Array(50).fill(1), new Float32Array(40).fill(1), 1, 0.01);
    const w = t.getWeights() as Float32Array;
    for (const k of stuck) expect(w[k]).toBe(h.max_bound![k]);
  });

  it('perfect_bias: the last column has dw_min steps and bounds 100·w_min, 100·w_max', () => {
    const h = hidden(tile(new SingleRPUConfig({ device: new ConstantStepDevice({ perfectBias: true }) }), 4, 3));
    for (let i = 0; i < 4; i++) {
      expect(h.dwmin_up![i * 3 + 2]).toBe(f(0.001));
      expect(h.dwmin_down![i * 3 + 2]).toBe(f(0.001));
      expect(h.max_bound![i * 3 + 2]).toBe(f(100 * f(0.6)));
      expect(h.min_bound![i * 3 + 2]).toBe(f(100 * f(-0.6)));
    }
  });

  it('without enforce_consistency a device whose min bound is above its max bound is turned off at the midpoint', () => {
    const h = hidden(tile(new SingleRPUConfig({ device: new ConstantStepDevice({ enforceConsistency: false, wMaxDtod: 2, wMinDtod: 2 }) }), 30, 30));
    let off = 0;
    h.max_bound!.forEach((v, k) => {
      expect(v).toBeGreaterThanOrEqual(h.min_bound![k]!);
      if (v === h.min_bound![k]) off++;
    });
    expect(off).toBeGreaterThan(0);
  });

  it('reset mean is clamped at 0 as in aihwkit; reset_dtod spreads it', () => {
    expect(hidden(tile(new SingleRPUConfig({ device: new ConstantStepDevice({ reset: -0.2 }) }), 2, 2)).reset_bias!.every((v) => v === 0)).toBe(true);
    const r = stats(hidden(tile(new SingleRPUConfig({ device: new ConstantStepDevice({ reset: 0.1, resetDtod: 0.05 }) }), 50, 50)).reset_bias!);
    expect(r.mean).toBeCloseTo(0.1, 2);
    expect(r.std).toBeCloseTo(0.05, 2);
  });

  it('lifetime and its spread give decay_scales 1 − 1/t; diffusion rates |diffusion·(1 + dtod ξ)|', () => {
    const h = hidden(tile(new SingleRPUConfig({ device: new ConstantStepDevice({ lifetime: 100, diffusion: 0.01, diffusionDtod: 0.5 }) }), 2, 3));
    expect(h.decay_scales!.every((v) => v === f(1 - f(1 / 100)))).toBe(true);
    expect(h.diffusion_rates!.every((v) => v >= 0)).toBe(true);
    expect(new Set(h.diffusion_rates).size).toBeGreaterThan(1);
  });

  it("LinearStep slopes −γ·dw/w_ref; SoftBounds uses each device's own bounds; PowStep exponents", () => {
    const lin = hidden(tile(new SingleRPUConfig({ device: new LinearStepDevice({ ...exact, gammaUp: 0.5, gammaDown: 0.25, gammaUpDtod: 0, gammaDownDtod: 0 }) }), 2, 2));
    expect(Object.keys(lin)).toContain('slope_up');
    expect(lin.slope_up![0]).toBe(f(f(-0.5 * f(0.001)) / f(0.6)));
    expect(lin.slope_down![0]).toBe(f(f(-0.25 * f(0.001)) / f(-0.6)));
    const soft = hidden(tile(new SingleRPUConfig({ device: new SoftBoundsDevice({ dwMinStd: 0 }) }), 5, 5));
    soft.slope_up!.forEach((s, k) => expect(s).toBe(f(f(-soft.dwmin_up![k]!) / soft.max_bound![k]!)));
    soft.slope_down!.forEach((s, k) => expect(s).toBe(f(f(-soft.dwmin_down![k]!) / soft.min_bound![k]!)));
    const pow = hidden(tile(new SingleRPUConfig({ device: new PowStepDevice({ ...exact, powGamma: 2, powGammaDtod: 0, powUpDown: 0.25 }) }), 2, 2));
    expect(pow.gamma_up![0]).toBe(f(2));
    expect(pow.gamma_down![0]).toBe(f(f(0.75) * 2));
  });

  it('setHiddenParameters replaces the draws (partially too) and clips the weights to new bounds', () => {
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice() }), 2, 3);
    t.setWeights(Float32Array.of(0.1, 0.2, 0.3, -0.1, -0.2, -0.3));
    t.setHiddenParameters({ max_bound: new Float32Array(6).fill(0.15), min_bound: new Float32Array(6).fill(-0.25) });
    expect(Array.from(t.getWeights() as Float32Array)).toEqual([0.1, 0.15, 0.15, -0.1, -0.2, -0.25].map(f));
    expect(Array.from(hidden(t).max_bound!)).toEqual(new Array(6).fill(f(0.15)));
    expect(() => t.setHiddenParameters({ slope_up: new Float32Array(6) })).toThrow(InputError);
    expect(() => t.setHiddenParameters({ max_bound: new Float32Array(5) })).toThrow(InputError);
  });

  it('hidden steps far from dw_min move dw_min (and BL) to their mean, as aihwkit does', () => {
    const cfg = new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, dwMin: 0.01 }), update: implicit });
    const t = tile(cfg, 1, 1);
    t.setHiddenParameters({ dwmin_up: Float32Array.of(0.02), dwmin_down: Float32Array.of(0.02) });
    t.setWeights(Float32Array.of(0));
    // lr = 0.1: k = lr / dw_min = 5 with the new dw_min 0.02, so 5 pulses of 0.02
    t.update(Float32Array.of(1), Float32Array.of(-1), 1, 0.1);
    expect((t.getWeights() as Float32Array)[0]).toBeCloseTo(0.1, 6);
  });
});

describe('device responses to pulses', () => {
  it('a positive x·d decreases the weight, a negative one increases it (ConstantStep, float32 steps)', () => {
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, dwMin: 0.01 }), update: implicit }), 1, 2);
    t.setWeights(Float32Array.of(0, 0));
    t.update(Float32Array.of(1, -1), Float32Array.of(1), 1, 0.05);
    let a = 0;
    let b = 0;
    for (let k = 0; k < 5; k++) {
      a = f(a - f(0.01));
      b = f(b + f(0.01));
    }
    expect(Array.from(t.getWeights() as Float32Array)).toEqual([a, b]);
  });

  it('ConstantStep clips at the bounds after each pulse', () => {
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, dwMin: 0.1 }), update: implicit }), 1, 1);
    t.setWeights(Float32Array.of(0.45));
    pulses(t, -1, 5, 0.1);
    expect((t.getWeights() as Float32Array)[0]).toBe(f(0.6));
  });

  it('SoftBounds: each up step is dw·(1 − w/max), so w approaches max geometrically', () => {
    const t = tile(new SingleRPUConfig({ device: new SoftBoundsDevice({ ...exact, dwMin: 0.05 }), update: implicit }), 1, 1);
    t.setWeights(Float32Array.of(0));
    pulses(t, -1, 20, 0.05);
    expect((t.getWeights() as Float32Array)[0]).toBeCloseTo(0.6 * (1 - (1 - 0.05 / 0.6) ** 20), 5);
    pulses(t, 1, 10, 0.05);
    // down steps dw·(1 − w/min) = dw·(1 + w/0.6) from the reached value
    let w = 0.6 * (1 - (1 - 0.05 / 0.6) ** 20);
    for (let k = 0; k < 10; k++) w -= 0.05 * (1 + w / 0.6);
    expect((t.getWeights() as Float32Array)[0]).toBeCloseTo(w, 5);
  });

  it('LinearStep: the up step shrinks by γ_up at w_max', () => {
    const t = tile(
      new SingleRPUConfig({ device: new LinearStepDevice({ ...exact, dwMin: 0.02, gammaUp: 0.5, gammaUpDtod: 0, gammaDownDtod: 0 }), update: implicit }),
      1,
      1,
    );
    t.setWeights(Float32Array.of(0.3));
    pulses(t, -1, 1, 0.02);
    expect((t.getWeights() as Float32Array)[0]).toBeCloseTo(0.3 + 0.02 * (1 - (0.5 * 0.3) / 0.6), 6);
  });

  it('ExpStep: up step dw·max(1 − A_up·exp(γ_up·z), 0), z = 2w/(max − min)·a + b', () => {
    const dev = new ExpStepDevice({ ...exact, dwMin: 0.01 });
    const t = tile(
      new SingleRPUConfig({
        device: dev,
        update: new UpdateParameters({ pulseType: 'DeterministicImplicit', updateBlManagement: false, updateManagement: false, fixedBl: false }),
      }),
      1,
      1,
    );
    t.setWeights(Float32Array.of(0.2));
    // fixed_bl false without management: BL = ceil(lr / granularity), A = B = 1: one pulse for lr = granularity
    const z = ((2 * 0.2) / 1.2) * 0.244 + 0.2425;
    const zero = 0.01 * Math.max(1 - 0.36833 * Math.exp(-12.78785 * 0.2425), 0); // the granularity (w = 0, down step)
    t.update(Float32Array.of(1), Float32Array.of(-1), 1, zero);
    expect((t.getWeights() as Float32Array)[0]).toBeCloseTo(0.2 + 0.01 * Math.max(1 - 0.00081 * Math.exp(12.44625 * z), 0), 6);
  });

  it('PowStep: up step dw·((max − w)/range)^γ', () => {
    const t = tile(new SingleRPUConfig({ device: new PowStepDevice({ ...exact, dwMin: 0.04, powGamma: 2, powGammaDtod: 0 }), update: implicit }), 1, 1);
    t.setWeights(Float32Array.of(0.3));
    // granularity dw·0.5^γ = 0.01: lr 0.01 gives one pulse
    t.update(Float32Array.of(1), Float32Array.of(-1), 1, 0.01);
    expect((t.getWeights() as Float32Array)[0]).toBeCloseTo(0.3 + 0.04 * ((0.6 - 0.3) / 1.2) ** 2, 6);
  });

  it('stochastic pulses: the count per device and row is Binomial(BL, p_x·p_d)', () => {
    // UBLM: k = lr·max|x|·max|d|/dw_min = 6 → BL = 6, p = |v| / max|v| (A = B = 1 for max |x| = max |d| = 1)
    const cfg = new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, dwMin: 0.001 }) });
    const t = tile(cfg, 1, 400, 3);
    const x = new Float32Array(400);
    x[0] = 1;
    for (let j = 1; j < 400; j++) x[j] = 0.5;
    const counts: number[] = [];
    for (let rep = 0; rep < 20; rep++) {
      t.setWeights(new Float32Array(400));
      t.update(x, Float32Array.of(-0.8), 1, 0.006 / 0.8);
      const w = t.getWeights() as Float32Array;
      for (let j = 1; j < 400; j++) counts.push(Math.round(w[j]! / 0.001));
    }
    // per device: Binomial(6, 0.5 · 0.8 · ...) — p_x = 0.5, p_d = 1 (max |d| scales to 1): mean 3, var 1.5
    const s = stats(counts);
    expect(s.mean).toBeCloseTo(3, 1);
    expect(s.std ** 2).toBeGreaterThan(1.2);
    expect(s.std ** 2).toBeLessThan(1.8);
  });

  it('MeanCount: rint((n_d / BL)·n_x) pulses with n = rint(BL·p)', () => {
    const cfg = new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, dwMin: 0.01 }), update: new UpdateParameters({ pulseType: 'MeanCount' }) });
    const t = tile(cfg, 1, 2);
    t.setWeights(Float32Array.of(0, 0));
    // k = 0.1·1·1/0.01 = 10 → BL = 10, p_x = |x|: n_x = 10, 3; n_d = 10: 10 and 3 pulses down
    t.update(Float32Array.of(1, 0.3), Float32Array.of(1), 1, 0.1);
    const w = t.getWeights() as Float32Array;
    expect(w[0]).toBeCloseTo(-0.1, 6);
    expect(w[1]).toBeCloseTo(-0.03, 6);
  });

  it('large BL (fixed_bl false, lr > dw_min·desired_bl): BL = ceil(lr/dw_min) over several 32-bit words', () => {
    const cfg = new SingleRPUConfig({
      device: new ConstantStepDevice({ ...exact, dwMin: 0.001, wMax: 100, wMin: -100 }),
      update: new UpdateParameters({ fixedBl: false, updateBlManagement: false, updateManagement: false }),
    });
    const t = tile(cfg, 1, 1, 5);
    t.setWeights(new Float32Array(1));
    // BL = 100, A = B = 1: p_x = p_d = 0.5, each row Binomial(100, 0.25): 400 rows give 10000 ± 87 pulses
    const rows = 400;
    t.update(new Float32Array(rows).fill(-0.5), new Float32Array(rows).fill(0.5), rows, 0.1);
    const count = (t.getWeights() as Float32Array)[0]! / 0.001;
    expect(Math.abs(count - 10000)).toBeLessThan(4 * Math.sqrt(rows * 100 * 0.25 * 0.75));
  });

  it('summed ConstantStep noise far from the bounds has the mean and spread of the single pulses', () => {
    // DeterministicImplicit: 20 down pulses on each of 4000 devices, dw_min_std 0.3
    const cfg = new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, dwMin: 0.001, dwMinStd: 0.3 }), update: implicit });
    const t = tile(cfg, 1, 4000, 9);
    t.setWeights(new Float32Array(4000));
    pulses(t, 1, 20, 0.001);
    const s = stats(t.getWeights() as Float32Array);
    expect(s.mean).toBeCloseTo(-0.02, 4);
    expect(s.std / (0.3 * 0.001 * Math.sqrt(20))).toBeGreaterThan(0.95);
    expect(s.std / (0.3 * 0.001 * Math.sqrt(20))).toBeLessThan(1.05);
  });

  it('over many rows (block, chunk and single-pulse paths, several row blocks) the result matches a pulse-by-pulse simulation', () => {
    const n = 4000;
    const cfg = new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, dwMin: 0.001, dwMinStd: 0.3 }), update: implicit });
    const runs: [number, number][] = [
      [0, 100],
      [0.45, 100],
      [0.5, 100],
      [-0.2, 600],
    ];
    for (const [w0, rows] of runs) {
      const t = tile(cfg, 1, n, 13);
      t.setWeights(new Float32Array(n).fill(w0));
      pulses(t, -1, 1, 0.001, rows); // one up pulse per row
      const w = t.getWeights() as Float32Array;
      const xi = new RandomStream(321, 0, 0).fillNormal(new Float64Array(rows * n));
      const ref: number[] = [];
      for (let e = 0; e < n; e++) {
        let v = w0;
        for (let k = 0; k < rows; k++) v = Math.max(Math.min(v + 0.001 * (1 + 0.3 * xi[e * rows + k]!), 0.6), -0.6);
        ref.push(v);
      }
      const ours = stats(w);
      const r = stats(ref);
      expect(Math.abs(ours.mean - r.mean), `w0 ${w0}, ${rows} rows`).toBeLessThan(4 * Math.sqrt((ours.std ** 2 + r.std ** 2) / n));
      expect(ours.std / r.std, `w0 ${w0}, ${rows} rows`).toBeGreaterThan(0.92);
      expect(ours.std / r.std, `w0 ${w0}, ${rows} rows`).toBeLessThan(1.08);
    }
  });

  it('near a bound the noisy pulses run one by one: the distribution matches a pulse-by-pulse simulation', () => {
    const n = 20000;
    const cfg = new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, dwMin: 0.01, dwMinStd: 0.5 }), update: implicit });
    const t = tile(cfg, 1, n, 11);
    t.setWeights(new Float32Array(n).fill(0.5));
    pulses(t, -1, 8, 0.01);
    const w = t.getWeights() as Float32Array;
    const xi = new RandomStream(123, 0, 0).fillNormal(new Float64Array(8 * n));
    const ref: number[] = [];
    for (let e = 0; e < n; e++) {
      let v = 0.5;
      for (let k = 0; k < 8; k++) v = Math.max(Math.min(v + 0.01 * (1 + 0.5 * xi[e * 8 + k]!), 0.6), -0.6);
      ref.push(v);
    }
    const ours = stats(w);
    const r = stats(ref);
    expect(Math.abs(ours.mean - r.mean)).toBeLessThan(4 * Math.sqrt((ours.std ** 2 + r.std ** 2) / n));
    expect(ours.std / r.std).toBeGreaterThan(0.95);
    expect(ours.std / r.std).toBeLessThan(1.05);
    const atBound = (a: ArrayLike<number>) => Array.from(a).filter((v) => v >= 0.6 - 1e-6).length / n;
    const p = atBound(ref);
    expect(p).toBeGreaterThan(0.05);
    expect(Math.abs(atBound(w) - p)).toBeLessThan(4 * Math.sqrt((2 * p * (1 - p)) / n));
  });
});

describe('decay, diffusion, reset', () => {
  it('decay: (w − b)·(1 + α(s − 1)) + b towards the reset bias, clipped', () => {
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, lifetime: 10, reset: 0.1 }) }), 1, 2);
    t.setWeights(Float32Array.of(0.5, -0.3));
    t.decayWeights();
    const s = f(1 - f(1 / 10));
    expect(Array.from(t.getWeights() as Float32Array)).toEqual([f(f(f(0.4) * s) + f(0.1)), f(f(f(-0.4) * s) + f(0.1))]);
    t.setWeights(Float32Array.of(0.5, -0.3));
    t.decayWeights(0.5);
    const s2 = f(1 + f(0.5 * f(s - 1)));
    expect((t.getWeights() as Float32Array)[0]).toBe(f(f(f(0.4) * s2) + f(0.1)));
  });

  it('floating-point decay w·(1 − α/lifetime), only for lifetime > 1', () => {
    const t = tile(new FloatingPointRPUConfig({ device: { lifetime: 4 } }), 1, 1);
    t.setWeights(Float32Array.of(0.8));
    t.decayWeights();
    expect((t.getWeights() as Float32Array)[0]).toBe(f(f(0.8) * f(0.75)));
    const u = tile(new FloatingPointRPUConfig({ device: { lifetime: 0.5 } }), 1, 1);
    u.setWeights(Float32Array.of(0.8));
    u.decayWeights();
    expect((u.getWeights() as Float32Array)[0]).toBe(f(0.8));
  });

  it('diffusion: Gaussian steps of the device rate, clipped to the bounds', () => {
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, diffusion: 0.01 }) }), 50, 80);
    t.setWeights(new Float32Array(4000));
    t.diffuseWeights();
    const s = stats(t.getWeights() as Float32Array);
    expect(Math.abs(s.mean)).toBeLessThan(0.001);
    expect(s.std).toBeCloseTo(0.01, 3);
    t.setWeights(new Float32Array(4000).fill(0.6));
    t.diffuseWeights();
    expect(Math.max(...(t.getWeights() as Float32Array))).toBeLessThanOrEqual(f(0.6));
    const fp = tile(new FloatingPointRPUConfig({ device: { diffusion: 0.02 } }), 40, 100);
    fp.diffuseWeights();
    expect(stats(fp.getWeights() as Float32Array).std).toBeCloseTo(0.02, 3);
  });

  it('resetColumns: the columns go to reset bias ± reset_std, the others stay; reset_prob picks devices', () => {
    const cfg = new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, reset: 0.05, resetStd: 0.01 }) });
    const t = tile(cfg, 200, 4);
    const w0 = new Float32Array(800).fill(-0.2);
    t.setWeights(w0);
    t.resetColumns(1, 2);
    const w = t.getWeights() as Float32Array;
    const col = (c: number) => Array.from({ length: 200 }, (_, i) => w[i * 4 + c]!);
    expect(col(0).every((v) => v === f(-0.2))).toBe(true);
    expect(col(3).every((v) => v === f(-0.2))).toBe(true);
    const s = stats([...col(1), ...col(2)]);
    expect(s.mean).toBeCloseTo(0.05, 2);
    expect(s.std).toBeCloseTo(0.01, 2);
    t.setWeights(w0);
    t.resetColumns(0, 4, 0.5);
    const changed = Array.from(t.getWeights() as Float32Array).filter((v) => v !== f(-0.2)).length;
    expect(changed / 800).toBeGreaterThan(0.43);
    expect(changed / 800).toBeLessThan(0.57);
    t.setWeights(w0);
    t.resetColumns(0, 4, 0);
    expect(t.getWeights()).toEqual(w0);
    expect(() => tile(new FloatingPointRPUConfig(), 2, 2).resetColumns()).toThrow(NotSupportedError);
  });
});

describe('device drift', () => {
  it("ν per device is drawn with nu_dtod; the implied exponents of aihwkit's seeded case have the same spread", () => {
    const drift = { nu: 0.1, nuDtod: 0.2 };
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, wMax: 1, wMin: -1, drift }) }), 40, 50);
    const nu = stats(hidden(t).drift_nu!);
    expect(nu.mean).toBeCloseTo(0.1, 2);
    expect(nu.std).toBeCloseTo(0.02, 2);
    // drift: w0 · (T / t0)^(−ν) with T the time since the weight last changed
    const w0 = new Float32Array(2000).fill(0.5);
    t.setWeights(w0);
    t.driftWeights(1);
    expect(t.getWeights()).toEqual(w0); // the first call only starts the clock
    t.driftWeights(99);
    const w = t.getWeights() as Float32Array;
    const implied = Array.from(w, (v) => -Math.log(v / 0.5) / Math.log(100));
    hidden(t).drift_nu!.forEach((n, k) => expect(implied[k]).toBeCloseTo(n, 5));
  });

  it('a changed weight restarts its drift; unchanged ones accumulate time', () => {
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact, dwMin: 0.01, wMax: 1, wMin: -1, drift: { nu: 0.1 } }), update: implicit }), 1, 2);
    t.setWeights(Float32Array.of(0.5, 0.5));
    t.driftWeights(1);
    t.driftWeights(9); // T = 10
    t.update(Float32Array.of(1, 0), Float32Array.of(-1), 1, 0.01); // element 0 changes
    const after = (t.getWeights() as Float32Array)[0]!;
    t.driftWeights(10); // element 0: restarted (T = 1: unchanged); element 1: T = 20
    const w = t.getWeights() as Float32Array;
    expect(w[0]).toBe(after);
    expect(w[1]).toBeCloseTo(0.5 * 20 ** -0.1, 6);
    t.driftWeights(10); // element 0: T = 11 − 1... since its reset at clock 20
    expect((t.getWeights() as Float32Array)[0]).toBeCloseTo(after * 10 ** -0.1, 6);
  });

  it('FloatingPointRPUConfig drifts with the simple drift', () => {
    const t = tile(new FloatingPointRPUConfig({ device: { drift: { nu: 0.05, t0: 2 } } }), 1, 1);
    t.setWeights(Float32Array.of(0.4));
    t.driftWeights(2);
    t.driftWeights(18); // T = 20 / t0 = 10
    expect((t.getWeights() as Float32Array)[0]).toBeCloseTo(0.4 * 10 ** -0.05, 6);
  });
});

describe('write noise, floating-point update types, state', () => {
  it('write noise: the visible weight is the persistent one plus N(0, (write_noise_std·dw_min)²)', () => {
    const dev = new LinearStepDevice({ ...exact, dwMin: 0.01, writeNoiseStd: 2, gammaUpDtod: 0, gammaDownDtod: 0 });
    const t = tile(new SingleRPUConfig({ device: dev, update: implicit }), 40, 50);
    t.setWeights(new Float32Array(2000).fill(0.1));
    const h = hidden(t);
    expect(h.persistent_weights!.every((v) => v === f(0.1))).toBe(true);
    const s = stats(Array.from(t.getWeights() as Float32Array, (v) => v - 0.1));
    expect(s.std).toBeCloseTo(0.02, 3);
    pulses(t, -1, 3, 0.01);
    const p = hidden(t).persistent_weights!;
    expect(p[0]).toBeCloseTo(0.13, 6);
    expect(stats(Array.from(t.getWeights() as Float32Array, (v, k) => v - p[k]!)).std).toBeCloseTo(0.02, 3);
  });

  it('pulse_type None: floating-point update, no bounds, no hidden parameters', () => {
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice(), update: new UpdateParameters({ pulseType: 'None' }) }), 1, 1);
    t.setWeights(Float32Array.of(2)); // beyond any bound: kept
    t.update(Float32Array.of(1), Float32Array.of(-1), 1, 0.5);
    expect((t.getWeights() as Float32Array)[0]).toBe(2.5);
    expect(t.getHiddenParameters()).toEqual({});
  });

  it('NoneWithDevice: floating-point update, then the device bounds', () => {
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice({ ...exact }), update: new UpdateParameters({ pulseType: 'NoneWithDevice' }) }), 1, 2);
    t.setWeights(Float32Array.of(0.5, 0));
    t.update(Float32Array.of(1, 0.5), Float32Array.of(-1), 1, 0.3);
    expect(Array.from(t.getWeights() as Float32Array)).toEqual([f(0.6), f(0.15)]);
  });

  it('IdealDevice and FloatingPointRPUConfig: W ← W − lr·dᵀx', () => {
    for (const cfg of [new SingleRPUConfig({ device: new IdealDevice() }), new FloatingPointRPUConfig()]) {
      const t = tile(cfg, 2, 2);
      t.setWeights(Float32Array.of(0.1, 0.2, 0.3, 0.4));
      t.update(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, -1, 0.5, 0.5), 2, 0.1);
      const w = t.getWeights() as Float32Array;
      const ref = [0.1 - 0.1 * (1 * 1 + 0.5 * 3), 0.2 - 0.1 * (1 * 2 + 0.5 * 4), 0.3 - 0.1 * (-1 * 1 + 0.5 * 3), 0.4 - 0.1 * (-1 * 2 + 0.5 * 4)];
      ref.forEach((r, k) => expect(w[k]).toBeCloseTo(r, 6));
    }
  });

  it('same seed, same results; another seed, other results; a zero learning rate changes nothing', () => {
    const cfg = new SingleRPUConfig({ device: new ConstantStepDevice() });
    const x = new RandomStream(4, 0, 0).fillUniform(new Float32Array(16 * 8));
    const d = new RandomStream(5, 0, 0).fillUniform(new Float32Array(16 * 6));
    const run = (seed: number, lr: number) => {
      const t = tile(cfg, 6, 8, seed);
      t.update(x, d, 16, lr);
      return t.getWeights();
    };
    expect(run(3, 0.01)).toEqual(run(3, 0.01));
    expect(run(3, 0.01)).not.toEqual(run(4, 0.01));
    expect(run(3, 0)).toEqual(new Float32Array(48));
  });

  it('getState / setState: a restored tile continues exactly as the original', () => {
    const cfg = new SingleRPUConfig({ device: new SoftBoundsDevice({ writeNoiseStd: 1, drift: { nu: 0.05, nuDtod: 0.1 } }) });
    const a = tile(cfg, 5, 7, 21);
    const x = new RandomStream(6, 0, 0).fillUniform(new Float32Array(4 * 7));
    const d = new RandomStream(7, 0, 0).fillUniform(new Float32Array(4 * 5));
    a.update(x, d, 4, 0.01);
    a.driftWeights(1);
    const b = tile(cfg, 5, 7, 21);
    b.setState(a.getState() as never);
    for (const t of [a, b]) {
      t.update(x, d, 4, 0.01);
      t.driftWeights(5);
      t.diffuseWeights();
    }
    expect(b.getWeights()).toEqual(a.getWeights());
    expect(b.getHiddenParameters()).toEqual(a.getHiddenParameters());
  });

  it('bad input throws and leaves the weights as they were', () => {
    const t = tile(new SingleRPUConfig({ device: new ConstantStepDevice() }), 2, 2);
    t.setWeights(Float32Array.of(0.1, 0.2, 0.3, 0.4));
    const before = t.getWeights();
    expect(() => t.update(Float32Array.of(1, NaN), Float32Array.of(1, 1), 1, 0.1)).toThrow(InputError);
    expect(() => t.update(Float32Array.of(1, 1), Float32Array.of(1, 1), 1, -1)).toThrow(InputError);
    expect(() => t.update(Float32Array.of(1, 1, 1), Float32Array.of(1, 1), 1, 0.1)).toThrow(InputError);
    expect(t.getWeights()).toEqual(before);
  });
});
