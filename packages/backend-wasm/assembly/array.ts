// The array stage of the engine's analog pass with the IOParameters that act on the
// analog currents (aihwkit v.0.7.1 src/rpucuda/rpu_forward_backward_pass.cpp,
// computeAnalogMVSinglePass / applyNonIdealities / applyIrDrop / applyVoltageOffsets,
// the PosNegSeparate passes of computeAnalogMV): after the GEMM of a block of vectors,
//   IR drop          y −= c(Σ_j |b_ij| |x_j|) · ir_drop · Σ_j b_ij x_j (1 − (1 − j/n)²)
//   voltage offsets  y = voltageOffsetOutput(y, v_i, r_series, v_offset_w_min, Σ_j x_j)
//   weight noise     y += w_noise · ‖x‖ · N(0,1)                    (AdditiveConstant)
//                    y += w_noise · sqrt(Σ_j |b_ij| x_j²) · N(0,1)   (PCMRead)
// in that order (the ndarray engine's analogPass, backend-ndarray/src/mvm.ts), and
// mv_type PosNegSeparate(DigitalSum): the negative inputs through the read-asymmetric
// weights (phase 1), then the positive ones (phase 0), one ADC for the sum or one per
// phase (DigitalSum, both bound tests must pass).
// Per element the operations are core's (physics/io.ts irDropCoefficient,
// irDropInputFactor, voltageOffsetOutput, pcmReadNoiseStd) in the same float32 /
// float64 steps; Σ_j x_j and Σ_j x_j² are float64 sums in j order as ndarray's. The
// GEMMs (Σ|b||x|, the IR-drop-weighted Σ, Σ|b| x²) are float32 (gemm.ts) where ndarray
// sums in float64: the documented engine tolerance.
// Weight noise: core stream weightNoise (ioPassStreams), sub = 2 · round + phase,
// element = batch row · nOut + i.
import { gemmNN, gemmNT } from './gemm';
import { finalizeRows } from './engine';
import { fillNormal64 } from './philox';

// words of the parameter block after assembly/engine.ts's P_* (0 … 17); src/fused-io.ts writes them
const P_BACKWARD = 17;
const P_MV_TYPE = 18; // 0 OnePass, 1 PosNegSeparate, 2 PosNegSeparateDigitalSum
const P_W_NOISE_TYPE = 19; // 0 None, 1 AdditiveConstant, 2 PCMRead
const P_W_NOISE = 20;
const P_STREAM_WEIGHT_NOISE = 21;
const P_IR_DROP = 22;
const P_IR_DROP_G_RATIO = 23;
const P_V_OFFSETS = 24; // 1: applyVoltageOffsets runs (v_offset_std > 0 or r_series > 0)
const P_R_SERIES = 25;
const P_V_OFFSET_W_MIN = 26;
const P_V_OFFSET = 27; // float32 [nOut], the per-line offsets
const P_W_ABS = 28; // float32 |W| [outSize × inSize], 0 when unused
const P_W_NEG = 29; // float32 W ⊙ read asymmetry, 0: none (W itself)
const P_W_NEG_ABS = 30; // |W ⊙ read asymmetry|
const P_OUT_NEG = 31; // float32 [nActive × nOut], the negative pass's outputs (PosNeg)

/** Active vectors per block (assembly/engine.ts ROWS): the extra scratch holds one block. */
const ROWS: i32 = 16;

@inline function param(p: usize, word: i32): f64 {
  return load<f64>(p + (<usize>word << 3));
}

/** Whether the pass needs the array stage of this file (else GEMM and ADC alone). */
export function arrayStageOn(p: usize): bool {
  return param(p, P_MV_TYPE) != 0 || param(p, P_W_NOISE_TYPE) != 0 || param(p, P_IR_DROP) > 0 || param(p, P_V_OFFSETS) != 0;
}

/**
 * The tile's derived weights, element-wise over n: wNeg = w ⊙ asym (float32 products),
 * wAbs = |w|, wNegAbs = |wNeg|. A zero pointer skips that output (asym is read only
 * with wNeg).
 */
export function deriveWeights(w: usize, asym: usize, wNeg: usize, wAbs: usize, wNegAbs: usize, n: i32): void {
  const n4 = n & ~3;
  if (wNeg != 0) {
    for (let k = 0; k < n4; k += 4) {
      const o = <usize>k << 2;
      const v = f32x4.mul(v128.load(w + o), v128.load(asym + o));
      v128.store(wNeg + o, v);
      if (wNegAbs != 0) v128.store(wNegAbs + o, f32x4.abs(v));
    }
    for (let k = n4; k < n; k++) {
      const o = <usize>k << 2;
      const v = load<f32>(w + o) * load<f32>(asym + o);
      store<f32>(wNeg + o, v);
      if (wNegAbs != 0) store<f32>(wNegAbs + o, abs<f32>(v));
    }
  }
  if (wAbs != 0) {
    for (let k = 0; k < n4; k += 4) v128.store(wAbs + (<usize>k << 2), f32x4.abs(v128.load(w + (<usize>k << 2))));
    for (let k = n4; k < n; k++) store<f32>(wAbs + (<usize>k << 2), abs<f32>(load<f32>(w + (<usize>k << 2))));
  }
}

/** dst[k] = |src[k]|, k < n. */
function absInto(src: usize, dst: usize, n: i32): void {
  const n4 = n & ~3;
  for (let k = 0; k < n4; k += 4) v128.store(dst + (<usize>k << 2), f32x4.abs(v128.load(src + (<usize>k << 2))));
  for (let k = n4; k < n; k++) store<f32>(dst + (<usize>k << 2), abs<f32>(load<f32>(src + (<usize>k << 2))));
}

/** dst[k] = src[k]² in float32, k < n. */
function squareInto(src: usize, dst: usize, n: i32): void {
  const n4 = n & ~3;
  for (let k = 0; k < n4; k += 4) {
    const v = v128.load(src + (<usize>k << 2));
    v128.store(dst + (<usize>k << 2), f32x4.mul(v, v));
  }
  for (let k = n4; k < n; k++) {
    const v = load<f32>(src + (<usize>k << 2));
    store<f32>(dst + (<usize>k << 2), v * v);
  }
}

/** dst[k] += src[k] in float32, k < n. */
function addInto(src: usize, dst: usize, n: i32): void {
  const n4 = n & ~3;
  for (let k = 0; k < n4; k += 4) v128.store(dst + (<usize>k << 2), f32x4.add(v128.load(dst + (<usize>k << 2)), v128.load(src + (<usize>k << 2))));
  for (let k = n4; k < n; k++) store<f32>(dst + (<usize>k << 2), load<f32>(dst + (<usize>k << 2)) + load<f32>(src + (<usize>k << 2)));
}

/** C [rows × nOut] = A [rows × nIn] · Bᵀ of the pass (B = W forward, gemmNT; Wᵀ backward, gemmNN on W in place). */
@inline function passGemm(backward: bool, rows: i32, nOut: i32, nIn: i32, a: usize, b: usize, c: usize): void {
  if (backward) gemmNN(rows, nOut, nIn, a, nIn, b, nOut, c, nOut);
  else gemmNT(rows, nOut, nIn, a, nIn, b, nIn, c, nOut);
}

/** core irDropCoefficient(current, inSize, gRatio), the same float32 / float64 steps. */
@inline function irDropCoefficient(current: f32, nIn: i32, gRatio: f64): f32 {
  const a: f32 = <f32>(<f64>nIn / gRatio) * current;
  const t: f32 = <f32>(<f64>(<f32>(0.05 * <f64>a)) - 0.2);
  const inner: f32 = <f32>(<f64>a * <f64>t + 0.5);
  return a * inner;
}

/** core irDropInputFactor(j, inSize): 1 − (1 − j/n)². */
@inline function irDropInputFactor(j: i32, nIn: i32): f32 {
  const q: f32 = <f32>(1.0 - <f64>(<f32>(<f64>j / <f64>nIn)));
  return <f32>(1.0 - <f64>(q * q));
}

/** core voltageOffsetOutput(y, v, rSeries, vOffsetWMin, xSum), the same float32 / float64 steps. */
@inline function voltageOffsetOutput(y: f32, v: f32, rSeries: f64, wMin: f64, xSum: f32): f32 {
  const rs = rSeries > 0 ? rSeries : 0.0;
  const yd = <f64>y;
  const vd = <f64>v;
  if (wMin == 0) {
    if (rs <= 0) return <f32>(yd * (1 - vd));
    return <f32>(((1 - vd) * yd) / (1 + rs * abs<f64>(yd)));
  }
  if (rs <= 0) {
    const yRef2 = <f32>(<f64>(<f32>(-wMin * <f64>xSum)) * 2);
    return <f32>(yd * (1 - vd) - vd * <f64>yRef2);
  }
  const yRef = <f64>(<f32>(-wMin * <f64>xSum));
  const yPos = <f64>(<f32>(yd + yRef));
  const pNom = 1 + rs * abs<f64>(yPos);
  const nNom = 1 + rs * abs<f64>(yRef);
  return <f32>(((1 - vd) * yPos) / pNom - ((1 + vd) * yRef) / nNom);
}

/**
 * One pass through the array of `rows` prepared vectors x [rows × nIn] (block rows
 * b0 …): y [rows × nOut] = B x with IR drop, voltage offsets and weight noise (see the
 * file comment). b, bAbs: the weights and |weights| of this pass. `extra`: the block
 * scratch (aux [ROWS × nIn], two [ROWS × nOut], [nIn]); `g`: nOut float64.
 */
function arrayPass(
  p: usize,
  b: usize,
  bAbs: usize,
  x: usize,
  y: usize,
  rows: i32,
  nOut: i32,
  nIn: i32,
  active: usize,
  b0: i32,
  extra: usize,
  g: usize,
  k0: u32,
  k1: u32,
  call: u32,
  sub: u32,
): void {
  const backward = param(p, P_BACKWARD) != 0;
  const aux = extra;
  const cur = aux + ((<usize>ROWS * <usize>nIn) << 2);
  const drop = cur + ((<usize>ROWS * <usize>nOut) << 2);
  const factors = drop + ((<usize>ROWS * <usize>nOut) << 2); // [nIn] the IR-drop input weights
  const n = rows * nOut;
  const nx = rows * nIn;
  passGemm(backward, rows, nOut, nIn, x, b, y);

  const irDrop = param(p, P_IR_DROP);
  if (irDrop > 0) {
    // the total current Σ_j |b_ij| |x_j|, and Σ_j b_ij x_j (1 − (1 − j/n)²)
    absInto(x, aux, nx);
    passGemm(backward, rows, nOut, nIn, aux, bAbs, cur);
    for (let j = 0; j < nIn; j++) store<f32>(factors + (<usize>j << 2), irDropInputFactor(j, nIn));
    const n4 = nIn & ~3;
    for (let r = 0; r < rows; r++) {
      const o = (<usize>r * <usize>nIn) << 2;
      for (let j = 0; j < n4; j += 4) {
        const q = <usize>j << 2;
        v128.store(aux + o + q, f32x4.mul(v128.load(x + o + q), v128.load(factors + q)));
      }
      for (let j = n4; j < nIn; j++) store<f32>(aux + o + (<usize>j << 2), load<f32>(x + o + (<usize>j << 2)) * load<f32>(factors + (<usize>j << 2)));
    }
    passGemm(backward, rows, nOut, nIn, aux, b, drop);
    const gRatio = param(p, P_IR_DROP_G_RATIO);
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 2;
      const c = irDropCoefficient(load<f32>(cur + o), nIn, gRatio);
      const d = <f32>(irDrop * <f64>load<f32>(drop + o));
      store<f32>(y + o, <f32>(<f64>load<f32>(y + o) - <f64>c * <f64>d));
    }
  }

  if (param(p, P_V_OFFSETS) != 0) {
    const vOffset = <usize>param(p, P_V_OFFSET);
    const rSeries = param(p, P_R_SERIES);
    const wMin = param(p, P_V_OFFSET_W_MIN);
    for (let r = 0; r < rows; r++) {
      const xr = x + ((<usize>r * <usize>nIn) << 2);
      let s: f64 = 0;
      for (let j = 0; j < nIn; j++) s += <f64>load<f32>(xr + (<usize>j << 2));
      const xSum = <f32>s;
      const yr = y + ((<usize>r * <usize>nOut) << 2);
      for (let i = 0; i < nOut; i++) {
        const o = <usize>i << 2;
        store<f32>(yr + o, voltageOffsetOutput(load<f32>(yr + o), load<f32>(vOffset + o), rSeries, wMin, xSum));
      }
    }
  }

  const wNoiseType = <i32>param(p, P_W_NOISE_TYPE);
  if (wNoiseType != 0) {
    const wNoise = param(p, P_W_NOISE);
    const stream = <u32>param(p, P_STREAM_WEIGHT_NOISE);
    if (wNoiseType == 2) {
      // PCMRead: Σ_j |b_ij| x_j² per output (x_j² rounded to float32, as ndarray's buffer)
      squareInto(x, aux, nx);
      passGemm(backward, rows, nOut, nIn, aux, bAbs, cur);
    }
    for (let r = 0; r < rows; r++) {
      const row = load<i32>(active + (<usize>(b0 + r) << 2));
      fillNormal64(g, nOut, k0, k1, stream, call, sub, <u64>row * <u64>nOut);
      const yr = y + ((<usize>r * <usize>nOut) << 2);
      if (wNoiseType == 1) {
        // AdditiveConstant: std w_noise · ‖x‖ per vector
        const xr = x + ((<usize>r * <usize>nIn) << 2);
        let s: f64 = 0;
        for (let j = 0; j < nIn; j++) {
          const v = <f64>load<f32>(xr + (<usize>j << 2));
          s += v * v;
        }
        const std = wNoise * <f64>(<f32>Math.sqrt(s));
        for (let i = 0; i < nOut; i++) {
          const o = <usize>i << 2;
          store<f32>(yr + o, <f32>(<f64>load<f32>(yr + o) + std * load<f64>(g + (<usize>i << 3))));
        }
      } else {
        const cr = cur + ((<usize>r * <usize>nOut) << 2);
        for (let i = 0; i < nOut; i++) {
          const o = <usize>i << 2;
          const std = wNoise * Math.sqrt(<f64>load<f32>(cr + o));
          store<f32>(yr + o, <f32>(<f64>load<f32>(yr + o) + std * load<f64>(g + (<usize>i << 3))));
        }
      }
    }
  }
}

/** dst = the negative (negative true) or positive part of src, n elements: v where v < 0 (v > 0), else +0. */
function signPart(src: usize, dst: usize, n: i32, negative: bool): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  for (let k = 0; k < n4; k += 4) {
    const v = v128.load(src + (<usize>k << 2));
    // the lane mask keeps v's bits where the test holds, else all-zero bits (+0); NaN → +0
    v128.store(dst + (<usize>k << 2), v128.and(v, negative ? f32x4.lt(v, zero) : f32x4.gt(v, zero)));
  }
  for (let k = n4; k < n; k++) {
    const v = load<f32>(src + (<usize>k << 2));
    store<f32>(dst + (<usize>k << 2), (negative ? v < 0 : v > 0) ? v : 0);
  }
}

/**
 * Array stage and ADC of the prepared block b0 … b1 − 1 (inp [nActive × nIn], out
 * [nActive × nOut] as in analogRows); `scratch`: the part's scratch, its first
 * 16 · max(nIn, nOut) bytes for the random rows, then the block scratch
 * (src/fused-io.ts fusedScratchBytes). Returns how many vectors failed the bound test.
 */
export function arrayRows(
  p: usize,
  w: usize,
  nOut: i32,
  nIn: i32,
  active: usize,
  b0: i32,
  b1: i32,
  inp: usize,
  out: usize,
  passed: usize,
  nl: usize,
  scratch: usize,
  k0: u32,
  k1: u32,
  call: u32,
  round: u32,
): i32 {
  const rows = b1 - b0;
  const pi = inp + ((<usize>b0 * <usize>nIn) << 2);
  const po = out + ((<usize>b0 * <usize>nOut) << 2);
  const wAbs = <usize>param(p, P_W_ABS);
  const part = scratch + (<usize>max(nIn, nOut) << 4);
  const extra = part + ((<usize>ROWS * <usize>nIn) << 2);
  const mvType = <i32>param(p, P_MV_TYPE);
  if (mvType == 0) {
    arrayPass(p, w, wAbs, pi, po, rows, nOut, nIn, active, b0, extra, scratch, k0, k1, call, 2 * round);
    return finalizeRows(p, out, nOut, active, b0, b1, passed, nl, scratch, k0, k1, call, round, 0, false);
  }
  // negative inputs first (through the read-asymmetric weights), then positive ones
  const digitalSum = mvType == 2;
  let wNeg = <usize>param(p, P_W_NEG);
  let wNegAbs = <usize>param(p, P_W_NEG_ABS);
  if (wNeg == 0) {
    wNeg = w;
    wNegAbs = wAbs;
  }
  const outNeg = <usize>param(p, P_OUT_NEG);
  const pn = outNeg + ((<usize>b0 * <usize>nOut) << 2);
  signPart(pi, part, rows * nIn, true);
  arrayPass(p, wNeg, wNegAbs, part, pn, rows, nOut, nIn, active, b0, extra, scratch, k0, k1, call, 2 * round + 1);
  if (digitalSum) finalizeRows(p, outNeg, nOut, active, b0, b1, passed, nl, scratch, k0, k1, call, round, 1, false);
  signPart(pi, part, rows * nIn, false);
  arrayPass(p, w, wAbs, part, po, rows, nOut, nIn, active, b0, extra, scratch, k0, k1, call, 2 * round);
  let failed = 0;
  if (digitalSum) failed = finalizeRows(p, out, nOut, active, b0, b1, passed, nl, scratch, k0, k1, call, round, 0, true);
  addInto(pn, po, rows * nOut);
  if (!digitalSum) failed = finalizeRows(p, out, nOut, active, b0, b1, passed, nl, scratch, k0, k1, call, round, 0, false);
  return failed;
}
