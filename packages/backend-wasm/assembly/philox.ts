// Philox4x32-10 and its uniform / normal draws, the same numbers as core's
// RandomStream (core/src/rng.ts; layout in docs/random-numbers.md):
//   key = (seedLo, seedHi), counter = (block, sub, streamId, call),
//   element i = word i mod 4 of block ⌊i/4⌋,
//   uniform = ((word >>> 9) + 0.5) / 2^23,
//   normal  = Box–Muller on word pairs (0,1) and (2,3), in float64 with
//             V8's log/sin/cos (libm.ts), so the float64 results are identical.
import { cosX2, fdlibmCos, fdlibmLog, fdlibmLogX2, fdlibmSin, fdlibmSinCosX2, sinX2 } from './libm';

const M0: u64 = 0xd2511f53;
const M1: u64 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;
const TWO_POW_M23: f64 = 1.0 / 8388608.0;
const TWO_PI: f64 = 2.0 * Math.PI;

// The four words of the last block (module globals: one instance per thread).
export let word0: u32 = 0;
export let word1: u32 = 0;
export let word2: u32 = 0;
export let word3: u32 = 0;

/** Philox4x32-10 of key (k0, k1), counter (c0 … c3) into word0 … word3. */
export function philox(k0: u32, k1: u32, c0: u32, c1: u32, c2: u32, c3: u32): void {
  let x0 = c0;
  let x1 = c1;
  let x2 = c2;
  let x3 = c3;
  let key0 = k0;
  let key1 = k1;
  for (let round = 0; round < 10; round++) {
    const p0 = M0 * <u64>x0;
    const p1 = M1 * <u64>x2;
    const hi0 = <u32>(p0 >>> 32);
    const hi1 = <u32>(p1 >>> 32);
    x0 = hi1 ^ x1 ^ key0;
    x1 = <u32>p1;
    x2 = hi0 ^ x3 ^ key1;
    x3 = <u32>p0;
    key0 += W0;
    key1 += W1;
  }
  word0 = x0;
  word1 = x1;
  word2 = x2;
  word3 = x3;
}

// The words of four consecutive blocks (lane j: block b + j), from philoxX4.
export let wv0: v128 = i32x4.splat(0);
export let wv1: v128 = i32x4.splat(0);
export let wv2: v128 = i32x4.splat(0);
export let wv3: v128 = i32x4.splat(0);

/** The high words of the four 32 × 32 → 64-bit products x · m (lanes), unsigned. */
@inline function mulHigh(x: v128, m: v128): v128 {
  return v128.shuffle<i32>(i64x2.extmul_low_i32x4_u(x, m), i64x2.extmul_high_i32x4_u(x, m), 1, 3, 5, 7);
}

/** philox of blocks b … b + 3 at once (counter words 1–3 shared) into wv0 … wv3. */
export function philoxX4(k0: u32, k1: u32, b: u32, c1: u32, c2: u32, c3: u32): void {
  let x0 = i32x4(b, b + 1, b + 2, b + 3);
  let x1 = i32x4.splat(c1);
  let x2 = i32x4.splat(c2);
  let x3 = i32x4.splat(c3);
  const m0 = i32x4.splat(<i32>M0);
  const m1 = i32x4.splat(<i32>M1);
  let key0 = k0;
  let key1 = k1;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHigh(x0, m0);
    const hi1 = mulHigh(x2, m1);
    const lo0 = i32x4.mul(x0, m0);
    const lo1 = i32x4.mul(x2, m1);
    x0 = v128.xor(v128.xor(hi1, x1), i32x4.splat(key0));
    x1 = lo1;
    x2 = v128.xor(v128.xor(hi0, x3), i32x4.splat(key1));
    x3 = lo0;
    key0 += W0;
    key1 += W1;
  }
  wv0 = x0;
  wv1 = x1;
  wv2 = x2;
  wv3 = x3;
}

/** The uniforms of lanes 0, 1 (half 0) or 2, 3 (half 1) of a word vector, as f64x2. */
@inline function uniformsX2(w: v128, half: i32): v128 {
  const top = i32x4.shr_u(w, 9);
  const k = half == 0 ? top : v128.shuffle<i32>(top, top, 2, 3, 2, 3);
  return f64x2.mul(f64x2.add(f64x2.convert_low_i32x4_u(k), f64x2.splat(0.5)), f64x2.splat(TWO_POW_M23));
}

/**
 * The 8 normals of two blocks (half 0: blocks b, b + 1 of the last philoxX4; half 1:
 * b + 2, b + 3) to out[0 … 7].
 */
@inline function normalsOfTwoBlocks(out: usize, half: i32): void {
  const m2 = f64x2.splat(-2.0);
  const tp = f64x2.splat(TWO_PI);
  const r0 = f64x2.sqrt(f64x2.mul(m2, fdlibmLogX2(uniformsX2(wv0, half)))); // radius of pair (0, 1), both blocks
  const r2 = f64x2.sqrt(f64x2.mul(m2, fdlibmLogX2(uniformsX2(wv2, half)))); // of pair (2, 3)
  fdlibmSinCosX2(f64x2.mul(tp, uniformsX2(wv1, half)));
  const e0 = f64x2.mul(r0, cosX2); // element 0 of both blocks
  const e1 = f64x2.mul(r0, sinX2);
  fdlibmSinCosX2(f64x2.mul(tp, uniformsX2(wv3, half)));
  const e2 = f64x2.mul(r2, cosX2);
  const e3 = f64x2.mul(r2, sinX2);
  v128.store(out, v128.shuffle<f64>(e0, e1, 0, 2));
  v128.store(out, v128.shuffle<f64>(e2, e3, 0, 2), 16);
  v128.store(out, v128.shuffle<f64>(e0, e1, 1, 3), 32);
  v128.store(out, v128.shuffle<f64>(e2, e3, 1, 3), 48);
}

@inline export function wordToUniform(w: u32): f64 {
  return (<f64>(w >>> 9) + 0.5) * TWO_POW_M23;
}

@inline function wordAt(j: i32): u32 {
  return j == 0 ? word0 : j == 1 ? word1 : j == 2 ? word2 : word3;
}

/** Element j (0 … 3) of the last block as a normal (the cos or sin of its word pair). */
export function blockNormal(j: i32): f64 {
  const pair = j < 2;
  const r = Math.sqrt(-2.0 * fdlibmLog(wordToUniform(pair ? word0 : word2)));
  const theta = TWO_PI * wordToUniform(pair ? word1 : word3);
  return (j & 1) == 0 ? r * fdlibmCos(theta) : r * fdlibmSin(theta);
}

/** out[k] = normal(start + k), float64, k < n (core's RandomStream.fillNormal). */
export function fillNormal64(out: usize, n: i32, k0: u32, k1: u32, stream: u32, call: u32, sub: u32, start: u64): void {
  let k = 0;
  // unaligned head
  while (k < n && ((start + <u64>k) & 3) != 0) {
    const e = start + <u64>k;
    philox(k0, k1, <u32>(e >>> 2), sub, stream, call);
    store<f64>(out + (<usize>k << 3), blockNormal(<i32>(e & 3)));
    k++;
  }
  // four whole blocks at a time: Philox in i32x4 lanes, Box–Muller in f64x2 lanes
  let b = <u32>((start + <u64>k) >>> 2);
  for (; k + 16 <= n; k += 16, b += 4) {
    philoxX4(k0, k1, b, sub, stream, call);
    const p = out + (<usize>k << 3);
    normalsOfTwoBlocks(p, 0);
    normalsOfTwoBlocks(p + 64, 1);
  }
  // whole blocks: one Philox call and two Box–Muller pairs per 4 elements
  for (; k + 4 <= n; k += 4, b++) {
    philox(k0, k1, b, sub, stream, call);
    // both pairs at once (exact lane operations, the scalar functions' float64 results):
    // radii sqrt(−2 ln u) of words 0 and 2, angles 2π u of words 1 and 3
    const r = f64x2.sqrt(f64x2.mul(f64x2.splat(-2.0), fdlibmLogX2(f64x2(wordToUniform(word0), wordToUniform(word2)))));
    fdlibmSinCosX2(f64x2.mul(f64x2.splat(TWO_PI), f64x2(wordToUniform(word1), wordToUniform(word3))));
    const c = f64x2.mul(r, cosX2); // (n0, n2)
    const sn = f64x2.mul(r, sinX2); // (n1, n3)
    const p = out + (<usize>k << 3);
    v128.store(p, v128.shuffle<f64>(c, sn, 0, 2));
    v128.store(p, v128.shuffle<f64>(c, sn, 1, 3), 16);
  }
  // tail
  if (k < n) {
    philox(k0, k1, b, sub, stream, call);
    for (let j = 0; k < n; k++, j++) store<f64>(out + (<usize>k << 3), blockNormal(j));
  }
}

/** out[k] = uniform(start + k), float64 (exact also as float32), k < n. */
export function fillUniform64(out: usize, n: i32, k0: u32, k1: u32, stream: u32, call: u32, sub: u32, start: u64): void {
  for (let k = 0; k < n; ) {
    const e = start + <u64>k;
    philox(k0, k1, <u32>(e >>> 2), sub, stream, call);
    for (let j = <i32>(e & 3); j < 4 && k < n; j++, k++) store<f64>(out + (<usize>k << 3), wordToUniform(wordAt(j)));
  }
}

/** out[k] = the raw word of element start + k, k < n. */
export function fillUint32(out: usize, n: i32, k0: u32, k1: u32, stream: u32, call: u32, sub: u32, start: u64): void {
  for (let k = 0; k < n; ) {
    const e = start + <u64>k;
    philox(k0, k1, <u32>(e >>> 2), sub, stream, call);
    for (let j = <i32>(e & 3); j < 4 && k < n; j++, k++) store<u32>(out + (<usize>k << 2), wordAt(j));
  }
}
