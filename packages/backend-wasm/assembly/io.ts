// The IO stages of an analog forward pass with the default IOParameters
// (core/src/physics/io.ts: prepareInputValue, finalizeOutputValue,
// boundTestUpdate, clipSymmetric, managedOutputFactor; aihwkit v.0.7.1
// src/rpucuda/rpu_forward_backward_pass.cpp), fused around gemmNT:
//   DAC:  v = fround(x · scale), quantised (rint half-to-even in float32),
//         clipped to inp_bound, + inp_noise · N(0,1), negative part · (1 − inp_asymmetry)
//   MVM:  gemmNT
//   ADC:  negative part · (1 − out_asymmetry), + out_noise · N(0,1), quantised,
//         bound test, clipped to out_bound, · out_scale / scale
// Each float32 operation is one float32 rounding, as core's Math.fround chain;
// the noise is added in float64 (noise · normal) and rounded once, as core does.
// Random numbers (core RandomStreamId): input noise 10 and input rounding 13 with
// sub = round, element = batch row · nIn + j; output noise 11 and output rounding 14
// with sub = 2 · round, element = batch row · nOut + i.
import { gemmNT } from './gemm';
import { fillNormal64, fillUniform64 } from './philox';

const FORWARD_INPUT_NOISE: u32 = 10;
const FORWARD_OUTPUT_NOISE: u32 = 11;
const FORWARD_INPUT_ROUNDING: u32 = 13;
const FORWARD_OUTPUT_ROUNDING: u32 = 14;

/** aihwkit's discretisation rint(v / step + shift) · step in float32 (core quantize); step <= 0: none. */
@inline export function quantize(v: f32, step: f32, shift: f32): f32 {
  if (step <= 0) return v;
  // f32.nearest rounds half to even like core's roundHalfEven; "+ 0" turns its −0 into
  // core's +0 (roundHalfEven(−0.3) is +0), so that the sign of a zero output agrees.
  return (nearest<f32>(v / step + shift) + 0.0) * step;
}

@inline function clipSymmetric(v: f32, bound: f32): f32 {
  return min<f32>(max<f32>(v, -bound), bound);
}

// IO parameters of the pass, set once per call by setForwardIO (globals of this instance).
let inpStep: f32 = 0;
let inpBound: f32 = 1;
let inpNoise: f64 = 0;
let inpNegativeScale: f32 = 1;
let inpStoRound: bool = false;
let outStep: f32 = 0;
let outBound: f32 = 12;
let outNoise: f64 = 0;
let outNegativeScale: f32 = 1;
let outStoRound: bool = false;
let outScale: f32 = 1;
let testNegative: bool = true;

/**
 * The resolved forward IO parameters (core ResolvedIO): steps, bounds (Infinity for none),
 * noise stds, negative scales (1 − asymmetry, 1 for none), stochastic-rounding flags,
 * out_scale, bm_test_negative_bound.
 */
export function setForwardIO(
  inpStep_: f32,
  inpBound_: f32,
  inpNoise_: f64,
  inpNegativeScale_: f32,
  inpStoRound_: bool,
  outStep_: f32,
  outBound_: f32,
  outNoise_: f64,
  outNegativeScale_: f32,
  outStoRound_: bool,
  outScale_: f32,
  testNegative_: bool,
): void {
  inpStep = inpStep_;
  inpBound = inpBound_;
  inpNoise = inpNoise_;
  inpNegativeScale = inpNegativeScale_;
  inpStoRound = inpStoRound_;
  outStep = outStep_;
  outBound = outBound_;
  outNoise = outNoise_;
  outNegativeScale = outNegativeScale_;
  outStoRound = outStoRound_;
  outScale = outScale_;
  testNegative = testNegative_;
}

/**
 * DAC of active vectors a0 … a1 − 1: inp[a, j] = prepare(x[active[a], j]) with scale rowScale[a].
 * `scratch`: 2 · nIn float64 per thread (normals, uniforms).
 */
export function prepareInputs(
  x: usize,
  nIn: i32,
  active: usize,
  rowScale: usize,
  a0: i32,
  a1: i32,
  inp: usize,
  scratch: usize,
  k0: u32,
  k1: u32,
  call: u32,
  round: u32,
): void {
  const withNoise = inpNoise > 0;
  const withRounding = inpStoRound && inpStep != 0;
  const g = scratch;
  const u = scratch + (<usize>nIn << 3);
  const step = inpStep;
  const bound = inpBound;
  const negScale = inpNegativeScale;
  for (let a = a0; a < a1; a++) {
    const r = load<i32>(active + (<usize>a << 2));
    const scale = load<f32>(rowScale + (<usize>a << 2));
    const xr = x + (<usize>r * <usize>nIn << 2);
    const pr = inp + (<usize>a * <usize>nIn << 2);
    const e = <u64>r * <u64>nIn;
    if (withNoise) fillNormal64(g, nIn, k0, k1, FORWARD_INPUT_NOISE, call, round, e);
    if (withRounding) fillUniform64(u, nIn, k0, k1, FORWARD_INPUT_ROUNDING, call, round, e);
    for (let j = 0; j < nIn; j++) {
      let v: f32 = load<f32>(xr + (<usize>j << 2)) * scale;
      const shift: f32 = withRounding ? <f32>(load<f64>(u + (<usize>j << 3)) - 0.5) : 0;
      v = clipSymmetric(quantize(v, step, shift), bound);
      if (withNoise) v = <f32>(<f64>v + inpNoise * load<f64>(g + (<usize>j << 3)));
      if (negScale != 1 && v < 0) v = v * negScale;
      store<f32>(pr + (<usize>j << 2), v);
    }
  }
}

/**
 * ADC of active vectors a0 … a1 − 1 on acc[a, ·] (the MVM result): writes the clipped
 * output times out_scale / rowScale[a] to y[active[a], ·] when the vector passed the bound
 * test or `final`, and the test result (1 passed, 0 clipped: aihwkit's boundTestUpdate
 * order) to passed[a]. Returns the number of vectors that failed. `scratch`: 2 · nOut float64.
 */
export function finalizeOutputs(
  acc: usize,
  nOut: i32,
  active: usize,
  rowScale: usize,
  a0: i32,
  a1: i32,
  y: usize,
  passed: usize,
  final: bool,
  scratch: usize,
  k0: u32,
  k1: u32,
  call: u32,
  round: u32,
): i32 {
  const withNoise = outNoise > 0;
  const withRounding = outStoRound && outStep != 0;
  const g = scratch;
  const u = scratch + (<usize>nOut << 3);
  const step = outStep;
  const bound = outBound;
  const negScale = outNegativeScale;
  let failed = 0;
  for (let a = a0; a < a1; a++) {
    const r = load<i32>(active + (<usize>a << 2));
    const ar = acc + (<usize>a * <usize>nOut << 2);
    const e = <u64>r * <u64>nOut;
    if (withNoise) fillNormal64(g, nOut, k0, k1, FORWARD_OUTPUT_NOISE, call, 2 * round, e);
    if (withRounding) fillUniform64(u, nOut, k0, k1, FORWARD_OUTPUT_ROUNDING, call, 2 * round, e);
    let ok: i32 = 1;
    for (let i = 0; i < nOut; i++) {
      let v = load<f32>(ar + (<usize>i << 2));
      if (negScale != 1 && v < 0) v = v * negScale;
      if (withNoise) v = <f32>(<f64>v + outNoise * load<f64>(g + (<usize>i << 3)));
      const shift: f32 = withRounding ? <f32>(load<f64>(u + (<usize>i << 3)) - 0.5) : 0;
      v = quantize(v, step, shift);
      // aihwkit's bound test, element by element (core boundTestUpdate)
      if (v > bound) ok = 0;
      else if (v < -bound) ok = testNegative ? 0 : 1;
      store<f32>(ar + (<usize>i << 2), clipSymmetric(v, bound));
    }
    store<i32>(passed + (<usize>a << 2), ok);
    if (ok == 0) failed++;
    if (ok == 1 || final) {
      const factor: f32 = outScale / load<f32>(rowScale + (<usize>a << 2));
      const yr = y + (<usize>r * <usize>nOut << 2);
      for (let i = 0; i < nOut; i++) store<f32>(yr + (<usize>i << 2), load<f32>(ar + (<usize>i << 2)) * factor);
    }
  }
  return failed;
}

/** Active vectors per block of the fused pass: their inputs and outputs stay in cache. */
const ROWS: i32 = 16;

/**
 * One analog forward pass of active vectors a0 … a1 − 1 (a bound-management round):
 * DAC, W x (W [nOut × nIn]), ADC, fused per block of ROWS vectors. inp [nActive × nIn]
 * and acc [nActive × nOut] are float32 scratch, `scratch` 2 · max(nIn, nOut) float64.
 * Returns the number of vectors that failed the bound test (see finalizeOutputs).
 */
export function forwardPass(
  x: usize,
  w: usize,
  nOut: i32,
  nIn: i32,
  active: usize,
  rowScale: usize,
  a0: i32,
  a1: i32,
  inp: usize,
  acc: usize,
  y: usize,
  passed: usize,
  final: bool,
  scratch: usize,
  k0: u32,
  k1: u32,
  call: u32,
  round: u32,
): i32 {
  let failed = 0;
  for (let b0 = a0; b0 < a1; b0 += ROWS) {
    const b1 = min(a1, b0 + ROWS);
    prepareInputs(x, nIn, active, rowScale, b0, b1, inp, scratch, k0, k1, call, round);
    gemmNT(b1 - b0, nOut, nIn, inp + (<usize>b0 * <usize>nIn << 2), nIn, w, nIn, acc + (<usize>b0 * <usize>nOut << 2), nOut);
    failed += finalizeOutputs(acc, nOut, active, rowScale, b0, b1, y, passed, final, scratch, k0, k1, call, round);
  }
  return failed;
}

/** out[r] = max_j |x[r, j]| for r < rows (noise management AbsMax before nm_thres). */
export function rowAbsMax(x: usize, rows: i32, n: i32, out: usize): void {
  const n4 = n & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>r * <usize>n << 2);
    let m = f32x4.splat(0);
    for (let j = 0; j < n4; j += 4) m = f32x4.max(m, f32x4.abs(v128.load(xr + (<usize>j << 2))));
    let s = max<f32>(max<f32>(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max<f32>(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
    for (let j = n4; j < n; j++) s = max<f32>(s, abs<f32>(load<f32>(xr + (<usize>j << 2))));
    store<f32>(out + (<usize>r << 2), s);
  }
}
