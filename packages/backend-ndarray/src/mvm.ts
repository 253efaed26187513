/**
 * Forward and backward analog MVM with IOParameters, as aihwkit 0.7.1's CPU tile
 * computes it (aihwkit v.0.7.1 src/rpucuda/rpu_forward_backward_pass.cpp,
 * ForwardBackwardPassIOManaged; the batch is a loop of vectors, rpu.cpp
 * RPUAbstract::forwardMatrix). The formulas live in @crossbar/core (physics/io.ts);
 * this module runs them over a batch: every stage over all rows at once, the
 * MVM as one GEMM (gemm.ts), and bound management re-running only the rows that
 * clipped. See docs/forward-pass.md.
 *
 * Per-tile draws (voltage offsets, non-linearities, read asymmetry) are made at
 * creation from the tile's seed. The AverageAbsMax running value is one number
 * shared by forward and backward, updated per input vector (aihwkit's CPU pass).
 *
 * Random numbers (RandomStreamId in core rng.ts): a forward or backward call that
 * draws any takes one tile call index; within it, with `round` the bound-management
 * pass (0, 1, …; always 0 backward) and `phase` 0 for the single / positive-input
 * pass and 1 for the negative-input pass of PosNegSeparate(DigitalSum):
 *   input noise, input rounding:    sub = round,             element = row · inputSize + j
 *   output noise, output rounding:  sub = 2 · round + phase, element = row · outputSize + i
 *   weight noise:                   sub = 2 · round + phase, element = row · outputSize + i
 * (row = batch row; inputSize/outputSize of the pass: inSize/outSize forward, swapped backward).
 * Output noise and rounding of PosNegSeparate (one ADC for the sum) use phase 0.
 */
import {
  boundManagementStops,
  boundTestUpdate,
  clipSymmetric,
  drawMvParameters,
  finalizeOutputValue,
  ioParametersOf,
  ioPassStreams,
  ioUsesRandomness,
  irDropCoefficient,
  irDropInputFactor,
  loadMvmState,
  managedInputScales,
  managedOutputFactor,
  nextBoundManagementRound,
  pcmReadNoiseStd,
  prepareInputValue,
  RandomStream,
  resolveIOParameters,
  saveMvmState,
  startManagedBatch,
  voltageOffsetOutput,
  InputError,
  type IOPassStreams,
  type MvParameters,
  type NoiseManagementState,
  type ResolvedIO,
  type TileState,
} from '@crossbar/core';
import type { NdArray } from 'ndarray';
import { gemmNT, transposeInto } from './gemm.js';
import type { TileContext } from './tile.js';

export interface Mvm {
  /** y [batch × out] = f(W x) with the forward IOParameters, W the given weights (e.g. modified ones). */
  forward(weights: NdArray<Float32Array>, x: Float32Array, batch: number): Float32Array;
  /** z [batch × in] = f(Wᵀ d) with the backward IOParameters. */
  backward(weights: NdArray<Float32Array>, d: Float32Array, batch: number): Float32Array;
  /**
   * The analog passes each vector of the last forward call took (a view [batch] into a reused
   * buffer, valid until the next forward): 1 + its bound-management re-runs, 0 if skipped.
   * Optional so that test stand-ins of the MVM need not count.
   */
  forwardPassCounts?(): Int32Array;
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}

const ENGINE = 'ndarray';
const f32 = Math.fround;

export function createMvm(ctx: TileContext): Mvm {
  return new NdarrayMvm(ctx);
}

class NdarrayMvm implements Mvm {
  private readonly fwd: IOPass;
  private readonly bwd: IOPass;
  /** AverageAbsMax running value, shared by forward and backward (aihwkit's aux_nm_value_). */
  private readonly nm: NoiseManagementState = { averageAbsMax: -1 };

  // per-call weight buffers, allocated on first need (weights may change between calls)
  private wCopy: Float32Array | null = null;
  private wT: Float32Array | null = null;
  private wNeg: Float32Array | null = null;
  private wNegT: Float32Array | null = null;
  private wAbs: Float32Array | null = null;
  private wNegAbs: Float32Array | null = null;

  constructor(private readonly ctx: TileContext) {
    const config = ctx.rpuConfig;
    const fwdIO = resolveIOParameters(ioParametersOf(config, 'forward'), 'forward', 'rpuConfig.forward', ENGINE);
    const bwdIO = resolveIOParameters(ioParametersOf(config, 'backward'), 'backward', 'rpuConfig.backward', ENGINE);
    const count = ctx.outSize * ctx.inSize;
    this.fwd = new IOPass(fwdIO, drawMvParameters(fwdIO, ctx.outSize, count, ctx.seed), ctx.outSize, ctx.inSize, ctx.seed);
    this.bwd = new IOPass(bwdIO, drawMvParameters(bwdIO, ctx.inSize, count, ctx.seed), ctx.inSize, ctx.outSize, ctx.seed);
  }

  forward(weights: NdArray<Float32Array>, x: Float32Array, batch: number): Float32Array {
    const w = this.plainWeights(weights);
    const pass = this.fwd;
    const call = ioUsesRandomness(pass.io) ? this.ctx.nextRandomCall() : 0;
    let wNeg: Float32Array | null = null;
    if (pass.needsNegativeWeights) {
      wNeg = multiplyInto(w, pass.draws.wAsymmetry!, (this.wNeg ??= new Float32Array(w.length)));
    }
    const wAbs = pass.needsAbsWeights ? absWeights(w, (this.wAbs ??= new Float32Array(w.length))) : null;
    const wNegAbs = pass.needsAbsWeights && wNeg !== null ? absWeights(wNeg, (this.wNegAbs ??= new Float32Array(w.length))) : null;
    return pass.run({ b: w, bAbs: wAbs, bNeg: wNeg, bNegAbs: wNegAbs }, x, batch, call, this.nm);
  }

  backward(weights: NdArray<Float32Array>, d: Float32Array, batch: number): Float32Array {
    const { outSize, inSize } = this.ctx;
    const w = this.plainWeights(weights);
    const pass = this.bwd;
    const call = ioUsesRandomness(pass.io) ? this.ctx.nextRandomCall() : 0;
    const wT = (this.wT ??= new Float32Array(w.length));
    transposeInto(w, outSize, inSize, wT);
    let wNegT: Float32Array | null = null;
    if (pass.needsNegativeWeights) {
      // the asymmetry is in the weights' [out × in] order, as aihwkit indexes it
      const wNeg = multiplyInto(w, pass.draws.wAsymmetry!, (this.wNeg ??= new Float32Array(w.length)));
      wNegT = this.wNegT ??= new Float32Array(w.length);
      transposeInto(wNeg, outSize, inSize, wNegT);
    }
    const wAbs = pass.needsAbsWeights ? absWeights(wT, (this.wAbs ??= new Float32Array(w.length))) : null;
    const wNegAbs = pass.needsAbsWeights && wNegT !== null ? absWeights(wNegT, (this.wNegAbs ??= new Float32Array(w.length))) : null;
    return pass.run({ b: wT, bAbs: wAbs, bNeg: wNegT, bNegAbs: wNegAbs }, d, batch, call, this.nm);
  }

  forwardPassCounts(): Int32Array {
    return this.fwd.passCounts();
  }

  /** The weights as a contiguous row-major [out × in] Float32Array (copied only if the view is not). */
  private plainWeights(weights: NdArray<Float32Array>): Float32Array {
    const { outSize, inSize } = this.ctx;
    const [rows, cols] = weights.shape;
    if (rows !== outSize || cols !== inSize) {
      throw new InputError(`ndarray engine: the weights are ${rows} × ${cols}, the tile is ${outSize} × ${inSize}`);
    }
    const [s0, s1] = weights.stride;
    if (weights.offset === 0 && s0 === inSize && s1 === 1) {
      return weights.data.length === outSize * inSize ? weights.data : weights.data.subarray(0, outSize * inSize);
    }
    const copy = (this.wCopy ??= new Float32Array(outSize * inSize));
    for (let i = 0; i < outSize; i++) for (let j = 0; j < inSize; j++) copy[i * inSize + j] = weights.get(i, j);
    return copy;
  }

  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    saveMvmState(this.nm, this.fwd.draws, this.bwd.draws, arrays, scalars);
  }

  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    loadMvmState(this.nm, this.fwd.draws, this.bwd.draws, arrays, scalars); // a refused state changes nothing
  }
}

function absWeights(src: Float32Array, dst: Float32Array): Float32Array {
  absInto(src, dst, src.length);
  return dst;
}

/** The weights of one pass in the pass's layout B [nOut × nIn] (W forward, Wᵀ backward). */
interface PassWeights {
  b: Float32Array;
  /** |B|, when IR drop or PCM-read noise needs it. */
  bAbs: Float32Array | null;
  /** B with the read asymmetry of negative inputs (PosNeg with w_read_asymmetry_dtod), else null (B itself). */
  bNeg: Float32Array | null;
  bNegAbs: Float32Array | null;
}

/** A float buffer of at least n elements, reallocated only when too small. */
function grow32(buf: Float32Array, n: number): Float32Array {
  return buf.length >= n ? buf : new Float32Array(n);
}
function grow64(buf: Float64Array, n: number): Float64Array {
  return buf.length >= n ? buf : new Float64Array(n);
}

const EMPTY32: Float32Array = new Float32Array(0);
const EMPTY64: Float64Array = new Float64Array(0);

/**
 * One direction's IO-managed pass over a batch: y[r] = f(B x[r]) for B [nOut × nIn].
 * Owns its scratch buffers (grown to the largest batch seen, then reused).
 */
class IOPass {
  readonly needsAbsWeights: boolean;
  readonly needsNegativeWeights: boolean;
  private readonly posNeg: boolean;
  private readonly streams: IOPassStreams;
  private readonly digitalSum: boolean;

  // batch-sized scratch
  private nmScale = EMPTY32; // [batch] noise-management value per row
  private rowScale = EMPTY32; // [active] input scale per active row
  private active = new Int32Array(0); // [active] batch row of each active row
  private passed = new Uint8Array(0); // [active] bound test result
  private passes = new Int32Array(0); // [batch] analog passes per vector in the last run
  private lastBatch = 0;
  private inp = EMPTY32; // [active × nIn] prepared input
  private inpPart = EMPTY32; // [active × nIn] negative or positive part of it
  private inpAux = EMPTY32; // [active × nIn] |x|, x², or IR-drop-weighted x
  private acc = EMPTY64; // [active × nOut] GEMM result
  private acc2 = EMPTY64; // [active × nOut] second GEMM (IR drop)
  private out = EMPTY32; // [active × nOut] output of the (positive) pass
  private outNeg = EMPTY32; // [active × nOut] output of the negative pass
  // row-sized scratch for random numbers
  private readonly rowIn: Float64Array;
  private readonly rowInU: Float64Array;
  private readonly rowOut: Float64Array;
  private readonly rowOutU: Float64Array;
  /** The per-line non-linearities (zeros without them, so the row loop needs no null test). */
  private readonly nl: Float32Array;

  constructor(
    readonly io: ResolvedIO,
    readonly draws: MvParameters,
    private readonly nOut: number,
    private readonly nIn: number,
    private readonly seed: number,
  ) {
    this.streams = ioPassStreams(io.direction);
    this.posNeg = io.mvType === 'PosNegSeparate' || io.mvType === 'PosNegSeparateDigitalSum';
    this.digitalSum = io.mvType === 'PosNegSeparateDigitalSum';
    this.needsAbsWeights = !io.isPerfect && (io.irDrop > 0 || io.wNoiseType === 'PCMRead');
    this.needsNegativeWeights = this.posNeg && draws.wAsymmetry !== null;
    this.rowIn = new Float64Array(nIn);
    this.rowInU = new Float64Array(nIn);
    this.rowOut = new Float64Array(nOut);
    this.rowOutU = new Float64Array(nOut);
    this.nl = draws.outNonlinearity ?? new Float32Array(nOut);
  }

  private ensure(batch: number): void {
    const { nIn, nOut } = this;
    if (this.nmScale.length >= batch) return;
    this.nmScale = new Float32Array(batch);
    this.rowScale = new Float32Array(batch);
    this.active = new Int32Array(batch);
    this.passed = new Uint8Array(batch);
    this.passes = new Int32Array(batch);
    this.inp = grow32(this.inp, batch * nIn);
    if (this.posNeg) this.inpPart = grow32(this.inpPart, batch * nIn);
    this.acc = grow64(this.acc, batch * nOut);
    this.out = grow32(this.out, batch * nOut);
    if (this.posNeg) this.outNeg = grow32(this.outNeg, batch * nOut);
    const io = this.io;
    if (io.irDrop > 0 || io.wNoiseType === 'PCMRead') this.inpAux = grow32(this.inpAux, batch * nIn);
    if (io.irDrop > 0) this.acc2 = grow64(this.acc2, batch * nOut);
  }

  /** Analog passes per vector of the last run [lastBatch] (a view of the reused buffer). */
  passCounts(): Int32Array {
    return this.passes.subarray(0, this.lastBatch);
  }

  run(w: PassWeights, x: Float32Array, batch: number, call: number, nm: NoiseManagementState): Float32Array {
    const { io, nIn, nOut } = this;
    const y = new Float32Array(batch * nOut);
    this.lastBatch = batch;
    if (io.isPerfect) {
      if (this.passes.length < batch) this.passes = new Int32Array(batch);
      this.passes.fill(1, 0, batch);
      this.acc = grow64(this.acc, batch * nOut);
      const acc = this.acc;
      gemmNT(batch, nOut, nIn, x, 0, nIn, w.b, 0, nIn, acc, 0, nOut);
      if (io.outScale === 1) storeInto(acc, y, batch * nOut);
      else storeScaled(acc, y, batch * nOut, io.outScale);
      return y;
    }
    this.ensure(batch);
    const { nmScale, rowScale, active, passed, passes } = this;
    passes.fill(0, 0, batch);
    // per vector, as aihwkit's loop: noise management, then bound-management rounds on the
    // vectors that clipped (core physics/io.ts: the management of a batch)
    let nActive = startManagedBatch(io, x, batch, nIn, nm, nmScale, active);
    let reduction = 1;
    for (let round = 0; nActive > 0; round++) {
      if (round > 0) reduction = nextBoundManagementRound(io, round, reduction, x, nIn, active, nActive, nmScale, nm);
      managedInputScales(io, reduction, active, nActive, nmScale, rowScale);
      this.computeRows(w, x, nActive, round, call);
      const stop = boundManagementStops(io, reduction);
      let next = 0;
      for (let a = 0; a < nActive; a++) {
        const r = active[a]!;
        passes[r] = passes[r]! + 1;
        if (!stop && passed[a] === 0) {
          active[next++] = r; // clipped: again with half the input
          continue;
        }
        scaleInto(this.out, a * nOut, y, r * nOut, nOut, managedOutputFactor(io, rowScale[a]!, nmScale[r]!));
      }
      nActive = next;
    }
    return y;
  }

  /** Prepares the active rows' inputs, runs the analog pass(es) into `out`, sets `passed`. */
  private computeRows(w: PassWeights, x: Float32Array, nActive: number, round: number, call: number): void {
    const { io, nIn, nOut, active, rowScale } = this;
    const inp = this.inp;
    const inNoise = io.inpNoise > 0 ? this.stream(this.streams.inputNoise, call, round) : null;
    const inRound = io.inpStoRound && io.inpStep !== 0 ? this.stream(this.streams.inputRounding, call, round) : null;
    const g = this.rowIn;
    const u = this.rowInU;
    for (let a = 0; a < nActive; a++) {
      const xo = active[a]! * nIn;
      if (inNoise !== null) inNoise.fillNormal(g, xo);
      if (inRound !== null) inRound.fillUniform(u, xo);
      prepareRow(io, x, xo, inp, a * nIn, nIn, rowScale[a]!, inNoise !== null, g, inRound !== null, u);
    }
    this.passed.fill(1, 0, nActive);
    if (!this.posNeg) {
      this.analogPass(w.b, w.bAbs, inp, this.out, nActive, round, 0, call);
      this.finalize(this.out, nActive, round, 0, call);
      return;
    }
    // negative inputs first (through the read-asymmetric weights), then positive ones
    const part = this.inpPart;
    const n = nActive * nIn;
    signPartInto(inp, part, n, -1);
    this.analogPass(w.bNeg ?? w.b, w.bNeg !== null ? w.bNegAbs : w.bAbs, part, this.outNeg, nActive, round, 1, call);
    if (this.digitalSum) this.finalize(this.outNeg, nActive, round, 1, call);
    signPartInto(inp, part, n, 1);
    this.analogPass(w.b, w.bAbs, part, this.out, nActive, round, 0, call);
    if (this.digitalSum) this.finalize(this.out, nActive, round, 0, call);
    addInto(this.outNeg, this.out, nActive * nOut);
    if (!this.digitalSum) this.finalize(this.out, nActive, round, 0, call);
  }

  /**
   * One pass through the array: out = B·inp (GEMM) and the non-idealities that act on
   * the analog currents: IR drop, voltage offsets and series resistance, weight noise.
   * (aihwkit v.0.7.1 rpu_forward_backward_pass.cpp, computeAnalogMVSinglePass/applyNonIdealities)
   */
  private analogPass(
    b: Float32Array,
    bAbs: Float32Array | null,
    inp: Float32Array,
    out: Float32Array,
    nActive: number,
    round: number,
    phase: number,
    call: number,
  ): void {
    const { io, nIn, nOut, acc } = this;
    const n = nActive * nOut;
    gemmNT(nActive, nOut, nIn, inp, 0, nIn, b, 0, nIn, acc, 0, nOut);
    storeInto(acc, out, n);

    if (io.irDrop > 0) {
      // total current Σ_j |b_ij| |x_j|, and Σ_j b_ij x_j (1 − (1 − j/n)²)
      const aux = this.inpAux;
      absInto(inp, aux, nActive * nIn);
      gemmNT(nActive, nOut, nIn, aux, 0, nIn, bAbs!, 0, nIn, acc, 0, nOut);
      irDropWeightedInput(inp, aux, nActive, nIn);
      gemmNT(nActive, nOut, nIn, aux, 0, nIn, b, 0, nIn, this.acc2, 0, nOut);
      applyIrDrop(out, acc, this.acc2, n, nIn, io.irDropGRatio, io.irDrop);
    }

    if (io.hasVoltageOffsets) {
      for (let a = 0; a < nActive; a++) {
        applyVoltageOffsetsRow(out, a * nOut, nOut, this.draws.vOffset!, io.rSeries, io.vOffsetWMin, rowSum(inp, a * nIn, nIn));
      }
    }

    if (io.wNoiseType !== 'None') {
      const stream = this.stream(this.streams.weightNoise, call, 2 * round + phase);
      const g = this.rowOut;
      if (io.wNoiseType === 'AdditiveConstant') {
        // std w_noise · ‖x‖ per vector
        for (let a = 0; a < nActive; a++) {
          stream.fillNormal(g, this.active[a]! * nOut);
          addScaledNoise(out, a * nOut, nOut, io.wNoise * f32(Math.sqrt(rowSquareSum(inp, a * nIn, nIn))), g);
        }
      } else {
        // PCMRead: std w_noise · sqrt(Σ_j |b_ij| x_j²) per output
        const aux = this.inpAux;
        squareInto(inp, aux, nActive * nIn);
        gemmNT(nActive, nOut, nIn, aux, 0, nIn, bAbs!, 0, nIn, acc, 0, nOut);
        for (let a = 0; a < nActive; a++) {
          stream.fillNormal(g, this.active[a]! * nOut);
          addPcmReadNoise(out, acc, a * nOut, nOut, io.wNoise, g);
        }
      }
    }
  }

  /**
   * The ADC stage on each active row (in place): non-linearity, output asymmetry, output
   * noise, quantisation, then the bound test and the clip. `passed[a]` is and-ed with the
   * row's test (both passes of PosNegSeparateDigitalSum must pass).
   */
  private finalize(out: Float32Array, nActive: number, round: number, phase: number, call: number): void {
    const { io, nOut, active, passed } = this;
    const noise = io.outNoise > 0 ? this.stream(this.streams.outputNoise, call, 2 * round + phase) : null;
    const rounding = io.outStoRound && io.outStep !== 0 ? this.stream(this.streams.outputRounding, call, 2 * round + phase) : null;
    const bm = io.boundManagement !== 'None';
    const g = this.rowOut;
    const u = this.rowOutU;
    for (let a = 0; a < nActive; a++) {
      if (noise !== null) noise.fillNormal(g, active[a]! * nOut);
      if (rounding !== null) rounding.fillUniform(u, active[a]! * nOut);
      const ok = finalizeRow(io, this.nl, this.draws.nlFactor, out, a * nOut, nOut, noise !== null, g, rounding !== null, u);
      if (bm && !ok) passed[a] = 0;
    }
  }

  private stream(id: number, call: number, sub: number): RandomStream {
    return new RandomStream(this.seed, id, call, sub);
  }
}

// Element loops as small module functions: V8 optimises each on its own with full type
// feedback and inlines the core formulas into it. (Inside the large methods a hot loop
// gets on-stack-replaced before the code after it has run, and the method then
// deoptimises on every call.)

function storeInto(src: Float64Array, dst: Float32Array, n: number): void {
  for (let k = 0; k < n; k++) dst[k] = src[k]!;
}

function storeScaled(src: Float64Array, dst: Float32Array, n: number, scale: number): void {
  for (let k = 0; k < n; k++) dst[k] = scale * f32(src[k]!);
}

function scaleInto(src: Float32Array, so: number, dst: Float32Array, d0: number, n: number, factor: number): void {
  for (let i = 0; i < n; i++) dst[d0 + i] = src[so + i]! * factor;
}

function addInto(src: Float32Array, dst: Float32Array, n: number): void {
  for (let k = 0; k < n; k++) dst[k] = dst[k]! + src[k]!;
}

function absInto(src: Float32Array, dst: Float32Array, n: number): void {
  for (let k = 0; k < n; k++) dst[k] = Math.abs(src[k]!);
}

function squareInto(src: Float32Array, dst: Float32Array, n: number): void {
  for (let k = 0; k < n; k++) dst[k] = src[k]! * src[k]!;
}

function multiplyInto(a: Float32Array, b: Float32Array, dst: Float32Array): Float32Array {
  for (let k = 0; k < a.length; k++) dst[k] = a[k]! * b[k]!;
  return dst;
}

/** dst = the negative (sign < 0) or positive (sign > 0) part of src. */
function signPartInto(src: Float32Array, dst: Float32Array, n: number, sign: number): void {
  if (sign < 0) for (let k = 0; k < n; k++) dst[k] = src[k]! < 0 ? src[k]! : 0;
  else for (let k = 0; k < n; k++) dst[k] = src[k]! > 0 ? src[k]! : 0;
}

function rowSum(x: Float32Array, o: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += x[o + j]!;
  return f32(s);
}

function rowSquareSum(x: Float32Array, o: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += x[o + j]! * x[o + j]!;
  return s;
}

function irDropWeightedInput(inp: Float32Array, dst: Float32Array, rows: number, nIn: number): void {
  for (let a = 0; a < rows; a++) {
    const o = a * nIn;
    for (let j = 0; j < nIn; j++) dst[o + j] = inp[o + j]! * irDropInputFactor(j, nIn);
  }
}

/** out −= c(current) · ir_drop · drop, per element (aihwkit's applyIrDrop). */
function applyIrDrop(out: Float32Array, current: Float64Array, drop: Float64Array, n: number, nIn: number, gRatio: number, irDrop: number): void {
  for (let k = 0; k < n; k++) {
    const c = irDropCoefficient(f32(current[k]!), nIn, gRatio);
    out[k] = out[k]! - c * f32(irDrop * f32(drop[k]!));
  }
}

function applyVoltageOffsetsRow(out: Float32Array, o: number, n: number, vOffset: Float32Array, rSeries: number, vOffsetWMin: number, xSum: number): void {
  for (let i = 0; i < n; i++) out[o + i] = voltageOffsetOutput(out[o + i]!, vOffset[i]!, rSeries, vOffsetWMin, xSum);
}

function addScaledNoise(out: Float32Array, o: number, n: number, std: number, g: Float64Array): void {
  for (let i = 0; i < n; i++) out[o + i] = out[o + i]! + std * g[i]!;
}

function addPcmReadNoise(out: Float32Array, weightedSquares: Float64Array, o: number, n: number, wNoise: number, g: Float64Array): void {
  for (let i = 0; i < n; i++) out[o + i] = out[o + i]! + pcmReadNoiseStd(wNoise, f32(weightedSquares[o + i]!)) * g[i]!;
}

/** One input vector through the DAC stage (prepareInputValue) into inp[po ..]. */
function prepareRow(
  io: ResolvedIO,
  x: Float32Array,
  xo: number,
  inp: Float32Array,
  po: number,
  n: number,
  scale: number,
  withNoise: boolean,
  g: Float64Array,
  withRounding: boolean,
  u: Float64Array,
): void {
  const step = io.inpStep;
  const bound = io.inpBound;
  const negativeScale = io.inpNegativeScale;
  const noise = io.inpNoise;
  if (!withNoise && !withRounding) {
    for (let j = 0; j < n; j++) inp[po + j] = prepareInputValue(x[xo + j]!, scale, step, 0, bound, 0, negativeScale);
    return;
  }
  for (let j = 0; j < n; j++) {
    const shift = withRounding ? u[j]! - 0.5 : 0;
    inp[po + j] = prepareInputValue(x[xo + j]!, scale, step, shift, bound, withNoise ? noise * g[j]! : 0, negativeScale);
  }
}

/** One output vector through the ADC stage (finalizeOutputValue), clipped in place; returns aihwkit's bound test (boundTestUpdate). */
function finalizeRow(
  io: ResolvedIO,
  nl: Float32Array,
  nlFactor: number,
  out: Float32Array,
  o: number,
  n: number,
  withNoise: boolean,
  g: Float64Array,
  withRounding: boolean,
  u: Float64Array,
): boolean {
  const withNl = io.hasNLCalibration ? 1 : 0;
  const negativeScale = io.outNegativeScale;
  const noise = io.outNoise;
  const step = io.outStep;
  const bound = io.outBound;
  const testNegative = io.bmTestNegativeBound ? 1 : 0;
  let passed = 1;
  for (let i = 0; i < n; i++) {
    const v = finalizeOutputValue(
      out[o + i]!,
      withNl,
      nlFactor,
      nl[i]!,
      negativeScale,
      withNoise ? noise * g[i]! : 0,
      step,
      withRounding ? u[i]! - 0.5 : 0,
    );
    passed = boundTestUpdate(passed, v, bound, testNegative);
    out[o + i] = clipSymmetric(v, bound);
  }
  return passed === 1;
}
