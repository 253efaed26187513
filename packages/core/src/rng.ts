/**
 * One counter-based random generator for every engine: Philox4x32-10
 * (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011), checked against the Random123 known-answer vectors.
 *
 * A draw is a pure function of (key, counter), so any element can be computed
 * on its own — by a GPU kernel thread, or out of order — and two engines that
 * address the same draws get the same numbers. See docs/random-numbers.md.
 *
 * Stream layout (the contract between engines):
 *   key     = (seed mod 2^32, floor(seed / 2^32))       the tile's seed (a safe integer >= 0)
 *   counter = (block, sub, streamId, call)               four uint32 words
 *     block    index of the 4-word block within the stream: element i uses block ⌊i/4⌋, word i mod 4
 *     sub      a second index for the purpose (bound-management pass, pulse, time step, ...)
 *     streamId what the numbers are for (RandomStreamId below)
 *     call     the tile's count of random-consuming calls so far (TileState.rngCall)
 *   uniform(i) = ((word >>> 9) + 0.5) / 2^23       in (0, 1), 23 bits, exact in float32
 *   normal(i)  = Box–Muller on the word pair of element i: words (0,1) give
 *                elements 0 (cos) and 1 (sin), words (2,3) give elements 2 (cos) and 3 (sin):
 *                r = sqrt(-2 ln u(w0)), θ = 2π u(w1); n0 = r cos θ, n1 = r sin θ (|n| < 5.78).
 */
import { InputError } from './errors.js';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_POW_32 = 4294967296;
const TWO_POW_M23 = 1 / 8388608;
const TWO_PI = 2 * Math.PI;
/** Largest element index: the block index must fit in 32 bits. */
const MAX_ELEMENT = 4 * TWO_POW_32 - 1;

/**
 * Philox4x32-10 on key (k0, k1) and counter (c0..c3); writes 4 uint32 words to out[offset..offset+3].
 *
 * The 32×32 → 64-bit products are split into 16-bit halves of x so every
 * partial product is an exact double (< 2^33): hi = Mh·xh + ⌊(Mh·xl + Ml·xh + ⌊Ml·xl / 2^16⌋) / 2^16⌋,
 * lo = Math.imul(M, x). (Mh, Ml: 16-bit halves of the Philox multipliers, inlined.)
 */
export function philox4x32(k0: number, k1: number, c0: number, c1: number, c2: number, c3: number, out: Uint32Array, offset = 0): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const a0h = x0 >>> 16;
    const a0l = x0 & 0xffff;
    const mid0 = 0xd251 * a0l + 0x1f53 * a0h + ((0x1f53 * a0l) >>> 16);
    const hi0 = (0xd251 * a0h + ((mid0 / 65536) | 0)) >>> 0;
    const lo0 = Math.imul(M0, x0) >>> 0;
    const a2h = x2 >>> 16;
    const a2l = x2 & 0xffff;
    const mid2 = 0xcd9e * a2l + 0x8d57 * a2h + ((0x8d57 * a2l) >>> 16);
    const hi1 = (0xcd9e * a2h + ((mid2 / 65536) | 0)) >>> 0;
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

/**
 * A uint32 word as a uniform number in (0, 1): (k + 0.5) / 2^23 for the top 23
 * bits k. Every value is exact in float32 (so a Float32Array holds the same
 * numbers and `u < p` decides alike in float32 and float64), the smallest is
 * 2^-24 and the largest 1 - 2^-24 (never 0 or 1).
 */
export function wordToUniform(word: number): number {
  return ((word >>> 9) + 0.5) * TWO_POW_M23;
}

/** Box–Muller: two uniforms in (0, 1) → the cos (which = 0) or sin (which = 1) normal. */
export function boxMuller(u1: number, u2: number, which: 0 | 1): number {
  const r = Math.sqrt(-2 * Math.log(u1));
  return which === 0 ? r * Math.cos(TWO_PI * u2) : r * Math.sin(TWO_PI * u2);
}

/**
 * What each stream of a tile is for. Engines draw a purpose's numbers from its
 * stream only, so that adding a purpose never shifts another's numbers.
 *
 * Conventions (docs/random-numbers.md): `call` is the tile's random-call index
 * of the operation (`ctx.nextRandomCall()`; 0 = construction); the element
 * index is a documented function of the position the number is for (e.g.
 * batch row * outSize + output index), never "the next number"; `sub`
 * separates passes or kinds within one call. Each stream's entry says its
 * `sub` and element layout and whether it draws uniforms or normals.
 */
export const RandomStreamId = {
  /**
   * Device-to-device draws at tile creation (call = 0; key = the device's construction_seed when
   * it is not 0, else the tile's seed), element = row * inSize + col, one sub per draw of the
   * pulsed device (core physics/devices.ts, drawPulsedDevice): sub 0 normal max bound, 1 normal min bound,
   * 2 normal dw_min gain, 3 normal up_down variation, 4 uniform corrupt?, 5 uniform corrupt value,
   * 6 normal diffusion rate, 7 normal reset bias, 8 normal lifetime, 9 normal drift ν,
   * 10 / 11 normal LinearStep γ up / down (SoftBoundsReference: slope down / up variation),
   * 12 / 13 normal PowStep (and PowStepReference) γ gain / up-down, 14 normal reference
   * (SoftBoundsReference, PowStepReference).
   */
  TileConstruction: 1,
  /**
   * Per-tile IO draws at creation (call = 0; core physics io.ts drawMvParameters), normal.
   * Forward: sub 0 voltage offsets (line i: the test normal 2i and the value normal 2i + 1),
   * sub 1 output non-linearities (element = output line), sub 2 read asymmetry (element =
   * row * inSize + col). Backward: the same with sub 3, 4, 5 (its output lines are the inputs).
   */
  IOConstruction: 2,

  /**
   * The analog forward pass (IOParameters). A forward call that draws any number takes one
   * call index. `round` = the bound-management pass (0, 1, ...), `phase` 0 for the single or
   * positive-input pass and 1 for the negative-input pass of PosNegSeparate(DigitalSum).
   * Input noise: sub = round, element = batch row * inSize + input, normal.
   */
  ForwardInputNoise: 10,
  /** Output noise: sub = 2 * round + phase, element = batch row * outSize + output, normal (PosNegSeparate: one ADC, phase 0). */
  ForwardOutputNoise: 11,
  /** Weight noise (AdditiveConstant, PCMRead): sub = 2 * round + phase, element = batch row * outSize + output, normal. */
  ForwardWeightNoise: 12,
  /** Stochastic rounding of the DAC (inp_sto_round): sub = round, element = batch row * inSize + input, uniform. */
  ForwardInputRounding: 13,
  /** Stochastic rounding of the ADC (out_sto_round): sub = 2 * round + phase, element = batch row * outSize + output, uniform. */
  ForwardOutputRounding: 14,

  /**
   * The analog backward pass: as the forward streams with round = 0 (no bound management) and the
   * sizes swapped: its inputs are the outSize d values of a row, its outputs the inSize values.
   */
  BackwardInputNoise: 20,
  BackwardOutputNoise: 21,
  BackwardWeightNoise: 22,
  BackwardInputRounding: 23,
  BackwardOutputRounding: 24,

  /**
   * Pulse trains of x in the stochastic pulsed update, call = the update call, sub = batch row,
   * raw words. The row's decisions q = col * BL + k (bit k of column col's train) are packed 32 to a
   * group g = q >> 5 (lane q & 31); word g * 32 + m is level m of the group: lane bits of the words of
   * levels 0, 1, ... are the bits (MSB first) of the lane's 32-bit uniform U, and the bit fires when
   * U < ceil(p * 2^32) (bit-sliced comparison; levels are drawn until every lane is decided).
   * Core physics: pulseFires (one decision), PulseTrains (a row, bit-sliced), UpdateRowEncoder.
   */
  UpdateXPulses: 30,
  /** Pulse trains of d: as UpdateXPulses with q = out index * BL + k. */
  UpdateDPulses: 31,
  /**
   * Cycle-to-cycle noise of single pulses, call = the update call, sub = element e = row * inSize + col;
   * number h is the noise of e's h-th pulse in the call (counted in batch-row order): the 16-bit
   * half h & 1 (0: low) of word h >> 1 indexes the normal-quantile table (core physics pulseNoiseNormals).
   */
  UpdateStepNoise: 32,
  /** Stochastic rounding of the pulse probabilities (sto_round), call = the update call, sub = batch row, element col (x) or inSize + out index (d), uniform. */
  UpdateRounding: 33,
  /**
   * Write noise of devices with write_noise_std > 0, element = row * inSize + col, normal:
   * sub 0 after a pulsed update (elements that received pulses; the update's call), sub 1 for
   * every element after diffusion, drift, reset (the operation's call) and after set_weights,
   * setHiddenParameters, decay, a NoneWithDevice update (a call of its own).
   */
  UpdateWriteNoise: 34,
  /**
   * Summed cycle-to-cycle noise of the pulses of one element (ConstantStep, where no bound can be
   * reached: core physics summedPulsesApply), call = the update call, sub = 2 * first batch row of
   * the summed rows (a row block of core's updateRowBlocks) or 2 * first row + 1 (a chunk of 32 rows
   * of the block); number e = row * inSize + col is the table normal of 16-bit half e & 1 of word
   * e >> 1, as UpdateStepNoise.
   */
  UpdateStepNoiseSum: 35,

  /** Device drift, call = the drift call, element = row * inSize + col: sub 0 normal ν variation (nu_std), sub 1 normal weight noise (w_noise_std). */
  DeviceDrift: 40,
  /** Diffusion, call = the diffuse call, sub 0, element = row * inSize + col, normal. */
  DeviceDiffusion: 41,
  /** Column reset, call = the reset call, element = row * inSize + col: sub 0 uniform (reset_prob), sub 1 normal (reset_std). */
  DeviceReset: 42,

  /**
   * Weight modifier draws, call = the applyWeightModifier call, element = row * inSize + col:
   * sub 0 normal (AddNormal, MultNormal, Poly, ProgNoise, DiscretizeAddNormal noise; PCMNoise
   * programming noise), sub 1 uniform (sto_round), sub 2 normal (PCMNoise drift exponent),
   * sub 3 normal (PCMNoise read noise), sub 4 uniform (PCMNoise at reset), sub 5 and 6 uniform
   * (PCMNoise at g_max: whether, which sign), sub 7 and 8 uniform (PCMNoise at random: whether, value).
   */
  WeightModifier: 50,
  /** Drop connect (pdrop), call = the applyWeightModifier call, sub 0, element = row * inSize + col, uniform. */
  WeightModifierDrop: 51,

  /** PCM programming noise, call = the programWeights call, sub 0 = g+ / 1 = g− device, element = row * inSize + col, normal. */
  ProgrammingNoise: 60,
  /** PCM drift exponents ν, call = the programWeights call, sub 0 = g+ / 1 = g− device, element = row * inSize + col, normal. */
  InferenceDrift: 61,
  /** PCM 1/f read noise, call = the driftWeights call, sub 0 = g+ / 1 = g− device, element = row * inSize + col, normal. */
  InferenceReadNoise: 62,

  // Layer-level draws of @crossbar/modules (key = a layer's or the global module seed, call = 0).
  /** Initial layer weights (sub 0: weight element row * inFeatures + col; sub 1: bias element row), uniform. */
  LayerWeightInit: 70,
  /** Seeds of a layer's tiles: tile k's seed from the words of elements 2k and 2k + 1. */
  LayerTileSeeds: 71,
  /** Default layer seeds from `manualSeed(seed)`: the n-th layer's seed from the words of elements 2n and 2n + 1. */
  ModuleLayerSeeds: 72,
  /** Dropout masks of a layer (key = the Dropout layer's seed), call = its n-th training forward pass, sub 0, element = sample value index, uniform. */
  LayerDropout: 73,

  // Data of the `crossbar demo` (@crossbar/cli; key = the demo's --seed).
  /**
   * Digit order and augmentation, uniform: call 0 sub 0 the train/test split (Fisher–Yates over all
   * digits: step i, from n − 1 down to 1, uses element i); call 1 + e the training epoch e: sub 0 the
   * order of the training digits (the same Fisher–Yates layout), sub 1 the random shifts (digit k of
   * the training set: element 2k the x shift, 2k + 1 the y shift).
   */
  DemoData: 80,
  /**
   * Data of the browser playground (@crossbar/playground; key = the view's seed). Call 0: sub 0 the
   * tile view's weights (element row * inSize + col), sub 1 its inputs (element batch row * inSize
   * + col), each element's uniform or normal as the page's distribution asks; sub 2 + 2s and
   * 3 + 2s the drift view's glyphs of split s (0 train, 1 test): sub 2 + 2s sample k's class, x and
   * y shift from uniforms 4k, 4k + 1, 4k + 2, sub 3 + 2s its pixel noise (normals k * 64 ... k * 64
   * + 63). Call 1 + e: the training order of epoch e (sub 0; Fisher–Yates step i, from n − 1 down
   * to 1, uses uniform i).
   */
  PlaygroundData: 81,
  /**
   * Compound devices (core tile/compounds.ts): sub 0 SingleRandom's device per batch row, sub 1 a
   * random transfer start (random_selection, random_row), sub 2 with_reset_prob per read vector,
   * sub 3 / 4 mixed precision's stochastic rounding of x / d (element = row · size + index).
   */
  CompoundDevice: 90,
} as const;
export type RandomStreamId = (typeof RandomStreamId)[keyof typeof RandomStreamId];

/** The split of a seed (a safe integer >= 0) into the two key words. */
export function seedToKey(seed: number): [number, number] {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new InputError(`RandomStream: seed must be a non-negative safe integer, got ${String(seed)}`);
  }
  return [(seed % TWO_POW_32) >>> 0, Math.floor(seed / TWO_POW_32) >>> 0];
}

function checkWord(name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= TWO_POW_32) {
    throw new InputError(`RandomStream: ${name} must be an integer in [0, 2^32), got ${String(v)}`);
  }
  return v;
}

function checkRange(start: number, n: number): void {
  if (!Number.isInteger(start) || start < 0 || start + n - 1 > MAX_ELEMENT) {
    throw new InputError(`RandomStream: elements [${start}, ${start + n}) are outside [0, 2^34)`);
  }
}

/**
 * The numbers of one (seed, streamId, call, sub): element i (0 <= i < 2^34) is
 * addressable on its own. Bulk fills compute one Philox block per 4
 * consecutive elements; the single-element methods compute the element's block.
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
    checkWord('streamId', streamId);
    checkWord('call', call);
    checkWord('sub', sub);
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

  // The fills repeat their block loop instead of sharing one with a per-element
  // callback: the callback costs about a third of fillUniform's time.

  /** out[k] = uint32(start + k). */
  fillUint32(out: Uint32Array, start = 0): Uint32Array {
    checkRange(start, out.length);
    const w = this.words;
    const n = out.length;
    let k = 0;
    while (k < n) {
      const i = start + k;
      this.block(Math.floor(i / 4));
      for (let j = i % 4; j < 4 && k < n; j++, k++) out[k] = w[j]!;
    }
    return out;
  }

  /** out[k] = uniform(start + k). */
  fillUniform<A extends Float32Array | Float64Array>(out: A, start = 0): A {
    checkRange(start, out.length);
    const w = this.words;
    const n = out.length;
    let k = 0;
    while (k < n) {
      const i = start + k;
      this.block(Math.floor(i / 4));
      for (let j = i % 4; j < 4 && k < n; j++, k++) out[k] = wordToUniform(w[j]!);
    }
    return out;
  }

  /** out[k] = normal(start + k). */
  fillNormal<A extends Float32Array | Float64Array>(out: A, start = 0): A {
    checkRange(start, out.length);
    const w = this.words;
    const n = out.length;
    let k = 0;
    // Unaligned head: the partial first block, element by element.
    while (k < n && (start + k) % 4 !== 0) {
      out[k] = this.normal(start + k);
      k++;
    }
    // Whole blocks: one Philox call and two Box–Muller pairs per 4 elements.
    let b = (start + k) / 4;
    for (; k + 4 <= n; k += 4, b++) {
      philox4x32(this.k0, this.k1, b, this.sub, this.streamId, this.call, w);
      const r0 = Math.sqrt(-2 * Math.log(wordToUniform(w[0]!)));
      const a0 = TWO_PI * wordToUniform(w[1]!);
      const r1 = Math.sqrt(-2 * Math.log(wordToUniform(w[2]!)));
      const a1 = TWO_PI * wordToUniform(w[3]!);
      out[k] = r0 * Math.cos(a0);
      out[k + 1] = r0 * Math.sin(a0);
      out[k + 2] = r1 * Math.cos(a1);
      out[k + 3] = r1 * Math.sin(a1);
    }
    // Tail.
    for (; k < n; k++) out[k] = this.normal(start + k);
    return out;
  }
}

/**
 * A permutation of 0 … n − 1 drawn from `stream` (Fisher–Yates from the end:
 * step i, from n − 1 down to 1, swaps i with ⌊u_i · (i + 1)⌋, u_i the stream's
 * uniform i), e.g. the order of training samples in an epoch.
 */
export function streamPermutation(stream: RandomStream, n: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0) throw new InputError(`streamPermutation: n must be a non-negative integer, got ${String(n)}`);
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n < 2) return idx;
  const u = stream.fillUniform(new Float64Array(n));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(u[i]! * (i + 1)));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx;
}
