/**
 * One counter-based random generator for every engine: Philox4x32-10
 * (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
 *
 * A draw is a pure function of (key, counter), so any element can be computed
 * on its own — by a GPU kernel thread, or out of order — and two engines that
 * address the same draws get the same numbers. See docs/random-numbers.md.
 *
 * Stream layout (the contract between engines):
 *   key     = (seed mod 2^32, floor(seed / 2^32))       the tile's seed
 *   counter = (block, sub, streamId, call)
 *     block    index of the 4-word block within the stream: element i uses block ⌊i/4⌋, word i mod 4
 *     sub      a second index for the purpose (bound-management pass, pulse, time step, ...)
 *     streamId what the numbers are for (RandomStreamId below)
 *     call     the tile's count of random-consuming calls so far (TileState.rngCall)
 *   uniform(i) = ((word >>> 8) + 0.5) / 2^24       in (0, 1), exact in float32
 *   normal(i)  = Box–Muller on the word pair of element i: words (0,1) give
 *                elements 0 (cos) and 1 (sin), words (2,3) give elements 2 (cos) and 3 (sin).
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_POW_32 = 4294967296;
const TWO_POW_M24 = 1 / 16777216;
const TWO_PI = 2 * Math.PI;

/** High 32 bits of the 64-bit product of two uint32 (exact in doubles). */
function mulhi(a: number, b: number): number {
  const ah = a >>> 16;
  const al = a & 0xffff;
  const u = ah * b; // < 2^48, exact
  const t = al * b; // < 2^48, exact
  const uHi = Math.floor(u / 65536);
  const uLo = u - uHi * 65536;
  return (uHi + Math.floor((uLo * 65536 + t) / TWO_POW_32)) >>> 0;
}

/**
 * Philox4x32-10 on key (k0, k1) and counter (c0..c3); writes 4 uint32 words to out[offset..offset+3].
 */
export function philox4x32(
  k0: number,
  k1: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  out: Uint32Array,
  offset = 0,
): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[offset] = x0;
  out[offset + 1] = x1;
  out[offset + 2] = x2;
  out[offset + 3] = x3;
}

/** A uint32 word as a uniform number in (0, 1) with 24 bits, exact in float32. */
export function wordToUniform(word: number): number {
  return ((word >>> 8) + 0.5) * TWO_POW_M24;
}

/** Box–Muller: two uniforms in (0, 1) → the cos (which = 0) or sin (which = 1) normal. */
export function boxMuller(u1: number, u2: number, which: 0 | 1): number {
  const r = Math.sqrt(-2 * Math.log(u1));
  return which === 0 ? r * Math.cos(TWO_PI * u2) : r * Math.sin(TWO_PI * u2);
}

/**
 * What each stream of a tile is for. Engines draw a purpose's numbers from its
 * stream only, so that adding a purpose never shifts another's numbers. The
 * `sub` index of the counter is documented per stream where it is used.
 */
export const RandomStreamId = {
  /** Device-to-device draws at tile creation (call = 0; sub = index of the hidden parameter). */
  TileConstruction: 1,
  /** Per-tile IO draws at creation: non-linearity factors, voltage offsets, read asymmetry (sub = which). */
  IOConstruction: 2,

  ForwardInputNoise: 10,
  ForwardOutputNoise: 11,
  ForwardWeightNoise: 12,
  ForwardInputRounding: 13,
  ForwardOutputRounding: 14,

  BackwardInputNoise: 20,
  BackwardOutputNoise: 21,
  BackwardWeightNoise: 22,
  BackwardInputRounding: 23,
  BackwardOutputRounding: 24,

  UpdateXPulses: 30,
  UpdateDPulses: 31,
  UpdateStepNoise: 32,
  UpdateRounding: 33,
  UpdateWriteNoise: 34,

  DeviceDrift: 40,
  DeviceDiffusion: 41,
  DeviceReset: 42,

  WeightModifier: 50,
  WeightModifierDrop: 51,

  ProgrammingNoise: 60,
  InferenceDrift: 61,
  InferenceReadNoise: 62,

  // Layer-level draws of @crossbar/modules (key = a layer's or the global module seed, call = 0).
  /** Initial layer weights (sub 0: weight element row * inFeatures + col; sub 1: bias element row), uniform. */
  LayerWeightInit: 70,
  /** Seeds of a layer's tiles: tile k's seed from the words of elements 2k and 2k + 1. */
  LayerTileSeeds: 71,
  /** Default layer seeds from `manualSeed(seed)`: the n-th layer's seed from the words of elements 2n and 2n + 1. */
  ModuleLayerSeeds: 72,
} as const;
export type RandomStreamId = (typeof RandomStreamId)[keyof typeof RandomStreamId];

/** The 64-bit-safe split of a seed into the two key words. */
export function seedToKey(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  }
  return [seed % TWO_POW_32 >>> 0, Math.floor(seed / TWO_POW_32) >>> 0];
}

/**
 * The numbers of one (seed, streamId, call, sub): element i is addressable on its own.
 * Bulk fills reuse one Philox block for 4 consecutive elements.
 */
export class RandomStream {
  private readonly k0: number;
  private readonly k1: number;
  private readonly words = new Uint32Array(4);

  constructor(
    seed: number,
    readonly streamId: number,
    readonly call: number,
    readonly sub = 0,
  ) {
    [this.k0, this.k1] = seedToKey(seed);
  }

  private block(b: number): Uint32Array {
    philox4x32(this.k0, this.k1, b, this.sub, this.streamId, this.call, this.words);
    return this.words;
  }

  /** The raw uint32 word of element i. */
  uint32(i: number): number {
    return this.block(Math.floor(i / 4))[i % 4]!;
  }

  /** Uniform in (0, 1) of element i. */
  uniform(i: number): number {
    return wordToUniform(this.uint32(i));
  }

  /** Standard normal of element i. */
  normal(i: number): number {
    const w = this.block(Math.floor(i / 4));
    const pair = i % 4 < 2 ? 0 : 2;
    return boxMuller(wordToUniform(w[pair]!), wordToUniform(w[pair + 1]!), (i % 2) as 0 | 1);
  }

  /** out[k] = uniform(start + k). */
  fillUniform(out: Float32Array | Float64Array, start = 0): typeof out {
    const w = this.words;
    const n = out.length;
    let k = 0;
    while (k < n) {
      const i = start + k;
      const b = Math.floor(i / 4);
      this.block(b);
      for (let j = i % 4; j < 4 && k < n; j++, k++) out[k] = wordToUniform(w[j]!);
    }
    return out;
  }

  /** out[k] = normal(start + k). */
  fillNormal(out: Float32Array | Float64Array, start = 0): typeof out {
    const w = this.words;
    const n = out.length;
    let k = 0;
    while (k < n) {
      const i = start + k;
      this.block(Math.floor(i / 4));
      const r0 = Math.sqrt(-2 * Math.log(wordToUniform(w[0]!)));
      const a0 = TWO_PI * wordToUniform(w[1]!);
      const r1 = Math.sqrt(-2 * Math.log(wordToUniform(w[2]!)));
      const a1 = TWO_PI * wordToUniform(w[3]!);
      for (let j = i % 4; j < 4 && k < n; j++, k++) {
        out[k] = j === 0 ? r0 * Math.cos(a0) : j === 1 ? r0 * Math.sin(a0) : j === 2 ? r1 * Math.cos(a1) : r1 * Math.sin(a1);
      }
    }
    return out;
  }
}
