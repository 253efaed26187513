/**
 * Hardware-aware training formulas: the weight modifier (WeightModifierParameter),
 * weight clipping (WeightClipParameter) and remapping (WeightRemapParameter).
 *
 * Sources: aihwkit v.0.7.1 `src/rpucuda/weight_modifier.cpp`, `weight_clipper.cpp`,
 * `weight_remapper.cpp`, `utility_functions.h` (getDiscretizedValueRound); the later
 * modifier types (ProgNoise, PCMNoise, DropConnect) after aihwkit's latest
 * `src/rpucuda/weight_modifier.cpp` and `src/rpucuda/cuda/weight_modifier_cuda.cu`.
 *
 * aihwkit computes all of these in float32, so every step rounds with Math.fround.
 * The scalar functions are written in the subset gpu.js compiles (flags are numbers,
 * 0 = off); the array helpers below them are plain reductions and in-place loops.
 */

import type { WeightModifierParameter } from '../config/parameters.js';
import { pcmDriftNuStd, pcmReadNoiseQs } from './inference.js';

// ------------------------------------------------------------------ scalar formulas

/** C/C++ `round`: halves go away from zero (unlike Math.round, which goes up). */
export function roundHalfAwayFromZero(x: number): number {
  if (x < 0) {
    return -Math.floor(-x + 0.5);
  }
  return Math.floor(x + 0.5);
}

/**
 * aihwkit's getDiscretizedValueRound: round(value / res) · res in float32, with
 * stochastic rounding (uniform u in (0, 1) shifts by u − 0.5) when stoRound > 0.
 * res <= 0 leaves the value as it is; res > 1 is NOT inverted (a step of res).
 */
export function discretizeRound(value: number, res: number, stoRound: number, uniform: number): number {
  if (res <= 0) {
    return value;
  }
  let q = Math.fround(value / res);
  if (stoRound > 0) {
    q = Math.fround(q + Math.fround(uniform - 0.5));
  }
  return Math.fround(roundHalfAwayFromZero(q) * res);
}

/** Discretize relative to amax: amax · discretizeRound(w / amax, res) (Discretize, DiscretizeAddNormal). */
export function modifyDiscretize(w: number, amax: number, res: number, stoRound: number, uniform: number): number {
  return Math.fround(amax * discretizeRound(Math.fround(w / amax), res, stoRound, uniform));
}

/** MultNormal: w + w · (std_dev · amax) · ξ. aihwkit scales the relative std by amax as well. */
export function modifyMultNormal(w: number, stdTimesAmax: number, normal: number): number {
  return Math.fround(w + Math.fround(Math.fround(w * stdTimesAmax) * normal));
}

/** AddNormal: w + (std_dev · amax) · ξ. */
export function modifyAddNormal(w: number, stdTimesAmax: number, normal: number): number {
  return Math.fround(w + Math.fround(stdTimesAmax * normal));
}

/** Poly: w + amax · sig · ξ, sig = std_dev · Σ_k c_k (|w| / amax)^k (see `powerSeries`). */
export function modifyPoly(w: number, amax: number, sig: number, normal: number): number {
  return Math.fround(w + Math.fround(Math.fround(amax * sig) * normal));
}

/** ProgNoise (later aihwkit): Poly noise with the sign of w kept (noise mirrored at zero). */
export function modifyProgNoise(w: number, amax: number, sig: number, normal: number): number {
  const out = Math.abs(modifyPoly(w, amax, sig, normal));
  if (w < 0) {
    return -out;
  }
  return out;
}

/** The DoReFa scale |dorefa_clip / tanh(amax)| in float32. */
export function doReFaScale(dorefaClip: number, amax: number): number {
  return Math.fround(Math.abs(Math.fround(Math.fround(dorefaClip) / Math.fround(Math.tanh(amax)))));
}

/** DoReFa: discretizeRound(tanh(w) · scale, res) — not relative to amax, as in aihwkit. */
export function modifyDoReFa(w: number, scale: number, res: number, stoRound: number, uniform: number): number {
  return discretizeRound(Math.fround(Math.fround(Math.tanh(w)) * scale), res, stoRound, uniform);
}

/** Drop connect: the weight is set to 0 when the uniform draw is below pdrop. */
export function dropConnect(w: number, pdrop: number, uniform: number): number {
  if (uniform < pdrop) {
    return 0;
  }
  return w;
}

/**
 * PCMNoise (later aihwkit, CUDA `kernelModifyWeightsPCMNoise`): the weight mapped to
 * g = clip(w, ±amax)·gMax/amax µS, programmed with the fixed PCM polynomial noise
 * (0.26348, 1.965, −1.1731), drifted with the *variation* of ν only (mean drift assumed
 * compensated) to t = tInference + t0, plus 1/f read noise, and mapped back keeping
 * the sign. `noiseScale` is std_dev; `logSqrtFactor` is pcmReadNoiseLogFactor(tInference + t0, 250e-9).
 * Draws: n1 programming, n2 drift, n3 read noise (standard normal); uReset, uGmax1,
 * uGmax2, uRand1, uRand2 uniform in (0, 1).
 */
export function modifyPcmNoise(
  w: number,
  amax: number,
  gMax: number,
  zeroThres: number,
  noiseScale: number,
  tInference: number,
  t0: number,
  logSqrtFactor: number,
  probAtReset: number,
  probAtGmax: number,
  probAtRandom: number,
  n1: number,
  n2: number,
  n3: number,
  uReset: number,
  uGmax1: number,
  uGmax2: number,
  uRand1: number,
  uRand2: number,
): number {
  const t = tInference + t0;
  let g = Math.fround(Math.fround(Math.min(Math.max(w, -amax), amax) * gMax) / amax);
  const thres = Math.fround(Math.fround(zeroThres * noiseScale) * 0.26348);
  if (!(Math.abs(g) > thres)) {
    g = 0;
  }
  const negative = g < 0;
  if (probAtReset > 0 && uReset < probAtReset) {
    g = 0;
  }
  if (probAtGmax > 0 && uGmax1 < probAtGmax) {
    if (uGmax2 > 0.5) {
      g = Math.fround(g - gMax);
    } else {
      g = Math.fround(g + gMax);
    }
  }
  if (probAtRandom > 0 && uRand1 < probAtRandom) {
    const v = Math.fround(uRand2 * gMax);
    if (g > 0) {
      g = v;
    } else {
      g = -v;
    }
  }
  g = Math.min(Math.max(g, -gMax), gMax);
  if (!(Math.abs(g) > 0)) {
    return 0;
  }
  const agRel = Math.abs(Math.fround(g / gMax));
  const sigProg = Math.fround(Math.fround(0.26348 + Math.fround(agRel * 1.965)) + Math.fround(Math.fround(agRel * agRel) * -1.1731));
  const gProg = Math.fround(g + Math.fround(Math.fround(noiseScale * sigProg) * n1));
  let gDrift = gProg;
  if (t > t0) {
    const agDrift = Math.max(Math.abs(Math.fround(gProg / gMax)), 1e-6);
    const nu = Math.abs(Math.fround(n2 * pcmDriftNuStd(Math.fround(Math.log(agDrift)))));
    gDrift = Math.fround(gProg * Math.fround(Math.pow(Math.fround(t / t0), -nu)));
  }
  let gFinal = gDrift;
  if (t > 0) {
    const sigNoise = Math.fround(pcmReadNoiseQs(gProg, gMax) * logSqrtFactor);
    gFinal = Math.fround(gDrift + Math.fround(Math.fround(Math.fround(noiseScale * Math.abs(gDrift)) * sigNoise) * n3));
  }
  const out = Math.abs(Math.fround(Math.fround(gFinal / gMax) * amax));
  if (negative) {
    return -out;
  }
  return out;
}

/** Symmetric clip to [−c, c]. */
export function clipSymmetric(w: number, c: number): number {
  return Math.min(Math.max(w, -c), c);
}

// ------------------------------------------------------------------ array helpers

/**
 * c0 + c1·x + c2·x² + … accumulated in float32 the way aihwkit does it
 * (power by repeated multiplication), for the Poly/ProgNoise modifier and the
 * PCM programming-noise polynomial.
 */
export function powerSeries(coeffs: ArrayLike<number>, x: number): number {
  let sum = Math.fround(coeffs[0] ?? 0);
  let power = 1;
  for (let k = 1; k < coeffs.length; k++) {
    power = Math.fround(power * x);
    sum = Math.fround(sum + Math.fround(Math.fround(coeffs[k]!) * power));
  }
  return sum;
}

/**
 * max |w| over the weights, leaving out the last column when `skipLastColumn`
 * (the bias column of copy_last_column). Row-major [outSize × inSize].
 */
export function weightsAbsMax(w: ArrayLike<number>, outSize: number, inSize: number, skipLastColumn = false): number {
  let amax = 0;
  for (let i = 0; i < outSize; i++) {
    const end = skipLastColumn ? inSize - 1 : inSize;
    const row = i * inSize;
    for (let j = 0; j < end; j++) {
      const a = Math.abs(w[row + j]!);
      if (a > amax) amax = a;
    }
  }
  return amax;
}

/**
 * The modifier's reference value amax: the actual abs max (without the last column
 * when copy_last_column; 1 if all weights are 0) when rel_to_actual_wmax, else
 * assumed_wmax. aihwkit ignores rel_to_actual_wmax for Copy, which needs no amax.
 */
export function modifierAmax(w: ArrayLike<number>, outSize: number, inSize: number, relToActualWmax: boolean, assumedWmax: number, copyLastColumn: boolean): number {
  if (!relToActualWmax) return Math.fround(assumedWmax);
  const amax = weightsAbsMax(w, outSize, inSize, copyLastColumn);
  return amax > 0 ? amax : 1;
}

/** The random draws aihwkit's WeightModifier::apply takes for one modifier (see weightModifierDraws). */
export interface WeightModifierDraws {
  /** Normal draws: the normal-noise types with std_dev > 0 (as float32), DiscretizeAddNormal with res or std_dev, PCMNoise. */
  readonly normal: boolean;
  /** Uniforms of stochastic rounding: sto_round with Discretize, DoReFa or DiscretizeAddNormal. */
  readonly rounding: boolean;
  /** Uniforms of the drop-connect mask: pdrop > 0. */
  readonly drop: boolean;
  /** Any of them: the modifier takes a random call of the tile. */
  readonly any: boolean;
}

/** Which random draws the modifier `p` takes, so every engine spends random calls alike. */
export function weightModifierDraws(p: WeightModifierParameter): WeightModifierDraws {
  const stdDev = Math.fround(p.stdDev);
  const normal =
    ((p.type === 'AddNormal' || p.type === 'MultNormal' || p.type === 'Poly' || p.type === 'ProgNoise') && stdDev > 0) ||
    (p.type === 'DiscretizeAddNormal' && (p.res > 0 || stdDev > 0)) ||
    p.type === 'PCMNoise';
  const rounding = p.stoRound && (p.type === 'Discretize' || p.type === 'DoReFa' || p.type === 'DiscretizeAddNormal');
  const drop = p.pdrop > 0;
  return { normal, rounding, drop, any: normal || rounding || drop };
}

/**
 * LayerGaussian clip value: sigma · std(w) (ddof 1), accumulated in float32 in
 * aihwkit's order (Σ (w − mean)² / (n − 1) term by term); min with fixedValue if > 0.
 */
export function layerGaussianClipValue(w: ArrayLike<number>, sigma: number, fixedValue: number): number {
  const n = w.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean = Math.fround(mean + w[i]!);
  mean = Math.fround(mean / n);
  const s = n - 1;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const m = Math.fround(w[i]! - mean);
    acc = Math.fround(acc + Math.fround(Math.fround(m * m) / s));
  }
  let clip = Math.fround(Math.fround(Math.sqrt(acc)) * Math.fround(sigma));
  if (fixedValue > 0) clip = Math.min(clip, Math.fround(fixedValue));
  return clip;
}

/** AverageChannelMax clip value: the mean over outputs of max_j |w_ij|; min with fixedValue if > 0. */
export function averageChannelMaxClipValue(w: ArrayLike<number>, outSize: number, inSize: number, fixedValue: number): number {
  let sum = 0;
  for (let i = 0; i < outSize; i++) {
    let rowMax = 0;
    for (let j = 0; j < inSize; j++) {
      const a = Math.abs(w[i * inSize + j]!);
      if (a > rowMax) rowMax = a;
    }
    sum = Math.fround(sum + rowMax);
  }
  let clip = Math.abs(Math.fround(sum / outSize));
  if (fixedValue > 0) clip = Math.min(clip, Math.fround(fixedValue));
  return clip;
}

/** Clips every weight to [−c, c] in place. */
export function clipWeightsInPlace(w: Float32Array, c: number): void {
  for (let i = 0; i < w.length; i++) w[i] = clipSymmetric(w[i]!, c);
}

/**
 * LayerwiseSymmetric remap, in place: amax = max|w| / remappedWmax; if amax > 0 the
 * weights are divided by it and every scale multiplied by it (the layer's output is unchanged).
 */
export function remapLayerwiseSymmetric(w: Float32Array, scales: Float32Array, remappedWmax: number): void {
  let amax = 0;
  for (let i = 0; i < w.length; i++) {
    const a = Math.abs(w[i]!);
    if (a > amax) amax = a;
  }
  amax = Math.fround(amax / Math.fround(remappedWmax));
  if (!(amax > 0)) return;
  for (let i = 0; i < scales.length; i++) scales[i] = Math.fround(scales[i]! * amax);
  for (let i = 0; i < w.length; i++) w[i] = Math.fround(w[i]! / amax);
}

/**
 * ChannelwiseSymmetric remap, in place, per output row i with m_i = max_j |w_ij|:
 * without a scale range (maxScaleRange <= 0): m_i /= remappedWmax, s_i *= m_i, w_ij /= m_i
 * (rows of zeros keep their scale). With a scale range (remappedWmax must be 1): the new
 * scale m_i·s_i is capped at minScale·maxScaleRange, minScale = min_i s_i (raised to
 * maxScaleRef when that is set and minScale > 0), and w_ij ← w_ij·s_old_i / s_new_i.
 * `rowMax` and `oldScales` are scratch of length outSize.
 */
export function remapChannelwiseSymmetric(
  w: Float32Array,
  outSize: number,
  inSize: number,
  scales: Float32Array,
  remappedWmax: number,
  maxScaleRange: number,
  maxScaleRef: number,
  rowMax: Float32Array = new Float32Array(outSize),
  oldScales: Float32Array = new Float32Array(outSize),
): void {
  for (let i = 0; i < outSize; i++) {
    let m = 0;
    for (let j = 0; j < inSize; j++) {
      const a = Math.abs(w[i * inSize + j]!);
      if (a > m) m = a;
    }
    rowMax[i] = m;
  }
  if (maxScaleRange <= 0) {
    const wmax = Math.fround(remappedWmax);
    for (let i = 0; i < outSize; i++) {
      const m = wmax !== 1 ? Math.fround(rowMax[i]! / wmax) : rowMax[i]!;
      const div = m > 0 ? m : 1;
      scales[i] = Math.fround(scales[i]! * div);
      for (let j = 0; j < inSize; j++) w[i * inSize + j] = Math.fround(w[i * inSize + j]! / div);
    }
    return;
  }
  let minScale = Infinity;
  for (let i = 0; i < outSize; i++) {
    oldScales[i] = scales[i]!;
    if (scales[i]! < minScale) minScale = scales[i]!;
  }
  minScale = Math.max(minScale, 0);
  if (minScale > 0 && maxScaleRef !== 0) minScale = Math.max(minScale, Math.fround(maxScaleRef));
  const range = Math.fround(maxScaleRange);
  for (let i = 0; i < outSize; i++) {
    const m = rowMax[i]!;
    let s = m > 0 ? Math.fround(m * oldScales[i]!) : oldScales[i]!;
    if (minScale > 0 && Math.fround(s / minScale) > range) s = Math.fround(minScale * range);
    scales[i] = s;
    for (let j = 0; j < inSize; j++) {
      const k = i * inSize + j;
      w[k] = Math.fround(Math.fround(w[k]! * oldScales[i]!) / s);
    }
  }
}
