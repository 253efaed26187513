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
import { philox4x32, RandomStream, RandomStreamId, seedToKey } from '../rng.js';
import { quantize, roundHalfEven } from './rounding.js';

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

/** DeterministicImplicit: the signed pulse fraction of one value, sign(v)·clamp(p, 0, 1). */
export function implicitPulseValue(v: number, p: number): number {
  if (v === 0) return 0;
  const q = Math.max(Math.min(p, 1), 0);
  return v >= 0 ? q : -q;
}

/**
 * MeanCount / DeterministicImplicit, x's side (implicit = 0 / 1): the signed pulse count
 * sign(v)·clamp(rint(BL·p), 0, BL), or the signed pulse fraction sign(v)·clamp(p, 0, 1).
 */
export function deterministicXFactor(implicit: number, v: number, p: number, bl: number): number {
  if (implicit > 0) return implicitPulseValue(v, p);
  return meanCountPulses(v, p, bl);
}

/**
 * MeanCount / DeterministicImplicit, d's side: its count divided by BL (MeanCount), or its
 * fraction times BL (DeterministicImplicit), in float32 — the part of aihwkit's coincidence
 * formula that depends on d alone, computed once per value instead of once per device.
 */
export function deterministicDFactor(implicit: number, v: number, p: number, bl: number): number {
  if (implicit > 0) return Math.fround(implicitPulseValue(v, p) * bl);
  return Math.fround(meanCountPulses(v, p, bl) / bl);
}

/**
 * The coincidences of the deterministic pulse types (dense_bit_line_maker.cpp): MeanCount
 * rint((n_d / BL)·n_x), DeterministicImplicit rint((v_d·BL)·v_x), i.e. rint(dFactor·xFactor);
 * signed, > 0: the weight decreases.
 */
export function deterministicCoincidences(dFactor: number, xFactor: number): number {
  return roundHalfEven(Math.fround(dFactor * xFactor));
}

/**
 * The coincidences of one bit of the stochastic pulse trains over 16 batch rows, row-sliced:
 * bit t of x (of d) says whether row t's train of that column (output) fired this bit, bit t of
 * xs (ds) whether its value is negative (integers below 65536 held as numbers). A row whose bits
 * are set in both is a pulse that decreases the weight when the signs agree (x·d > 0), else one
 * that increases it. Returns 32·down + up. Written in arithmetic that is exact in float32, so a
 * kernel without integer bit operations (WebGL1) computes it alike; engines with bit operations
 * may compute the same with them.
 */
export function slicedCoincidences(x: number, d: number, xs: number, ds: number): number {
  let a = x;
  let b = d;
  let sa = xs;
  let sb = ds;
  let down = 0;
  let up = 0;
  for (let t = 0; t < 16; t++) {
    if (a === 0 || b === 0) break;
    const a2 = Math.floor(a * 0.5);
    const b2 = Math.floor(b * 0.5);
    const sa2 = Math.floor(sa * 0.5);
    const sb2 = Math.floor(sb * 0.5);
    if (a - 2 * a2 > 0 && b - 2 * b2 > 0) {
      if (sa - 2 * sa2 === sb - 2 * sb2) down = down + 1;
      else up = up + 1;
    }
    a = a2;
    b = b2;
    sa = sa2;
    sb = sb2;
  }
  return 32 * down + up;
}

/** Bit t of a non-negative integer a < 2^24, with p = 2^t: exact in float32 arithmetic. */
export function bitAt(a: number, p: number): number {
  return Math.floor(a / p) - 2 * Math.floor(a / (2 * p));
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

// ------------------------------------------------------------------ summed pulse noise (ConstantStep)

/**
 * Whether D down and U up pulses of a ConstantStep device from weight w cannot reach a bound,
 * whatever their cycle-to-cycle noise: each step is (1 + std·ξ)·dwmin with |ξ| at most the
 * largest normal of the quantile table (pulseNoiseNormals()[65535] = 4.3249192237854, written
 * out: kernels cannot read module constants), so a down step moves w by at most
 * (1 + std·4.32)·dwmin_down downwards and (std·4.32 − 1)·dwmin_down upwards. Then no pulse is
 * clipped, in any order, and the pulses may be summed (summedPulsesWeight). A margin of
 * 2.4e-7 of the bound scale per pulse covers the float32 rounding of the single steps.
 * Returns 1 or 0. Computed in float32 step by step, so every engine decides alike.
 */
export function summedPulsesApply(w: number, down: number, up: number, scaleUp: number, scaleDown: number, std: number, minBound: number, maxBound: number): number {
  const spread = Math.fround(std * 4.3249192237854);
  const reach = Math.fround(1 + spread);
  const reverse = Math.max(0, Math.fround(spread - 1));
  const margin = Math.fround(Math.fround(Math.fround(down + up) * 2.4e-7) * Math.max(1, Math.max(-minBound, maxBound)));
  const lower = Math.fround(Math.fround(Math.fround(w - Math.fround(Math.fround(scaleDown * down) * reach)) - Math.fround(Math.fround(scaleUp * up) * reverse)) - margin);
  const upper = Math.fround(Math.fround(Math.fround(w + Math.fround(Math.fround(scaleUp * up) * reach)) + Math.fround(Math.fround(scaleDown * down) * reverse)) + margin);
  return lower >= minBound && upper <= maxBound ? 1 : 0;
}

/**
 * The weight after D down and U up ConstantStep pulses that summedPulsesApply lets sum:
 * w − D·dwmin_down + U·dwmin_up + std·sqrt(D·dwmin_down² + U·dwmin_up²)·ξ, one standard normal ξ
 * for all of them (exact in distribution up to the table's normal standing in for a sum of
 * table normals), clipped; float32 step by step.
 */
export function summedPulsesWeight(
  w: number,
  down: number,
  up: number,
  scaleUp: number,
  scaleDown: number,
  std: number,
  xi: number,
  minBound: number,
  maxBound: number,
): number {
  const variance = Math.fround(Math.fround(Math.fround(scaleDown * scaleDown) * down) + Math.fround(Math.fround(scaleUp * scaleUp) * up));
  const spread = Math.fround(std * Math.fround(Math.sqrt(variance)));
  const mean = Math.fround(Math.fround(w - Math.fround(scaleDown * down)) + Math.fround(scaleUp * up));
  const v = Math.fround(mean + Math.fround(spread * xi));
  return Math.max(Math.min(v, maxBound), minBound);
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
 * Summed noise (RandomStreamId.UpdateStepNoiseSum): sub = 2·first batch row of
 * the row block (updateRowBlocks), or 2·first row of a chunk of 32 rows + 1; h = e.
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
  private readonly fillWords = new Uint32Array(4);

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

  /** Starts the numbers of one random-consuming call (the tile's call count). */
  begin(call: number): void {
    this.call = call;
    this.blocks.fill(-1);
  }

  /** Numbers start … start + out.length − 1 of sub-stream `sub` (the numbers of xi; whole blocks at a time). */
  fill(sub: number, start: number, out: Float32Array): Float32Array {
    const n = out.length;
    const table = this.table;
    const w = this.fillWords;
    let k = 0;
    while (k < n && (start + k) % 8 !== 0) {
      out[k] = this.xi(sub, start + k);
      k++;
    }
    for (; k + 8 <= n; k += 8) {
      philox4x32(this.k0, this.k1, (start + k) / 8, sub, this.streamId, this.call, w, 0);
      out[k] = table[w[0]! & 0xffff]!;
      out[k + 1] = table[w[0]! >>> 16]!;
      out[k + 2] = table[w[1]! & 0xffff]!;
      out[k + 3] = table[w[1]! >>> 16]!;
      out[k + 4] = table[w[2]! & 0xffff]!;
      out[k + 5] = table[w[2]! >>> 16]!;
      out[k + 6] = table[w[3]! & 0xffff]!;
      out[k + 7] = table[w[3]! >>> 16]!;
    }
    for (; k < n; k++) out[k] = this.xi(sub, start + k);
    return out;
  }

  /** Number h of sub-stream `sub`, a standard normal from the pulse-noise table. */
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

// ------------------------------------------------------------------ array-level: one batch row's pulse inputs

/**
 * The pulse probability of each element of one row's vector (|v|·scale, as float32), put on the
 * grid of width `res` (rounded half to even, or stochastically with sto_round: `rounding` is the
 * row's RandomStreamId.UpdateRounding stream, element roundingStart + index). 0 for v = 0.
 */
export function pulseProbabilities(
  v: Float32Array,
  offset: number,
  n: number,
  scale: number,
  res: number,
  stoRound: number,
  rounding: RandomStream | null,
  roundingStart: number,
  uniforms: Float32Array,
  out: Float32Array,
): void {
  if (rounding !== null) rounding.fillUniform(uniforms.subarray(0, n), roundingStart);
  for (let j = 0; j < n; j++) {
    const value = v[offset + j]!;
    if (value === 0) {
      out[j] = 0;
      continue;
    }
    const p = Math.fround(Math.abs(value) * scale);
    out[j] = quantize(p, res, stoRound > 0 ? Math.fround(uniforms[j]! - 0.5) : 0);
  }
}

/**
 * Whether bit k of column col's pulse train fires in batch row `row` — the definition of the
 * stochastic pulse trains (RandomStreamId.UpdateXPulses / UpdateDPulses, where the layout is
 * documented), one decision at a time: q = col·BL + k is lane q & 31 of group g = q >> 5; bit
 * 31 − m of the lane's 32-bit uniform U is the lane's bit of word m & 3 of Philox block
 * g·8 + (m >> 2) (counter (block, row, streamId, call)); it fires when U < threshold
 * (pulseThreshold of the probability). PulseTrains computes whole rows 32 decisions at a time;
 * a GPU thread can compute one decision with this recipe.
 */
export function pulseFires(seed: number, streamId: number, call: number, row: number, q: number, threshold: number): boolean {
  if (threshold <= 0) return false;
  if (threshold >= 4294967296) return true;
  const [k0, k1] = seedToKey(seed);
  const words = new Uint32Array(4);
  const g = Math.floor(q / 32);
  const lane = q % 32;
  for (let m = 0; m < 32; m++) {
    if (m % 4 === 0) philox4x32(k0, k1, g * 8 + m / 4, row, streamId, call, words, 0);
    const u = (words[m % 4]! >>> lane) & 1;
    const t = Math.floor(threshold / 2 ** (31 - m)) % 2;
    if (u !== t) return u < t;
  }
  return false;
}

/** Words of 32 bits that hold one column's train of `bl` bits. */
export function trainWordsPerColumn(bl: number): number {
  return (bl + 31) >> 5;
}

/**
 * The stochastic pulse trains of one batch row's vector, drawn bit-sliced: the decisions of a
 * group of 32 (see pulseFires) share each random word, one word per bit of their uniforms, most
 * significant first, until every decision of the group is known (about 7 words per 32 decisions
 * instead of 32) — exact for 32-bit thresholds, and the same decisions as pulseFires.
 */
export class PulseTrains {
  private readonly k0: number;
  private readonly k1: number;
  private readonly words = new Uint32Array(4);
  private thresholds = new Float64Array(0);
  private readonly runMask = new Int32Array(33);
  /** Thresholds of the undecided runs as int32 bit patterns (a double >= 2^31 would make `>>>` slow). */
  private readonly runT = new Int32Array(33);

  constructor(seed: number) {
    [this.k0, this.k1] = seedToKey(seed);
  }

  /**
   * The trains of `n` columns with pulse probabilities `probs` and `bl` bits each, for batch row
   * `row` of update call `call` from stream `streamId`: bit k & 31 of masks[col·w + (k >> 5)]
   * (w = trainWordsPerColumn(bl)) is bit k of column col's train.
   */
  fill(streamId: number, call: number, row: number, probs: Float32Array, n: number, bl: number, masks: Int32Array): void {
    const wpc = trainWordsPerColumn(bl);
    masks.fill(0, 0, n * wpc);
    if (this.thresholds.length < n) this.thresholds = new Float64Array(n);
    const thr = this.thresholds;
    for (let j = 0; j < n; j++) thr[j] = pulseThreshold(probs[j]!);
    const words = this.words;
    const runMask = this.runMask;
    const runT = this.runT;
    const total = n * bl;
    for (let qStart = 0, g = 0; qStart < total; qStart += 32, g++) {
      const qEnd = Math.min(qStart + 32, total);
      let undecided = 0;
      let fired = 0;
      let runs = 0;
      let j = Math.floor(qStart / bl);
      for (let q = qStart; q < qEnd; j++) {
        const end = Math.min((j + 1) * bl, qEnd);
        const len = end - q;
        const mask = (len === 32 ? -1 : (1 << len) - 1) << (q - qStart);
        const t = thr[j]!;
        if (t >= 4294967296) fired |= mask;
        else if (t > 0) {
          undecided |= mask;
          runMask[runs] = mask;
          runT[runs] = t | 0;
          runs++;
        }
        q = end;
      }
      // Bit-sliced U < T, most significant bit first; runs whose lanes are all decided drop out.
      for (let m = 0; undecided !== 0 && m < 32; m++) {
        if ((m & 3) === 0) philox4x32(this.k0, this.k1, g * 8 + (m >> 2), row, streamId, call, words, 0);
        const u = words[m & 3]! | 0;
        const shift = 31 - m;
        let tBits = 0;
        let kept = 0;
        for (let t = 0; t < runs; t++) {
          const mask = runMask[t]!;
          if ((mask & undecided) === 0) continue;
          const tr = runT[t]!;
          if (((tr >>> shift) & 1) !== 0) tBits |= mask;
          runMask[kept] = mask;
          runT[kept] = tr;
          kept++;
        }
        runs = kept;
        fired |= undecided & ~u & tBits;
        undecided &= ~(u ^ tBits);
      }
      while (fired !== 0) {
        const low = fired & -fired;
        fired ^= low;
        const q = qStart + 31 - Math.clz32(low);
        const col = Math.floor(q / bl);
        const k = q - col * bl;
        masks[col * wpc + (k >> 5)]! |= 1 << (k & 31);
      }
    }
  }
}

/**
 * What one batch row of an update call gives the devices, as every engine computes it on the
 * host: BL, and for the stochastic pulse types the BL-bit trains of x and d (PulseTrains; the
 * sign of a column is its value's), for MeanCount and DeterministicImplicit the factors whose
 * product, rounded, is a device's coincidence count (deterministicXFactor, deterministicDFactor).
 * The probabilities use `res` (stochastic, MeanCount) or x_res_implicit / d_res_implicit
 * (DeterministicImplicit), with sto_round from RandomStreamId.UpdateRounding (sub = row,
 * element col for x, inSize + i for d).
 */
export class UpdateRowEncoder {
  readonly stochastic: boolean;
  private readonly implicit: number;
  private readonly xRes: number;
  private readonly dRes: number;
  private readonly trains: PulseTrains;
  private readonly probs: Float32Array;
  private readonly uniforms: Float32Array;
  /** Stochastic: x's trains, trainWordsPerColumn(bl) words per column. */
  xMasks = new Int32Array(0);
  dMasks = new Int32Array(0);
  /** Deterministic: x's and d's factors, one per column. */
  readonly xFactors: Float32Array;
  readonly dFactors: Float32Array;

  constructor(
    private readonly seed: number,
    private readonly inSize: number,
    private readonly outSize: number,
    private readonly s: UpdateSettings,
  ) {
    this.stochastic = s.pulseType === 'Stochastic' || s.pulseType === 'StochasticCompressed';
    this.implicit = s.pulseType === 'DeterministicImplicit' ? 1 : 0;
    this.xRes = this.implicit > 0 ? s.xResImplicit : s.res;
    this.dRes = this.implicit > 0 ? s.dResImplicit : s.res;
    this.trains = new PulseTrains(seed);
    const n = Math.max(inSize, outSize);
    this.probs = new Float32Array(n);
    this.uniforms = new Float32Array(n);
    this.xFactors = new Float32Array(this.stochastic ? 0 : inSize);
    this.dFactors = new Float32Array(this.stochastic ? 0 : outSize);
  }

  /** Encodes batch row r of update call `call` (x [batch × inSize], d [batch × outSize]); returns its BL (0: the row does nothing). */
  encode(call: number, plan: UpdateRowPlan, x: Float32Array, d: Float32Array, r: number): number {
    const { inSize, outSize, s } = this;
    const bl = plan.bl[r]!;
    if (bl === 0) {
      this.xFactors.fill(0);
      this.dFactors.fill(0);
      return 0;
    }
    const rounding = s.stoRound > 0 && (this.xRes > 0 || this.dRes > 0) ? new RandomStream(this.seed, RandomStreamId.UpdateRounding, call, r) : null;
    const probs = this.probs;
    pulseProbabilities(x, r * inSize, inSize, plan.scaleX[r]!, this.xRes, s.stoRound, rounding, 0, this.uniforms, probs);
    if (this.stochastic) {
      const wpc = trainWordsPerColumn(bl);
      if (this.xMasks.length < inSize * wpc) this.xMasks = new Int32Array(inSize * wpc);
      if (this.dMasks.length < outSize * wpc) this.dMasks = new Int32Array(outSize * wpc);
      this.trains.fill(RandomStreamId.UpdateXPulses, call, r, probs, inSize, bl, this.xMasks);
    } else {
      for (let j = 0; j < inSize; j++) this.xFactors[j] = deterministicXFactor(this.implicit, x[r * inSize + j]!, probs[j]!, bl);
    }
    pulseProbabilities(d, r * outSize, outSize, plan.scaleD[r]!, this.dRes, s.stoRound, rounding, inSize, this.uniforms, probs);
    if (this.stochastic) this.trains.fill(RandomStreamId.UpdateDPulses, call, r, probs, outSize, bl, this.dMasks);
    else for (let i = 0; i < outSize; i++) this.dFactors[i] = deterministicDFactor(this.implicit, d[r * outSize + i]!, probs[i]!, bl);
    return bl;
  }
}

/** Batch rows of one row block of the pulsed update (the summed-noise layout: docs/training.md). */
export const UPDATE_BLOCK_ROWS = 256;
/** Batch rows of one chunk of a row block. */
export const UPDATE_CHUNK_ROWS = 32;

/**
 * The row blocks of one update call, as [r0, r1, r0, r1, ...]: consecutive rows, at most
 * UPDATE_BLOCK_ROWS each, and fewer where the block's pulse trains would exceed 2^23 words of
 * 32 bits ((inSize + outSize)·(BL + 1)/32 per row, BL the block's largest). The summed noise of
 * ConstantStep devices is addressed by these blocks (RandomStreamId.UpdateStepNoiseSum), so every
 * engine cuts the rows alike.
 */
export function updateRowBlocks(plan: UpdateRowPlan, batch: number, inSize: number, outSize: number): number[] {
  const blocks: number[] = [];
  const wordsPerRow = (bl: number): number => ((inSize + outSize) * (bl + 1)) / 32;
  let r0 = 0;
  while (r0 < batch) {
    let r1 = r0;
    let blockBl = 1;
    while (r1 < batch && r1 - r0 < UPDATE_BLOCK_ROWS) {
      const bl = Math.max(blockBl, plan.bl[r1]!);
      if (r1 > r0 && wordsPerRow(bl) * (r1 + 1 - r0) > 8388608) break;
      blockBl = bl;
      r1++;
    }
    blocks.push(r0, r1);
    r0 = r1;
  }
  return blocks;
}
