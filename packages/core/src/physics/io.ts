/**
 * The analog matrix-vector product with IOParameters: the pure formulas of
 * aihwkit's IO-managed forward/backward pass, one place each, so that every
 * engine computes them the same way.
 *
 * Source: aihwkit v.0.7.1 src/rpucuda/rpu_forward_backward_pass.cpp (the pass),
 * src/rpucuda/rpu_pulsed_meta_parameter.cpp (IOMetaParameter::initializeForForward/
 * Backward: resolutions, bounds), src/rpucuda/utility_functions.h (discretisation).
 * aihwkit computes in float32; `Math.fround` marks where that rounding shows in
 * the results (quantisation boundaries, scales).
 *
 * The scalar functions (number in, number out) are written in the subset gpu.js
 * compiles into kernels: plain functions of numbers, `Math.*`, `if`/`else`, no
 * module constants. Flags are numbers (0 or 1). The array-level helpers below
 * them (resolveIOParameters, drawMvParameters, noiseManagementScale, ...) build on them.
 *
 * The stages of one pass, per input vector (docs/forward-pass.md):
 *   scale (1/noise-management · 1/bound-management) → quantise (DAC) → clip (inp_bound)
 *   → input noise → input asymmetry → MVM (one pass, or negative and positive inputs
 *   separately) → IR drop, voltage offsets / series resistance, weight noise
 *   → output non-linearity → output asymmetry → output noise → quantise (ADC)
 *   → bound test and clip (out_bound) → rescale (out_scale · nm · reduction).
 */
import { InputError, NotSupportedError } from '../errors.js';
import type { IOParameters } from '../config/parameters.js';
import type { AnalogMVType, BoundManagementType, NoiseManagementType, WeightNoiseType } from '../enums.js';
import { RandomStream, RandomStreamId } from '../rng.js';
import type { TileState } from '../tile.js';
import { quantize } from './rounding.js';
import { clipSymmetric } from './weights.js';

// ------------------------------------------------------------------ scalar formulas

/**
 * The quantisation step of a DAC/ADC as aihwkit's IOMetaParameter initialises it:
 * a resolution r > 1 means 1/r, r < 0 means 0, and the step is r · 2 · bound
 * (float32). Note 0 · ∞ = NaN: an infinite bound with the resolution off gives NaN,
 * as aihwkit does (aihwkit v.0.7.1 rpu_pulsed_meta_parameter.cpp, checkRes/checkAndSetRes).
 */
export function ioResolutionStep(res: number, bound: number): number {
  let r = Math.fround(res);
  if (r < 0) r = 0;
  if (r > 1) r = Math.fround(1 / r);
  return Math.fround(r * Math.fround(2 * bound));
}

/** Negative values scaled by `negativeScale` (1 − inp_asymmetry or 1 − out_asymmetry), float32. */
export function scaleNegative(value: number, negativeScale: number): number {
  return value < 0 ? Math.fround(value * negativeScale) : value;
}

/**
 * One input element through the DAC: scaled, quantised, clipped to inp_bound,
 * (clipSymmetric, ∞ clips nothing), input noise (`noise` = inp_noise · N(0,1), 0 when off)
 * added after the clip,
 * negative values scaled by `negativeScale` (1 − inp_asymmetry).
 * (aihwkit v.0.7.1 rpu_forward_backward_pass.cpp, prepareInputImplStage4)
 */
export function prepareInputValue(x: number, scale: number, step: number, roundShift: number, bound: number, noise: number, negativeScale: number): number {
  let v = Math.fround(x * scale);
  v = quantize(v, step, roundShift);
  v = clipSymmetric(v, bound);
  if (noise !== 0) v = Math.fround(v + noise);
  if (negativeScale !== 1) v = scaleNegative(v, negativeScale); // skipped when off: the sign test mispredicts
  return v;
}

/**
 * One output element before the ADC clip: output non-linearity
 * `factor · y / (1 + |nl · y|)` when `withNonlinearity` is 1, negative values scaled
 * by `negativeScale` (1 − out_asymmetry), output noise (`noise` = out_noise · N(0,1))
 * added, then quantised. Clip and bound test follow (clipSymmetric, boundTestUpdate).
 * (aihwkit v.0.7.1 rpu_forward_backward_pass.cpp, finalizeOutputImplStage5)
 */
export function finalizeOutputValue(
  y: number,
  withNonlinearity: number,
  nlFactor: number,
  nl: number,
  negativeScale: number,
  noise: number,
  step: number,
  roundShift: number,
): number {
  let v = y;
  if (withNonlinearity !== 0) v = outputNonlinearity(v, nlFactor, nl);
  if (negativeScale !== 1) v = scaleNegative(v, negativeScale);
  if (noise !== 0) v = Math.fround(v + noise);
  return quantize(v, step, roundShift);
}

/**
 * Whether one quantised output (before the clip) is out of bound for bound management:
 * 1 when it is above out_bound, or below −out_bound and `testNegative` is 1. An output
 * equal to the bound passes; NaN passes. (A vector's test result is not simply "no
 * element failed" when testNegative is 0: see boundTestUpdate.)
 */
export function outputBoundFailed(value: number, bound: number, testNegative: number): number {
  if (value > bound) return 1;
  if (value < -bound && testNegative !== 0) return 1;
  return 0;
}

/**
 * aihwkit's bound test of a vector, element by element in output order: `passed` (1 or
 * 0, starting at 1) after the quantised output `value`. Above out_bound fails; below
 * −out_bound sets the result to !bm_test_negative_bound, so with that flag off a later
 * negative clip clears an earlier positive failure (as aihwkit 0.7.1's loop does).
 * (aihwkit v.0.7.1 rpu_forward_backward_pass.cpp, finalizeOutputImplStage5)
 */
export function boundTestUpdate(passed: number, value: number, bound: number, testNegative: number): number {
  if (value > bound) return 0;
  if (value < -bound) return testNegative !== 0 ? 0 : 1;
  return passed;
}

/** The S-shaped output non-linearity `factor · y / (1 + |nl · y|)` (float32). */
export function outputNonlinearity(y: number, factor: number, nl: number): number {
  return Math.fround(Math.fround(factor * y) / Math.fround(1 + Math.abs(Math.fround(nl * y))));
}

/** A noise-management value limited by nm_thres when nm_thres > 0 (AbsMax, Max, AbsMaxNPSum). */
export function noiseManagementThreshold(value: number, nmThres: number): number {
  return nmThres > 0 ? Math.min(value, nmThres) : value;
}

/** Noise management "Constant": nm_thres, or 1 when nm_thres <= 0. */
export function constantNoiseManagement(nmThres: number): number {
  return nmThres > 0 ? nmThres : 1;
}

/**
 * The AverageAbsMax running value after one input vector with abs max `absMax`:
 * the first vector sets it (running < 0 means unset), later ones decay it by nm_decay
 * (float32). aihwkit's CPU pass does this per vector, shared by forward and backward.
 */
export function averageAbsMaxUpdate(running: number, absMax: number, nmDecay: number): number {
  if (running < 0) return absMax;
  return Math.fround(Math.fround(running * Math.fround(1 - nmDecay)) + Math.fround(nmDecay * absMax));
}

/**
 * Noise management "AbsMaxNPSum": the larger of the (thresholded) abs max and the
 * worst-case output `max(Σx⁺, −Σx⁻) · nm_assumed_wmax / out_bound`, the latter limited to
 * `absMax / inp_step · max_bm_res` when the DAC quantises. `bound` is the resolved
 * out_bound, or 1 when that is ∞; `inpStep` the resolved DAC step.
 */
export function absMaxNPSumScale(
  absMax: number,
  posSum: number,
  negSum: number,
  nmThres: number,
  nmAssumedWmax: number,
  bound: number,
  inpStep: number,
  maxBmRes: number,
): number {
  const sum = Math.max(posSum, -negSum);
  const amax = noiseManagementThreshold(absMax, nmThres);
  let npsum = Math.fround(Math.fround(sum * nmAssumedWmax) / bound);
  if (inpStep > 0) npsum = Math.min(Math.fround(Math.fround(amax / inpStep) * maxBmRes), npsum);
  return Math.max(amax, npsum);
}

/**
 * Whether bound management stops at input reduction `reduction` (1, 2, 4, …) even when
 * the output still clips: past max_bm_factor, or past max_bm_res / inp_step when the
 * DAC quantises (float32 compare, as aihwkit).
 */
export function boundManagementLimitReached(reduction: number, maxBmFactor: number, maxBmRes: number, inpStep: number): number {
  if (reduction > maxBmFactor) return 1;
  if (inpStep > 0 && reduction > Math.fround(maxBmRes / inpStep)) return 1;
  return 0;
}

/**
 * IR drop: the coefficient c_i of output i from its total current Σ_j |w_ij||x_j|:
 * a = current · n / g_ratio, c = a (a (0.05 a − 0.2) + 0.5); the output loses
 * ir_drop · c_i · Σ_j w_ij x_j (1 − (1 − j/n)²). `inSize` n is the length of the input.
 * (aihwkit v.0.7.1 rpu_forward_backward_pass.cpp, applyIrDrop)
 */
export function irDropCoefficient(current: number, inSize: number, gRatio: number): number {
  const a = Math.fround(Math.fround(inSize / gRatio) * current);
  return Math.fround(a * Math.fround(a * Math.fround(Math.fround(0.05 * a) - 0.2) + 0.5));
}

/** IR drop: the weight 1 − (1 − j/n)² of input j (its distance along the wire). */
export function irDropInputFactor(j: number, inSize: number): number {
  const p = Math.fround(1 - Math.fround(j / inSize));
  return Math.fround(1 - Math.fround(p * p));
}

/**
 * Voltage offsets and series resistance on output y with offset `vOffset` of its line,
 * `xSum` = Σ_j x_j of the pass input. With v_offset_w_min = 0: (1 − v) y, divided by
 * 1 + r|y| when r_series = r > 0. Else the implicit reference column −v_offset_w_min · Σx
 * is taken into account: (1 − v) y − 2 v y_ref without r, and with r
 * (1 − v)(y + y_ref)/(1 + r|y + y_ref|) − (1 + v) y_ref/(1 + r|y_ref|).
 * (aihwkit v.0.7.1 rpu_forward_backward_pass.cpp, applyVoltageOffsets; r_series_max_total unbounded)
 */
export function voltageOffsetOutput(y: number, vOffset: number, rSeries: number, vOffsetWMin: number, xSum: number): number {
  const rs = rSeries > 0 ? rSeries : 0;
  if (vOffsetWMin === 0) {
    if (rs <= 0) return Math.fround(y * (1 - vOffset));
    return Math.fround(((1 - vOffset) * y) / (1 + rs * Math.abs(y)));
  }
  if (rs <= 0) {
    const yRef2 = Math.fround(Math.fround(-vOffsetWMin * xSum) * 2);
    return Math.fround(y * (1 - vOffset) - vOffset * yRef2);
  }
  const yRef = Math.fround(-vOffsetWMin * xSum);
  const yPos = Math.fround(y + yRef);
  const pNom = 1 + rs * Math.abs(yPos);
  const nNom = 1 + rs * Math.abs(yRef);
  return Math.fround(((1 - vOffset) * yPos) / pNom - ((1 + vOffset) * yRef) / nNom);
}

/** Weight noise PCMRead: the output's std w_noise · sqrt(Σ_j |w_ij| x_j²). */
export function pcmReadNoiseStd(wNoise: number, weightedSquareSum: number): number {
  return wNoise * Math.sqrt(weightedSquareSum);
}

/** Per-tile draw: the non-linearity of one output line, |out_nonlinearity / out_bound · (1 + std · N(0,1))|. */
export function outNonlinearityDraw(outNonlinearity: number, std: number, outBound: number, gauss: number): number {
  return Math.fround(Math.abs((outNonlinearity / outBound) * (1 + Math.max(std, 0) * gauss)));
}

/**
 * Per-tile draw: the voltage offset of one output line. aihwkit 0.7.1 writes it as
 * MAX(v_offset_std · N(0,1), 0) with a macro that evaluates its argument twice, so
 * the result is v_offset_std · g₂ when a first normal g₁ is positive, else 0: mean 0,
 * std v_offset_std/√2 (what the oracle shows). We draw it the same way.
 * (aihwkit v.0.7.1 rpu_forward_backward_pass.cpp populateFBParameter; math_util.h MAX)
 */
export function voltageOffsetDraw(std: number, gaussTest: number, gaussValue: number): number {
  if (std * gaussTest > 0) return Math.fround(std * gaussValue);
  return 0;
}

/** Per-tile draw: the read-polarity factor of one device for negative inputs, 1 + dtod · N(0,1). */
export function readAsymmetryDraw(dtod: number, gauss: number): number {
  return Math.fround(1 + dtod * gauss);
}

/**
 * The slope calibration of the ADC: the factor f² with f = 1 + (mean|nl| + r_series) ·
 * slope_calibration · out_bound that makes the calibrated non-linearity's slope 1 at
 * slope_calibration · out_bound (1 when slope_calibration <= 0).
 */
export function slopeCalibrationFactor(meanAbsNl: number, rSeries: number, slopeCalibration: number, outBound: number): number {
  if (slopeCalibration <= 0) return 1;
  const f = Math.fround(1 + (meanAbsNl + rSeries) * slopeCalibration * outBound);
  return Math.fround(f * f);
}

// ------------------------------------------------------------------ resolved parameters

/** Which pass an IOParameters drives; the backward pass forces bound management off. */
export type MvDirection = 'forward' | 'backward';

/**
 * IOParameters as the pass uses them (aihwkit's IOMetaParameter after
 * initializeForForward/Backward): float32 values, resolutions turned into steps,
 * bounds <= 0 turned into ∞, nm_thres 0 without noise management, and the flags the
 * pass branches on.
 */
export interface ResolvedIO {
  readonly direction: MvDirection;
  /** is_perfect or mv_type Ideal: y = out_scale · W x, nothing else. */
  readonly isPerfect: boolean;
  readonly mvType: Exclude<AnalogMVType, 'SplitMode' | 'BitWise'>;
  readonly outScale: number;
  readonly inpBound: number;
  /** The DAC step (0: no quantisation). */
  readonly inpStep: number;
  readonly inpStoRound: boolean;
  readonly inpNoise: number;
  /** 1 − inp_asymmetry (1 when off). */
  readonly inpNegativeScale: number;
  readonly outBound: number;
  /** The ADC step (0: none; NaN when out_bound = ∞, as aihwkit). */
  readonly outStep: number;
  readonly outStoRound: boolean;
  readonly outNoise: number;
  /** 1 − out_asymmetry when out_asymmetry > 0, else 1. */
  readonly outNegativeScale: number;
  readonly noiseManagement: NoiseManagementType;
  readonly nmThres: number;
  readonly nmAssumedWmax: number;
  readonly nmDecay: number;
  readonly boundManagement: Exclude<BoundManagementType, 'Shift'>;
  readonly maxBmFactor: number;
  readonly maxBmRes: number;
  readonly bmTestNegativeBound: boolean;
  /** Weight noise type, 'None' also when w_noise <= 0. */
  readonly wNoiseType: WeightNoiseType;
  readonly wNoise: number;
  readonly irDrop: number;
  readonly irDropGRatio: number;
  readonly outNonlinearity: number;
  readonly outNonlinearityStd: number;
  readonly slopeCalibration: number;
  readonly vOffsetStd: number;
  readonly vOffsetWMin: number;
  readonly rSeries: number;
  readonly wReadAsymmetryDtod: number;
  /** v_offset_std > 0 or r_series > 0: applyVoltageOffsets runs. */
  readonly hasVoltageOffsets: boolean;
  /** out_nonlinearity > 0. */
  readonly hasOutNonlinearity: boolean;
  /** out_nonlinearity > 0 or r_series > 0: the non-linearity stage (with its calibration factor) runs. */
  readonly hasNLCalibration: boolean;
}

const f32 = Math.fround;

/**
 * Resolves an IOParameters for a pass, or refuses what aihwkit cannot do with a
 * NotSupportedError naming the field: bound management Shift (no aihwkit
 * implementation, CPU or CUDA, in 0.7.1), mv_type SplitMode and BitWise (no CPU
 * implementation in any aihwkit). `io` undefined means a floating-point tile
 * (perfect, out_scale 1). `where` names the config field, e.g. "rpuConfig.forward".
 */
export function resolveIOParameters(io: IOParameters | undefined, direction: MvDirection, where: string, engine: string): ResolvedIO {
  if (io !== undefined && io.boundManagement === 'Shift') {
    throw new NotSupportedError(
      `${where}.boundManagement (bound_management) = "Shift" is not supported by the ${engine} engine: ` +
        'aihwkit 0.7.1 has no implementation of it (use "Iterative" or "IterativeWorstCase")',
    );
  }
  const perfect = io === undefined || io.isPerfect || io.mvType === 'Ideal';
  if (!perfect && (io.mvType === 'SplitMode' || io.mvType === 'BitWise')) {
    throw new NotSupportedError(
      `${where}.mvType (mv_type) = "${io.mvType}" is not supported by the ${engine} engine: ` +
        'aihwkit implements it in neither its CPU nor its torch pass (use "OnePass", "PosNegSeparate" or "PosNegSeparateDigitalSum")',
    );
  }
  const def = io ?? undefined;
  const inpBound = f32(def?.inpBound ?? 1);
  const outBound = f32(def?.outBound ?? 12);
  const resolvedPerfect: ResolvedIO = {
    direction,
    isPerfect: true,
    mvType: 'Ideal',
    outScale: f32(def?.outScale ?? 1),
    inpBound: Infinity,
    inpStep: 0,
    inpStoRound: false,
    inpNoise: 0,
    inpNegativeScale: 1,
    outBound: Infinity,
    outStep: 0,
    outStoRound: false,
    outNoise: 0,
    outNegativeScale: 1,
    noiseManagement: 'None',
    nmThres: 0,
    nmAssumedWmax: 0.6,
    nmDecay: f32(1e-3),
    boundManagement: 'None',
    maxBmFactor: 1000,
    maxBmRes: f32(0.25),
    bmTestNegativeBound: true,
    wNoiseType: 'None',
    wNoise: 0,
    irDrop: 0,
    irDropGRatio: 1,
    outNonlinearity: 0,
    outNonlinearityStd: 0,
    slopeCalibration: 0,
    vOffsetStd: 0,
    vOffsetWMin: 0,
    rSeries: 0,
    wReadAsymmetryDtod: 0,
    hasVoltageOffsets: false,
    hasOutNonlinearity: false,
    hasNLCalibration: false,
  };
  if (perfect) return resolvedPerfect;
  const nm = io.noiseManagement;
  const outAsymmetry = f32(io.outAsymmetry);
  const inpAsymmetry = f32(io.inpAsymmetry);
  const wNoise = f32(io.wNoise);
  const outNonlinearity = f32(io.outNonlinearity);
  const rSeries = f32(io.rSeries);
  const vOffsetStd = f32(io.vOffsetStd);
  return {
    direction,
    isPerfect: false,
    mvType: io.mvType as ResolvedIO['mvType'],
    outScale: f32(io.outScale),
    inpBound: inpBound > 0 ? inpBound : Infinity,
    inpStep: ioResolutionStep(io.inpRes, inpBound),
    inpStoRound: io.inpStoRound,
    inpNoise: f32(io.inpNoise),
    inpNegativeScale: inpAsymmetry !== 0 ? f32(1 - inpAsymmetry) : 1,
    outBound: outBound > 0 ? outBound : Infinity,
    outStep: ioResolutionStep(io.outRes, outBound),
    outStoRound: io.outStoRound,
    outNoise: f32(io.outNoise),
    outNegativeScale: outAsymmetry > 0 ? f32(1 - outAsymmetry) : 1,
    noiseManagement: nm,
    nmThres: nm === 'None' ? 0 : f32(io.nmThres),
    nmAssumedWmax: f32(io.nmAssumedWmax),
    nmDecay: f32(io.nmDecay),
    // the backward pass has no bound management (aihwkit switches it off silently)
    boundManagement: direction === 'backward' ? 'None' : (io.boundManagement as ResolvedIO['boundManagement']),
    maxBmFactor: io.maxBmFactor,
    maxBmRes: f32(io.maxBmRes),
    bmTestNegativeBound: io.bmTestNegativeBound,
    wNoiseType: wNoise > 0 ? io.wNoiseType : 'None',
    wNoise,
    irDrop: f32(io.irDrop),
    irDropGRatio: f32(io.irDropGRatio),
    outNonlinearity,
    outNonlinearityStd: f32(io.outNonlinearityStd),
    slopeCalibration: f32(io.slopeCalibration),
    vOffsetStd,
    vOffsetWMin: f32(io.vOffsetWMin),
    rSeries,
    wReadAsymmetryDtod: f32(io.wReadAsymmetryDtod),
    hasVoltageOffsets: vOffsetStd > 0 || rSeries > 0,
    hasOutNonlinearity: outNonlinearity > 0,
    hasNLCalibration: outNonlinearity > 0 || rSeries > 0,
  };
}

/** Whether a resolved pass draws random numbers (noise or stochastic rounding). */
export function ioUsesRandomness(io: ResolvedIO): boolean {
  if (io.isPerfect) return false;
  return io.inpNoise > 0 || io.outNoise > 0 || io.wNoiseType !== 'None' || (io.inpStoRound && io.inpStep !== 0) || (io.outStoRound && io.outStep !== 0);
}

// ------------------------------------------------------------------ per-tile draws

/**
 * What a tile draws once at creation for one direction (aihwkit's MVParameter):
 * the voltage offset and non-linearity of each output line of the pass, the slope
 * calibration factor, and the read asymmetry of each device (in the weights'
 * row-major [outSize × inSize] order for both directions, as aihwkit indexes it).
 */
export interface MvParameters {
  /** [nOut] per output line of the pass; null when there are no voltage offsets. */
  readonly vOffset: Float32Array | null;
  /** [nOut] per output line of the pass; null without non-linearity calibration. */
  readonly outNonlinearity: Float32Array | null;
  readonly nlFactor: number;
  /** [weights] per device; null when w_read_asymmetry_dtod = 0. */
  readonly wAsymmetry: Float32Array | null;
}

/**
 * The per-tile draws of one direction from the tile's seed (stream IOConstruction,
 * call 0; see RandomStreamId). `nOut` is the pass's output size (outSize forward,
 * inSize backward), `weightCount` = outSize · inSize.
 * (aihwkit v.0.7.1 rpu_forward_backward_pass.cpp, populateFBParameter)
 */
export function drawMvParameters(io: ResolvedIO, nOut: number, weightCount: number, seed: number): MvParameters {
  if (io.isPerfect) return { vOffset: null, outNonlinearity: null, nlFactor: 1, wAsymmetry: null };
  const base = io.direction === 'forward' ? 0 : 3;
  const normals = (sub: number, n: number) => new RandomStream(seed, RandomStreamId.IOConstruction, 0, base + sub).fillNormal(new Float64Array(n));
  let vOffset: Float32Array | null = null;
  if (io.hasVoltageOffsets) {
    const g = normals(0, 2 * nOut); // line i: the test normal 2i, the value normal 2i + 1
    vOffset = new Float32Array(nOut);
    for (let i = 0; i < nOut; i++) vOffset[i] = voltageOffsetDraw(io.vOffsetStd, g[2 * i]!, g[2 * i + 1]!);
  }
  const outBound = io.outBound < Infinity ? io.outBound : 1;
  let outNonlinearity: Float32Array | null = null;
  if (io.hasNLCalibration) {
    const g = normals(1, nOut);
    outNonlinearity = new Float32Array(nOut);
    for (let i = 0; i < nOut; i++) {
      outNonlinearity[i] = outNonlinearityDraw(io.outNonlinearity, io.outNonlinearityStd, outBound, g[i]!);
    }
  }
  let meanAbsNl = 0;
  if (io.hasOutNonlinearity && outNonlinearity !== null) {
    let sum = 0;
    for (let i = 0; i < nOut; i++) sum = f32(sum + Math.abs(outNonlinearity[i]!));
    meanAbsNl = f32(sum / nOut);
  }
  const nlFactor = slopeCalibrationFactor(meanAbsNl, io.rSeries, io.slopeCalibration, outBound);
  let wAsymmetry: Float32Array | null = null;
  if (io.wReadAsymmetryDtod !== 0) {
    const g = normals(2, weightCount);
    wAsymmetry = new Float32Array(weightCount);
    for (let k = 0; k < weightCount; k++) wAsymmetry[k] = readAsymmetryDraw(io.wReadAsymmetryDtod, g[k]!);
  }
  return { vOffset, outNonlinearity, nlFactor, wAsymmetry };
}

// ------------------------------------------------------------------ noise management

/** The running AverageAbsMax value of a tile (−1 until the first vector), shared by forward and backward. */
export interface NoiseManagementState {
  averageAbsMax: number;
}

/**
 * The noise-management value α of one input vector x[offset .. offset + n) (the
 * input is divided by α before the DAC, the output multiplied by it). `type` may
 * differ from io.noiseManagement (IterativeWorstCase asks for AbsMaxNPSum).
 * AverageAbsMax updates `state` (aihwkit's CPU pass does it per vector).
 * (aihwkit v.0.7.1 rpu_forward_backward_pass.cpp, computeNoiseManagement)
 */
export function noiseManagementScale(
  type: ResolvedIO['noiseManagement'],
  x: ArrayLike<number>,
  offset: number,
  n: number,
  io: ResolvedIO,
  state: NoiseManagementState,
): number {
  switch (type) {
    case 'None':
      return 1;
    case 'Constant':
      return constantNoiseManagement(io.nmThres);
    case 'Max': {
      let max = -Infinity;
      for (let j = offset; j < offset + n; j++) if (x[j]! > max) max = x[j]!;
      return noiseManagementThreshold(max, io.nmThres);
    }
    case 'AbsMax':
    case 'AverageAbsMax':
      return absMaxNoiseManagement(type, io, absMaxOf(x, offset, n), state);
    case 'AverageAbsMaxSingleValue':
      // A batch-level value (averageAbsMaxSingleValueUpdate); one vector is a batch of one.
      state.averageAbsMax = averageAbsMaxSingleValueUpdate(state.averageAbsMax, x, offset / n, 1, n, io.nmDecay);
      return Math.max(state.averageAbsMax, 0);
    case 'AbsMaxNPSum': {
      let pos = 0;
      let neg = 0;
      for (let j = offset; j < offset + n; j++) {
        const v = x[j]!;
        if (v > 0) pos = f32(pos + v);
        else if (v < 0) neg = f32(neg + v);
      }
      const bound = io.outBound < Infinity ? io.outBound : 1;
      return absMaxNPSumScale(absMaxOf(x, offset, n), pos, neg, io.nmThres, io.nmAssumedWmax, bound, io.inpStep, io.maxBmRes);
    }
  }
}

/**
 * The AverageAbsMaxSingleValue running value after one call on x[batch × n]: the mean
 * abs max of the batch's non-zero vectors, set on the first call (running < 0 means
 * unset) and decayed by nm_decay per call afterwards; an all-zero batch leaves it as it
 * was. (aihwkit's CUDA noise manager, kernelAverageAbsMaxSingleMomentum, in versions
 * after 0.7.1; there it is frozen in test mode, here every call moves it, like the CPU
 * AverageAbsMax.) `firstRow` counts vectors from the start of x.
 */
export function averageAbsMaxSingleValueUpdate(running: number, x: ArrayLike<number>, firstRow: number, batch: number, n: number, nmDecay: number): number {
  let sum = 0;
  let nonZero = 0;
  for (let r = firstRow; r < firstRow + batch; r++) {
    const a = absMaxOf(x, r * n, n);
    sum += a;
    if (a !== 0) nonZero++;
  }
  if (nonZero === 0) return running;
  const mean = f32(sum / nonZero);
  return averageAbsMaxUpdate(running, mean, nmDecay);
}

/**
 * α of one vector under AbsMax or AverageAbsMax (`type`) from its max |x| (`absMax`): the
 * threshold of the max, or the running average moved by it.
 */
export function absMaxNoiseManagement(type: 'AbsMax' | 'AverageAbsMax', io: ResolvedIO, absMax: number, state: NoiseManagementState): number {
  if (type === 'AverageAbsMax') {
    state.averageAbsMax = averageAbsMaxUpdate(state.averageAbsMax, absMax, io.nmDecay);
    return state.averageAbsMax;
  }
  return noiseManagementThreshold(absMax, io.nmThres);
}

function absMaxOf(x: ArrayLike<number>, offset: number, n: number): number {
  let amax = 0;
  for (let j = offset; j < offset + n; j++) {
    const a = Math.abs(x[j]!);
    if (a > amax) amax = a;
  }
  return amax;
}

// ------------------------------------------------------------------ the management of a batch

/**
 * The IOParameters of one direction of an RPU config: its `forward` or `backward`
 * field; undefined for a config without one (FloatingPointRPUConfig: perfect).
 */
export function ioParametersOf(rpuConfig: object, direction: MvDirection): IOParameters | undefined {
  return direction in rpuConfig ? ((rpuConfig as Record<string, unknown>)[direction] as IOParameters) : undefined;
}

/** The random streams of one direction's pass (their layout: the doc comments of RandomStreamId). */
export interface IOPassStreams {
  readonly inputNoise: number;
  readonly outputNoise: number;
  readonly weightNoise: number;
  readonly inputRounding: number;
  readonly outputRounding: number;
}

/** The random streams of the forward or backward pass. */
export function ioPassStreams(direction: MvDirection): IOPassStreams {
  return direction === 'forward'
    ? {
        inputNoise: RandomStreamId.ForwardInputNoise,
        outputNoise: RandomStreamId.ForwardOutputNoise,
        weightNoise: RandomStreamId.ForwardWeightNoise,
        inputRounding: RandomStreamId.ForwardInputRounding,
        outputRounding: RandomStreamId.ForwardOutputRounding,
      }
    : {
        inputNoise: RandomStreamId.BackwardInputNoise,
        outputNoise: RandomStreamId.BackwardOutputNoise,
        weightNoise: RandomStreamId.BackwardWeightNoise,
        inputRounding: RandomStreamId.BackwardInputRounding,
        outputRounding: RandomStreamId.BackwardOutputRounding,
      };
}

/*
 * aihwkit runs a batch as a loop of vectors (forwardVector / backwardVector), each with
 * its own noise-management value α and bound-management reduction r. Core's tile runs
 * all vectors of a bound-management round at once (tile/mvm.ts; an engine's analogPass
 * kernel computes one round; the gpu.js engine, not yet on core's tile, runs the same
 * loop in its pass.ts): the helpers below keep, per batch row, α in `nmScale[row]`, and
 * per active vector a (those still going through the array) its row in `active[a]` and
 * its input scale in `rowScale[a]`.
 */

/**
 * Noise management of every vector of a batch x[batch × nIn], in batch order (the
 * AverageAbsMax running value moves per vector), into nmScale[row]; the vectors that go
 * through the array into active[0 ..] (returns their count). The others give output 0:
 * aihwkit's short cut when α ≤ 0 (forward: only without input noise).
 */
export function startManagedBatch(
  io: ResolvedIO,
  x: ArrayLike<number>,
  batch: number,
  nIn: number,
  state: NoiseManagementState,
  nmScale: Float32Array,
  active: Int32Array,
  /** AbsMax / AverageAbsMax: each row's max |x| when the caller has them (the engine's TileKernels.rowAbsMax). */
  absMax?: Float32Array,
): number {
  const useNm = io.noiseManagement !== 'None';
  const shortCut = io.direction === 'backward' || io.inpNoise <= 0;
  let n = 0;
  const single = io.noiseManagement === 'AverageAbsMaxSingleValue';
  const rowMax = absMax !== undefined && (io.noiseManagement === 'AbsMax' || io.noiseManagement === 'AverageAbsMax') ? io.noiseManagement : null;
  if (single) state.averageAbsMax = averageAbsMaxSingleValueUpdate(state.averageAbsMax, x, 0, batch, nIn, io.nmDecay);
  for (let r = 0; r < batch; r++) {
    const alpha = single
      ? Math.max(state.averageAbsMax, 0)
      : rowMax !== null
        ? absMaxNoiseManagement(rowMax, io, absMax![r]!, state)
        : noiseManagementScale(io.noiseManagement, x, r * nIn, nIn, io, state);
    nmScale[r] = alpha;
    if (!(useNm && alpha <= 0 && shortCut)) active[n++] = r;
  }
  return n;
}

/**
 * The reduction of bound-management round `round` ≥ 1: twice the last one, except that
 * IterativeWorstCase switches the active vectors to the AbsMaxNPSum scale at round 1
 * (updating nmScale) and restarts at 1.
 */
export function nextBoundManagementRound(
  io: ResolvedIO,
  round: number,
  reduction: number,
  x: ArrayLike<number>,
  nIn: number,
  active: Int32Array,
  nActive: number,
  nmScale: Float32Array,
  state: NoiseManagementState,
): number {
  if (round === 1 && io.boundManagement === 'IterativeWorstCase' && io.noiseManagement !== 'AbsMaxNPSum') {
    for (let a = 0; a < nActive; a++) {
      const r = active[a]!;
      nmScale[r] = noiseManagementScale('AbsMaxNPSum', x, r * nIn, nIn, io, state);
    }
    return 1;
  }
  return reduction * 2;
}

/** The largest float32. */
const F32_MAX = 3.4028234663852886e38;

/** rowScale[a] = the input scale of active vector a: 1/α (noise management on and α > 0), divided by the reduction (bound management on), float32. */
export function managedInputScales(io: ResolvedIO, reduction: number, active: Int32Array, nActive: number, nmScale: Float32Array, rowScale: Float32Array): void {
  const useNm = io.noiseManagement !== 'None';
  const bm = io.boundManagement !== 'None';
  for (let a = 0; a < nActive; a++) {
    let s = 1;
    const alpha = nmScale[active[a]!]!;
    // a subnormal α (abs max below ~2.9e-39) has no float32 reciprocal: 1/α would be ∞ and
    // 0·∞ NaN; the largest float32 keeps such a vector finite (its output is ~0 anyway)
    if (useNm && alpha > 0) s = Math.min(f32(1 / alpha), F32_MAX);
    if (bm) s = f32(s / reduction);
    rowScale[a] = s;
  }
}

/** Whether every active vector is final after the round at `reduction` (no bound management, or its limit reached). */
export function boundManagementStops(io: ResolvedIO, reduction: number): boolean {
  return io.boundManagement === 'None' || boundManagementLimitReached(reduction, io.maxBmFactor, io.maxBmRes, io.inpStep) === 1;
}

/**
 * The factor a final vector's output is multiplied with: forward out_scale / scale,
 * backward out_scale · α (α = 1 without noise management), as aihwkit's two scal calls.
 */
export function managedOutputFactor(io: ResolvedIO, inputScale: number, alpha: number): number {
  if (io.direction === 'forward') return f32(io.outScale / inputScale);
  return f32(io.outScale * (io.noiseManagement !== 'None' ? alpha : 1));
}

// ------------------------------------------------------------------ tile state

/**
 * Saves the state of a tile's analog MVM: the running AverageAbsMax (scalar
 * "mvm.averageAbsMax") and each direction's per-tile draws (arrays
 * "mvm.forward.vOffset", ".outNonlinearity", ".wAsymmetry", likewise
 * "mvm.backward.*"), under the keys every engine uses, so a state moves between engines.
 */
export function saveMvmState(nm: NoiseManagementState, forward: MvParameters, backward: MvParameters, arrays: TileState['arrays'], scalars: TileState['scalars']): void {
  scalars['mvm.averageAbsMax'] = nm.averageAbsMax;
  saveDraws(forward, 'mvm.forward', arrays);
  saveDraws(backward, 'mvm.backward', arrays);
}

/**
 * Loads what saveMvmState saved into `nm` and the draws (in place). Everything
 * is checked first (an InputError for a value that is not finite or an array of
 * the wrong length), so a refused state changes nothing. Missing or null
 * entries, and draws this tile does not have, are left as they are.
 */
export function loadMvmState(nm: NoiseManagementState, forward: MvParameters, backward: MvParameters, arrays: TileState['arrays'], scalars: TileState['scalars']): void {
  const v = scalars['mvm.averageAbsMax'];
  if (v !== undefined && v !== null && !Number.isFinite(v)) {
    throw new InputError(`setState: scalars["mvm.averageAbsMax"] must be a finite number, got ${v}`);
  }
  const writes = [...checkDraws(forward, 'mvm.forward', arrays), ...checkDraws(backward, 'mvm.backward', arrays)];
  if (v !== undefined && v !== null) nm.averageAbsMax = Math.fround(v);
  for (const [target, saved] of writes) target.set(saved);
}

function saveDraws(d: MvParameters, prefix: string, arrays: TileState['arrays']): void {
  if (d.vOffset !== null) arrays[`${prefix}.vOffset`] = Array.from(d.vOffset);
  if (d.outNonlinearity !== null) arrays[`${prefix}.outNonlinearity`] = Array.from(d.outNonlinearity);
  if (d.wAsymmetry !== null) arrays[`${prefix}.wAsymmetry`] = Array.from(d.wAsymmetry);
}

/** The saved draws of one direction, checked against the tile's: [target, saved] pairs to copy. */
function checkDraws(d: MvParameters, prefix: string, arrays: TileState['arrays']): [Float32Array, number[]][] {
  const writes: [Float32Array, number[]][] = [];
  for (const [name, target] of [
    ['vOffset', d.vOffset],
    ['outNonlinearity', d.outNonlinearity],
    ['wAsymmetry', d.wAsymmetry],
  ] as const) {
    const saved = arrays[`${prefix}.${name}`];
    if (saved === undefined || saved === null || target === null) continue;
    if (saved.length !== target.length || !saved.every((x) => Number.isFinite(x))) {
      throw new InputError(`setState: arrays["${prefix}.${name}"] must hold ${target.length} finite numbers`);
    }
    writes.push([target, saved]);
  }
  return writes;
}
