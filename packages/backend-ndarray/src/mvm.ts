/**
 * The ndarray engine's MVM kernels (core's TileKernels perfectMvm and analogPass):
 * one bound-management round over the active vectors of a batch, every stage over
 * all rows at once, the MVM as one GEMM (gemm.ts). Core's tile runs the managed loop
 * around them (noise management, the rounds, the output scaling; core tile/mvm.ts);
 * the per-element formulas are core's (physics/io.ts). aihwkit v.0.7.1
 * src/rpucuda/rpu_forward_backward_pass.cpp. See docs/forward-pass.md.
 *
 * Random numbers (RandomStreamId in core rng.ts), in the pass's tile call, with `round`
 * the bound-management pass (0, 1, …; always 0 backward) and `phase` 0 for the single /
 * positive-input pass and 1 for the negative-input pass of PosNegSeparate(DigitalSum):
 *   input noise, input rounding:    sub = round,             element = row · inputSize + j
 *   output noise, output rounding:  sub = 2 · round + phase, element = row · outputSize + i
 *   weight noise:                   sub = 2 · round + phase, element = row · outputSize + i
 * (row = batch row; inputSize/outputSize of the pass: inSize/outSize forward, swapped backward).
 * Output noise and rounding of PosNegSeparate (one ADC for the sum) use phase 0.
 */
import {
  boundTestUpdate,
  clipSymmetric,
  finalizeOutputValue,
  ioPassStreams,
  irDropCoefficient,
  irDropInputFactor,
  pcmReadNoiseStd,
  prepareInputValue,
  RandomStream,
  voltageOffsetOutput,
  type AnalogPassArgs,
  type IOPassStreams,
  type MvDirection,
  type MvParameters,
  type ResolvedIO,
  type TileKernels,
  type TileSpec,
} from '@crossbar/core';
import { gemmNT, transposeInto } from './gemm.js';

/** The MVM kernels of one tile. */
export type MvmKernels = Pick<TileKernels, 'perfectMvm' | 'analogPass'>;

const f32 = Math.fround;

export function createMvm(spec: TileSpec): MvmKernels {
  const mvm = new NdarrayMvm(spec);
  return {
    perfectMvm: (direction, weights, x, batch, outScale) => mvm.perfect(direction, weights, x, batch, outScale),
    analogPass: (args) => mvm.pass(args),
  };
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

class NdarrayMvm {
  private readonly outSize: number;
  private readonly inSize: number;
  // per-call weight buffers, allocated on first need (weights may change between calls)
  private wT: Float32Array | null = null;
  private wNeg: Float32Array | null = null;
  private wNegT: Float32Array | null = null;
  private wAbs: Float32Array | null = null;
  private wNegAbs: Float32Array | null = null;
  private acc = EMPTY64;
  /** One IO pass per IO (a compound device's tile also reads through its transfer / refresh IO). */
  private readonly passes = new Map<AnalogPassArgs['io'], IOPass>();
  private current: PassWeights | null = null;

  constructor(spec: TileSpec) {
    this.outSize = spec.outSize;
    this.inSize = spec.inSize;
  }

  perfect(direction: MvDirection, w: Float32Array, x: Float32Array, batch: number, outScale: number): Float32Array {
    const forward = direction === 'forward';
    const nOut = forward ? this.outSize : this.inSize;
    const nIn = forward ? this.inSize : this.outSize;
    let b = w;
    if (!forward) {
      b = this.wT ??= new Float32Array(w.length);
      transposeInto(w, this.outSize, this.inSize, b);
    }
    const y = new Float32Array(batch * nOut);
    this.acc = grow64(this.acc, batch * nOut);
    const acc = this.acc;
    gemmNT(batch, nOut, nIn, x, 0, nIn, b, 0, nIn, acc, 0, nOut);
    if (outScale === 1) storeInto(acc, y, batch * nOut);
    else storeScaled(acc, y, batch * nOut, outScale);
    return y;
  }

  pass(args: AnalogPassArgs): void {
    let pass = this.passes.get(args.io);
    if (pass === undefined) {
      pass = new IOPass(args.io, args.nOut, args.nIn);
      this.passes.set(args.io, pass);
    }
    if (args.firstRound) this.current = this.prepare(args);
    pass.run(this.current!, args);
  }

  /** The pass's weights B, |B| and the read-asymmetric ones, in the pass's layout. */
  private prepare(args: AnalogPassArgs): PassWeights {
    const { outSize, inSize } = this;
    const w = args.weights;
    const io = args.io;
    const posNeg = io.mvType === 'PosNegSeparate' || io.mvType === 'PosNegSeparateDigitalSum';
    const needsNegative = posNeg && args.draws.wAsymmetry !== null;
    const needsAbs = io.irDrop > 0 || io.wNoiseType === 'PCMRead';
    if (args.direction === 'forward') {
      let wNeg: Float32Array | null = null;
      if (needsNegative) wNeg = multiplyInto(w, args.draws.wAsymmetry!, (this.wNeg ??= new Float32Array(w.length)));
      const wAbs = needsAbs ? absWeights(w, (this.wAbs ??= new Float32Array(w.length))) : null;
      const wNegAbs = needsAbs && wNeg !== null ? absWeights(wNeg, (this.wNegAbs ??= new Float32Array(w.length))) : null;
      return { b: w, bAbs: wAbs, bNeg: wNeg, bNegAbs: wNegAbs };
    }
    const wT = (this.wT ??= new Float32Array(w.length));
    transposeInto(w, outSize, inSize, wT);
    let wNegT: Float32Array | null = null;
    if (needsNegative) {
      // the asymmetry is in the weights' [out × in] order, as aihwkit indexes it
      const wNeg = multiplyInto(w, args.draws.wAsymmetry!, (this.wNeg ??= new Float32Array(w.length)));
      wNegT = this.wNegT ??= new Float32Array(w.length);
      transposeInto(wNeg, outSize, inSize, wNegT);
    }
    const wAbs = needsAbs ? absWeights(wT, (this.wAbs ??= new Float32Array(w.length))) : null;
    const wNegAbs = needsAbs && wNegT !== null ? absWeights(wNegT, (this.wNegAbs ??= new Float32Array(w.length))) : null;
    return { b: wT, bAbs: wAbs, bNeg: wNegT, bNegAbs: wNegAbs };
  }
}

function absWeights(src: Float32Array, dst: Float32Array): Float32Array {
  absInto(src, dst, src.length);
  return dst;
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

/** One direction's analog pass: y = f(B x) for B [nOut × nIn] over the active rows of a round. */
class IOPass {
  private readonly posNeg: boolean;
  private readonly streams: IOPassStreams;
  private readonly digitalSum: boolean;

  // the current round's arguments (core's buffers)
  private active: Int32Array = new Int32Array(0); // [active] batch row of each active row
  private rowScale: Float32Array = EMPTY32; // [active] input scale per active row
  private passed: Uint8Array = new Uint8Array(0); // [active] bound test result
  private out: Float32Array = EMPTY32; // [active × nOut] output of the (positive) pass
  private draws: MvParameters | null = null;
  private seed = 0;
  // batch-sized scratch (grown to the largest batch seen)
  private inp = EMPTY32; // [active × nIn] prepared input
  private inpPart = EMPTY32; // [active × nIn] negative or positive part of it
  private inpAux = EMPTY32; // [active × nIn] |x|, x², or IR-drop-weighted x
  private acc = EMPTY64; // [active × nOut] GEMM result
  private acc2 = EMPTY64; // [active × nOut] second GEMM (IR drop)
  private outNeg = EMPTY32; // [active × nOut] output of the negative pass
  // row-sized scratch for random numbers
  private readonly rowIn: Float64Array;
  private readonly rowInU: Float64Array;
  private readonly rowOut: Float64Array;
  private readonly rowOutU: Float64Array;
  /** The per-line non-linearities (zeros without them, so the row loop needs no null test). */
  private nl: Float32Array;

  constructor(
    readonly io: ResolvedIO,
    private readonly nOut: number,
    private readonly nIn: number,
  ) {
    this.streams = ioPassStreams(io.direction);
    this.posNeg = io.mvType === 'PosNegSeparate' || io.mvType === 'PosNegSeparateDigitalSum';
    this.digitalSum = io.mvType === 'PosNegSeparateDigitalSum';
    this.rowIn = new Float64Array(nIn);
    this.rowInU = new Float64Array(nIn);
    this.rowOut = new Float64Array(nOut);
    this.rowOutU = new Float64Array(nOut);
    this.nl = new Float32Array(nOut);
  }

  private ensure(batch: number): void {
    const { nIn, nOut } = this;
    if (this.inp.length >= batch * nIn) return;
    this.inp = grow32(this.inp, batch * nIn);
    if (this.posNeg) this.inpPart = grow32(this.inpPart, batch * nIn);
    this.acc = grow64(this.acc, batch * nOut);
    if (this.posNeg) this.outNeg = grow32(this.outNeg, batch * nOut);
    const io = this.io;
    if (io.irDrop > 0 || io.wNoiseType === 'PCMRead') this.inpAux = grow32(this.inpAux, batch * nIn);
    if (io.irDrop > 0) this.acc2 = grow64(this.acc2, batch * nOut);
  }

  /** One round (core's AnalogPassArgs): the active rows' inputs through the DAC, the array and the ADC into args.out. */
  run(w: PassWeights, args: AnalogPassArgs): void {
    this.ensure(args.nActive);
    this.active = args.active;
    this.rowScale = args.rowScale;
    this.passed = args.passed;
    this.out = args.out;
    this.seed = args.seed;
    if (this.draws !== args.draws) {
      this.draws = args.draws;
      this.nl = args.draws.outNonlinearity ?? new Float32Array(this.nOut);
    }
    this.computeRows(w, args.x, args.nActive, args.round, args.call);
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
        applyVoltageOffsetsRow(out, a * nOut, nOut, this.draws!.vOffset!, io.rSeries, io.vOffsetWMin, rowSum(inp, a * nIn, nIn));
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
      const ok = finalizeRow(io, this.nl, this.draws!.nlFactor, out, a * nOut, nOut, noise !== null, g, rounding !== null, u);
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
    const v = finalizeOutputValue(out[o + i]!, withNl, nlFactor, nl[i]!, negativeScale, withNoise ? noise * g[i]! : 0, step, withRounding ? u[i]! - 0.5 : 0);
    passed = boundTestUpdate(passed, v, bound, testNegative);
    out[o + i] = clipSymmetric(v, bound);
  }
  return passed === 1;
}
