/**
 * One bound-management round of a direction's IO-managed pass on the device
 * (core's analogPass kernel, kernels.ts AnalogPassArgs): the same stages, in
 * the same order, with the same random streams and elements as aihwkit
 * 0.7.1's CPU pass (rpu_forward_backward_pass.cpp) and the ndarray engine:
 * y[a] = f(B x[active[a]]) for B = W (forward) or Wᵀ (backward). Core's tile
 * runs the management loop around it (noise management, the rounds, the
 * output scaling).
 *
 * Per round, for the active rows: the prepare kernel (DAC), the analog
 * kernel(s) (MVM, non-idealities and ADC fused) and one read-back of the
 * quantised outputs, which the host bound-tests and clips. Random numbers
 * (core rng.ts, layout in its RandomStreamId docs):
 *   input noise, input rounding:    sub = round,             element = row · nIn + j
 *   output noise, output rounding:  sub = 2 · round + phase, element = row · nOut + i
 *   weight noise:                   sub = 2 · round + phase, element = row · nOut + i
 */
import { clipSymmetric, RandomStream, type AnalogPassArgs, type IOPassStreams, type MvParameters, type ResolvedIO } from '@crossbar/core';
import type { GpuTexture, KernelResult } from './gpujs.js';
import { DeviceArray, roundUp4 } from './device.js';
import { analogSource, argumentTypesFor, prepareSource, type AnalogSpec } from './kernels/io.js';
import type { RandomSource } from './random.js';
import { keyHalves } from './kernels/philox.js';
import { scatterGroups } from './kernels/mvm.js';
import { MAX_ROWS } from './gemm.js';
import type { KernelScope } from './scope.js';

/** The weights of one pass: W, and W with the read asymmetry of negative inputs (PosNeg), resident. */
export interface PassWeights {
  w: DeviceArray;
  wNeg: DeviceArray | null;
}

export class DevicePass {
  private readonly posNeg: boolean;
  private readonly digitalSum: boolean;
  private readonly gl: boolean;
  private readonly key: [number, number, number, number];
  private readonly nl: Float32Array;
  private readonly vOffset: Float32Array;
  private draws: MvParameters | null = null;
  // the current round's arguments (core's buffers)
  private active: Int32Array = new Int32Array(0);
  private rowScale: Float32Array = new Float32Array(0);

  constructor(
    private readonly scope: KernelScope,
    readonly io: ResolvedIO,
    private readonly nOut: number,
    private readonly nIn: number,
    /** The tile's inSize (the weight row length). */
    private readonly inSize: number,
    private readonly streams: IOPassStreams,
    private readonly seed: number,
    private readonly rand: RandomSource,
  ) {
    this.posNeg = io.mvType === 'PosNegSeparate' || io.mvType === 'PosNegSeparateDigitalSum';
    this.digitalSum = io.mvType === 'PosNegSeparateDigitalSum';
    this.gl = scope.runtime.isGl;
    this.key = keyHalves(seed);
    // per-line arrays padded to whole groups of four (zeros: no non-linearity, no offset)
    this.nl = new Float32Array(roundUp4(nOut));
    this.vOffset = new Float32Array(roundUp4(nOut));
  }

  /** Copies the per-line draws (core's, which setState may replace in place) into the padded arrays. */
  private refreshDraws(draws: MvParameters): void {
    this.draws = draws;
    this.nl.fill(0);
    if (draws.outNonlinearity) this.nl.set(draws.outNonlinearity);
    this.vOffset.fill(0);
    if (draws.vOffset) this.vOffset.set(draws.vOffset);
  }

  /** One round (AnalogPassArgs): writes the clipped outputs of the active rows and their bound test. */
  run(args: AnalogPassArgs, weights: PassWeights): void {
    if (args.firstRound || this.draws !== args.draws) this.refreshDraws(args.draws);
    const { x, nActive, round, call, out, passed } = args;
    this.active = args.active;
    this.rowScale = args.rowScale;
    const outs = this.computeRows(weights, x, x.length / this.nIn, nActive, round, call);
    passed.fill(1, 0, nActive);
    for (const o of outs) this.boundTestAndClip(o, nActive, passed);
    const n = nActive * this.nOut;
    if (outs.length === 2) {
      const [pos, neg] = outs as [Float32Array, Float32Array];
      for (let k = 0; k < n; k++) out[k] = pos[k]! + neg[k]!;
    } else {
      out.set(outs[0]!.subarray(0, n));
    }
  }

  /**
   * aihwkit's bound test on each active row's quantised outputs, in output order (a clip at
   * +out_bound fails the row, one at −out_bound sets the result to !bm_test_negative_bound),
   * and-ed into `passed`; clips in place.
   */
  private boundTestAndClip(out: Float32Array, nActive: number, passed: Uint8Array): void {
    const { io, nOut } = this;
    const bound = io.outBound;
    const testNegative = io.bmTestNegativeBound;
    const bm = io.boundManagement !== 'None';
    for (let a = 0; a < nActive; a++) {
      let ok = true;
      const o = a * nOut;
      for (let i = 0; i < nOut; i++) {
        const v = out[o + i]!;
        if (v > bound) ok = false;
        else if (v < -bound) ok = !testNegative;
        out[o + i] = clipSymmetric(v, bound);
      }
      if (bm && !ok) passed[a] = 0;
    }
  }

  /** Rows a kernel computes for n active rows: the batch, else the next power of two (few kernel variants). */
  private bucket(n: number, batch: number): number {
    if (n >= batch) return batch;
    let b = 1;
    while (b < n) b *= 2;
    return Math.min(b, batch);
  }

  /** The quantised, unclipped outputs [nActive × nOut] of the active rows: one array, or two (digital sum: pos, neg). */
  private computeRows(weights: PassWeights, x: Float32Array, batch: number, nActive: number, round: number, call: number): Float32Array[] {
    if (nActive <= MAX_ROWS) return this.computeChunk(weights, x, batch, 0, nActive, round, call);
    // kernels write at most MAX_ROWS rows (texture height, and short draw calls): chunks of active rows
    const nOut = this.nOut;
    let outs: Float32Array[] = [];
    for (let a0 = 0; a0 < nActive; a0 += MAX_ROWS) {
      const a1 = Math.min(nActive, a0 + MAX_ROWS);
      const part = this.computeChunk(weights, x, batch, a0, a1, round, call);
      if (outs.length === 0) outs = part.map(() => new Float32Array(nActive * nOut));
      part.forEach((p, k) => outs[k]!.set(p, a0 * nOut));
    }
    return outs;
  }

  /** computeRows for active rows [a0, a1). */
  private computeChunk(weights: PassWeights, x: Float32Array, batch: number, a0: number, a1: number, round: number, call: number): Float32Array[] {
    const { io, nIn, nOut, streams } = this;
    const nActive = a1 - a0;
    const rows = this.bucket(nActive, Math.min(batch, MAX_ROWS));
    const rowIndex = new Float32Array(rows).fill(-1);
    const rowScale = new Float32Array(rows);
    for (let a = 0; a < nActive; a++) {
      rowIndex[a] = this.active[a0 + a]!;
      rowScale[a] = this.rowScale[a0 + a]!;
    }
    const upload = this.rand === 'upload';
    const keyArgs = [...this.key, call, round];
    const mode = this.scope.runtime.mode;

    // ---- prepare (DAC)
    const inNoise = io.inpNoise > 0;
    const inRounding = io.inpStoRound && io.inpStep !== 0;
    const prep = prepareSource({
      layout: this.gl ? 'packed4' : 'flat',
      nIn,
      rows,
      noise: inNoise,
      rounding: inRounding,
      rand: this.rand,
      noiseStream: streams.inputNoise,
      roundingStream: streams.inputRounding,
    });
    const prepArgs: unknown[] = [x, rowIndex, rowScale, io.inpStep, io.inpBound, io.inpNegativeScale, io.inpNoise];
    if (upload) {
      if (inNoise) prepArgs.push(this.fill(true, streams.inputNoise, call, round, nIn, rows, rowIndex));
      if (inRounding) prepArgs.push(this.fill(false, streams.inputRounding, call, round, nIn, rows, rowIndex));
    } else if (inNoise || inRounding) prepArgs.push(...keyArgs);
    const randTypes = !upload && (inNoise || inRounding) ? { argumentTypes: argumentTypesFor(mode, prep.args, prepArgs) } : {};
    // x is the whole batch: its length varies between calls that share a row bucket
    const prepKernel = this.gl
      ? this.scope.kernel(prep.source, { output: [Math.ceil(nIn / 4), rows], pipeline: true, returnType: 'Array(4)', dynamicArguments: true, ...randTypes })
      : this.scope.kernel(prep.source, { output: [rows * roundUp4(nIn)], dynamicArguments: true, ...randTypes });
    const xp = prepKernel(...prepArgs);
    this.scope.runtime.assertMode(prepKernel, 'prepare');

    // ---- analog read(s) + ADC
    const common = {
      layout: this.gl ? ('packed4' as const) : ('flat' as const),
      direction: io.direction,
      nIn,
      nOut,
      rows,
      weightStride: roundUp4(this.inSize),
      irDrop: io.irDrop > 0,
      voltageOffsets: io.hasVoltageOffsets,
      wNoise: io.wNoiseType === 'None' ? ('None' as const) : (io.wNoiseType as 'AdditiveConstant' | 'PCMRead'),
      withNl: io.hasNLCalibration,
      outNoise: io.outNoise > 0,
      outRounding: io.outStoRound && io.outStep !== 0,
      rand: this.rand,
      weightNoiseStream: streams.weightNoise,
      outputNoiseStream: streams.outputNoise,
      outputRoundingStream: streams.outputRounding,
    };
    if (!this.posNeg) {
      const r = this.analog({ ...common, part: 'all', phase: 0, addPrev: false, finalize: true }, weights.w, xp, rowIndex, null, call, round);
      return [this.readRows(r, rows, nActive)];
    }
    // negative inputs first (through the read-asymmetric weights), then positive ones
    const wNeg = weights.wNeg ?? weights.w;
    if (this.digitalSum) {
      const neg = this.analog({ ...common, part: 'neg', phase: 1, addPrev: false, finalize: true }, wNeg, xp, rowIndex, null, call, round);
      const negRows = this.readRows(neg, rows, nActive);
      const pos = this.analog({ ...common, part: 'pos', phase: 0, addPrev: false, finalize: true }, weights.w, xp, rowIndex, null, call, round);
      return [this.readRows(pos, rows, nActive), negRows];
    }
    const neg = this.analog({ ...common, part: 'neg', phase: 1, addPrev: false, finalize: false }, wNeg, xp, rowIndex, null, call, round);
    const prev = this.gl ? neg : this.readRows(neg, rows, rows);
    const pos = this.analog({ ...common, part: 'pos', phase: 0, addPrev: true, finalize: true }, weights.w, xp, rowIndex, prev, call, round);
    return [this.readRows(pos, rows, nActive)];
  }

  /** Runs one analog kernel; its result (texture on GL, nested groups on cpu/webasm). */
  private analog(
    spec: AnalogSpec,
    w: DeviceArray,
    xp: KernelResult,
    rowIndex: Float32Array,
    prev: KernelResult | Float32Array | null,
    call: number,
    round: number,
  ): KernelResult {
    const { io, streams } = this;
    const draws = this.draws!;
    const src = analogSource(spec);
    const args: unknown[] = [
      w.data,
      xp,
      rowIndex,
      io.irDrop,
      io.irDropGRatio,
      io.rSeries,
      io.vOffsetWMin,
      io.wNoise,
      draws.nlFactor,
      io.outNegativeScale,
      io.outNoise,
      io.outStep,
      this.vOffset,
      this.nl,
    ];
    if (spec.addPrev) args.push(prev);
    const needW = spec.wNoise !== 'None';
    const sub = 2 * round + spec.phase;
    const upload = this.rand === 'upload';
    const anyRand = needW || (spec.finalize && (spec.outNoise || spec.outRounding));
    if (upload) {
      if (needW) args.push(this.fill(true, streams.weightNoise, call, sub, this.nOut, spec.rows, rowIndex));
      if (spec.finalize && spec.outNoise) args.push(this.fill(true, streams.outputNoise, call, sub, this.nOut, spec.rows, rowIndex));
      if (spec.finalize && spec.outRounding) args.push(this.fill(false, streams.outputRounding, call, sub, this.nOut, spec.rows, rowIndex));
    } else if (anyRand) args.push(...this.key, call, round);
    const randTypes = !upload && anyRand ? { argumentTypes: argumentTypesFor(this.scope.runtime.mode, src.args, args) } : {};
    const k = this.gl
      ? this.scope.kernel(src.source, { output: [Math.ceil(this.nOut / 4), spec.rows], pipeline: true, returnType: 'Array(4)', ...randTypes })
      : this.scope.kernel(src.source, {
          output: [spec.rows, Math.ceil(this.nOut / 4)],
          returnType: 'Array(4)',
          ...randTypes,
        });
    const result = k(...args);
    this.scope.runtime.assertMode(k, 'analog');
    return result;
  }

  /** The first n rows [n × nOut] of a kernel result. */
  private readRows(result: KernelResult, rows: number, n: number): Float32Array {
    const out = new Float32Array(n * this.nOut);
    if (this.gl) return new DeviceArray(this.scope.runtime, n, this.nOut, rows, result as GpuTexture, false).download(out);
    if (n === rows) return scatterGroups(result as Float32Array[][], rows, this.nOut, out);
    const all = scatterGroups(result as Float32Array[][], rows, this.nOut, new Float32Array(rows * this.nOut));
    out.set(all.subarray(0, n * this.nOut));
    return out;
  }

  /** Uploaded random numbers [rows × width] of the kernel's rows: element row · width + k of (stream, call, sub). */
  private fill(normal: boolean, streamId: number, call: number, sub: number, width: number, rows: number, rowIndex: Float32Array): Float32Array {
    const buf = new Float32Array(rows * width);
    const stream = new RandomStream(this.seed, streamId, call, sub);
    for (let a = 0; a < rows; a++) {
      const row = rowIndex[a]!;
      if (row < 0) break;
      const part = buf.subarray(a * width, (a + 1) * width);
      if (normal) stream.fillNormal(part, row * width);
      else stream.fillUniform(part, row * width);
    }
    return buf;
  }
}
