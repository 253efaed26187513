// The ADC's output noise without computing each normal exactly (assembly/engine.ts
// finalizeRows). An output is quantize(fround(v + noise · g)) with g core's float64
// normal (Box–Muller with V8's fdlibm log/sin/cos, philox.ts / libm.ts): exact, but those
// float64 functions in two SIMD lanes cost more than the rest of the pass. That output is
// a non-decreasing function of g (noise > 0: the float64 product and sum, fround, the
// division by the step, the shift, nearest and the product by the step all are), so if
// |g − g̃| <= E then it lies between the outputs at g̃ − E and g̃ + E; when those two are
// the same bits, so is the exact one, and the exact normal is needed only when they
// differ (2.3 groups of four per 10^4 outputs with aihwkit's defaults). The results are the exact
// path's bits, always.
//
// g̃ comes from the same Philox words in float32 on four lanes: r̃ = sqrt(−2 ln u1) with
// ln by fdlibm's reduction (u = 2^k (1 + f), 1 + f in [√2/2, √2), ln(1 + f) = 2 atanh(s),
// s = f / (2 + f), a series in s²), and cos / sin of θ = 2π u2 reduced exactly on the
// uniform (4 u2 − n, n = nearest(4 u2): the quadrant) to |φ| <= π/4, Taylor series.
// One E for every normal, 6 · BRACKET (r̃ <= 6): test/noise-bracket.test.ts checks on all
// 2^23 uniforms that |r̃ − r| / r and |cos̃ − cos|, |siñ − sin| stay far below what
// BRACKET allows, and that r̃ <= 6.
import { blockNormal, philox, philoxX4, wv0, wv1, wv2, wv3 } from './philox';
import { quantize, quantizeX4 } from './io';

/** |g − g̃| <= BRACKET · r̃ with a factor 4 to spare (test/noise-bracket.test.ts). */
export const BRACKET: f32 = 1.0 / 65536.0;

/**
 * Whether the ADC of output noise `noise` and step `step` goes through the bracket: the
 * noise not tiny (noise · g is never 0, as the exact path assumes when it adds it) and the
 * step wide against the bracket (2 · noise · E / step, about the share of outputs that
 * need the exact normal, below 1/64, E = 6 · BRACKET); without quantisation (step 0) every
 * float32 rounding boundary would split brackets, so the exact normals are drawn.
 */
export function useBracket(noise: f64, step: f32): bool {
  return noise > 1e-200 && <f64>step > noise * (768.0 * <f64>BRACKET);
}

const LN2: f32 = 0.6931471805599453;
const SQRT2_BITS: i32 = 0x3fb504f3;
const HALF_PI: f32 = 1.5707963267948966;

/** sqrt(−2 ln u) of u = ((w >>> 9) + 0.5) / 2^23 (lanes), float32. */
@inline function radiusX4(w: v128): v128 {
  const u = f32x4.mul(f32x4.add(f32x4.convert_i32x4_s(i32x4.shr_u(w, 9)), f32x4.splat(0.5)), f32x4.splat(1.0 / 8388608.0));
  let bits = u;
  let k = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(127));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000)); // [1, 2)
  const big = i32x4.gt_s(m, i32x4.splat(SQRT2_BITS));
  m = i32x4.sub(m, v128.and(big, i32x4.splat(0x00800000))); // / 2 where above √2
  k = i32x4.sub(k, big); // big lanes are −1: k + 1
  const f = f32x4.sub(m, f32x4.splat(1.0)); // exact
  const s = f32x4.div(f, f32x4.add(f32x4.splat(2.0), f));
  const z = f32x4.mul(s, s);
  const p = f32x4.add(
    f32x4.splat(1.0),
    f32x4.mul(z, f32x4.add(f32x4.splat(1.0 / 3.0), f32x4.mul(z, f32x4.add(f32x4.splat(1.0 / 5.0), f32x4.mul(z, f32x4.add(f32x4.splat(1.0 / 7.0), f32x4.mul(z, f32x4.splat(1.0 / 9.0)))))))),
  );
  const ln = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(k), f32x4.splat(LN2)), f32x4.mul(f32x4.add(s, s), p));
  return f32x4.sqrt(f32x4.mul(f32x4.splat(-2.0), ln));
}

// cos θ and sin θ of the last angleX4 (module globals: a function returns one value)
let cosV: v128 = f32x4.splat(0);
let sinV: v128 = f32x4.splat(0);

/** cos and sin of θ = 2π u, u = ((w >>> 9) + 0.5) / 2^23 (lanes), float32, into cosV, sinV. */
@inline function angleX4(w: v128): void {
  const y = f32x4.mul(f32x4.add(f32x4.convert_i32x4_s(i32x4.shr_u(w, 9)), f32x4.splat(0.5)), f32x4.splat(1.0 / 2097152.0)); // 4u, exact
  const n = f32x4.nearest(y);
  const phi = f32x4.mul(f32x4.sub(y, n), f32x4.splat(HALF_PI)); // θ − n π/2, |φ| <= π/4
  const z = f32x4.mul(phi, phi);
  const sp = f32x4.add(
    phi,
    f32x4.mul(
      f32x4.mul(phi, z),
      f32x4.add(f32x4.splat(-1.0 / 6.0), f32x4.mul(z, f32x4.add(f32x4.splat(1.0 / 120.0), f32x4.mul(z, f32x4.add(f32x4.splat(-1.0 / 5040.0), f32x4.mul(z, f32x4.splat(1.0 / 362880.0))))))),
    ),
  );
  const cp = f32x4.add(
    f32x4.splat(1.0),
    f32x4.mul(
      z,
      f32x4.add(
        f32x4.splat(-0.5),
        f32x4.mul(z, f32x4.add(f32x4.splat(1.0 / 24.0), f32x4.mul(z, f32x4.add(f32x4.splat(-1.0 / 720.0), f32x4.mul(z, f32x4.splat(1.0 / 40320.0)))))),
      ),
    ),
  );
  // quadrant n mod 4: 0 (s, c), 1 (c, −s), 2 (−s, −c), 3 (−c, s); n + 2^23 holds n in its low mantissa bits
  const q = f32x4.add(n, f32x4.splat(8388608.0));
  const swap = i32x4.ne(v128.and(q, i32x4.splat(1)), i32x4.splat(0));
  const sign = i32x4.splat(0x80000000);
  const negSin = v128.and(i32x4.shl(q, 30), sign); // bit 1 of n
  const negCos = v128.and(i32x4.shl(i32x4.add(q, i32x4.splat(1)), 30), sign); // bit 1 of n + 1
  sinV = v128.xor(v128.bitselect(cp, sp, swap), negSin);
  cosV = v128.xor(v128.bitselect(sp, cp, swap), negCos);
}

/** Stores lanes (a, b, c, d) of 4 blocks transposed: element 4 L + j of out = lane L of vector j. */
@inline function storeTransposed(out: usize, a: v128, b: v128, c: v128, d: v128): void {
  const ab0 = v128.shuffle<i32>(a, b, 0, 4, 1, 5); // a0 b0 a1 b1
  const ab1 = v128.shuffle<i32>(a, b, 2, 6, 3, 7); // a2 b2 a3 b3
  const cd0 = v128.shuffle<i32>(c, d, 0, 4, 1, 5);
  const cd1 = v128.shuffle<i32>(c, d, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<i64>(ab0, cd0, 0, 2)); // a0 b0 c0 d0
  v128.store(out, v128.shuffle<i64>(ab0, cd0, 1, 3), 16);
  v128.store(out, v128.shuffle<i64>(ab1, cd1, 0, 2), 32);
  v128.store(out, v128.shuffle<i64>(ab1, cd1, 1, 3), 48);
}

/** The largest radius r̃ can be (u = 2^-24: sqrt(48 ln 2) = 5.77), test/noise-bracket.test.ts. */
const RADIUS_MAX: f64 = 6.0;

/** The bracket's half-width E = RADIUS_MAX · BRACKET, one for every normal. */
const HALF_WIDTH: f64 = RADIUS_MAX * <f64>BRACKET;

/** Elements of a row of n from stream element `start` before its first whole block. */
@inline function headOf(n: i32, start: u64): i32 {
  return min<i32>(n, <i32>((4 - (start & 3)) & 3));
}

/** Elements of the row after the head that the bracket covers (whole groups of four blocks). */
@inline function bodyOf(n: i32, head: i32): i32 {
  return (n - head) & ~15;
}

/**
 * g̃[k] (float32, at g) of the normals of elements start + k of the stream for the k of
 * the row's body: headOf(n, start) <= k < head + bodyOf(n, head) (four whole blocks at a
 * time); the others are drawn exactly by adcRowBracket.
 */
export function fillNormalBracket(g: usize, n: i32, k0: u32, k1: u32, stream: u32, call: u32, sub: u32, start: u64): void {
  const head = headOf(n, start);
  const end = head + bodyOf(n, head);
  let b = <u32>((start + <u64>head) >>> 2);
  for (let k = head; k < end; k += 16, b += 4) {
    philoxX4(k0, k1, b, sub, stream, call);
    const r0 = radiusX4(wv0);
    const r2 = radiusX4(wv2);
    angleX4(wv1);
    const g0 = f32x4.mul(r0, cosV);
    const g1 = f32x4.mul(r0, sinV);
    angleX4(wv3);
    const g2 = f32x4.mul(r2, cosV);
    const g3 = f32x4.mul(r2, sinV);
    storeTransposed(g + (<usize>k << 2), g0, g1, g2, g3);
  }
}

/** Core's normal of element e of the stream (float64, exact). */
export function exactNormal(k0: u32, k1: u32, stream: u32, call: u32, sub: u32, e: u64): f64 {
  philox(k0, k1, <u32>(e >>> 2), sub, stream, call);
  return blockNormal(<i32>(e & 3));
}

/** Outputs of the bracketed body that needed the exact normal (tests: the fallback runs). */
export let bracketMisses: u32 = 0;

/** fround(v + noise · (g + d)) on two pairs of float64 lanes (v, g promoted once), as four float32 lanes. */
@inline function noisyX4(v0: v128, v1: v128, g0: v128, g1: v128, nz: v128, dd: v128): v128 {
  const s0 = f64x2.add(v0, f64x2.mul(nz, f64x2.add(g0, dd)));
  const s1 = f64x2.add(v1, f64x2.mul(nz, f64x2.add(g1, dd)));
  return v128.shuffle<i32>(f32x4.demote_f64x2_zero(s0), f32x4.demote_f64x2_zero(s1), 0, 1, 4, 5);
}

/** aihwkit's bound test after output v (core boundTestUpdate). */
@inline function boundTest(ok: i32, v: f32, outBound: f32, testNegative: bool): i32 {
  if (v > outBound) return 0;
  if (v < -outBound) return testNegative ? 0 : 1;
  return ok;
}

/**
 * The ADC of one output row o[0 … n) in place, the output noise through the bracket
 * (finalizeRows' per-element stages in the same order and float32 / float64 operations:
 * non-linearity, negative scale, noise, stochastic-rounding shift, quantisation, the bound
 * test, the clip). g: the row's fillNormalBracket (row element 0 = stream element e);
 * uniforms: the row's rounding uniforms (float64) or 0. Returns the bound test (1 passed).
 */
export function adcRowBracket(
  o: usize,
  n: i32,
  nl: usize,
  withNl: bool,
  nlFactor: f32,
  negScale: f32,
  noise: f64,
  step: f32,
  outBound: f32,
  testNegative: bool,
  uniforms: usize,
  g: usize,
  k0: u32,
  k1: u32,
  stream: u32,
  call: u32,
  sub: u32,
  e: u64,
): i32 {
  let ok: i32 = 1;
  const zero = f32x4.splat(0);
  const b = f32x4.splat(outBound);
  const nb = f32x4.splat(-outBound);
  const head = headOf(n, e);
  const end = head + bodyOf(n, head);
  const nz = f64x2.splat(noise);
  const lowE = f64x2.splat(-HALF_WIDTH);
  const highE = f64x2.splat(HALF_WIDTH);
  for (let i = 0; i < n; ) {
    const po = o + (<usize>i << 2);
    if (i < head || i >= end) {
      // outside the body: the exact normal
      let v = load<f32>(po);
      if (withNl) {
        const c = load<f32>(nl + (<usize>i << 2));
        v = (nlFactor * v) / (<f32>1 + abs<f32>(c * v));
      }
      if (negScale != 1 && v < 0) v = v * negScale;
      const shift: f32 = uniforms != 0 ? <f32>(load<f64>(uniforms + (<usize>i << 3)) - 0.5) : 0;
      v = quantize(<f32>(<f64>v + noise * exactNormal(k0, k1, stream, call, sub, e + <u64>i)), step, shift);
      ok = boundTest(ok, v, outBound, testNegative);
      store<f32>(po, min<f32>(max<f32>(v, -outBound), outBound));
      i++;
      continue;
    }
    let v = v128.load(po);
    if (withNl) {
      const c = v128.load(nl + (<usize>i << 2));
      v = f32x4.div(f32x4.mul(f32x4.splat(nlFactor), v), f32x4.add(f32x4.splat(1), f32x4.abs(f32x4.mul(c, v))));
    }
    if (negScale != 1) v = v128.bitselect(f32x4.mul(v, f32x4.splat(negScale)), v, f32x4.lt(v, zero));
    let shift = zero;
    if (uniforms != 0) {
      const pu = uniforms + (<usize>i << 3);
      const h = f64x2.splat(0.5);
      shift = v128.shuffle<i32>(f32x4.demote_f64x2_zero(f64x2.sub(v128.load(pu), h)), f32x4.demote_f64x2_zero(f64x2.sub(v128.load(pu, 16), h)), 0, 1, 4, 5);
    }
    const gt = v128.load(g + (<usize>i << 2));
    const v0 = f64x2.promote_low_f32x4(v);
    const v1 = f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 2, 3));
    const g0 = f64x2.promote_low_f32x4(gt);
    const g1 = f64x2.promote_low_f32x4(v128.shuffle<i32>(gt, gt, 2, 3, 2, 3));
    let q = quantizeX4(noisyX4(v0, v1, g0, g1, nz, lowE), step, shift);
    if (!i32x4.all_true(i32x4.eq(q, quantizeX4(noisyX4(v0, v1, g0, g1, nz, highE), step, shift)))) {
      // a lane whose bracket spans two outputs: the exact normals of the four
      v128.store(po, v); // the stages before the noise
      for (let j = 0; j < 4; j++) {
        const k = i + j;
        const sj: f32 = uniforms != 0 ? <f32>(load<f64>(uniforms + (<usize>k << 3)) - 0.5) : 0;
        const vj = load<f32>(po + (<usize>j << 2));
        store<f32>(po + (<usize>j << 2), quantize(<f32>(<f64>vj + noise * exactNormal(k0, k1, stream, call, sub, e + <u64>k)), step, sj));
      }
      bracketMisses++;
      q = v128.load(po);
    }
    if (v128.any_true(v128.or(f32x4.gt(q, b), f32x4.lt(q, nb)))) {
      // aihwkit's bound test, element after element (without bm_test_negative_bound a later
      // negative excess sets it back to passed)
      v128.store(po, q);
      for (let j = 0; j < 4; j++) ok = boundTest(ok, load<f32>(po + (<usize>j << 2)), outBound, testNegative);
    }
    v128.store(po, f32x4.min(f32x4.max(q, nb), b));
    i += 4;
  }
  return ok;
}

/** Tests: r̃ of the uniform of word w and cos̃ θ, siñ θ of the word's angle (lane 0), into the globals below. */
export let testRadius: f32 = 0;
export let testCos: f32 = 0;
export let testSin: f32 = 0;
export function bracketParts(w: u32): void {
  testRadius = f32x4.extract_lane(radiusX4(i32x4.splat(w)), 0);
  angleX4(i32x4.splat(w));
  testCos = f32x4.extract_lane(cosV, 0);
  testSin = f32x4.extract_lane(sinV, 0);
}
