/**
 * Core's counter-based generator (packages/core/src/rng.ts: Philox4x32-10,
 * its key/counter layout, uniform and Box–Muller conversions) as code that
 * runs inside kernels, so a thread can draw element i of a stream itself:
 *
 *   - philoxRound1..10 etc.: the gpu.js JavaScript subset (cpu, webasm). gpu.js's
 *     WebAssembly backend keeps only function arguments as 32-bit integers
 *     (an integer local decays to float32), so the ten rounds are a chain of
 *     calls, each passing the next state as arguments; a call result passed on
 *     as an argument is `| 0`-ed, which keeps it an i32 there.
 *   - PHILOX_GLSL3: a GLSL ES 3.00 native function (webgl2), with real uint arithmetic.
 *   - WebGL1 (headlessgl, webgl) has no integer bit operations: there the engine
 *     generates on the CPU with core's RandomStream and uploads (random.ts).
 *
 * Every path gives the same 32-bit words as core (tests check them bit for
 * bit); the float conversions agree to float32 rounding.
 */
import type { KernelFunction } from '../runtime.js';

/** High 32 bits of the 64-bit product of two 32-bit words (int32 bit patterns), from 16-bit halves. */
export function philoxMulhi(a: number, b: number): number {
  return (
    ((a >>> 16) * (b >>> 16) +
      (((a & 65535) * (b >>> 16)) >>> 16) +
      (((a >>> 16) * (b & 65535)) >>> 16) +
      (((((a & 65535) * (b & 65535)) >>> 16) + (((a & 65535) * (b >>> 16)) & 65535) + (((a >>> 16) * (b & 65535)) & 65535)) >>> 16)) |
    0
  );
}

/** Low 32 bits of the product of two 32-bit words (Math.imul, which gpu.js cannot compile exactly). */
export function philoxMullo(a: number, b: number): number {
  return ((a & 65535) * (b & 65535) + ((((a >>> 16) * (b & 65535) + (a & 65535) * (b >>> 16)) & 65535) << 16)) | 0;
}

/** Word j (0..3) of a Philox state. */
export function philoxPick(x0: number, x1: number, x2: number, x3: number, j: number): number {
  if (j === 0) return x0;
  if (j === 1) return x1;
  if (j === 2) return x2;
  return x3;
}

// One Philox round each (M0 = 0xD2511F53 = -766435501, M1 = 0xCD9E8D57 = -845247145 as int32;
// the key bumps W0 = 0x9E3779B9 = -1640531527, W1 = 0xBB67AE85 = -1150833019).
export function philoxRound10(x0: number, x1: number, x2: number, x3: number, k0: number, k1: number, j: number): number {
  return philoxPick(philoxMulhi(-845247145, x2) ^ x1 ^ k0, philoxMullo(-845247145, x2) | 0, philoxMulhi(-766435501, x0) ^ x3 ^ k1, philoxMullo(-766435501, x0) | 0, j);
}
export function philoxRound9(x0: number, x1: number, x2: number, x3: number, k0: number, k1: number, j: number): number {
  return philoxRound10(
    philoxMulhi(-845247145, x2) ^ x1 ^ k0,
    philoxMullo(-845247145, x2) | 0,
    philoxMulhi(-766435501, x0) ^ x3 ^ k1,
    philoxMullo(-766435501, x0) | 0,
    (k0 + -1640531527) | 0,
    (k1 + -1150833019) | 0,
    j,
  );
}
export function philoxRound8(x0: number, x1: number, x2: number, x3: number, k0: number, k1: number, j: number): number {
  return philoxRound9(
    philoxMulhi(-845247145, x2) ^ x1 ^ k0,
    philoxMullo(-845247145, x2) | 0,
    philoxMulhi(-766435501, x0) ^ x3 ^ k1,
    philoxMullo(-766435501, x0) | 0,
    (k0 + -1640531527) | 0,
    (k1 + -1150833019) | 0,
    j,
  );
}
export function philoxRound7(x0: number, x1: number, x2: number, x3: number, k0: number, k1: number, j: number): number {
  return philoxRound8(
    philoxMulhi(-845247145, x2) ^ x1 ^ k0,
    philoxMullo(-845247145, x2) | 0,
    philoxMulhi(-766435501, x0) ^ x3 ^ k1,
    philoxMullo(-766435501, x0) | 0,
    (k0 + -1640531527) | 0,
    (k1 + -1150833019) | 0,
    j,
  );
}
export function philoxRound6(x0: number, x1: number, x2: number, x3: number, k0: number, k1: number, j: number): number {
  return philoxRound7(
    philoxMulhi(-845247145, x2) ^ x1 ^ k0,
    philoxMullo(-845247145, x2) | 0,
    philoxMulhi(-766435501, x0) ^ x3 ^ k1,
    philoxMullo(-766435501, x0) | 0,
    (k0 + -1640531527) | 0,
    (k1 + -1150833019) | 0,
    j,
  );
}
export function philoxRound5(x0: number, x1: number, x2: number, x3: number, k0: number, k1: number, j: number): number {
  return philoxRound6(
    philoxMulhi(-845247145, x2) ^ x1 ^ k0,
    philoxMullo(-845247145, x2) | 0,
    philoxMulhi(-766435501, x0) ^ x3 ^ k1,
    philoxMullo(-766435501, x0) | 0,
    (k0 + -1640531527) | 0,
    (k1 + -1150833019) | 0,
    j,
  );
}
export function philoxRound4(x0: number, x1: number, x2: number, x3: number, k0: number, k1: number, j: number): number {
  return philoxRound5(
    philoxMulhi(-845247145, x2) ^ x1 ^ k0,
    philoxMullo(-845247145, x2) | 0,
    philoxMulhi(-766435501, x0) ^ x3 ^ k1,
    philoxMullo(-766435501, x0) | 0,
    (k0 + -1640531527) | 0,
    (k1 + -1150833019) | 0,
    j,
  );
}
export function philoxRound3(x0: number, x1: number, x2: number, x3: number, k0: number, k1: number, j: number): number {
  return philoxRound4(
    philoxMulhi(-845247145, x2) ^ x1 ^ k0,
    philoxMullo(-845247145, x2) | 0,
    philoxMulhi(-766435501, x0) ^ x3 ^ k1,
    philoxMullo(-766435501, x0) | 0,
    (k0 + -1640531527) | 0,
    (k1 + -1150833019) | 0,
    j,
  );
}
export function philoxRound2(x0: number, x1: number, x2: number, x3: number, k0: number, k1: number, j: number): number {
  return philoxRound3(
    philoxMulhi(-845247145, x2) ^ x1 ^ k0,
    philoxMullo(-845247145, x2) | 0,
    philoxMulhi(-766435501, x0) ^ x3 ^ k1,
    philoxMullo(-766435501, x0) | 0,
    (k0 + -1640531527) | 0,
    (k1 + -1150833019) | 0,
    j,
  );
}
/** Word j of Philox4x32-10 with key (k0, k1) and counter (c0, c1, c2, c3), all int32 bit patterns. */
export function philoxRound1(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, j: number): number {
  return philoxRound2(
    philoxMulhi(-845247145, c2) ^ c1 ^ k0,
    philoxMullo(-845247145, c2) | 0,
    philoxMulhi(-766435501, c0) ^ c3 ^ k1,
    philoxMullo(-766435501, c0) | 0,
    (k0 + -1640531527) | 0,
    (k1 + -1150833019) | 0,
    j,
  );
}

/**
 * Uniform (0, 1) of element i of stream (key, sub, streamId, call) — core's
 * RandomStream.uniform(i). Keys arrive as 16-bit halves (scalar kernel
 * arguments are float32 in gpu.js, exact only below 2^24).
 */
export function philoxUniform(k0h: number, k0l: number, k1h: number, k1l: number, sub: number, streamId: number, call: number, i: number): number {
  return ((philoxRound1(i >> 2, sub, streamId, call, (k0h << 16) | k0l, (k1h << 16) | k1l, i & 3) >>> 9) + 0.5) / 8388608;
}

/** Standard normal of element i — core's RandomStream.normal(i): Box–Muller on the word pair of i. */
export function philoxNormal(k0h: number, k0l: number, k1h: number, k1l: number, sub: number, streamId: number, call: number, i: number): number {
  const pair = i & 2;
  const u1 = ((philoxRound1(i >> 2, sub, streamId, call, (k0h << 16) | k0l, (k1h << 16) | k1l, pair) >>> 9) + 0.5) / 8388608;
  const u2 = ((philoxRound1(i >> 2, sub, streamId, call, (k0h << 16) | k0l, (k1h << 16) | k1l, pair + 1) >>> 9) + 0.5) / 8388608;
  const r = Math.sqrt(-2 * Math.log(u1));
  if ((i & 1) === 0) return r * Math.cos(6.283185307179586 * u2);
  return r * Math.sin(6.283185307179586 * u2);
}

/**
 * The index into the normal-quantile table of number h of stream (key, sub, streamId, call) —
 * core's TableNormals.xi(sub, h): the 16-bit half h & 1 (0: low) of word (h >> 1) & 3 of block h >> 3.
 * (The word is not kept in a local: gpu.js's WebAssembly backend would hold it as a float.)
 */
export function philoxTableIndex(k0h: number, k0l: number, k1h: number, k1l: number, sub: number, streamId: number, call: number, h: number): number {
  if ((h & 1) === 0) return philoxRound1(h >> 3, sub, streamId, call, (k0h << 16) | k0l, (k1h << 16) | k1l, (h >> 1) & 3) & 65535;
  return philoxRound1(h >> 3, sub, streamId, call, (k0h << 16) | k0l, (k1h << 16) | k1l, (h >> 1) & 3) >>> 16;
}

const I = 'Integer';
const int7 = { x0: I, x1: I, x2: I, x3: I, k0: I, k1: I, j: I };

/** The JavaScript-subset generator as kernel functions (cpu, webasm), in an order gpu.js can resolve. */
export const PHILOX_FUNCTIONS: readonly KernelFunction[] = [
  { fn: philoxMulhi, name: philoxMulhi.name, argumentTypes: { a: I, b: I }, returnType: I },
  { fn: philoxMullo, name: philoxMullo.name, argumentTypes: { a: I, b: I }, returnType: I },
  { fn: philoxPick, name: philoxPick.name, argumentTypes: { x0: I, x1: I, x2: I, x3: I, j: I }, returnType: I },
  ...[philoxRound10, philoxRound9, philoxRound8, philoxRound7, philoxRound6, philoxRound5, philoxRound4, philoxRound3, philoxRound2].map((fn) => ({
    fn,
    name: fn.name,
    argumentTypes: int7,
    returnType: I,
  })),
  { fn: philoxRound1, name: philoxRound1.name, argumentTypes: { c0: I, c1: I, c2: I, c3: I, k0: I, k1: I, j: I }, returnType: I },
  ...[philoxUniform, philoxNormal, philoxTableIndex].map((fn) => ({
    fn,
    name: fn.name,
    argumentTypes: { k0h: I, k0l: I, k1h: I, k1l: I, sub: I, streamId: I, call: I, i: I },
    returnType: 'Number',
  })),
];

/**
 * GLSL ES 3.00 (webgl2) versions of philoxUniform and philoxNormal with the same
 * names and arguments (float-typed: gpu.js passes numbers as floats; every
 * argument is an integer below 2^24, so the conversion to uint is exact).
 */
export const PHILOX_GLSL3_HELPERS = `uint philoxMulhiU(uint a, uint b) {
  uint al = a & 65535u; uint ah = a >> 16u; uint bl = b & 65535u; uint bh = b >> 16u;
  uint lh = al * bh; uint hl = ah * bl;
  uint mid = ((al * bl) >> 16u) + (lh & 65535u) + (hl & 65535u);
  return ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}
uvec4 philoxBlockU(uvec4 c, uvec2 k) {
  for (int r = 0; r < 10; r++) {
    uint hi0 = philoxMulhiU(3528531795u, c.x); uint lo0 = 3528531795u * c.x;
    uint hi1 = philoxMulhiU(3449720151u, c.z); uint lo1 = 3449720151u * c.z;
    c = uvec4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k += uvec2(2654435769u, 3144134277u);
  }
  return c;
}
float philoxToUniform(uint w) { return (float(w >> 9u) + 0.5) / 8388608.0; }
// Box–Muller needs ln and sin/cos to float32 accuracy; GLSL leaves their precision to the
// driver (SwiftShader's are off by ~1e-4), so they are computed here.
float philoxLog(float u) {
  uint bits = floatBitsToUint(u);
  float e = float(int((bits >> 23u) & 255u) - 127);
  float m = uintBitsToFloat((bits & 8388607u) | 1065353216u);
  if (m > 1.41421356) { m *= 0.5; e += 1.0; }
  float s = (m - 1.0) / (m + 1.0);
  float s2 = s * s;
  return e * 0.6931471805599453 + 2.0 * s * (1.0 + s2 * (0.3333333333 + s2 * (0.2 + s2 * (0.1428571429 + s2 * 0.1111111111))));
}
vec2 philoxCosSin2Pi(float u) {
  float a = u * 4.0;
  float n = floor(a + 0.5);
  float f = (a - n) * 1.5707963267948966;
  float f2 = f * f;
  float sf = f * (1.0 - f2 * (0.16666666666666666 - f2 * (0.008333333333333333 - f2 * 0.0001984126984126984)));
  float cf = 1.0 - f2 * (0.5 - f2 * (0.041666666666666664 - f2 * (0.001388888888888889 - f2 * 0.0000248015873015873)));
  int q = int(n) & 3;
  if (q == 0) return vec2(cf, sf);
  if (q == 1) return vec2(-sf, cf);
  if (q == 2) return vec2(-cf, -sf);
  return vec2(sf, -cf);
}`;

export const PHILOX_GLSL3_UNIFORM = `float philoxUniform(float k0h, float k0l, float k1h, float k1l, float sub, float streamId, float call, float i) {
  uint e = uint(i);
  uvec2 k = uvec2((uint(k0h) << 16u) | uint(k0l), (uint(k1h) << 16u) | uint(k1l));
  uvec4 w = philoxBlockU(uvec4(e >> 2u, uint(sub), uint(streamId), uint(call)), k);
  uint j = e & 3u;
  return philoxToUniform(j == 0u ? w.x : j == 1u ? w.y : j == 2u ? w.z : w.w);
}`;

export const PHILOX_GLSL3_NORMAL = `float philoxNormal(float k0h, float k0l, float k1h, float k1l, float sub, float streamId, float call, float i) {
  uint e = uint(i);
  uvec2 k = uvec2((uint(k0h) << 16u) | uint(k0l), (uint(k1h) << 16u) | uint(k1l));
  uvec4 w = philoxBlockU(uvec4(e >> 2u, uint(sub), uint(streamId), uint(call)), k);
  bool second = (e & 2u) != 0u;
  float u1 = philoxToUniform(second ? w.z : w.x);
  float u2 = philoxToUniform(second ? w.w : w.y);
  float r = sqrt(-2.0 * philoxLog(u1));
  vec2 cs = philoxCosSin2Pi(u2);
  return (e & 1u) == 0u ? r * cs.x : r * cs.y;
}`;

export const PHILOX_GLSL3_TABLE_INDEX = `float philoxTableIndex(float k0h, float k0l, float k1h, float k1l, float sub, float streamId, float call, float h) {
  uint e = uint(h);
  uvec2 k = uvec2((uint(k0h) << 16u) | uint(k0l), (uint(k1h) << 16u) | uint(k1l));
  uvec4 w = philoxBlockU(uvec4(e >> 3u, uint(sub), uint(streamId), uint(call)), k);
  uint j = (e >> 1u) & 3u;
  uint word = j == 0u ? w.x : j == 1u ? w.y : j == 2u ? w.z : w.w;
  return float((e & 1u) == 0u ? (word & 65535u) : (word >> 16u));
}`;

/** The 16-bit halves of a seed's key words, as kernels take them. */
export function keyHalves(seed: number): [number, number, number, number] {
  const k0 = (seed % 4294967296) >>> 0;
  const k1 = Math.floor(seed / 4294967296) >>> 0;
  return [k0 >>> 16, k0 & 65535, k1 >>> 16, k1 & 65535];
}
