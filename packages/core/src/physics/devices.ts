/**
 * Pure formulas of the pulsed device models: device-to-device draws at
 * construction, the weight after one update pulse of each device, and
 * decay, reset and drift. `sign > 0` is a pulse that decreases the weight
 * (a positive coincidence of x and d in SGD), `sign < 0` one that increases it.
 * `xi` arguments are standard normal draws.
 *
 * aihwkit v.0.7.1 src/rpucuda/rpu_pulsed_device.cpp (populate, decay, diffuse,
 * reset), rpu_constantstep_device.cpp, rpu_linearstep_device.cpp (also
 * SoftBounds), rpu_expstep_device.cpp, rpu_powstep_device.cpp,
 * rpu_piecewisestep_device.cpp/.h, rpu_softbounds_reference_device.cpp,
 * rpu_powstep_reference_device.cpp, weight_drifter.cpp.
 * aihwkit computes in float32; intermediates are rounded with Math.fround.
 * Scalar functions are in the subset gpu.js compiles; the array-level
 * helpers at the end (device-to-device draws, drift settings) build on them.
 */

import { ConfigError } from '../errors.js';
import {
  ConstantStepDevice,
  ExpStepDevice,
  LinearStepDevice,
  PiecewiseStepDevice,
  PowStepDevice,
  PowStepReferenceDevice,
  SoftBoundsDevice,
  SoftBoundsReferenceDevice,
  type PulsedDevice,
} from '../config/devices.js';
import { DriftParameter, type SimpleDriftParameter } from '../config/parameters.js';
import { RandomStream, RandomStreamId } from '../rng.js';

// ------------------------------------------------------------------ construction

/** Up step dwmin_up = (up_bias + gain + r)·dw_min, up_bias = min(up_down, 0). */
export function drawnScaleUp(upDown: number, gain: number, r: number, dwMin: number): number {
  const upBias = upDown > 0 ? 0 : upDown;
  return Math.fround(Math.fround(Math.fround(upBias + gain) + r) * dwMin);
}

/** Down step dwmin_down = (down_bias + gain − r)·dw_min, down_bias = −max(up_down, 0): up_down > 0 shrinks the down steps. */
export function drawnScaleDown(upDown: number, gain: number, r: number, dwMin: number): number {
  const downBias = upDown > 0 ? -upDown : 0;
  return Math.fround(Math.fround(Math.fround(downBias + gain) - r) * dwMin);
}

/** The device-to-device gain of dw_min: 1 + dtod·ξ, or exp(dtod·ξ) when log-normal (logNormal = 1). */
export function drawnGain(dtod: number, xi: number, logNormal: number): number {
  if (logNormal > 0) return Math.fround(Math.exp(Math.fround(dtod * xi)));
  return Math.fround(1 + Math.fround(dtod * xi));
}

/** A bound drawn with relative variation: mean·(1 + dtod·ξ). */
export function drawnRelative(mean: number, dtod: number, xi: number): number {
  return Math.fround(mean * Math.fround(1 + Math.fround(dtod * xi)));
}

/** The decay scale of one device: 1 − 1/t with t = lifetime·(1 + dtod·ξ) (0 when t <= 1; 1 = no decay when lifetime <= 0). */
export function drawnDecayScale(lifetime: number, dtod: number, xi: number): number {
  if (!(lifetime > 0)) return 1;
  const t = Math.fround(lifetime * Math.fround(1 + Math.fround(dtod * xi)));
  return t > 1 ? Math.fround(1 - Math.fround(1 / t)) : 0;
}

/** LinearStep slope of one direction: −γ·scale / w_ref (0 when w_ref = 0). */
export function linearStepSlope(gamma: number, scale: number, wRef: number): number {
  if (wRef === 0) return 0;
  return Math.fround(Math.fround(-gamma * scale) / wRef);
}

/** PowStep exponent of one direction: (bias + gain ± r)·pow_gamma. */
export function powStepGamma(bias: number, gain: number, r: number, gamma: number): number {
  return Math.fround(Math.fround(Math.fround(bias + gain) + r) * gamma);
}

/**
 * ExpStep weight granularity (calcWeightGranularity): the mean step at w = 0.
 * aihwkit 0.7.1 averages the down step with itself ((dw_down + dw_down) / 2),
 * so the up step does not enter; kept as aihwkit computes it.
 */
export function expStepGranularity(upDown: number, dwMin: number, wMin: number, wMax: number, aDown: number, gammaDown: number, a: number, b: number): number {
  const downBias = upDown > 0 ? -upDown : 0;
  const scaleDown = Math.fround(Math.fround(downBias + 1) * dwMin);
  const z = Math.fround(Math.fround(Math.fround(0 / Math.fround(wMax - wMin)) * a) + b);
  const y = Math.max(Math.fround(1 - Math.fround(aDown * Math.fround(Math.exp(Math.fround(gammaDown * -z))))), 0);
  const dwDown = Math.fround(scaleDown * y);
  const g = Math.max(Math.fround(Math.fround(dwDown + dwDown) / 2), 0);
  return g > 0 ? g : dwMin;
}

/** PowStep weight granularity: dw_min·0.5^pow_gamma. */
export function powStepGranularity(dwMin: number, gamma: number): number {
  return Math.fround(dwMin * Math.fround(Math.pow(0.5, gamma)));
}

/**
 * PiecewiseStep weight granularity (rpu_piecewisestep_device.h): dw_min times the
 * up node in the middle (index ⌊n/2⌋ of the n nodes).
 */
export function piecewiseStepGranularity(dwMin: number, piecewiseUp: ArrayLike<number>): number {
  if (piecewiseUp.length === 0) return dwMin;
  return Math.fround(dwMin * Math.fround(piecewiseUp[piecewiseUp.length >> 1]!));
}

// ------------------------------------------------------------------ one update pulse

/** Hard bounds after each pulse: min(w, max), then max(·, min). */
export function clipToBounds(w: number, minBound: number, maxBound: number): number {
  return Math.max(Math.min(w, maxBound), minBound);
}

/** ConstantStep: w ∓ (1 + dw_min_std·ξ)·dwmin_{down,up}, clipped. */
export function constantStepPulse(w: number, sign: number, scaleUp: number, scaleDown: number, std: number, xi: number, minBound: number, maxBound: number): number {
  const f = Math.fround(1 + Math.fround(std * xi));
  let v = w;
  if (sign > 0) v = Math.fround(v - Math.fround(f * scaleDown));
  else v = Math.fround(v + Math.fround(f * scaleUp));
  return clipToBounds(v, minBound, maxBound);
}

/**
 * LinearStep (and SoftBounds): the step (slope·w + dwmin) with
 * multiplicative noise (multNoise = 1: (slope·w + dwmin)·(1 + std·ξ)) or
 * additive noise (slope·w + dwmin·(1 + std·ξ)), clipped.
 */
export function linearStepPulse(
  w: number,
  sign: number,
  scaleUp: number,
  scaleDown: number,
  slopeUp: number,
  slopeDown: number,
  std: number,
  xi: number,
  multNoise: number,
  minBound: number,
  maxBound: number,
): number {
  const f = Math.fround(1 + Math.fround(std * xi));
  let v = w;
  if (sign > 0) {
    const step =
      multNoise > 0 ? Math.fround(Math.fround(Math.fround(slopeDown * v) + scaleDown) * f) : Math.fround(Math.fround(slopeDown * v) + Math.fround(scaleDown * f));
    v = Math.fround(v - step);
  } else {
    const step = multNoise > 0 ? Math.fround(Math.fround(Math.fround(slopeUp * v) + scaleUp) * f) : Math.fround(Math.fround(slopeUp * v) + Math.fround(scaleUp * f));
    v = Math.fround(v + step);
  }
  return Math.min(Math.max(v, minBound), maxBound);
}

/**
 * ExpStep (Gong et al.): step·max(1 − A·exp(±γ·z), 0), z = 2w/(max − min)·a + b,
 * with multiplicative noise, or, when complexNoise = 1, noise of std
 * dw_min_std·(|dw| + std_add + std_slope·|w|). Unchanged when max <= min.
 */
export function expStepPulse(
  w: number,
  sign: number,
  scaleUp: number,
  scaleDown: number,
  minBound: number,
  maxBound: number,
  aUp: number,
  aDown: number,
  gammaUp: number,
  gammaDown: number,
  a: number,
  b: number,
  std: number,
  stdAdd: number,
  stdSlope: number,
  complexNoise: number,
  xi: number,
): number {
  const range = Math.fround(maxBound - minBound);
  if (!(range > 0)) return w;
  const z = Math.fround(Math.fround(Math.fround(Math.fround(2 * w) / range) * a) + b);
  let v = w;
  if (complexNoise > 0) {
    let dw = 0;
    if (sign > 0) {
      const y = Math.max(Math.fround(1 - Math.fround(aDown * Math.fround(Math.exp(Math.fround(gammaDown * -z))))), 0);
      dw = -Math.fround(y * scaleDown);
    } else {
      const y = Math.max(Math.fround(1 - Math.fround(aUp * Math.fround(Math.exp(Math.fround(gammaUp * z))))), 0);
      dw = Math.fround(y * scaleUp);
    }
    const dwStd = Math.fround(std * Math.fround(Math.fround(Math.abs(dw) + stdAdd) + Math.fround(stdSlope * Math.abs(v))));
    v = Math.fround(v + Math.fround(dw + Math.fround(dwStd * xi)));
  } else {
    const f = Math.fround(1 + Math.fround(std * xi));
    if (sign > 0) {
      const y = Math.max(Math.fround(1 - Math.fround(aDown * Math.fround(Math.exp(Math.fround(gammaDown * -z))))), 0);
      v = Math.fround(v - Math.fround(Math.fround(y * f) * scaleDown));
    } else {
      const y = Math.max(Math.fround(1 - Math.fround(aUp * Math.fround(Math.exp(Math.fround(gammaUp * z))))), 0);
      v = Math.fround(v + Math.fround(Math.fround(y * f) * scaleUp));
    }
  }
  return clipToBounds(v, minBound, maxBound);
}

/**
 * PowStep: the down step dwmin_down·((w − min)/range)^γ_down, the up step
 * dwmin_up·((max − w)/range)^γ_up, times (1 + std·ξ), clipped. Unchanged when max = min.
 */
export function powStepPulse(
  w: number,
  sign: number,
  scaleUp: number,
  scaleDown: number,
  gammaUp: number,
  gammaDown: number,
  minBound: number,
  maxBound: number,
  std: number,
  xi: number,
): number {
  const range = Math.fround(maxBound - minBound);
  if (range === 0) return w;
  const f = Math.fround(1 + Math.fround(std * xi));
  let v = w;
  if (sign > 0) {
    const p = Math.fround(Math.pow(Math.fround(Math.fround(v - minBound) / range), gammaDown));
    v = Math.fround(v - Math.fround(Math.fround(scaleDown * p) * f));
  } else {
    const p = Math.fround(Math.pow(Math.fround(Math.fround(maxBound - v) / range), gammaUp));
    v = Math.fround(v + Math.fround(Math.fround(scaleUp * p) * f));
  }
  return Math.min(Math.max(v, minBound), maxBound);
}

/**
 * PiecewiseStep (rpu_piecewisestep_device.cpp update_once): the step in units of
 * dwmin_down (sign > 0) or dwmin_up is interpolated linearly between the nodes
 * `down` or `up` (float32, n nodes spread evenly over [min, max]):
 * q = max((w − min)/(max − min)·(n − 1), 0), i = min(⌊q⌋, n − 2), t = min(q − i, 1),
 * step = dwmin·((1 − t)·v[i] + t·v[i + 1]), times (1 + std·ξ), clipped. With one node,
 * or max <= min, the step is dwmin·v[0].
 *
 * Written as three scalar pieces (piecewiseStepPosition, piecewiseStepNode,
 * piecewiseStepNodesPulse) so that an engine whose kernels take numbers only (gpu.js)
 * reads the two nodes itself and computes the same numbers.
 */
export function piecewiseStepPulse(
  w: number,
  sign: number,
  scaleUp: number,
  scaleDown: number,
  minBound: number,
  maxBound: number,
  up: ArrayLike<number>,
  down: ArrayLike<number>,
  std: number,
  xi: number,
): number {
  const sections = up.length - 1;
  const v = sign > 0 ? down : up;
  const q = piecewiseStepPosition(w, minBound, maxBound, sections);
  const i = piecewiseStepNode(q, sections);
  const scale = sign > 0 ? scaleDown : scaleUp;
  return piecewiseStepNodesPulse(w, sign, scale, q, i, v[i]!, v[Math.min(i + 1, Math.max(sections, 0))]!, std, xi, minBound, maxBound);
}

/**
 * PiecewiseStep: the weight's position among the nodes, q = max((w − min)/(max − min)·sections, 0)
 * (float32; sections = nodes − 1), 0 with one node or max <= min.
 */
export function piecewiseStepPosition(w: number, minBound: number, maxBound: number, sections: number): number {
  if (sections <= 0 || maxBound <= minBound) return 0;
  return Math.max(Math.fround(Math.fround(Math.fround(w - minBound) / Math.fround(maxBound - minBound)) * sections), 0);
}

/** PiecewiseStep: the node i left of position q, min(⌊q⌋, sections − 1), at least 0. */
export function piecewiseStepNode(q: number, sections: number): number {
  return Math.max(Math.min(Math.floor(q), sections - 1), 0);
}

/**
 * PiecewiseStep: one pulse from the nodes a = v[i] and b = v[i + 1] around position q:
 * t = min(q − i, 1), step = scale·((1 − t)·a + t·b) with scale dwmin_down (sign > 0) or
 * dwmin_up, times (1 + std·ξ), clipped.
 */
export function piecewiseStepNodesPulse(
  w: number,
  sign: number,
  scale: number,
  q: number,
  i: number,
  a: number,
  b: number,
  std: number,
  xi: number,
  minBound: number,
  maxBound: number,
): number {
  const t = Math.min(Math.fround(q - i), 1);
  const t1 = Math.fround(1 - t);
  const step = Math.fround(scale * Math.fround(Math.fround(t1 * a) + Math.fround(t * b)));
  const noisy = Math.fround(step * Math.fround(1 + Math.fround(std * xi)));
  const next = sign > 0 ? Math.fround(w - noisy) : Math.fround(w + noisy);
  return Math.min(Math.max(next, minBound), maxBound);
}

/**
 * SoftBoundsReference (rpu_softbounds_reference_device.cpp update_once_mult/_add): the
 * device's conductance g = w + ref takes the soft-bounds step — down
 * dwmin_down·(1 − g/min) (the ratio 0 unless min < 0), up dwmin_up·(1 − g/max) (0 unless
 * max > 0) — with multiplicative noise (multNoise = 1: step·(1 + std·ξ)) or additive noise
 * (dwmin·(1 − ratio + std·ξ)), g is clipped to the bounds, and the weight is g − ref.
 */
export function softBoundsReferencePulse(
  w: number,
  sign: number,
  scaleUp: number,
  scaleDown: number,
  reference: number,
  minBound: number,
  maxBound: number,
  std: number,
  xi: number,
  multNoise: number,
): number {
  let g = Math.fround(w + reference);
  const noise = Math.fround(std * xi);
  if (sign > 0) {
    const a = minBound < 0 ? Math.fround(g / minBound) : 0;
    const step =
      multNoise > 0
        ? Math.fround(Math.fround(scaleDown * Math.fround(1 - a)) * Math.fround(1 + noise))
        : Math.fround(scaleDown * Math.fround(Math.fround(1 - a) + noise));
    g = Math.fround(g - step);
  } else {
    const a = maxBound > 0 ? Math.fround(g / maxBound) : 0;
    const step =
      multNoise > 0 ? Math.fround(Math.fround(scaleUp * Math.fround(1 - a)) * Math.fround(1 + noise)) : Math.fround(scaleUp * Math.fround(Math.fround(1 - a) + noise));
    g = Math.fround(g + step);
  }
  g = Math.min(Math.max(g, minBound), maxBound);
  return Math.fround(g - reference);
}

/**
 * PowStepReference (rpu_powstep_reference_device.cpp update_once_reference): PowStep's
 * step on the conductance g = w + ref, clipped, the weight g − ref. Unchanged when max = min.
 */
export function powStepReferencePulse(
  w: number,
  sign: number,
  scaleUp: number,
  scaleDown: number,
  gammaUp: number,
  gammaDown: number,
  reference: number,
  minBound: number,
  maxBound: number,
  std: number,
  xi: number,
): number {
  if (Math.fround(maxBound - minBound) === 0) return w;
  const g = powStepPulse(Math.fround(w + reference), sign, scaleUp, scaleDown, gammaUp, gammaDown, minBound, maxBound, std, xi);
  return Math.fround(g - reference);
}

/**
 * The symmetry point of a SoftBoundsReference device, where the up and down steps are
 * equal: (dwmin_up − dwmin_down)/(dwmin_up/max − dwmin_down/min).
 */
export function softBoundsSymmetryPoint(scaleUp: number, scaleDown: number, minBound: number, maxBound: number): number {
  const f = Math.fround;
  return f(f(scaleUp - scaleDown) / f(f(scaleUp / maxBound) - f(scaleDown / minBound)));
}

/**
 * The symmetry point of a PowStepReference device, estimated as aihwkit does: `steps`
 * noise-free pairs of a down and an up pulse from 0 (steps <= 0: round(10·range/min(|dwmin|)),
 * at most 10000), without clipping.
 */
export function powStepSymmetryPoint(scaleUp: number, scaleDown: number, gammaUp: number, gammaDown: number, minBound: number, maxBound: number, steps: number): number {
  const f = Math.fround;
  const r = f(maxBound - minBound);
  let n = steps;
  if (n <= 0) n = Math.min(Math.round(f(10 * f(r / Math.min(Math.abs(scaleDown), Math.abs(scaleUp))))), 10000);
  let sp = 0;
  for (let k = 0; k < n; k++) {
    const down = f(-scaleDown * f(Math.pow(f(f(sp - minBound) / r), gammaDown)));
    const up = f(scaleUp * f(Math.pow(f(f(maxBound - sp) / r), gammaUp)));
    sp = f(sp + f(down + up));
  }
  return sp;
}

// ------------------------------------------------------------------ decay, diffusion, reset

/** Pulsed decay towards the reset bias: (w − b)·(1 + α(s − 1)) + b, clipped to the bounds. */
export function decayedWeight(w: number, bias: number, decayScale: number, alpha: number, minBound: number, maxBound: number): number {
  const s = Math.fround(1 + Math.fround(alpha * Math.fround(decayScale - 1)));
  const v = Math.fround(Math.fround(Math.fround(w - bias) * s) + bias);
  return clipToBounds(v, minBound, maxBound);
}

/** Floating-point decay factor 1 − α/lifetime (aihwkit applies it only when it lies in (0, 1); lifetime <= 1: no decay). */
export function simpleDecayFactor(lifetime: number, alpha: number): number {
  const rate = lifetime > 1 ? Math.fround(1 / lifetime) : 0;
  return Math.fround(1 - Math.fround(alpha * rate));
}

/** Diffusion of one device: w + rate·ξ, clipped. */
export function diffusedWeight(w: number, rate: number, xi: number, minBound: number, maxBound: number): number {
  return clipToBounds(Math.fround(w + Math.fround(rate * xi)), minBound, maxBound);
}

/** Reset value of one device: bias + reset_std·ξ, clipped. */
export function resetWeight(bias: number, std: number, xi: number, minBound: number, maxBound: number): number {
  const v = std > 0 ? Math.fround(bias + Math.fround(std * xi)) : bias;
  return clipToBounds(v, minBound, maxBound);
}

// ------------------------------------------------------------------ drift

/**
 * The drift exponent of one element (weight_drifter.cpp): ν_ij plus
 * cycle-to-cycle ν·ν_std·ξ, minus ν_k·log((w − w_offset)/wg_ratio + g_offset) − ν_k·log_g0.
 */
export function driftExponent(nu: number, nuStd: number, xi: number, nuK: number, w: number, wOffset: number, wgRatio: number, gOffset: number, logG0: number): number {
  let n = nu;
  if (nuStd > 0) n = Math.fround(n + Math.fround(Math.fround(nuStd * n) * xi));
  if (nuK !== 0) {
    const g = Math.fround(Math.fround(Math.fround(w - wOffset) / wgRatio) + gOffset);
    n = Math.fround(Math.fround(n - Math.fround(nuK * Math.fround(Math.log(g)))) + Math.fround(nuK * logG0));
  }
  return n;
}

/**
 * The drifted weight w0·max(T, 1)^(−ν) + a·(scale − 1), T the time since
 * the weight last changed in units of t_0 and a = g_offset·wg_ratio + w_offset.
 */
export function driftedWeight(w0: number, elapsed: number, nu: number, offset: number): number {
  const scale = Math.fround(Math.pow(Math.max(elapsed, 1), -nu));
  const v = Math.fround(w0 * scale);
  return offset === 0 ? v : Math.fround(v + Math.fround(offset * Math.fround(scale - 1)));
}

// ------------------------------------------------------------------ array-level: device-to-device draws

/** The pulsed device models of SingleRPUConfig. */
export type PulsedDeviceKind = 'ConstantStep' | 'LinearStep' | 'SoftBounds' | 'ExpStep' | 'PowStep' | 'PiecewiseStep' | 'SoftBoundsReference' | 'PowStepReference';

/** Which device model a pulsed device config is. */
export function pulsedDeviceKind(device: PulsedDevice): PulsedDeviceKind {
  if (device instanceof SoftBoundsDevice) return 'SoftBounds';
  if (device instanceof LinearStepDevice) return 'LinearStep';
  if (device instanceof ExpStepDevice) return 'ExpStep';
  if (device instanceof PowStepDevice) return 'PowStep';
  if (device instanceof PiecewiseStepDevice) return 'PiecewiseStep';
  if (device instanceof SoftBoundsReferenceDevice) return 'SoftBoundsReference';
  if (device instanceof PowStepReferenceDevice) return 'PowStepReference';
  if (device instanceof ConstantStepDevice) return 'ConstantStep';
  throw new ConfigError(`unknown pulsed device ${(device as object).constructor.name}`);
}

/** aihwkit's calcWeightGranularity for a dw_min (the device's, or one re-estimated from hidden parameters). */
export function pulsedWeightGranularity(device: PulsedDevice, dwMin: number): number {
  const f = Math.fround;
  if (device instanceof ExpStepDevice) {
    return expStepGranularity(f(device.upDown), dwMin, f(device.wMin), f(device.wMax), f(device.aDown), f(device.gammaDown), f(device.a), f(device.b));
  }
  if (device instanceof PowStepDevice || device instanceof PowStepReferenceDevice) return powStepGranularity(dwMin, f(device.powGamma));
  if (device instanceof PiecewiseStepDevice) return piecewiseStepGranularity(dwMin, Float32Array.from(device.piecewiseUp));
  return dwMin;
}

/**
 * The hidden parameters of a pulsed device (aihwkit's names): the
 * device-to-device draws, each [outSize · inSize] row-major.
 */
export interface PulsedDeviceDraws {
  maxBound: Float32Array;
  minBound: Float32Array;
  scaleUp: Float32Array;
  scaleDown: Float32Array;
  decayScale: Float32Array;
  diffusionRate: Float32Array;
  resetBias: Float32Array;
  /** ν per device (zeros without drift, drift.nu <= 0). */
  driftNu: Float32Array;
  /** LinearStep / SoftBounds: slope_up, slope_down; PowStep, PowStepReference: gamma_up, gamma_down. */
  extra: { names: readonly [string, string]; up: Float32Array; down: Float32Array } | null;
  /** SoftBoundsReference, PowStepReference: the reference subtracted from each conductance (aihwkit's "reference"); null for the others. */
  reference: Float32Array | null;
}

function drawNormals(seed: number, sub: number, size: number): Float64Array {
  return new RandomStream(seed, RandomStreamId.TileConstruction, 0, sub).fillNormal(new Float64Array(size));
}

/**
 * The device-to-device draws of a pulsed device (aihwkit v.0.7.1
 * rpu_pulsed_device.cpp populate, rpu_linearstep_device.cpp, rpu_powstep_device.cpp,
 * weight_drifter.cpp populate). Random numbers: RandomStreamId.TileConstruction,
 * call 0, key = construction_seed when it is not 0, else `seed` (the tile's);
 * element = row · inSize + column; subs as documented there.
 */
export function drawPulsedDevice(device: PulsedDevice, seed: number, outSize: number, inSize: number): PulsedDeviceDraws {
  const f = Math.fround;
  const p = device;
  const kind = pulsedDeviceKind(p);
  const size = outSize * inSize;
  const key = p.constructionSeed !== 0 ? p.constructionSeed : seed;
  const out: PulsedDeviceDraws = {
    maxBound: new Float32Array(size),
    minBound: new Float32Array(size),
    scaleUp: new Float32Array(size),
    scaleDown: new Float32Array(size),
    decayScale: new Float32Array(size),
    diffusionRate: new Float32Array(size),
    resetBias: new Float32Array(size),
    driftNu: p.drift.nu > 0 ? drawDriftExponents(key, p.drift, size) : new Float32Array(size),
    extra: null,
    reference: null,
  };
  const upDown = f(p.upDown);
  const wMax = f(p.wMax);
  const wMin = f(p.wMin);
  const dwMin = f(p.dwMin);
  // one row at a time: the draws of a large tile need not be held at once
  const stream = (sub: number) => new RandomStream(key, RandomStreamId.TileConstruction, 0, sub);
  const streams = [0, 1, 2, 3, 6, 7, 8].map(stream);
  const corruptStreams = p.corruptDevicesProb > 0 ? [stream(4), stream(5)] : null;
  const rows = Array.from({ length: 9 }, () => new Float64Array(inSize));
  const [xiMax, xiMin, xiGain, xiUpDown, xiDiffusion, xiReset, xiLifetime, corrupt, corruptValue] = rows as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  // aihwkit's PulsedRPUDeviceMetaParameter::initialize clamps the reset mean at 0
  const reset = Math.max(f(p.reset), 0);
  for (let i = 0; i < outSize; i++) {
    streams.forEach((st, k) => st.fillNormal(rows[k]!, i * inSize));
    if (corruptStreams !== null) {
      corruptStreams[0]!.fillUniform(corrupt, i * inSize);
      corruptStreams[1]!.fillUniform(corruptValue, i * inSize);
    }
    for (let j = 0; j < inSize; j++) {
      const e = i * inSize + j;
      let max = drawnRelative(wMax, f(p.wMaxDtod), xiMax[j]!);
      let min = drawnRelative(wMin, f(p.wMinDtod), xiMin[j]!);
      const gain = drawnGain(f(p.dwMinDtod), xiGain[j]!, p.dwMinDtodLogNormal ? 1 : 0);
      const r = f(f(p.upDownDtod) * xiUpDown[j]!);
      let up = drawnScaleUp(upDown, gain, r, dwMin);
      let down = drawnScaleDown(upDown, gain, r, dwMin);
      if (p.enforceConsistency) {
        up = Math.abs(up);
        down = Math.abs(down);
        if (min > max) [min, max] = [max, min];
        max = Math.abs(max);
        min = -Math.abs(min);
      } else if (min > max) {
        // aihwkit "turns off" the device: both bounds at the midpoint
        const mid = f(max + f(f(min - max) / 2));
        max = mid;
        min = mid;
      }
      if (corruptStreams !== null && f(p.corruptDevicesProb) > corrupt[j]!) {
        const range = Math.abs(f(p.corruptDevicesRange));
        const lo = Math.max(Math.min(max, min), -range);
        const hi = Math.min(Math.max(max, min), range);
        const value = f(lo + f(f(hi - lo) * corruptValue[j]!));
        max = value;
        min = value;
        up = 0;
        down = 0;
      }
      if (p.perfectBias && j === inSize - 1) {
        up = dwMin;
        down = dwMin;
        min = f(100 * wMin);
        max = f(100 * wMax);
      }
      out.maxBound[e] = max;
      out.minBound[e] = min;
      out.scaleUp[e] = up;
      out.scaleDown[e] = down;
      out.diffusionRate[e] = Math.abs(f(f(p.diffusion) * f(1 + f(f(p.diffusionDtod) * xiDiffusion[j]!))));
      out.resetBias[e] = f(reset + f(f(p.resetDtod) * xiReset[j]!));
      out.decayScale[e] = drawnDecayScale(f(p.lifetime), f(p.lifetimeDtod), xiLifetime[j]!);
    }
  }
  if (kind === 'LinearStep' || kind === 'SoftBounds')
    out.extra = { names: ['slope_up', 'slope_down'], ...drawLinearSlopes(p as LinearStepDevice, kind === 'SoftBounds', out, key) };
  else if (kind === 'PowStep' || kind === 'PowStepReference') {
    out.extra = { names: ['gamma_up', 'gamma_down'], ...drawPowGammas(p as PowStepDevice | PowStepReferenceDevice, key, size) };
  }
  if (kind === 'SoftBoundsReference') drawSoftBoundsReference(p as SoftBoundsReferenceDevice, out, key);
  if (kind === 'PowStepReference') drawPowStepReference(p as PowStepReferenceDevice, out, key);
  return out;
}

/** The reference of each device: reference_mean + reference_std·ξ (sub 14). */
function drawReference(p: SoftBoundsReferenceDevice | PowStepReferenceDevice, key: number, size: number): Float32Array {
  const f = Math.fround;
  const xi = drawNormals(key, 14, size);
  const out = new Float32Array(size);
  for (let e = 0; e < size; e++) out[e] = f(f(p.referenceMean) + f(f(p.referenceStd) * xi[e]!));
  return out;
}

/**
 * SoftBoundsReference (rpu_softbounds_reference_device.cpp populate): where max > 0 > min, the
 * slopes dwmin/bound vary by |1 + slope_*_dtod·ξ| and the bounds follow (max = dwmin_up/slope_up,
 * min = −dwmin_down/slope_down, recomputed in float32 even without variation); the reference is
 * drawn, and with subtract_symmetry_point each device's symmetry point is added to it and to its
 * reset bias.
 */
function drawSoftBoundsReference(p: SoftBoundsReferenceDevice, d: PulsedDeviceDraws, key: number): void {
  const f = Math.fround;
  const size = d.maxBound.length;
  const xiDown = drawNormals(key, 10, size);
  const xiUp = drawNormals(key, 11, size);
  const reference = drawReference(p, key, size);
  for (let e = 0; e < size; e++) {
    let max = d.maxBound[e]!;
    let min = d.minBound[e]!;
    const su = d.scaleUp[e]!;
    const sd = d.scaleDown[e]!;
    if (max > 0 && min < 0) {
      const slopeDown = f(f(-sd / min) * Math.abs(f(1 + f(f(p.slopeDownDtod) * xiDown[e]!))));
      const slopeUp = f(f(su / max) * Math.abs(f(1 + f(f(p.slopeUpDtod) * xiUp[e]!))));
      max = f(su / slopeUp);
      min = f(-sd / slopeDown);
      d.maxBound[e] = max;
      d.minBound[e] = min;
      if (p.subtractSymmetryPoint) {
        const sp = softBoundsSymmetryPoint(su, sd, min, max);
        reference[e] = f(reference[e]! + sp);
        d.resetBias[e] = f(d.resetBias[e]! + sp);
      }
    }
  }
  d.reference = reference;
}

/** PowStepReference (rpu_powstep_reference_device.cpp populate): the reference, plus the estimated symmetry point with subtract_symmetry_point. */
function drawPowStepReference(p: PowStepReferenceDevice, d: PulsedDeviceDraws, key: number): void {
  const f = Math.fround;
  const size = d.maxBound.length;
  const reference = drawReference(p, key, size);
  if (p.subtractSymmetryPoint) {
    for (let e = 0; e < size; e++) {
      const max = d.maxBound[e]!;
      const min = d.minBound[e]!;
      if (!(max > 0 && min < 0)) continue;
      const sp = powStepSymmetryPoint(d.scaleUp[e]!, d.scaleDown[e]!, d.extra!.up[e]!, d.extra!.down[e]!, min, max, p.nEstimationSteps);
      reference[e] = f(reference[e]! + sp);
      d.resetBias[e] = f(d.resetBias[e]! + sp);
    }
  }
  d.reference = reference;
}

/** LinearStep slopes; SoftBounds is LinearStep with γ = 1, no γ variation, no increasing slope and each device's own bounds as reference. */
function drawLinearSlopes(p: LinearStepDevice, soft: boolean, d: PulsedDeviceDraws, key: number): { up: Float32Array; down: Float32Array } {
  const f = Math.fround;
  const size = d.maxBound.length;
  const gammaUp = soft ? 1 : f(p.gammaUp);
  const gammaDown = soft ? 1 : f(p.gammaDown);
  const gammaUpDtod = soft ? 0 : f(p.gammaUpDtod);
  const gammaDownDtod = soft ? 0 : f(p.gammaDownDtod);
  const allowIncreasing = soft ? false : p.allowIncreasing;
  const meanReference = soft ? false : p.meanBoundReference;
  const offset = f(p.reverseOffset);
  const xiUp = drawNormals(key, 10, size);
  const xiDown = drawNormals(key, 11, size);
  const up = new Float32Array(size);
  const down = new Float32Array(size);
  for (let e = 0; e < size; e++) {
    let gu = f(gammaUp + f(gammaUpDtod * xiUp[e]!));
    let gd = f(gammaDown + f(gammaDownDtod * xiDown[e]!));
    if (!allowIncreasing) {
      gu = Math.abs(gu);
      gd = Math.abs(gd);
    }
    const maxRef = meanReference ? f(p.wMax) : d.maxBound[e]!;
    const minRef = meanReference ? f(p.wMin) : d.minBound[e]!;
    up[e] = linearStepSlope(gu, d.scaleUp[e]!, p.reverseUp ? f(minRef - offset) : maxRef);
    down[e] = linearStepSlope(gd, d.scaleDown[e]!, p.reverseDown ? f(maxRef + offset) : minRef);
  }
  return { up, down };
}

/** PowStep exponents γ_up, γ_down = (bias + gain ± r)·pow_gamma. */
function drawPowGammas(p: PowStepDevice | PowStepReferenceDevice, key: number, size: number): { up: Float32Array; down: Float32Array } {
  const f = Math.fround;
  const gamma = f(p.powGamma);
  const upDown = f(p.powUpDown);
  const upBias = upDown > 0 ? 0 : upDown;
  const downBias = upDown > 0 ? -upDown : 0;
  const xiGain = drawNormals(key, 12, size);
  const xiUpDown = drawNormals(key, 13, size);
  const up = new Float32Array(size);
  const down = new Float32Array(size);
  for (let e = 0; e < size; e++) {
    const gain = f(1 + f(f(p.powGammaDtod) * xiGain[e]!));
    const r = f(f(p.powUpDownDtod) * xiUpDown[e]!);
    let gu = powStepGamma(upBias, gain, r, gamma);
    let gd = powStepGamma(downBias, gain, -r, gamma);
    if (p.enforceConsistency) {
      gu = Math.abs(gu);
      gd = Math.abs(gd);
    }
    up[e] = gu;
    down[e] = gd;
  }
  return { up, down };
}

// ------------------------------------------------------------------ array-level: drift

/** A DriftParameter as aihwkit's WeightDrifter uses it (SimpleDriftParameter: nu, t_0, reset_tol only). */
export interface DriftSettings {
  nu: number;
  t0: number;
  resetTol: number;
  nuStd: number;
  wgRatio: number;
  gOffset: number;
  wOffset: number;
  nuK: number;
  logG0: number;
  wNoiseStd: number;
}

/** The settings of a DriftParameter, or of a SimpleDriftParameter (aihwkit's "simple" drift: no variation, offsets or noise). */
export function driftSettings(d: DriftParameter | SimpleDriftParameter): DriftSettings {
  if (!(d instanceof DriftParameter)) {
    return { nu: Math.fround(d.nu), t0: d.t0, resetTol: d.resetTol, nuStd: 0, wgRatio: 1, gOffset: 0, wOffset: 0, nuK: 0, logG0: 0, wNoiseStd: 0 };
  }
  return {
    nu: Math.fround(d.nu),
    t0: d.t0,
    resetTol: d.resetTol,
    nuStd: d.nuStd,
    wgRatio: d.wgRatio,
    gOffset: d.gOffset,
    wOffset: d.wOffset,
    nuK: d.nuK,
    logG0: d.logG0,
    wNoiseStd: d.wNoiseStd,
  };
}

/**
 * The device-to-device drift exponents ν_ij = ν + ν_dtod·ν·ξ (aihwkit's
 * WeightDrifter::populate), ξ from the construction stream (sub 9) of `key`
 * (the construction_seed, or the tile's seed).
 */
export function drawDriftExponents(key: number, d: DriftParameter, size: number): Float32Array {
  const xi = drawNormals(key, 9, size);
  const nu = Math.fround(d.nu);
  const scale = Math.fround(Math.fround(d.nuDtod) * nu);
  const out = new Float32Array(size);
  for (let e = 0; e < size; e++) out[e] = Math.fround(nu + Math.fround(scale * xi[e]!));
  return out;
}

// ------------------------------------------------------------------ array-level: hidden parameters

/**
 * The hidden parameters of a pulsed device in aihwkit's order
 * (getDPNames): the common ones, persistent_weights under write noise, then
 * the device's own (slopes or exponents, then a reference device's reference).
 */
export function pulsedHiddenParameterNames(kind: PulsedDeviceKind, writeNoise: boolean): string[] {
  const names = ['max_bound', 'min_bound', 'dwmin_up', 'dwmin_down', 'decay_scales', 'diffusion_rates', 'reset_bias', 'drift_nu'];
  if (writeNoise) names.push('persistent_weights');
  if (kind === 'LinearStep' || kind === 'SoftBounds') names.push('slope_up', 'slope_down');
  if (kind === 'PowStep' || kind === 'PowStepReference') names.push('gamma_up', 'gamma_down');
  if (kind === 'SoftBoundsReference' || kind === 'PowStepReference') names.push('reference');
  return names;
}

/**
 * aihwkit's setDeviceParameter: when the mean step (|dwmin_up| + |dwmin_down|)/2,
 * summed in float32, differs from dw_min by more than 2·dw_min_dtod relative,
 * dw_min becomes that mean (and the weight granularity follows). Returns the
 * new dw_min, or null when it stays.
 */
export function reestimatedDwMin(scaleUp: Float32Array, scaleDown: Float32Array, dwMin: number, dwMinDtod: number): number | null {
  let sum = 0;
  for (let e = 0; e < scaleUp.length; e++) sum = Math.fround(sum + Math.fround(Math.fround(Math.abs(scaleUp[e]!) + Math.abs(scaleDown[e]!)) / 2));
  const mean = Math.fround(sum / scaleUp.length);
  const par = Math.fround(dwMin);
  return Math.fround(Math.abs(Math.fround(mean - par)) / par) > Math.fround(2 * Math.fround(dwMinDtod)) ? mean : null;
}
