// The engine's analog pass (core's TileKernels.analogPass, kernels.ts): one
// bound-management round over active vectors a0 … a1 − 1 in either direction, the DAC
// stage, the array (B x: gemmNT forward with W [nOut × nIn], gemmNN backward reading
// W [nIn × nOut] in place, no transposed copy) and the ADC stage fused per block of
// ROWS vectors. Writes the clipped ADC outputs to out[a, ·] and the bound test to
// passed[a] (core scales the results). Per element the float32 operations are those of
// core's prepareInputValue, finalizeOutputValue (with the output non-linearity),
// boundTestUpdate and clipSymmetric (physics/io.ts), in the same order.
// Random numbers: core's stream layout (ioPassStreams): input noise and rounding with
// sub = round, element = batch row · nIn + j; output noise and rounding with
// sub = 2 · round, element = batch row · nOut + i (the stream ids are parameters).
// The IO parameters are a float64 block in memory (P_* word offsets), so that worker
// threads read the same ones.
import { arrayRows, arrayStageOn } from './array';
import { gemmNN, gemmNT } from './gemm';
import { dacRow, quantize } from './io';
import { fillNormal64, fillUniform64 } from './philox';
import { adcRowBracket, fillNormalBracket, useBracket } from './noise-bracket';

// words of the parameter block (float64)
const P_INP_STEP = 0;
const P_INP_BOUND = 1;
const P_INP_NOISE = 2;
const P_INP_NEG_SCALE = 3;
const P_INP_STO_ROUND = 4;
const P_OUT_STEP = 5;
const P_OUT_BOUND = 6;
const P_OUT_NOISE = 7;
const P_OUT_NEG_SCALE = 8;
const P_OUT_STO_ROUND = 9;
const P_TEST_NEGATIVE = 10;
const P_WITH_NL = 11;
const P_NL_FACTOR = 12;
const P_STREAM_INPUT_NOISE = 13;
const P_STREAM_INPUT_ROUNDING = 14;
const P_STREAM_OUTPUT_NOISE = 15;
const P_STREAM_OUTPUT_ROUNDING = 16;
const P_BACKWARD = 17;

@inline function param(p: usize, word: i32): f64 {
  return load<f64>(p + (<usize>word << 3));
}

/** Active vectors per block: their inputs and outputs stay in cache between the stages. */
const ROWS: i32 = 16;

/** DAC of active vectors a0 … a1 − 1 into inp[a, ·] (core prepareInputValue). */
function prepareRows(p: usize, x: usize, nIn: i32, active: usize, rowScale: usize, a0: i32, a1: i32, inp: usize, scratch: usize, k0: u32, k1: u32, call: u32, round: u32): void {
  const step = <f32>param(p, P_INP_STEP);
  const bound = <f32>param(p, P_INP_BOUND);
  const noise = param(p, P_INP_NOISE);
  const negScale = <f32>param(p, P_INP_NEG_SCALE);
  const withNoise = noise > 0;
  const withRounding = param(p, P_INP_STO_ROUND) != 0 && step != 0;
  const sNoise = <u32>param(p, P_STREAM_INPUT_NOISE);
  const sRound = <u32>param(p, P_STREAM_INPUT_ROUNDING);
  const g = scratch;
  const u = scratch + (<usize>nIn << 3);
  for (let a = a0; a < a1; a++) {
    const r = load<i32>(active + (<usize>a << 2));
    const scale = load<f32>(rowScale + (<usize>a << 2));
    const xr = x + ((<usize>r * <usize>nIn) << 2);
    const pr = inp + ((<usize>a * <usize>nIn) << 2);
    const e = <u64>r * <u64>nIn;
    if (withNoise) fillNormal64(g, nIn, k0, k1, sNoise, call, round, e);
    if (withRounding) fillUniform64(u, nIn, k0, k1, sRound, call, round, e);
    if (!withNoise && !withRounding) {
      dacRow(xr, pr, nIn, scale, step, bound, negScale);
      continue;
    }
    for (let j = 0; j < nIn; j++) {
      let v: f32 = load<f32>(xr + (<usize>j << 2)) * scale;
      const shift: f32 = withRounding ? <f32>(load<f64>(u + (<usize>j << 3)) - 0.5) : 0;
      v = min<f32>(max<f32>(quantize(v, step, shift), -bound), bound);
      if (withNoise) {
        const n = noise * load<f64>(g + (<usize>j << 3));
        if (n != 0) v = <f32>(<f64>v + n);
      }
      if (negScale != 1 && v < 0) v = v * negScale;
      store<f32>(pr + (<usize>j << 2), v);
    }
  }
}

/**
 * ADC of active vectors a0 … a1 − 1 on out[a, ·] in place; passed[a] = the bound test
 * (and-ed with passed[a] when `andPassed`: PosNegSeparateDigitalSum's second ADC). Output
 * noise and rounding sub = 2 · round + phase. Returns how many failed.
 */
export function finalizeRows(
  p: usize,
  out: usize,
  nOut: i32,
  active: usize,
  a0: i32,
  a1: i32,
  passed: usize,
  nl: usize,
  scratch: usize,
  k0: u32,
  k1: u32,
  call: u32,
  round: u32,
  phase: u32,
  andPassed: bool,
): i32 {
  const step = <f32>param(p, P_OUT_STEP);
  const bound = <f32>param(p, P_OUT_BOUND);
  const noise = param(p, P_OUT_NOISE);
  const negScale = <f32>param(p, P_OUT_NEG_SCALE);
  const withNoise = noise > 0;
  const withRounding = param(p, P_OUT_STO_ROUND) != 0 && step != 0;
  const testNegative = param(p, P_TEST_NEGATIVE) != 0;
  const withNl = param(p, P_WITH_NL) != 0;
  const nlFactor = <f32>param(p, P_NL_FACTOR);
  const sNoise = <u32>param(p, P_STREAM_OUTPUT_NOISE);
  const sRound = <u32>param(p, P_STREAM_OUTPUT_ROUNDING);
  const g = scratch;
  const u = scratch + (<usize>nOut << 3);
  // the output noise through noise-bracket.ts (the same bits; g̃ in g's bytes) where the
  // ADC step is wide enough for the bracket to decide most outputs
  const bracket = useBracket(noise, step);
  let failed = 0;
  for (let a = a0; a < a1; a++) {
    const r = load<i32>(active + (<usize>a << 2));
    const o = out + ((<usize>a * <usize>nOut) << 2);
    const e = <u64>r * <u64>nOut;
    const sub = 2 * round + phase;
    if (bracket) fillNormalBracket(g, nOut, k0, k1, sNoise, call, sub, e);
    else if (withNoise) fillNormal64(g, nOut, k0, k1, sNoise, call, sub, e);
    if (withRounding) fillUniform64(u, nOut, k0, k1, sRound, call, sub, e);
    let ok: i32 = 1;
    if (bracket) {
      ok = adcRowBracket(o, nOut, nl, withNl, nlFactor, negScale, noise, step, bound, testNegative, withRounding ? u : 0, g, k0, k1, sNoise, call, sub, e);
    } else for (let i = 0; i < nOut; i++) {
      let v = load<f32>(o + (<usize>i << 2));
      if (withNl) {
        const c = load<f32>(nl + (<usize>i << 2));
        v = (nlFactor * v) / (<f32>1 + abs<f32>(c * v));
      }
      if (negScale != 1 && v < 0) v = v * negScale;
      if (withNoise) {
        const n = noise * load<f64>(g + (<usize>i << 3));
        if (n != 0) v = <f32>(<f64>v + n);
      }
      const shift: f32 = withRounding ? <f32>(load<f64>(u + (<usize>i << 3)) - 0.5) : 0;
      v = quantize(v, step, shift);
      if (v > bound) ok = 0;
      else if (v < -bound) ok = testNegative ? 0 : 1;
      store<f32>(o + (<usize>i << 2), min<f32>(max<f32>(v, -bound), bound));
    }
    if (andPassed && load<u8>(passed + <usize>a) == 0) ok = 0;
    store<u8>(passed + <usize>a, <u8>ok);
    if (ok == 0) failed++;
  }
  return failed;
}

/**
 * One round of the analog pass of active vectors a0 … a1 − 1 (see the file comment):
 * x [batch × nIn], w the tile's weights [outSize × inSize] row-major (B = W forward,
 * Wᵀ backward), inp [nActive × nIn] float32 scratch, out [nActive × nOut], passed
 * [nActive] bytes, nl [nOut] the non-linearities (read only when on), scratch
 * 2 · max(nIn, nOut) float64. Returns how many vectors failed the bound test.
 */
export function analogRows(
  p: usize,
  x: usize,
  w: usize,
  nOut: i32,
  nIn: i32,
  active: usize,
  rowScale: usize,
  a0: i32,
  a1: i32,
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
  const backward = param(p, P_BACKWARD) != 0;
  const arrayStage = arrayStageOn(p);
  let failed = 0;
  for (let b0 = a0; b0 < a1; b0 += ROWS) {
    const b1 = min(a1, b0 + ROWS);
    prepareRows(p, x, nIn, active, rowScale, b0, b1, inp, scratch, k0, k1, call, round);
    if (arrayStage) {
      // IR drop, voltage offsets, weight noise, PosNeg passes (assembly/array.ts)
      failed += arrayRows(p, w, nOut, nIn, active, b0, b1, inp, out, passed, nl, scratch, k0, k1, call, round);
      continue;
    }
    const pi = inp + ((<usize>b0 * <usize>nIn) << 2);
    const po = out + ((<usize>b0 * <usize>nOut) << 2);
    if (backward) gemmNN(b1 - b0, nOut, nIn, pi, nIn, w, nOut, po, nOut);
    else gemmNT(b1 - b0, nOut, nIn, pi, nIn, w, nIn, po, nOut);
    failed += finalizeRows(p, out, nOut, active, b0, b1, passed, nl, scratch, k0, k1, call, round, 0, false);
  }
  return failed;
}
