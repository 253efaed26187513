/**
 * Pure formulas of the pulsed device models: device-to-device draws at
 * construction, the weight after one update pulse of each device, and
 * decay, reset and drift. `sign > 0` is a pulse that decreases the weight
 * (a positive coincidence of x and d in SGD), `sign < 0` one that increases it.
 * `xi` arguments are standard normal draws.
 *
 * aihwkit v.0.7.1 src/rpucuda/rpu_pulsed_device.cpp (populate, decay, diffuse,
 * reset), rpu_constantstep_device.cpp, rpu_linearstep_device.cpp (also
 * SoftBounds), rpu_expstep_device.cpp, rpu_powstep_device.cpp, weight_drifter.cpp.
 * aihwkit computes in float32; intermediates are rounded with Math.fround.
 * Scalar functions are in the subset gpu.js compiles.
 */

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
    const step = multNoise > 0 ? Math.fround(Math.fround(Math.fround(slopeDown * v) + scaleDown) * f) : Math.fround(Math.fround(slopeDown * v) + Math.fround(scaleDown * f));
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
