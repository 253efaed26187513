// The float64 log, sin and cos of V8's Math (fdlibm 5.3 as ported in V8's
// src/base/ieee754.cc), re-written here so that a normal drawn in WebAssembly
// is the same float64 as core's boxMuller (core/src/rng.ts) computes in JS.
// AssemblyScript's own Math.log (ARM optimized-routines) and Math.sin/cos
// (musl) are as accurate but round differently on about 7 % / 1 % of the
// uniforms, so they cannot be used. The algorithms: Sun's fdlibm e_log.c,
// k_sin.c, k_cos.c, e_rem_pio2.c (argument reduction by π/2 with a
// 33 + 53-bit π/2, refined when the subtraction cancels).
// Domain used here: log of a positive normal number; sin/cos of 0 <= x < 2π
// (Box–Muller's θ = 2π u): the large-argument reduction (__kernel_rem_pio2)
// is not needed and not implemented.

@inline function highWord(x: f64): i32 {
  return <i32>(reinterpret<u64>(x) >>> 32);
}

@inline function withHighWord(x: f64, hi: i32): f64 {
  return reinterpret<f64>((<u64>(<u32>hi) << 32) | (reinterpret<u64>(x) & 0xffffffff));
}

const LN2_HI: f64 = 6.93147180369123816490e-1; // 0x3fe62e42 fee00000
const LN2_LO: f64 = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
const LG1: f64 = 6.666666666666735130e-1;
const LG2: f64 = 3.999999999940941908e-1;
const LG3: f64 = 2.857142874366239149e-1;
const LG4: f64 = 2.222219843214978396e-1;
const LG5: f64 = 1.818357216161805012e-1;
const LG6: f64 = 1.531383769920937332e-1;
const LG7: f64 = 1.479819860511658591e-1;

/** ln x for a positive normal x (fdlibm e_log.c: x = 2^k (1 + f), ln(1 + f) by a minimax series in s = f / (2 + f)). */
export function fdlibmLog(x: f64): f64 {
  let hx = highWord(x);
  let k: i32 = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i0 = (hx + 0x95f64) & 0x100000;
  // normalise x into [sqrt(2)/2, sqrt(2)): x or x / 2
  x = withHighWord(x, hx | (i0 ^ 0x3ff00000));
  k += i0 >> 20;
  const f = x - 1.0;
  const dk = <f64>k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // |f| < 2^-20
    if (f == 0.0) {
      if (k == 0) return 0.0;
      return dk * LN2_HI + dk * LN2_LO;
    }
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - r;
    return dk * LN2_HI - ((r - dk * LN2_LO) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  let i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const r = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + r));
    return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
  }
  if (k == 0) return f - s * (f - r);
  return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
}

const S1: f64 = -1.66666666666666324348e-1;
const S2: f64 = 8.33333333332248946124e-3;
const S3: f64 = -1.98412698298579493134e-4;
const S4: f64 = 2.75573137070700676789e-6;
const S5: f64 = -2.50507602534068634195e-8;
const S6: f64 = 1.58969099521155010221e-10;

/** sin(x + y) on [-π/4, π/4], y the tail of x (fdlibm k_sin.c); iy = 0: y is 0. */
@inline function kernelSin(x: f64, y: f64, iy: i32): f64 {
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (iy == 0) return x + v * (S1 + z * r);
  return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

const C1: f64 = 4.16666666666666019037e-2;
const C2: f64 = -1.38888888888741095749e-3;
const C3: f64 = 2.48015872894767294178e-5;
const C4: f64 = -2.75573143513906633035e-7;
const C5: f64 = 2.08757232129817482790e-9;
const C6: f64 = -1.13596475577881948265e-11;

/** cos(x + y) on [-π/4, π/4] (fdlibm k_cos.c, with its exact 1 − x²/2 split for |x| >= 0.3). */
@inline function kernelCos(x: f64, y: f64): f64 {
  const ix = highWord(x) & 0x7fffffff;
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1.0 - (0.5 * z - (z * r - x * y));
  let qx: f64;
  if (ix > 0x3fe90000) {
    qx = 0.28125;
  } else {
    qx = reinterpret<f64>(<u64>(<u32>(ix - 0x00200000)) << 32); // x / 4, low word 0
  }
  const hz = 0.5 * z - qx;
  const a = 1.0 - qx;
  return a - (hz - (z * r - x * y));
}

const INV_PIO2: f64 = 6.36619772367581382433e-1;
const PIO2_1: f64 = 1.57079632673412561417; // first 33 bits of π/2
const PIO2_1T: f64 = 6.07710050650619224932e-11; // π/2 − PIO2_1
const PIO2_2: f64 = 6.07710050630396597660e-11; // next 33 bits
const PIO2_2T: f64 = 2.02226624879595063154e-21;
const PIO2_3: f64 = 2.02226624871116645580e-21; // next 33 bits
const PIO2_3T: f64 = 8.47842766036889956997e-32;

// The reduced argument y0 + y1 of remPio2 (module globals: a function returns one value).
let remY0: f64 = 0;
let remY1: f64 = 0;

/** The high word of n·π/2 for n = 1 … 4 (fdlibm's npio2_hw, the entries 0 <= x < 2π reaches). */
@inline function npio2HighWord(n: i32): i32 {
  if (n == 1) return 0x3ff921fb;
  if (n == 2) return 0x400921fb;
  if (n == 3) return 0x4012d97c;
  return 0x401921fb;
}

/** x − n·π/2 = remY0 + remY1 for 0 <= x < 2π, returns n (fdlibm e_rem_pio2.c, small and medium cases). */
function remPio2(x: f64): i32 {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix < 0x4002d97c) {
    // π/4 < x < 3π/4: n = 1
    let z = x - PIO2_1;
    if (ix != 0x3ff921fb) {
      remY0 = z - PIO2_1T;
      remY1 = (z - remY0) - PIO2_1T;
    } else {
      // near π/2: 33 + 33 + 53 bits of π/2
      z -= PIO2_2;
      remY0 = z - PIO2_2T;
      remY1 = (z - remY0) - PIO2_2T;
    }
    return 1;
  }
  const t = x;
  const n = <i32>(t * INV_PIO2 + 0.5);
  const fn = <f64>n;
  let r = t - fn * PIO2_1;
  let w = fn * PIO2_1T;
  if (ix != npio2HighWord(n)) {
    remY0 = r - w;
  } else {
    const j = ix >> 20;
    remY0 = r - w;
    let i = j - ((highWord(remY0) >> 20) & 0x7ff);
    if (i > 16) {
      // second iteration, good to 118 bits
      let tt = r;
      w = fn * PIO2_2;
      r = tt - w;
      w = fn * PIO2_2T - ((tt - r) - w);
      remY0 = r - w;
      i = j - ((highWord(remY0) >> 20) & 0x7ff);
      if (i > 49) {
        // third iteration, 151 bits
        tt = r;
        w = fn * PIO2_3;
        r = tt - w;
        w = fn * PIO2_3T - ((tt - r) - w);
        remY0 = r - w;
      }
    }
  }
  remY1 = (r - remY0) - w;
  return n;
}

/** cos x for 0 <= x < 2π, as V8's Math.cos. */
export function fdlibmCos(x: f64): f64 {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0.0);
  const n = remPio2(x) & 3;
  if (n == 0) return kernelCos(remY0, remY1);
  if (n == 1) return -kernelSin(remY0, remY1, 1);
  if (n == 2) return -kernelCos(remY0, remY1);
  return kernelSin(remY0, remY1, 1);
}

/** sin x for 0 <= x < 2π, as V8's Math.sin. */
export function fdlibmSin(x: f64): f64 {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0.0, 0);
  const n = remPio2(x) & 3;
  if (n == 0) return kernelSin(remY0, remY1, 1);
  if (n == 1) return kernelCos(remY0, remY1);
  if (n == 2) return -kernelSin(remY0, remY1, 1);
  return -kernelCos(remY0, remY1);
}

// sin and cos of one angle (Box–Muller's pair): one reduction, the results of fdlibmSin and fdlibmCos.
export let sinOut: f64 = 0;
export let cosOut: f64 = 0;

/** sinOut = sin x, cosOut = cos x for 0 <= x < 2π, as V8's Math.sin and Math.cos (one argument reduction). */
export function fdlibmSinCos(x: f64): void {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) {
    sinOut = kernelSin(x, 0.0, 0);
    cosOut = kernelCos(x, 0.0);
    return;
  }
  const n = remPio2(x) & 3;
  const s = kernelSin(remY0, remY1, 1);
  const c = kernelCos(remY0, remY1);
  if (n == 0) {
    sinOut = s;
    cosOut = c;
  } else if (n == 1) {
    sinOut = c;
    cosOut = -s;
  } else if (n == 2) {
    sinOut = -s;
    cosOut = -c;
  } else {
    sinOut = -c;
    cosOut = s;
  }
}

// ---- two lanes: fdlibmLog on the f64x2 lanes, the same float64 results ----

/**
 * fdlibmLog of both lanes of a f64x2 of positive normal numbers. The two tails of
 * e_log.c are computed for both lanes and selected (with k = 0 each equals its k = 0
 * form exactly: 0 − (a − f) = f − a in round-to-nearest); a lane in the |f| < 2^-20
 * branch (a few uniforms next to powers of two) is done by the scalar function.
 */
export function fdlibmLogX2(x: v128): v128 {
  const hi = i64x2.shr_u(x, 32);
  const hx = v128.and(hi, i64x2.splat(0x000fffff));
  const i0 = v128.and(i64x2.add(hx, i64x2.splat(0x95f64)), i64x2.splat(0x100000));
  const xn = v128.or(i64x2.shl(v128.or(hx, v128.xor(i0, i64x2.splat(0x3ff00000))), 32), v128.and(x, i64x2.splat(0xffffffff)));
  const k = i64x2.add(i64x2.sub(i64x2.shr_u(hi, 20), i64x2.splat(1023)), i64x2.shr_u(i0, 20));
  const dk = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(k, k, 0, 2, 0, 2));
  const f = f64x2.sub(xn, f64x2.splat(1.0));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(f64x2.splat(LG2), f64x2.mul(w, f64x2.add(f64x2.splat(LG4), f64x2.mul(w, f64x2.splat(LG6))))));
  const t2 = f64x2.mul(
    z,
    f64x2.add(f64x2.splat(LG1), f64x2.mul(w, f64x2.add(f64x2.splat(LG3), f64x2.mul(w, f64x2.add(f64x2.splat(LG5), f64x2.mul(w, f64x2.splat(LG7))))))),
  );
  const r = f64x2.add(t2, t1);
  const i = v128.or(i64x2.sub(hx, i64x2.splat(0x6147a)), i64x2.sub(i64x2.splat(0x6b851), hx));
  const khi = f64x2.mul(dk, f64x2.splat(LN2_HI));
  const klo = f64x2.mul(dk, f64x2.splat(LN2_LO));
  const hfsq = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f), f);
  // i > 0: dk·ln2_hi − ((hfsq − (s(hfsq + R) + dk·ln2_lo)) − f)
  const a = f64x2.sub(khi, f64x2.sub(f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), klo)), f));
  // else: dk·ln2_hi − ((s(f − R) − dk·ln2_lo) − f)
  const b = f64x2.sub(khi, f64x2.sub(f64x2.sub(f64x2.mul(s, f64x2.sub(f, r)), klo), f));
  let res = v128.bitselect(a, b, i64x2.gt_s(i, i64x2.splat(0)));
  // the |f| < 2^-20 lanes: (0x000fffff & (2 + hx)) < 3
  const tiny = i64x2.lt_s(v128.and(i64x2.add(hx, i64x2.splat(2)), i64x2.splat(0x000fffff)), i64x2.splat(3));
  if (v128.any_true(tiny)) {
    if (i64x2.extract_lane(tiny, 0) != 0) res = f64x2.replace_lane(res, 0, fdlibmLog(f64x2.extract_lane(x, 0)));
    if (i64x2.extract_lane(tiny, 1) != 0) res = f64x2.replace_lane(res, 1, fdlibmLog(f64x2.extract_lane(x, 1)));
  }
  return res;
}

export let logLane1: f64 = 0;

/** fdlibmLogX2 of (a, b): returns lane 0, lane 1 in logLane1 (for the tests). */
export function fdlibmLogPair(a: f64, b: f64): f64 {
  const r = fdlibmLogX2(f64x2(a, b));
  logLane1 = f64x2.extract_lane(r, 1);
  return f64x2.extract_lane(r, 0);
}

// ---- two lanes: fdlibmSinCos on the f64x2 lanes, the same float64 results ----

// The results of fdlibmSinCosX2 (module globals: a function returns one value).
export let sinX2: v128 = f64x2.splat(0);
export let cosX2: v128 = f64x2.splat(0);

/**
 * fdlibmSinCos of both lanes (0 <= x < 2π). For x > π/4 the reduction x − n·π/2 with the
 * 33 + 53-bit π/2 (e_rem_pio2's medium case; for n = 1 it is the same arithmetic as its
 * special case); both kernel forms of sin and both of cos are computed and selected per
 * lane. A lane whose high word is that of n·π/2 (where e_rem_pio2 refines the reduction)
 * is done by the scalar function.
 */
export function fdlibmSinCosX2(x: v128): void {
  const ix = i64x2.shr_u(x, 32); // x >= 0: the high word is |x|'s
  const small = i64x2.le_s(ix, i64x2.splat(0x3fe921fb));
  const n32 = i32x4.trunc_sat_f64x2_s_zero(f64x2.add(f64x2.mul(x, f64x2.splat(INV_PIO2)), f64x2.splat(0.5)));
  const fn = f64x2.convert_low_i32x4_s(n32);
  const rr = f64x2.sub(x, f64x2.mul(fn, f64x2.splat(PIO2_1)));
  const ww = f64x2.mul(fn, f64x2.splat(PIO2_1T));
  const yr = f64x2.sub(rr, ww);
  const y0 = v128.bitselect(x, yr, small);
  const y1 = v128.bitselect(f64x2.splat(0), f64x2.sub(f64x2.sub(rr, yr), ww), small);
  const n = v128.and(v128.andnot(i64x2.extend_low_i32x4_s(n32), small), i64x2.splat(3));
  // kernels on [−π/4, π/4]
  const z = f64x2.mul(y0, y0);
  const v = f64x2.mul(z, y0);
  const rs = f64x2.add(f64x2.splat(S2), f64x2.mul(z, f64x2.add(f64x2.splat(S3), f64x2.mul(z, f64x2.add(f64x2.splat(S4), f64x2.mul(z, f64x2.add(f64x2.splat(S5), f64x2.mul(z, f64x2.splat(S6)))))))));
  const sin0 = f64x2.add(y0, f64x2.mul(v, f64x2.add(f64x2.splat(S1), f64x2.mul(z, rs)))); // iy = 0
  const sin1 = f64x2.sub(
    y0,
    f64x2.sub(f64x2.sub(f64x2.mul(z, f64x2.sub(f64x2.mul(f64x2.splat(0.5), y1), f64x2.mul(v, rs))), y1), f64x2.mul(v, f64x2.splat(S1))),
  );
  const s = v128.bitselect(sin0, sin1, small);
  const rc = f64x2.mul(
    z,
    f64x2.add(f64x2.splat(C1), f64x2.mul(z, f64x2.add(f64x2.splat(C2), f64x2.mul(z, f64x2.add(f64x2.splat(C3), f64x2.mul(z, f64x2.add(f64x2.splat(C4), f64x2.mul(z, f64x2.add(f64x2.splat(C5), f64x2.mul(z, f64x2.splat(C6))))))))))),
  );
  const tail = f64x2.sub(f64x2.mul(z, rc), f64x2.mul(y0, y1));
  const hz = f64x2.mul(f64x2.splat(0.5), z);
  const cosNear = f64x2.sub(f64x2.splat(1.0), f64x2.sub(hz, tail)); // |y0| < 0.3
  const iy = v128.and(i64x2.shr_u(y0, 32), i64x2.splat(0x7fffffff));
  const qx = v128.bitselect(f64x2.splat(0.28125), i64x2.shl(i64x2.sub(iy, i64x2.splat(0x00200000)), 32), i64x2.gt_s(iy, i64x2.splat(0x3fe90000)));
  const cosFar = f64x2.sub(f64x2.sub(f64x2.splat(1.0), qx), f64x2.sub(f64x2.sub(hz, qx), tail));
  const c = v128.bitselect(cosNear, cosFar, i64x2.lt_s(iy, i64x2.splat(0x3fd33333)));
  // quadrants: n = 0 (s, c), 1 (c, −s), 2 (−s, −c), 3 (−c, s)
  const swap = i64x2.ne(v128.and(n, i64x2.splat(1)), i64x2.splat(0));
  const sign = i64x2.splat(<i64>0x8000000000000000);
  const negSin = v128.and(i64x2.shl(n, 62), sign); // bit 1 of n
  const negCos = v128.and(i64x2.shl(i64x2.add(n, i64x2.splat(1)), 62), sign); // bit 1 of n + 1
  let sinR = v128.xor(v128.bitselect(c, s, swap), negSin);
  let cosR = v128.xor(v128.bitselect(s, c, swap), negCos);
  // lanes where e_rem_pio2 would refine: the high word of π/2, π, 3π/2, 2π
  const careful = v128.or(
    v128.or(i64x2.eq(ix, i64x2.splat(0x3ff921fb)), i64x2.eq(ix, i64x2.splat(0x400921fb))),
    v128.or(i64x2.eq(ix, i64x2.splat(0x4012d97c)), i64x2.eq(ix, i64x2.splat(0x401921fb))),
  );
  if (v128.any_true(careful)) {
    if (i64x2.extract_lane(careful, 0) != 0) {
      fdlibmSinCos(f64x2.extract_lane(x, 0));
      sinR = f64x2.replace_lane(sinR, 0, sinOut);
      cosR = f64x2.replace_lane(cosR, 0, cosOut);
    }
    if (i64x2.extract_lane(careful, 1) != 0) {
      fdlibmSinCos(f64x2.extract_lane(x, 1));
      sinR = f64x2.replace_lane(sinR, 1, sinOut);
      cosR = f64x2.replace_lane(cosR, 1, cosOut);
    }
  }
  sinX2 = sinR;
  cosX2 = cosR;
}

export let sinLane1: f64 = 0;
export let cosLane1: f64 = 0;

/** fdlibmSinCosX2 of (a, b): sinOut, cosOut = lane 0; sinLane1, cosLane1 = lane 1 (for the tests). */
export function fdlibmSinCosPair(a: f64, b: f64): void {
  fdlibmSinCosX2(f64x2(a, b));
  sinOut = f64x2.extract_lane(sinX2, 0);
  cosOut = f64x2.extract_lane(cosX2, 0);
  sinLane1 = f64x2.extract_lane(sinX2, 1);
  cosLane1 = f64x2.extract_lane(cosX2, 1);
}
