// float64 x^y as V8 computes Math.pow in Node 20 (V8 11.3): V8's own port of fdlibm 5.3's
// e_pow.c in src/base/ieee754.cc (later V8s keep it as base::ieee754::legacy::pow beside a
// --use-std-math-pow path; Chromium 156's Math.pow is another function: README, "What
// remains"), with ECMAScript's special cases (1^NaN and (±1)^±∞ are NaN)
// and one difference from fdlibm, which decides the last bit of about 4 % of the results on
// PowStep's arguments: V8 computes the exp step's r as z·c / ((c − 2) − (w + z·w)) where
// fdlibm has z·c/(c − 2) − (w + z·w). Re-written here from the algorithm so that a kernel
// that rounds Math.pow's result to float32 (core's powStepPulse, powStepReferencePulse) gets
// the same bits; AssemblyScript's own Math.pow (musl's table-based one, as glibc's) differs
// from V8's in the last bit of about 6 % of the results. The algorithm: log2|x| = n + t1 + t2
// in extra precision (x = 2^n·m, m near 1 or 1.5, log m by a minimax series in
// s = (m − b)/(m + b)), times y split into a head with 32 zero low bits and a tail, then
// 2^(p_h + p_l) as 2^k·e^r by a rational approximation of e^r. Tested against Math.pow in
// test/update.test.ts.

@inline function hiWord(x: f64): i32 {
  return <i32>(reinterpret<u64>(x) >>> 32);
}

@inline function loWord(x: f64): u32 {
  return <u32>reinterpret<u64>(x);
}

@inline function words(hi: i32, lo: u32): f64 {
  return reinterpret<f64>((<u64>(<u32>hi) << 32) | <u64>lo);
}

@inline function clearLow(x: f64): f64 {
  return reinterpret<f64>(reinterpret<u64>(x) & 0xffffffff00000000);
}

@inline function withHigh(x: f64, hi: i32): f64 {
  return words(hi, loWord(x));
}

const DP_H1: f64 = 5.84962487220764160156e-1; // 0x3fe2b803 40000000: log2(1.5) head
const DP_L1: f64 = 1.35003920212974897128e-8; // 0x3e4cfdeb 43cfd006: its tail
const TWO53: f64 = 9007199254740992.0;
const HUGE: f64 = 1.0e300;
const TINY: f64 = 1.0e-300;
const L1: f64 = 5.99999999999994648725e-1; // 0x3fe33333 33333303
const L2: f64 = 4.28571428578550184252e-1; // 0x3fdb6db6 db6fabff
const L3: f64 = 3.33333329818377432918e-1; // 0x3fd55555 518f264d
const L4: f64 = 2.72728123808534006489e-1; // 0x3fd17460 a91d4101
const L5: f64 = 2.30660745775561754067e-1; // 0x3fcd864a 93c9db65
const L6: f64 = 2.06975017800338417784e-1; // 0x3fca7e28 4a454eef
const P1: f64 = 1.66666666666666019037e-1; // 0x3fc55555 5555553e
const P2: f64 = -2.77777777770155933842e-3; // 0xbf66c16c 16bebd93
const P3: f64 = 6.61375632143793436117e-5; // 0x3f11566a af25de2c
const P4: f64 = -1.65339022054652515390e-6; // 0xbebbbd41 c5d26bf1
const P5: f64 = 4.13813679705723846039e-8; // 0x3e663769 72bea4d0
const LG2: f64 = 6.93147180559945286227e-1; // 0x3fe62e42 fefa39ef
const LG2_H: f64 = 6.93147182464599609375e-1; // 0x3fe62e43 00000000
const LG2_L: f64 = -1.90465429995776804525e-9; // 0xbe205c61 0ca86c39
const OVT: f64 = 8.0085662595372944372e-17; // -(1024 - log2(overflow + 0.5 ulp))
const CP: f64 = 9.61796693925975554329e-1; // 0x3feec709 dc3a03fd: 2/(3 ln2)
const CP_H: f64 = 9.61796700954437255859e-1; // 0x3feec709 e0000000: its head
const CP_L: f64 = -7.02846165095275826516e-9; // 0xbe3e2fe0 145b01f5: its tail
const IVLN2: f64 = 1.44269504088896338700; // 0x3ff71547 652b82fe: 1/ln2
const IVLN2_H: f64 = 1.44269502162933349609; // 0x3ff71547 60000000: 24-bit head
const IVLN2_L: f64 = 1.92596299112661746887e-8; // 0x3e54ae0b f85ddf44: its tail
const TWO54: f64 = 1.8014398509481984e16;
const TWOM54: f64 = 5.55111512312578270212e-17;

/** x·2^n with one rounding (fdlibm s_scalbn.c), for pow's subnormal results. */
function scalbn(x: f64, n: i32): f64 {
  let hx = hiWord(x);
  const lx = loWord(x);
  let k = (hx & 0x7ff00000) >> 20;
  if (k == 0) {
    if ((lx | <u32>(hx & 0x7fffffff)) == 0) return x; // ±0
    x *= TWO54;
    hx = hiWord(x);
    k = ((hx & 0x7ff00000) >> 20) - 54;
  }
  if (k == 0x7ff) return x + x;
  k += n;
  if (k > 0x7fe) return HUGE * copysign<f64>(HUGE, x);
  if (k > 0) return withHigh(x, (hx & 0x800fffff) | (k << 20));
  if (k <= -54) return n > 50000 ? HUGE * copysign<f64>(HUGE, x) : TINY * copysign<f64>(TINY, x);
  k += 54;
  return withHigh(x, (hx & 0x800fffff) | (k << 20)) * TWOM54;
}

/** x^y, bit for bit V8's Math.pow (Node 20). */
export function fdlibmPow(x: f64, y: f64): f64 {
  const hx = hiWord(x);
  const lx = loWord(x);
  const hy = hiWord(y);
  const ly = loWord(y);
  let ix = hx & 0x7fffffff;
  const iy = hy & 0x7fffffff;

  if ((<u32>iy | ly) == 0) return 1.0; // x^±0 = 1, even for NaN x
  // NaN in, NaN out (ECMAScript: also 1^NaN)
  if (ix > 0x7ff00000 || (ix == 0x7ff00000 && lx != 0) || iy > 0x7ff00000 || (iy == 0x7ff00000 && ly != 0)) return x + y;

  // for x < 0: yisint = 0 (y not an integer), 1 (odd), 2 (even)
  let yisint = 0;
  if (hx < 0) {
    if (iy >= 0x43400000) yisint = 2; // |y| >= 2^53: even
    else if (iy >= 0x3ff00000) {
      const e = (iy >> 20) - 0x3ff;
      if (e > 20) {
        const j = ly >>> (52 - e);
        if (j << (52 - e) == ly) yisint = 2 - <i32>(j & 1);
      } else if (ly == 0) {
        const j = iy >> (20 - e);
        if (j << (20 - e) == iy) yisint = 2 - (j & 1);
      }
    }
  }

  // special y
  if (ly == 0) {
    if (iy == 0x7ff00000) {
      // y = ±∞
      if (((ix - 0x3ff00000) | <i32>lx) == 0) return y - y; // (±1)^±∞ = NaN (ECMAScript)
      if (ix >= 0x3ff00000) return hy >= 0 ? y : 0.0; // |x| > 1
      return hy < 0 ? -y : 0.0; // |x| < 1
    }
    if (iy == 0x3ff00000) return hy < 0 ? 1.0 / x : x; // y = ±1
    if (hy == 0x40000000) return x * x; // y = 2
    if (hy == 0x3fe00000 && hx >= 0) return Math.sqrt(x); // y = 0.5, x >= +0
  }

  let ax = Math.abs(x);
  // special x: ±0, ±∞, ±1
  if (lx == 0 && (ix == 0x7ff00000 || ix == 0 || ix == 0x3ff00000)) {
    let z = ax;
    if (hy < 0) z = 1.0 / z;
    if (hx < 0) {
      if (((ix - 0x3ff00000) | yisint) == 0) z = (z - z) / (z - z); // (−1)^non-integer
      else if (yisint == 1) z = -z;
    }
    return z;
  }

  let n: i32 = <i32>(<u32>hx >>> 31) - 1; // 0 for x < 0, −1 otherwise
  if ((n | yisint) == 0) return (x - x) / (x - x); // (x < 0)^non-integer
  let s: f64 = 1.0; // the result's sign
  if ((n | (yisint - 1)) == 0) s = -1.0; // (x < 0)^odd

  let t1: f64;
  let t2: f64;
  if (iy > 0x41e00000) {
    // |y| > 2^31
    if (iy > 0x43f00000) {
      // |y| > 2^64: overflow or underflow
      if (ix <= 0x3fefffff) return hy < 0 ? HUGE * HUGE : TINY * TINY;
      if (ix >= 0x3ff00000) return hy > 0 ? HUGE * HUGE : TINY * TINY;
    }
    if (ix < 0x3fefffff) return hy < 0 ? s * HUGE * HUGE : s * TINY * TINY;
    if (ix > 0x3ff00000) return hy > 0 ? s * HUGE * HUGE : s * TINY * TINY;
    // |1 − x| <= 2^-20: log2 x by its series in t = x − 1
    const t = ax - 1.0;
    const w = t * t * (0.5 - t * (0.3333333333333333333333 - t * 0.25));
    const u = IVLN2_H * t;
    const v = t * IVLN2_L - w * IVLN2;
    t1 = clearLow(u + v);
    t2 = v - (t1 - u);
  } else {
    n = 0;
    if (ix < 0x00100000) {
      // subnormal x
      ax *= TWO53;
      n -= 53;
      ix = hiWord(ax);
    }
    n += (ix >> 20) - 0x3ff;
    const j = ix & 0x000fffff;
    // x = 2^n·ax with ax in [√(3)/2, √3): b = 1 below √(3/2), 1.5 above
    let k = 0;
    ix = j | 0x3ff00000;
    if (j <= 0x3988e) k = 0;
    else if (j < 0xbb67a) k = 1;
    else {
      k = 0;
      n += 1;
      ix -= 0x00100000;
    }
    ax = withHigh(ax, ix);
    const bp: f64 = k == 0 ? 1.0 : 1.5;
    const dpH: f64 = k == 0 ? 0.0 : DP_H1;
    const dpL: f64 = k == 0 ? 0.0 : DP_L1;
    // ss = s_h + s_l = (ax − bp)/(ax + bp)
    let u = ax - bp;
    let v = 1.0 / (ax + bp);
    const ss = u * v;
    const sH = clearLow(ss);
    let tH = words(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18), 0); // ax + bp, head
    let tL = ax - (tH - bp);
    const sL = v * ((u - sH * tH) - sH * tL);
    // log(ax)
    let s2 = ss * ss;
    let r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))));
    r += sL * (sH + ss);
    s2 = sH * sH;
    tH = clearLow(3.0 + s2 + r);
    tL = r - ((tH - 3.0) - s2);
    u = sH * tH;
    v = sL * tH + tL * ss;
    // 2/(3 ln2)·(ss + …)
    const pH = clearLow(u + v);
    const pL = v - (pH - u);
    const zH = CP_H * pH;
    const zL = CP_L * pH + pL * CP + dpL;
    // log2(ax) = n + dp_h + z_h + z_l
    const t = <f64>n;
    t1 = clearLow(((zH + zL) + dpH) + t);
    t2 = zL - (((t1 - t) - dpH) - zH);
  }

  // (y1 + y2)·(t1 + t2), y1 = y with its low word cleared
  const y1 = clearLow(y);
  const pL = (y - y1) * t1 + y * t2;
  let pH = y1 * t1;
  let z = pL + pH;
  let j = hiWord(z);
  let i = <i32>loWord(z);
  if (j >= 0x40900000) {
    // z >= 1024
    if (((j - 0x40900000) | i) != 0) return s * HUGE * HUGE;
    if (pL + OVT > z - pH) return s * HUGE * HUGE;
  } else if ((j & 0x7fffffff) >= 0x4090cc00) {
    // z <= −1075
    if (((j - <i32>0xc090cc00) | i) != 0) return s * TINY * TINY;
    if (pL <= z - pH) return s * TINY * TINY;
  }
  // 2^(p_h + p_l)
  i = j & 0x7fffffff;
  let k = (i >> 20) - 0x3ff;
  n = 0;
  if (i > 0x3fe00000) {
    // |z| > 0.5: n = [z + 0.5]
    n = j + (0x00100000 >> (k + 1));
    k = ((n & 0x7fffffff) >> 20) - 0x3ff;
    const t = words(n & ~(0x000fffff >> k), 0);
    n = ((n & 0x000fffff) | 0x00100000) >> (20 - k);
    if (j < 0) n = -n;
    pH -= t;
  }
  const t = clearLow(pL + pH);
  const u = t * LG2_H;
  const v = (pL - (t - pH)) * LG2 + t * LG2_L;
  z = u + v;
  const w = v - (z - u);
  const tt = z * z;
  const c = z - tt * (P1 + tt * (P2 + tt * (P3 + tt * (P4 + tt * P5))));
  // V8 groups this as z·c / ((c − 2) − (w + z·w)), where fdlibm has z·c/(c − 2) − (w + z·w):
  // kept, because Math.pow's last bit follows it
  const r = (z * c) / ((c - 2.0) - (w + z * w));
  z = 1.0 - (r - z);
  j = hiWord(z);
  j += n << 20;
  if (j >> 20 <= 0) z = scalbn(z, n); // subnormal result
  else z = withHigh(z, j);
  return s * z;
}
