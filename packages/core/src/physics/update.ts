/**
 * Pure formulas of the pulsed update (UpdateParameters): pulse-train length
 * BL and the probability scales A (for d) and B (for x) with update (BL)
 * management, the pulse thresholds, and the coincidence counts of the
 * deterministic pulse types. The discretisation of the pulse probabilities
 * (res, x_res_implicit, d_res_implicit, sto_round) is `quantize` of io.ts with
 * the resolution as the step: aihwkit does not invert a resolution > 1 here.
 *
 * aihwkit v.0.7.1 src/rpucuda/rpu_pulsed_meta_parameter.cpp (calculateBlAB,
 * performUpdateManagement), src/rpucuda/sparse_bit_line_maker.cpp, src/rpucuda/dense_bit_line_maker.cpp.
 *
 * aihwkit computes these in float32; every intermediate is rounded with
 * Math.fround so that BL and the deterministic counts agree with it exactly.
 * Scalar functions are in the subset gpu.js compiles; UpdateSettings and
 * UpdateRowPlan at the end are the array-level helpers built on them.
 */
import type { UpdateParameters } from '../config/parameters.js';
import { philox4x32, seedToKey } from '../rng.js';

/**
 * rint(): round half to even, as C's rint in the default rounding mode.
 * Written without a data-dependent branch in the common case (floor(x + 0.5), then a
 * fix for ties and for x + 0.5 rounding up), which makes the IO quantisation loops
 * about 3x faster; Math.round is slow in V8 and the branches on x − floor(x) mispredict.
 */
export function roundHalfEven(x: number): number {
  let r = Math.floor(x + 0.5);
  const d = r - x;
  if (d >= 0.5 && (d > 0.5 || r % 2 !== 0)) r = r - 1;
  return r;
}

/**
 * BL when neither BL nor update management adapts to the inputs
 * (calculateBlAB). `fixedBl`, `blManagement`: 1 or 0.
 */
export function baseBitLength(lr: number, granularity: number, desiredBl: number, fixedBl: number, blManagement: number): number {
  if (!(lr > 0)) return 0;
  if (fixedBl > 0 || blManagement > 0) return desiredBl;
  if (Math.fround(granularity * desiredBl) < lr) return Math.max(Math.ceil(Math.fround(lr / granularity)), 1);
  return desiredBl;
}

/** The common probability scale sqrt(lr / (dw_min · BL)) of x and d (1 when BL = ceil(lr / dw_min)). */
export function baseProbabilityScale(lr: number, granularity: number, bl: number, desiredBl: number, fixedBl: number, blManagement: number): number {
  if (!(lr > 0)) return 0;
  if (fixedBl <= 0 && blManagement <= 0 && Math.fround(granularity * desiredBl) < lr) return 1;
  return Math.fround(Math.sqrt(Math.fround(lr / Math.fround(granularity * bl))));
}

/** k = lr · max|x| · (um_grad_scale · max|d|) / dw_min: the desired update of the largest element in pulses. */
export function updateManagementK(lr: number, granularity: number, xAbsMax: number, dAbsMax: number, umGradScale: number): number {
  const dVal = Math.fround(umGradScale * dAbsMax);
  return Math.fround(Math.fround(Math.fround(lr * xAbsMax) * dVal) / granularity);
}

/**
 * BL of one batch row (performUpdateManagement): with update BL management
 * ceil(k) capped at desired_bl; 0 when x or d is all zero (no update).
 */
export function rowBitLength(
  lr: number,
  granularity: number,
  xAbsMax: number,
  dAbsMax: number,
  desiredBl: number,
  fixedBl: number,
  blManagement: number,
  management: number,
  umGradScale: number,
): number {
  const bl = baseBitLength(lr, granularity, desiredBl, fixedBl, blManagement);
  if (bl === 0) return 0;
  if (blManagement <= 0 && management <= 0) return bl;
  if (xAbsMax === 0 || dAbsMax === 0) return 0;
  if (blManagement <= 0) return bl;
  const k = updateManagementK(lr, granularity, xAbsMax, dAbsMax, umGradScale);
  return Math.min(Math.ceil(k), desiredBl);
}

/**
 * The probability scale of one batch row: of d (A, forD = 1) or of x (B,
 * forD = 0), for the row's BL from rowBitLength. With update management
 * A = s·sqrt(x_max / d_max'), B = s·sqrt(d_max' / x_max), where d_max' is
 * um_grad_scale·max|d| shrunk so that k <= desired_bl (the x train never clips).
 */
export function rowProbabilityScale(
  forD: number,
  lr: number,
  granularity: number,
  bl: number,
  xAbsMax: number,
  dAbsMax: number,
  desiredBl: number,
  fixedBl: number,
  blManagement: number,
  management: number,
  umGradScale: number,
): number {
  if (bl <= 0) return 0;
  const s = baseProbabilityScale(lr, granularity, bl, desiredBl, fixedBl, blManagement);
  if (management <= 0 && blManagement <= 0) return s;
  // aihwkit turns update management on whenever BL management is on
  let dVal = Math.fround(umGradScale * dAbsMax);
  const k = updateManagementK(lr, granularity, xAbsMax, dAbsMax, umGradScale);
  if (k > desiredBl) dVal = Math.fround(dVal * Math.fround(desiredBl / k));
  if (forD > 0) return Math.fround(s * Math.fround(Math.sqrt(Math.fround(xAbsMax / dVal))));
  return Math.fround(s * Math.fround(Math.sqrt(Math.fround(dVal / xAbsMax))));
}

/**
 * The uint32 threshold T of a pulse probability p: a pulse fires when a
 * uniform 32-bit word is < T, so P = T / 2^32 (p < 1 as float32 gives
 * T < 2^32). Returns 0 for p <= 0 and 4294967296 ("always") for p >= 1.
 */
export function pulseThreshold(p: number): number {
  if (!(p > 0)) return 0;
  if (p >= 1) return 4294967296;
  return Math.ceil(p * 4294967296);
}

/** MeanCount: the signed number of pulses of one value, sign(v)·clamp(rint(BL·p), 0, BL). */
export function meanCountPulses(v: number, p: number, bl: number): number {
  if (v === 0) return 0;
  const n = Math.max(Math.min(roundHalfEven(Math.fround(bl * p)), bl), 0);
  return v >= 0 ? n : -n;
}

/** MeanCount coincidences: rint((n_d / BL) · n_x), signed (> 0: the weight decreases). */
export function meanCountCoincidences(dCount: number, xCount: number, bl: number): number {
  if (dCount === 0) return 0;
  return roundHalfEven(Math.fround(Math.fround(dCount / bl) * xCount));
}

/** DeterministicImplicit: the signed pulse fraction of one value, sign(v)·clamp(p, 0, 1). */
export function implicitPulseValue(v: number, p: number): number {
  if (v === 0) return 0;
  const q = Math.max(Math.min(p, 1), 0);
  return v >= 0 ? q : -q;
}

/** DeterministicImplicit coincidences: rint((v_d · BL) · v_x), signed (> 0: the weight decreases). */
export function implicitCoincidences(dValue: number, xValue: number, bl: number): number {
  if (dValue === 0) return 0;
  return roundHalfEven(Math.fround(Math.fround(dValue * bl) * xValue));
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation,
 * relative error < 1.2e-9, far below float32 resolution).
 */
export function normalQuantile(p: number): number {
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1)
    );
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r - 3.066479806614716e1) * r + 2.506628277459239) * q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r - 1.328068155288572e1) * r + 1)
  );
}

let pulseNoiseTable: Float32Array | null = null;

/**
 * The 65536 standard-normal quantiles Φ⁻¹((k + ½) / 65536), ascending: the
 * per-pulse (cycle-to-cycle) noise of the pulsed update is
 * table[16 bits of a random word]. aihwkit's CPU generator does the same
 * with a table of 32768 Gaussian numbers indexed by rand()
 * (src/rpucuda/rng.h, sampleGauss). Max |ξ| = table[65535] ≈ 4.33.
 */
export function pulseNoiseNormals(): Float32Array {
  if (pulseNoiseTable === null) {
    const t = new Float32Array(65536);
    for (let k = 0; k < 65536; k++) t[k] = normalQuantile((k + 0.5) / 65536);
    pulseNoiseTable = t;
  }
  return pulseNoiseTable;
}

// ------------------------------------------------------------------ array-level: one update call

/** UpdateParameters as the pulsed update uses them (flags as 1 / 0, numbers as float32). */
export interface UpdateSettings {
  readonly pulseType: 'Stochastic' | 'StochasticCompressed' | 'MeanCount' | 'DeterministicImplicit';
  readonly desiredBl: number;
  readonly fixedBl: number;
  readonly blManagement: number;
  /** Update management, on whenever BL management is (as aihwkit's PulsedUpdateMetaParameter::initialize does). */
  readonly management: number;
  readonly umGradScale: number;
  readonly res: number;
  readonly xResImplicit: number;
  readonly dResImplicit: number;
  readonly stoRound: number;
}

/** The settings of pulsed UpdateParameters, or null for the floating-point pulse types None and NoneWithDevice. */
export function updateSettings(up: UpdateParameters): UpdateSettings | null {
  if (up.pulseType === 'None' || up.pulseType === 'NoneWithDevice') return null;
  return {
    pulseType: up.pulseType,
    desiredBl: up.desiredBl,
    fixedBl: up.fixedBl ? 1 : 0,
    blManagement: up.updateBlManagement ? 1 : 0,
    management: up.updateManagement || up.updateBlManagement ? 1 : 0,
    umGradScale: Math.fround(up.umGradScale),
    res: Math.fround(up.res),
    xResImplicit: Math.fround(up.xResImplicit),
    dResImplicit: Math.fround(up.dResImplicit),
    stoRound: up.stoRound ? 1 : 0,
  };
}

/** BL and the probability scales A (d) and B (x) of every batch row of one update call. */
export class UpdateRowPlan {
  bl = new Int32Array(0);
  scaleX = new Float32Array(0);
  scaleD = new Float32Array(0);

  /** Fills the plan for x [batch × inSize], d [batch × outSize]; returns the largest BL (0: nothing to do). */
  compute(x: Float32Array, d: Float32Array, batch: number, inSize: number, outSize: number, lr: number, granularity: number, s: UpdateSettings): number {
    if (this.bl.length < batch) {
      this.bl = new Int32Array(batch);
      this.scaleX = new Float32Array(batch);
      this.scaleD = new Float32Array(batch);
    }
    let maxBl = 0;
    for (let r = 0; r < batch; r++) {
      let xMax = 0;
      for (let j = r * inSize, end = j + inSize; j < end; j++) xMax = Math.max(xMax, Math.abs(x[j]!));
      let dMax = 0;
      for (let i = r * outSize, end = i + outSize; i < end; i++) dMax = Math.max(dMax, Math.abs(d[i]!));
      const bl = rowBitLength(lr, granularity, xMax, dMax, s.desiredBl, s.fixedBl, s.blManagement, s.management, s.umGradScale);
      this.bl[r] = bl;
      this.scaleD[r] = rowProbabilityScale(1, lr, granularity, bl, xMax, dMax, s.desiredBl, s.fixedBl, s.blManagement, s.management, s.umGradScale);
      this.scaleX[r] = rowProbabilityScale(0, lr, granularity, bl, xMax, dMax, s.desiredBl, s.fixedBl, s.blManagement, s.management, s.umGradScale);
      if (bl > maxBl) maxBl = bl;
    }
    return maxBl;
  }
}

/**
 * Normals from the 65536-entry normal-quantile table (pulseNoiseNormals)
 * indexed by 16-bit halves of one stream's words: number h of sub-stream
 * `sub` is half h & 1 (0: the low 16 bits) of word h >> 1. One Philox block
 * serves 8 numbers; the last block (per slot) is kept.
 *
 * Per-pulse noise (RandomStreamId.UpdateStepNoise): sub = element e, h = the
 * count of e's earlier pulses in the update call (batch-row order).
 * Summed noise (RandomStreamId.UpdateStepNoiseSum): sub = the first batch row
 * of the row block, h = e.
 */
export class TableNormals {
  private readonly k0: number;
  private readonly k1: number;
  private readonly table = pulseNoiseNormals();
  private call = 0;
  /** Cached block per slot: sub, block index, 4 words. */
  private readonly subs: Float64Array;
  private readonly blocks: Float64Array;
  private readonly words: Uint32Array;

  /** `slots`: how many blocks are kept (callers that alternate between subs give each its slot). */
  constructor(
    seed: number,
    private readonly streamId: number,
    slots = 1,
  ) {
    [this.k0, this.k1] = seedToKey(seed);
    this.subs = new Float64Array(slots);
    this.blocks = new Float64Array(slots);
    this.words = new Uint32Array(4 * slots);
  }

  begin(call: number): void {
    this.call = call;
    this.blocks.fill(-1);
  }

  xi(sub: number, h: number, slot = 0): number {
    const b = Math.floor(h / 8);
    if (this.blocks[slot] !== b || this.subs[slot] !== sub) {
      philox4x32(this.k0, this.k1, b, sub, this.streamId, this.call, this.words, 4 * slot);
      this.blocks[slot] = b;
      this.subs[slot] = sub;
    }
    const half = h - 8 * b;
    const word = this.words[4 * slot + (half >> 1)]!;
    return this.table[(half & 1) === 0 ? word & 0xffff : word >>> 16]!;
  }
}
