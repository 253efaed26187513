// The update kernels of the wasm engine (src/update.ts drives them), the same numbers as
// the ndarray engine's (backend-ndarray src/update.ts, pulses.ts, devices/steps.ts) and
// core's formulas (core src/physics/update.ts, physics/devices.ts):
//
//   fpUpdate          W += (−lr)·dᵀx: batch 1 as BLAS ger (w + fl(alpha·d_i)·x_j, one
//                     rounding), larger batches as BLAS gemm (a float32 accumulator fed by
//                     a multiply-add chain over the rows, then w + fl(alpha·acc)), each step
//                     rounded exactly as the ndarray engine's float64-then-float32 stores.
//   trainsBlock       core's PulseTrains (the bit-sliced U < T decisions, Philox counter
//                     (g·8 + m/4, row, streamId, call)) for every row of one row block,
//                     straight into bit planes: plane (chunk c, bit k) holds one int32 per
//                     column whose bit t says whether row 32c + t fired bit k of the column's
//                     train; a second plane per chunk holds the sign bits.
//   pulsedBlock       the pulses of one row block, device by device in row order, on a
//                     ConstantStep, LinearStep / SoftBounds, PiecewiseStep,
//                     SoftBoundsReference or ExpStep device (exp.ts: V8's exp): the summed-pulse
//                     shortcut of core's summedPulsesApply / summedPulsesWeight, else pulse
//                     by pulse with the per-pulse cycle-to-cycle noise (core's TableNormals).
//
// The kernels allocate nothing: every buffer is a byte offset the TypeScript side reserved.
// float32 arithmetic here rounds each operation once, as Math.fround of the exact float64
// operation does for +, −, ×, ÷ and sqrt of float32 operands, so the chains of Math.fround
// in core's formulas are reproduced operation by operation.
import { fdlibmExp } from './exp';
import { fdlibmPow } from './pow';
import { philox, word0, word1, word2, word3 } from './philox';

// ------------------------------------------------------------------ floating-point update

/**
 * row[j] = fl32(row[j] + s·x[j]), j < n: product and sum in float64, one rounding to float32
 * (exact for float32 operands, so a fused multiply-add as BLAS's ger / gemm do it).
 */
@inline function axpyRounded(row: usize, x: usize, s: f64, n: i32): void {
  const sv = f64x2.splat(s);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const rv = v128.load(row + (<usize>j << 2));
    const xv = v128.load(x + (<usize>j << 2));
    const lo = f64x2.add(f64x2.promote_low_f32x4(rv), f64x2.mul(sv, f64x2.promote_low_f32x4(xv)));
    const hi = f64x2.add(f64x2.promote_low_f32x4(v128.shuffle<i32>(rv, rv, 2, 3, 0, 1)), f64x2.mul(sv, f64x2.promote_low_f32x4(v128.shuffle<i32>(xv, xv, 2, 3, 0, 1))));
    v128.store(row + (<usize>j << 2), v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
  for (; j < n; j++) {
    const p = row + (<usize>j << 2);
    store<f32>(p, <f32>(<f64>load<f32>(p) + s * <f64>load<f32>(x + (<usize>j << 2))));
  }
}

/** W [nOut × nIn] += alpha·dᵀx for `batch` rows of x [batch × nIn], d [batch × nOut]; acc: nOut·nIn float32 scratch. */
export function fpUpdate(w: usize, x: usize, d: usize, batch: i32, nOut: i32, nIn: i32, alpha: f32, acc: usize): void {
  if (batch == 1) {
    // ger: w + fl(alpha·d_i)·x_j in float64, one rounding to float32 on the store
    for (let i = 0; i < nOut; i++) {
      const a = alpha * load<f32>(d + (<usize>i << 2));
      if (a == 0) continue;
      axpyRounded(w + ((<usize>i * <usize>nIn) << 2), x, <f64>a, nIn);
    }
    return;
  }
  const size = <usize>nOut * <usize>nIn;
  memory.fill(acc, 0, size << 2);
  for (let r = 0; r < batch; r++) {
    const xr = x + ((<usize>r * <usize>nIn) << 2);
    for (let i = 0; i < nOut; i++) {
      const dv = load<f32>(d + ((<usize>r * <usize>nOut + <usize>i) << 2));
      if (dv == 0) continue;
      axpyRounded(acc + ((<usize>i * <usize>nIn) << 2), xr, <f64>dv, nIn);
    }
  }
  // w + fl(alpha·acc): two float32 roundings, as f32 arithmetic does
  const av = f32x4.splat(alpha);
  let e: usize = 0;
  for (; e + 4 <= size; e += 4) {
    const p = w + (e << 2);
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(av, v128.load(acc + (e << 2)))));
  }
  for (; e < size; e++) store<f32>(w + (e << 2), load<f32>(w + (e << 2)) + alpha * load<f32>(acc + (e << 2)));
}

// ------------------------------------------------------------------ pulse trains

/**
 * The trains of rows r0 … r1 − 1 of one vector side (x: streamId UpdateXPulses, n = inSize; d:
 * UpdateDPulses, n = outSize) into the zeroed planes [chunk][k < kStride][stride] and signs
 * [chunk][stride] (stride ≥ n: columns padded to whole v128). probs [batch × n]: the rows'
 * pulse probabilities (core's pulseProbabilities), or, where scales ≠ 0 (no res, no sto_round),
 * computed here from the rows' scales [batch]; vals [batch × n]: the values (their signs);
 * bls: the rows' BL. scratch: 64 int32.
 */
export function trainsBlock(
  k0: u32,
  k1: u32,
  streamId: u32,
  call: u32,
  r0: i32,
  r1: i32,
  bls: usize,
  probs: usize,
  vals: usize,
  n: i32,
  stride: i32,
  planes: usize,
  signs: usize,
  kStride: i32,
  scratch: usize,
  scales: usize,
): void {
  const laneP = scratch; // 32 float32: the probabilities of a group's 32 decisions (0 past the end)
  const laneT = scratch + 128; // 32 uint32: their thresholds
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const two32 = f32x4.splat(4294967296.0);
  for (let r = r0; r < r1; r++) {
    const bl = load<i32>(bls + (<usize>r << 2));
    if (bl == 0) continue;
    const c = (r - r0) >> 5;
    const bit = 1 << ((r - r0) & 31);
    const pr = probs + ((<usize>r * <usize>n) << 2);
    const vr = vals + ((<usize>r * <usize>n) << 2);
    const scale = scales != 0 ? load<f32>(scales + (<usize>r << 2)) : 0;
    const scaleV = f32x4.splat(scale);
    const sg = signs + ((<usize>c * <usize>stride) << 2);
    const bitv = i32x4.splat(bit);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p = sg + (<usize>j << 2);
      v128.store(p, v128.or(v128.load(p), v128.and(f32x4.lt(v128.load(vr + (<usize>j << 2)), zero), bitv)));
    }
    for (; j < n; j++) {
      if (load<f32>(vr + (<usize>j << 2)) < 0) {
        const p = sg + (<usize>j << 2);
        store<i32>(p, load<i32>(p) | bit);
      }
    }
    const base = planes + ((<usize>c * <usize>kStride * <usize>stride) << 2);
    const total = n * bl;
    for (let qStart = 0, g = 0; qStart < total; qStart += 32, g++) {
      const len = min(32, total - qStart);
      // the decisions' probabilities: decision q is column q / bl (core's PulseTrains layout)
      if (scales != 0) {
        // without res and sto_round core's pulseProbabilities is fl(|v|·scale) (0 for v = 0)
        if (bl == 1 && len == 32) {
          for (let v = 0; v < 8; v++) v128.store(laneP + (<usize>v << 4), f32x4.mul(f32x4.abs(v128.load(vr + (<usize>(qStart + 4 * v) << 2))), scaleV));
        } else {
          for (let l = 0; l < len; l++) store<f32>(laneP + (<usize>l << 2), Mathf.abs(load<f32>(vr + (<usize>((qStart + l) / bl) << 2))) * scale);
          for (let l = len; l < 32; l++) store<f32>(laneP + (<usize>l << 2), 0);
        }
      } else if (bl == 1 && len == 32) memory.copy(laneP, pr + (<usize>qStart << 2), 128);
      else {
        for (let l = 0; l < len; l++) store<f32>(laneP + (<usize>l << 2), load<f32>(pr + (<usize>((qStart + l) / bl) << 2)));
        for (let l = len; l < 32; l++) store<f32>(laneP + (<usize>l << 2), 0);
      }
      // p >= 1 fires, p <= 0 never does, else U < T with core's pulseThreshold T = ceil(p·2^32)
      // (exact in float32: p·2^32 only shifts the exponent; below 2^32 for p < 1)
      let fired = 0;
      let undecided = 0;
      for (let v = 0; v < 8; v++) {
        const pv = v128.load(laneP + (<usize>v << 4));
        fired |= i32x4.bitmask(f32x4.ge(pv, one)) << (4 * v);
        undecided |= i32x4.bitmask(v128.and(f32x4.gt(pv, zero), f32x4.lt(pv, one))) << (4 * v);
        v128.store(laneT + (<usize>v << 4), i32x4.trunc_sat_f32x4_u(f32x4.ceil(f32x4.mul(pv, two32))));
      }
      // bit-sliced U < T, most significant bit first: bit 31 − m of every lane's threshold (a
      // transpose by bitmask), against word m & 3 of Philox block g·8 + m / 4
      for (let m = 0; undecided != 0 && m < 32; m++) {
        if ((m & 3) == 0) philox(k0, k1, <u32>(g * 8 + (m >> 2)), <u32>r, streamId, call);
        const sel = m & 3;
        const u = <i32>(sel == 0 ? word0 : sel == 1 ? word1 : sel == 2 ? word2 : word3);
        let tBits = 0;
        for (let v = 0; v < 8; v++) tBits |= i32x4.bitmask(i32x4.shl(v128.load(laneT + (<usize>v << 4)), m)) << (4 * v);
        fired |= undecided & ~u & tBits;
        undecided &= ~(u ^ tBits);
      }
      while (fired != 0) {
        const q = qStart + ctz(fired);
        fired &= fired - 1;
        const col = q / bl;
        const k = q - col * bl;
        const p = base + ((<usize>k * <usize>stride + <usize>col) << 2);
        store<i32>(p, load<i32>(p) | bit);
      }
    }
  }
}

// ------------------------------------------------------------------ the pulse walk of one row block

// Words of pulsedBlock's parameter block (int32; src/update.ts P_*).
const P_MODE = 0; // 0: stochastic trains (bit planes), 1: deterministic factors
const P_KIND = 1; // 0: ConstantStep, 1: LinearStep / SoftBounds, 2: PiecewiseStep, 3: SoftBoundsReference, 4: ExpStep, 5: PowStep, 6: PowStepReference
const P_NOUT = 2;
const P_NIN = 3;
const P_R0 = 4;
const P_ROWS = 5;
const P_MORE = 6; // more row blocks follow (the summed shortcut keeps the pulse count)
const P_TARGET = 7;
const P_TOUCHED = 8;
const P_BEFORE = 9;
const P_SCALE_UP = 10;
const P_SCALE_DOWN = 11;
const P_MIN = 12;
const P_MAX = 13;
const P_SLOPE_UP = 14; // LinearStep / SoftBounds slopes, PowStep / PowStepReference exponents (float32 per element)
const P_SLOPE_DOWN = 15;
const P_MULT_NOISE = 16;
const P_XPLANES = 17;
const P_DPLANES = 18;
const P_XSIGNS = 19;
const P_DSIGNS = 20;
const P_XSTRIDE = 21;
const P_DSTRIDE = 22;
const P_KSTRIDE = 23;
const P_CHUNK_K = 24;
const P_XF = 25;
const P_DF = 26;
const P_TABLE = 27;
const P_CACHE = 28;
const P_K0 = 29;
const P_K1 = 30;
const P_CALL = 31;
const P_STREAM_NOISE = 32;
const P_STREAM_SUM = 33;
const P_DOWNS = 34;
const P_UPS = 35;
const P_EVENTS = 36;
const P_CO = 37;
const P_STD = 38; // float32 bits
const P_REFERENCE = 39; // SoftBoundsReference / PowStepReference
const P_NODES_UP = 40;
const P_NODES_DOWN = 41;
const P_NODE_COUNT = 42;
const P_EXP = 43; // ExpStep: a_up, a_down, gamma_up, gamma_down, a, b, std_add, std_slope (float32 bits)

// The block's parameters as module globals (set once per pulsedBlock call).
let mode = 0;
let kind = 0;
let nOut = 0;
let nIn = 0;
let rows = 0;
let xPlanes: usize = 0;
let dPlanes: usize = 0;
let xSigns: usize = 0;
let dSigns: usize = 0;
let xStride = 0;
let dStride = 0;
let kStride = 0;
let chunkK: usize = 0;
let xF: usize = 0;
let dF: usize = 0;
let table: usize = 0;
let cache: usize = 0;
let key0: u32 = 0;
let key1: u32 = 0;
let rcall: u32 = 0;
let events: usize = 0;
let coScratch: usize = 0;
let slopeUpA: usize = 0;
let referenceA: usize = 0;
let nodesUpA: usize = 0;
let nodesDownA: usize = 0;
let nodeCount = 0;
let expAUp: f32 = 0;
let expADown: f32 = 0;
let expGammaUp: f32 = 0;
let expGammaDown: f32 = 0;
let expA: f32 = 0;
let expB: f32 = 0;
let expStdAdd: f32 = 0;
let expStdSlope: f32 = 0;
let expComplexNoise = false;
let slopeDownA: usize = 0;
let multNoise = 0;
let stepStd: f32 = 0;
let r0G = 0;
let moreG = false;
let summed = false;
let target: usize = 0;
let touched: usize = 0;
let before: usize = 0;
let scaleUp: usize = 0;
let scaleDown: usize = 0;
let minBound: usize = 0;
let maxBound: usize = 0;
let streamNoiseG: u32 = 0;
let streamSumG: u32 = 0;
let downsG: usize = 0;
let upsG: usize = 0;
// the last chunkTotals
let cDown = 0;
let cUp = 0;

/**
 * Number h of sub-stream `sub` of stream `stream` (core's TableNormals.xi): half h & 1 of word
 * (h & 7) >> 1 of Philox block (h >> 3, sub, stream, call), through the 65536-entry normal table;
 * slot: a cache of the last block (6 int32: sub, block, 4 words): 0 the per-pulse noise, 1 the
 * block's summed noise, 2 + c the summed noise of chunk c (devices alternate between chunks).
 */
@inline function tableXi(slot: i32, stream: u32, sub: i32, h: i32): f32 {
  const cp = cache + (<usize>slot * 24);
  const b = h >> 3;
  if (load<i32>(cp) != sub || load<i32>(cp, 4) != b) {
    philox(key0, key1, <u32>b, <u32>sub, stream, rcall);
    store<i32>(cp, sub);
    store<i32>(cp, b, 4);
    store<u32>(cp, word0, 8);
    store<u32>(cp, word1, 12);
    store<u32>(cp, word2, 16);
    store<u32>(cp, word3, 20);
  }
  const half = h & 7;
  const word = load<u32>(cp + 8 + (<usize>(half >> 1) << 2));
  const idx = (half & 1) == 0 ? word & 0xffff : word >>> 16;
  return load<f32>(table + (<usize>idx << 2));
}

@inline function clip(v: f32, lo: f32, hi: f32): f32 {
  return max(min(v, hi), lo);
}

/** core's roundHalfEven of a float32 product (nearest: ties to even). */
@inline function coincidences(dv: f32, xv: f32): i32 {
  return <i32>nearest<f32>(dv * xv);
}

/** Down and up pulses of device (i, j) in chunk c (into cDown, cUp). */
function chunkTotals(i: i32, j: i32, c: i32): void {
  let down = 0;
  let up = 0;
  if (mode == 0) {
    const diff = load<i32>(xSigns + ((<usize>c * <usize>xStride + <usize>j) << 2)) ^ load<i32>(dSigns + ((<usize>c * <usize>dStride + <usize>i) << 2));
    const kc = load<i32>(chunkK + (<usize>c << 2));
    const xb = xPlanes + ((<usize>c * <usize>kStride * <usize>xStride + <usize>j) << 2);
    const db = dPlanes + ((<usize>c * <usize>kStride * <usize>dStride + <usize>i) << 2);
    for (let k = 0; k < kc; k++) {
      const co = load<i32>(xb + ((<usize>k * <usize>xStride) << 2)) & load<i32>(db + ((<usize>k * <usize>dStride) << 2));
      if (co != 0) {
        const u = popcnt(co & diff);
        up += u;
        down += popcnt(co) - u;
      }
    }
  } else {
    // counts per row from the float inputs: chunkEvents's, summed (no bit planes to count in)
    const m = chunkEvents(i, j, c);
    for (let t = 0; t < m; t++) {
      const n = load<i32>(events + (<usize>t << 2));
      if (n > 0) down += n;
      else up -= n;
    }
  }
  cDown = down;
  cUp = up;
}

/** The signed pulse counts (> 0: down) of device (i, j) in chunk c, in row order, into events; returns how many. */
function chunkEvents(i: i32, j: i32, c: i32): i32 {
  let m = 0;
  if (mode == 0) {
    const diff = load<i32>(xSigns + ((<usize>c * <usize>xStride + <usize>j) << 2)) ^ load<i32>(dSigns + ((<usize>c * <usize>dStride + <usize>i) << 2));
    const kc = load<i32>(chunkK + (<usize>c << 2));
    const xb = xPlanes + ((<usize>c * <usize>kStride * <usize>xStride + <usize>j) << 2);
    const db = dPlanes + ((<usize>c * <usize>kStride * <usize>dStride + <usize>i) << 2);
    let any = 0;
    for (let k = 0; k < kc; k++) {
      const v = load<i32>(xb + ((<usize>k * <usize>xStride) << 2)) & load<i32>(db + ((<usize>k * <usize>dStride) << 2));
      store<i32>(coScratch + (<usize>k << 2), v);
      any |= v;
    }
    while (any != 0) {
      const t = ctz(any);
      any &= any - 1;
      let n = 0;
      for (let k = 0; k < kc; k++) n += (load<i32>(coScratch + (<usize>k << 2)) >>> t) & 1;
      store<i32>(events + (<usize>m << 2), ((diff >>> t) & 1) != 0 ? -n : n);
      m++;
    }
  } else {
    const end = min(rows, 32 * c + 32);
    const dRow = dF + ((<usize>i * <usize>rows) << 2);
    const xRow = xF + ((<usize>j * <usize>rows) << 2);
    for (let rr = 32 * c; rr < end; rr++) {
      const dv = load<f32>(dRow + (<usize>rr << 2));
      if (dv == 0) continue;
      const xv = load<f32>(xRow + (<usize>rr << 2));
      if (xv == 0) continue;
      const n = coincidences(dv, xv);
      if (n != 0) {
        store<i32>(events + (<usize>m << 2), n);
        m++;
      }
    }
  }
  return m;
}

/** The pulse counts over the block of every device (i, ·) of output row i, into downs, ups (per column). */
function rowTotals(i: i32, chunks: i32, downs: usize, ups: usize): void {
  if (mode == 0) {
    // four columns at a time: the planes are padded to whole v128 with zeros
    for (let j = 0; j < xStride; j += 4) {
      let vDown = i32x4.splat(0);
      let vUp = i32x4.splat(0);
      for (let c = 0; c < chunks; c++) {
        const diff = v128.xor(v128.load(xSigns + ((<usize>c * <usize>xStride + <usize>j) << 2)), i32x4.splat(load<i32>(dSigns + ((<usize>c * <usize>dStride + <usize>i) << 2))));
        const kc = load<i32>(chunkK + (<usize>c << 2));
        const xb = xPlanes + ((<usize>c * <usize>kStride * <usize>xStride + <usize>j) << 2);
        const db = dPlanes + ((<usize>c * <usize>kStride * <usize>dStride + <usize>i) << 2);
        for (let k = 0; k < kc; k++) {
          const dw = load<i32>(db + ((<usize>k * <usize>dStride) << 2));
          if (dw == 0) continue;
          const co = v128.and(v128.load(xb + ((<usize>k * <usize>xStride) << 2)), i32x4.splat(dw));
          const u = popcnt4(v128.and(co, diff));
          vUp = i32x4.add(vUp, u);
          vDown = i32x4.add(vDown, i32x4.sub(popcnt4(co), u));
        }
      }
      v128.store(downs + (<usize>j << 2), vDown);
      v128.store(ups + (<usize>j << 2), vUp);
    }
    return;
  }
  for (let j = 0; j < nIn; j++) {
    let down = 0;
    let up = 0;
    for (let c = 0; c < chunks; c++) {
      chunkTotals(i, j, c);
      down += cDown;
      up += cUp;
    }
    store<i32>(downs + (<usize>j << 2), down);
    store<i32>(ups + (<usize>j << 2), up);
  }
}

@inline function popcnt4(v: v128): v128 {
  return i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(i8x16.popcnt(v)));
}

/** core's summedPulsesApply (float32 step by step): whether D down and U up pulses cannot reach a bound. */
@inline function summedApply(w: f32, down: i32, up: i32, su: f32, sd: f32, std: f32, lo: f32, hi: f32): bool {
  const spread = <f32>(<f64>std * 4.3249192237854);
  const reach: f32 = 1 + spread;
  const reverse = max<f32>(0, spread - 1);
  const margin = <f32>(<f64>(<f32>(down + up)) * 2.4e-7) * max<f32>(1, max<f32>(-lo, hi));
  const fd = <f32>down;
  const fu = <f32>up;
  const lower = w - sd * fd * reach - su * fu * reverse - margin;
  const upper = w + su * fu * reach + sd * fd * reverse + margin;
  return lower >= lo && upper <= hi;
}

/** core's summedPulsesWeight (float32 step by step). */
@inline function summedWeight(w: f32, down: i32, up: i32, su: f32, sd: f32, std: f32, xi: f32, lo: f32, hi: f32): f32 {
  const fd = <f32>down;
  const fu = <f32>up;
  const variance = sd * sd * fd + su * su * fu;
  const spread = std * Mathf.sqrt(variance);
  const mean = w - sd * fd + su * fu;
  return clip(mean + spread * xi, lo, hi);
}

/** n pulses of `sign` (> 0: down) on element e from w; h0: e's earlier pulses in the call (the noise ordinal). */
function applySteps(e: i32, w: f32, sign: i32, n: i32, h0: i32, su: f32, sd: f32, lo: f32, hi: f32, stream: u32): f32 {
  let v = w;
  const std = stepStd;
  if (kind == 0) {
    // core's constantStepPulse (a ConstantStep device without noise takes pulsedBlock's deterministic walk)
    for (let k = 0; k < n; k++) {
      const f: f32 = 1 + std * tableXi(0, stream, e, h0 + k);
      v = sign > 0 ? clip(v - f * sd, lo, hi) : clip(v + f * su, lo, hi);
    }
    return v;
  }
  if (kind == 2) {
    // core's piecewiseStepPulse: the step interpolated between the nodes around w
    const nodes = sign > 0 ? nodesDownA : nodesUpA;
    const scale = sign > 0 ? sd : su;
    const sections = nodeCount - 1;
    for (let k = 0; k < n; k++) {
      const xi: f32 = std > 0 ? tableXi(0, stream, e, h0 + k) : 0;
      let q: f32 = 0;
      if (sections > 0 && hi > lo) q = max<f32>(((v - lo) / (hi - lo)) * <f32>sections, 0);
      const i = <i32>max<f64>(min<f64>(Math.floor(<f64>q), <f64>(sections - 1)), 0);
      const a = load<f32>(nodes + (<usize>i << 2));
      const b = load<f32>(nodes + (<usize>min(i + 1, max(sections, 0)) << 2));
      const t = min<f32>(q - <f32>i, 1);
      const t1: f32 = 1 - t;
      const step: f32 = scale * (t1 * a + t * b);
      const noisy: f32 = step * (1 + std * xi);
      v = min(max(sign > 0 ? v - noisy : v + noisy, lo), hi);
    }
    return v;
  }
  if (kind == 4) {
    // core's expStepPulse: step·max(1 − A·exp(±γ·z), 0), z = 2w/(max − min)·a + b
    const range: f32 = hi - lo;
    if (!(range > 0)) return v;
    for (let k = 0; k < n; k++) {
      const xi: f32 = std > 0 ? tableXi(0, stream, e, h0 + k) : 0;
      const z: f32 = ((2 * v) / range) * expA + expB;
      const y =
        sign > 0
          ? max<f32>(1 - expADown * <f32>fdlibmExp(<f64>(expGammaDown * -z)), 0)
          : max<f32>(1 - expAUp * <f32>fdlibmExp(<f64>(expGammaUp * z)), 0);
      if (expComplexNoise) {
        const dw: f32 = sign > 0 ? -(y * sd) : y * su;
        const dwStd: f32 = std * (Mathf.abs(dw) + expStdAdd + expStdSlope * Mathf.abs(v));
        v = v + (dw + dwStd * xi);
      } else {
        const f: f32 = 1 + std * xi;
        v = sign > 0 ? v - y * f * sd : v + y * f * su;
      }
      v = clip(v, lo, hi);
    }
    return v;
  }
  if (kind == 5 || kind == 6) {
    // core's powStepPulse (PowStep) and powStepReferencePulse (PowStepReference: on g = w + reference):
    // the step dwmin·((w − min)/(max − min))^γ_down down, dwmin·((max − w)/(max − min))^γ_up up,
    // times (1 + std·ξ), clipped; the powers are V8's Math.pow (assembly/pow.ts) rounded to float32
    const range: f32 = hi - lo;
    if (range == 0) return v;
    const ref: f32 = kind == 6 ? load<f32>(referenceA + (<usize>e << 2)) : 0;
    const gamma = <f64>load<f32>((sign > 0 ? slopeDownA : slopeUpA) + (<usize>e << 2));
    for (let k = 0; k < n; k++) {
      const xi: f32 = std > 0 ? tableXi(0, stream, e, h0 + k) : 0;
      const f: f32 = 1 + std * xi;
      let g: f32 = kind == 6 ? v + ref : v;
      if (sign > 0) {
        const p = <f32>fdlibmPow(<f64>((g - lo) / range), gamma);
        g = g - sd * p * f;
      } else {
        const p = <f32>fdlibmPow(<f64>((hi - g) / range), gamma);
        g = g + su * p * f;
      }
      g = min(max(g, lo), hi);
      v = kind == 6 ? g - ref : g;
    }
    return v;
  }
  if (kind == 3) {
    // core's softBoundsReferencePulse: soft bounds on the conductance g = w + reference
    const ref = load<f32>(referenceA + (<usize>e << 2));
    for (let k = 0; k < n; k++) {
      const xi: f32 = std > 0 ? tableXi(0, stream, e, h0 + k) : 0;
      let g: f32 = v + ref;
      const noise: f32 = std * xi;
      if (sign > 0) {
        const a: f32 = lo < 0 ? g / lo : 0;
        const step: f32 = multNoise > 0 ? sd * (1 - a) * (1 + noise) : sd * (1 - a + noise);
        g = g - step;
      } else {
        const a: f32 = hi > 0 ? g / hi : 0;
        const step: f32 = multNoise > 0 ? su * (1 - a) * (1 + noise) : su * (1 - a + noise);
        g = g + step;
      }
      g = min(max(g, lo), hi);
      v = g - ref;
    }
    return v;
  }
  // core's linearStepPulse (LinearStep, SoftBounds): clipped as min(max(v, lo), hi)
  const slope = load<f32>((sign > 0 ? slopeDownA : slopeUpA) + (<usize>e << 2));
  const scale = sign > 0 ? sd : su;
  for (let k = 0; k < n; k++) {
    const xi: f32 = std > 0 ? tableXi(0, stream, e, h0 + k) : 0;
    const f: f32 = 1 + std * xi;
    const step: f32 = multNoise > 0 ? (slope * v + scale) * f : slope * v + scale * f;
    v = sign > 0 ? v - step : v + step;
    v = min(max(v, lo), hi);
  }
  return v;
}

/**
 * The pulses of one row block on the device (parameter block `p`, words P_*), device by device
 * in row order, as the ndarray engine's PulsedUpdate.applyBlock: a ConstantStep device with
 * cycle-to-cycle noise sums the block's pulses, else each chunk's, where no bound is in reach;
 * the rest runs pulse by pulse. A ConstantStep device without noise walks its float32 steps.
 */
export function pulsedBlock(p: usize): void {
  mode = load<i32>(p + P_MODE * 4);
  kind = load<i32>(p + P_KIND * 4);
  nOut = load<i32>(p + P_NOUT * 4);
  nIn = load<i32>(p + P_NIN * 4);
  const r0 = load<i32>(p + P_R0 * 4);
  rows = load<i32>(p + P_ROWS * 4);
  r0G = r0;
  moreG = load<i32>(p + P_MORE * 4) != 0;
  target = <usize>load<u32>(p + P_TARGET * 4);
  touched = <usize>load<u32>(p + P_TOUCHED * 4);
  before = <usize>load<u32>(p + P_BEFORE * 4);
  scaleUp = <usize>load<u32>(p + P_SCALE_UP * 4);
  scaleDown = <usize>load<u32>(p + P_SCALE_DOWN * 4);
  minBound = <usize>load<u32>(p + P_MIN * 4);
  maxBound = <usize>load<u32>(p + P_MAX * 4);
  slopeUpA = <usize>load<u32>(p + P_SLOPE_UP * 4);
  slopeDownA = <usize>load<u32>(p + P_SLOPE_DOWN * 4);
  multNoise = load<i32>(p + P_MULT_NOISE * 4);
  referenceA = <usize>load<u32>(p + P_REFERENCE * 4);
  nodesUpA = <usize>load<u32>(p + P_NODES_UP * 4);
  nodesDownA = <usize>load<u32>(p + P_NODES_DOWN * 4);
  nodeCount = load<i32>(p + P_NODE_COUNT * 4);
  expAUp = load<f32>(p + P_EXP * 4);
  expADown = load<f32>(p + P_EXP * 4 + 4);
  expGammaUp = load<f32>(p + P_EXP * 4 + 8);
  expGammaDown = load<f32>(p + P_EXP * 4 + 12);
  expA = load<f32>(p + P_EXP * 4 + 16);
  expB = load<f32>(p + P_EXP * 4 + 20);
  expStdAdd = load<f32>(p + P_EXP * 4 + 24);
  expStdSlope = load<f32>(p + P_EXP * 4 + 28);
  xPlanes = <usize>load<u32>(p + P_XPLANES * 4);
  dPlanes = <usize>load<u32>(p + P_DPLANES * 4);
  xSigns = <usize>load<u32>(p + P_XSIGNS * 4);
  dSigns = <usize>load<u32>(p + P_DSIGNS * 4);
  xStride = load<i32>(p + P_XSTRIDE * 4);
  dStride = load<i32>(p + P_DSTRIDE * 4);
  kStride = load<i32>(p + P_KSTRIDE * 4);
  chunkK = <usize>load<u32>(p + P_CHUNK_K * 4);
  xF = <usize>load<u32>(p + P_XF * 4);
  dF = <usize>load<u32>(p + P_DF * 4);
  table = <usize>load<u32>(p + P_TABLE * 4);
  cache = <usize>load<u32>(p + P_CACHE * 4);
  key0 = load<u32>(p + P_K0 * 4);
  key1 = load<u32>(p + P_K1 * 4);
  rcall = load<u32>(p + P_CALL * 4);
  streamNoiseG = load<u32>(p + P_STREAM_NOISE * 4);
  streamSumG = load<u32>(p + P_STREAM_SUM * 4);
  const downs = <usize>load<u32>(p + P_DOWNS * 4);
  const ups = <usize>load<u32>(p + P_UPS * 4);
  downsG = downs;
  upsG = ups;
  events = <usize>load<u32>(p + P_EVENTS * 4);
  coScratch = <usize>load<u32>(p + P_CO * 4);
  stepStd = load<f32>(p + P_STD * 4);
  // aihwkit's hasComplexNoise: dw_min_std > 0 and an additive or slope part
  expComplexNoise = stepStd > 0 && (expStdAdd != 0 || expStdSlope != 0);
  const std = stepStd;
  const chunks = (rows + 31) >> 5;

  if (kind == 0 && std == 0) {
    // deterministic steps: the exact float32 walk in row order, no noise (touched is not needed:
    // ConstantStep has no write noise, as in aihwkit 0.7.1)
    for (let i = 0; i < nOut; i++) {
      for (let j = 0; j < nIn; j++) {
        const e = i * nIn + j;
        const ep = <usize>e << 2;
        const w = load<f32>(target + ep);
        const su = load<f32>(scaleUp + ep);
        const sd = load<f32>(scaleDown + ep);
        const lo = load<f32>(minBound + ep);
        const hi = load<f32>(maxBound + ep);
        let v = w;
        for (let c = 0; c < chunks; c++) {
          const m = chunkEvents(i, j, c);
          for (let t = 0; t < m; t++) {
            const n = load<i32>(events + (<usize>t << 2));
            if (n > 0) for (let k = 0; k < n; k++) v = clip(v - sd, lo, hi);
            else for (let k = 0; k < -n; k++) v = clip(v + su, lo, hi);
          }
        }
        if (v != w) store<f32>(target + ep, v);
      }
    }
    return;
  }

  summed = kind == 0 && std > 0;
  if (!summed) {
    for (let i = 0; i < nOut; i++) for (let j = 0; j < nIn; j++) walkElement(i, j);
    return;
  }
  // core's summedPulsesApply, its per-device constants
  const spread = <f32>(<f64>std * 4.3249192237854);
  const reachV = f32x4.splat(1 + spread);
  const reverseV = f32x4.splat(max<f32>(0, spread - 1));
  const stdV = f32x4.splat(std);
  const oneV = f32x4.splat(1);
  const marginScale = f64x2.splat(2.4e-7);
  for (let i = 0; i < nOut; i++) {
    rowTotals(i, chunks, downs, ups);
    let j = 0;
    // four devices at a time through the block's summed pulses (the same float32 operations
    // per lane as the scalar path); the lanes whose bound is in reach walk their chunks
    for (; j + 4 <= nIn; j += 4) {
      const dn = v128.load(downs + (<usize>j << 2));
      const un = v128.load(ups + (<usize>j << 2));
      const cnt = i32x4.add(dn, un);
      const pulsed = i32x4.ne(cnt, i32x4.splat(0));
      if (!v128.any_true(pulsed)) continue;
      const e = i * nIn + j;
      const ep = <usize>e << 2;
      const w = v128.load(target + ep);
      const su = v128.load(scaleUp + ep);
      const sd = v128.load(scaleDown + ep);
      const lo = v128.load(minBound + ep);
      const hi = v128.load(maxBound + ep);
      const fd = f32x4.convert_i32x4_s(dn);
      const fu = f32x4.convert_i32x4_s(un);
      const fc = f32x4.convert_i32x4_s(cnt);
      // margin = fl(fl(D + U)·2.4e-7)·max(1, max(−lo, hi)), the product in float64 as core's
      const m0 = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(fc), marginScale));
      const m1 = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<i32>(fc, fc, 2, 3, 0, 1)), marginScale));
      const margin = f32x4.mul(v128.shuffle<i32>(m0, m1, 0, 1, 4, 5), f32x4.max(oneV, f32x4.max(f32x4.neg(lo), hi)));
      const sdD = f32x4.mul(sd, fd);
      const suU = f32x4.mul(su, fu);
      const lower = f32x4.sub(f32x4.sub(f32x4.sub(w, f32x4.mul(sdD, reachV)), f32x4.mul(suU, reverseV)), margin);
      const upper = f32x4.add(f32x4.add(f32x4.add(w, f32x4.mul(suU, reachV)), f32x4.mul(sdD, reverseV)), margin);
      const ok = v128.and(pulsed, v128.and(f32x4.ge(lower, lo), f32x4.le(upper, hi)));
      const okBits = i32x4.bitmask(ok);
      if (okBits != 0) {
        // core's summedPulsesWeight
        let xi = f32x4.splat(0);
        xi = f32x4.replace_lane(xi, 0, tableXi(1, streamSumG, 2 * r0G, e));
        xi = f32x4.replace_lane(xi, 1, tableXi(1, streamSumG, 2 * r0G, e + 1));
        xi = f32x4.replace_lane(xi, 2, tableXi(1, streamSumG, 2 * r0G, e + 2));
        xi = f32x4.replace_lane(xi, 3, tableXi(1, streamSumG, 2 * r0G, e + 3));
        const variance = f32x4.add(f32x4.mul(f32x4.mul(sd, sd), fd), f32x4.mul(f32x4.mul(su, su), fu));
        const spr = f32x4.mul(stdV, f32x4.sqrt(variance));
        const mean = f32x4.add(f32x4.sub(w, sdD), suU);
        const nw = f32x4.max(f32x4.min(f32x4.add(mean, f32x4.mul(spr, xi)), hi), lo);
        v128.store(target + ep, v128.bitselect(nw, w, ok));
        if (moreG) {
          const bp = before + ep;
          v128.store(bp, i32x4.add(v128.load(bp), v128.and(cnt, ok)));
        }
        if ((okBits & 1) != 0) store<u8>(touched + <usize>e, 1);
        if ((okBits & 2) != 0) store<u8>(touched + <usize>e, 1, 1);
        if ((okBits & 4) != 0) store<u8>(touched + <usize>e, 1, 2);
        if ((okBits & 8) != 0) store<u8>(touched + <usize>e, 1, 3);
      }
      let rest = i32x4.bitmask(pulsed) & ~okBits;
      while (rest != 0) {
        const l = ctz(rest);
        rest &= rest - 1;
        walkChunks(i, j + l, e + l, load<f32>(target + ep + (<usize>l << 2)), load<i32>(before + ep + (<usize>l << 2)));
      }
    }
    for (; j < nIn; j++) walkElement(i, j);
  }
}

/** Device (i, j) through the block (the scalar path of pulsedBlock, after the deterministic walk). */
function walkElement(i: i32, j: i32): void {
  const e = i * nIn + j;
  const ep = <usize>e << 2;
  const w = load<f32>(target + ep);
  const h = load<i32>(before + ep);
  if (summed) {
    const down = load<i32>(downsG + (<usize>j << 2));
    const up = load<i32>(upsG + (<usize>j << 2));
    if (down + up == 0) return;
    const su = load<f32>(scaleUp + ep);
    const sd = load<f32>(scaleDown + ep);
    const lo = load<f32>(minBound + ep);
    const hi = load<f32>(maxBound + ep);
    if (summedApply(w, down, up, su, sd, stepStd, lo, hi)) {
      store<f32>(target + ep, summedWeight(w, down, up, su, sd, stepStd, tableXi(1, streamSumG, 2 * r0G, e), lo, hi));
      store<u8>(touched + <usize>e, 1);
      if (moreG) store<i32>(before + ep, h + down + up);
      return;
    }
  }
  walkChunks(i, j, e, w, h);
}

/** Device (i, j) chunk by chunk from weight w and pulse count h: summed per chunk where no bound is in reach, else pulse by pulse. */
function walkChunks(i: i32, j: i32, e: i32, w0: f32, h0: i32): void {
  const ep = <usize>e << 2;
  let w = w0;
  let h = h0;
  const su = load<f32>(scaleUp + ep);
  const sd = load<f32>(scaleDown + ep);
  const lo = load<f32>(minBound + ep);
  const hi = load<f32>(maxBound + ep);
  const std = stepStd;
  const chunks = (rows + 31) >> 5;
  let any = false;
  for (let c = 0; c < chunks; c++) {
    if (summed && mode == 0 && load<i32>(chunkK + (<usize>c << 2)) == 1) {
      // ConstantStep with noise, stochastic trains of one bit in this chunk (update management's
      // usual BL): at most one pulse per row, counted and walked straight from the bit planes
      // (the same pulses, noise and float32 steps as chunkTotals / chunkEvents / applySteps)
      const diff = load<i32>(xSigns + ((<usize>c * <usize>xStride + <usize>j) << 2)) ^ load<i32>(dSigns + ((<usize>c * <usize>dStride + <usize>i) << 2));
      let co =
        load<i32>(xPlanes + ((<usize>c * <usize>kStride * <usize>xStride + <usize>j) << 2)) &
        load<i32>(dPlanes + ((<usize>c * <usize>kStride * <usize>dStride + <usize>i) << 2));
      if (co == 0) continue;
      const up = popcnt(co & diff);
      const down = popcnt(co) - up;
      any = true;
      if (summedApply(w, down, up, su, sd, std, lo, hi)) {
        w = summedWeight(w, down, up, su, sd, std, tableXi(2 + c, streamSumG, 2 * (r0G + 32 * c) + 1, e), lo, hi);
        h += down + up;
        continue;
      }
      while (co != 0) {
        const t = ctz(co);
        co &= co - 1;
        const f: f32 = 1 + std * tableXi(0, streamNoiseG, e, h);
        w = ((diff >>> t) & 1) != 0 ? clip(w + f * su, lo, hi) : clip(w - f * sd, lo, hi);
        h++;
      }
      continue;
    }
    if (summed) {
      chunkTotals(i, j, c);
      const down = cDown;
      const up = cUp;
      if (down + up == 0) continue;
      if (summedApply(w, down, up, su, sd, std, lo, hi)) {
        w = summedWeight(w, down, up, su, sd, std, tableXi(2 + c, streamSumG, 2 * (r0G + 32 * c) + 1, e), lo, hi);
        h += down + up;
        any = true;
        continue;
      }
    }
    const m = chunkEvents(i, j, c);
    for (let t = 0; t < m; t++) {
      const n = load<i32>(events + (<usize>t << 2));
      if (n > 0) {
        w = applySteps(e, w, 1, n, h, su, sd, lo, hi, streamNoiseG);
        h += n;
      } else {
        w = applySteps(e, w, -1, -n, h, su, sd, lo, hi, streamNoiseG);
        h -= n;
      }
    }
    if (m > 0) any = true;
  }
  if (!any) return;
  store<f32>(target + ep, w);
  store<i32>(before + ep, h);
  store<u8>(touched + <usize>e, 1);
}
