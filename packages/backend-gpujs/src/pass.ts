/**
 * One direction's IO-managed pass over a batch on the device — the same
 * stages, in the same order, with the same random streams and elements as
 * aihwkit 0.7.1's CPU pass (rpu_forward_backward_pass.cpp) and the ndarray
 * engine (its mvm.ts): y[r] = f(B x[r]) for B = W (forward) or Wᵀ (backward).
 *
 * Per call: the noise-management value of every row (core's startManagedBatch
 * on the host, where the input already is — AverageAbsMax moves per vector, in
 * batch order); then per bound-management round, for the
 * rows still active: the prepare kernel (DAC), the analog kernel(s) (MVM,
 * non-idealities and ADC fused) and one read-back of the quantised outputs,
 * which the host bound-tests, clips and rescales. Rows that clip run again
 * with half the input; only they. Random numbers (core rng.ts, layout in its
 * RandomStreamId docs):
 *   input noise, input rounding:    sub = round,             element = row · nIn + j
 *   output noise, output rounding:  sub = 2 · round + phase, element = row · nOut + i
 *   weight noise:                   sub = 2 · round + phase, element = row · nOut + i
 */
import {
  boundManagementStops,
  clipSymmetric,
  managedInputScales,
  managedOutputFactor,
  nextBoundManagementRound,
  startManagedBatch,
  RandomStream,
  type IOPassStreams,
  type MvParameters,
  type NoiseManagementState,
  type ResolvedIO,
} from '@crossbar/core';
import type { GpuTexture, KernelResult } from './gpujs.js';
import { DeviceArray, roundUp4 } from './device.js';
import { analogSource, argumentTypesFor, prepareSource, type AnalogSpec } from './kernels/io.js';
import type { RandomSource } from './random.js';
import { keyHalves } from './kernels/philox.js';
import { scatterGroups } from './kernels/mvm.js';
import { MAX_ROWS, type Gemm } from './gemm.js';
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
  // batch-sized scratch (grown, reused)
  private nmScale = new Float32Array(0);
  private rowScale = new Float32Array(0);
  private active = new Int32Array(0);
  private passed = new Uint8Array(0);
  private passes = new Int32Array(0); // [batch] analog passes per vector in the last run
  private lastBatch = 0;

  constructor(
    private readonly scope: KernelScope,
    private readonly gemm: Gemm,
    readonly io: ResolvedIO,
    readonly draws: MvParameters,
    private readonly nOut: number,
    private readonly nIn: number,
    /** The tile's inSize (the weight row length). */
    private readonly inSize: number,
    private readonly streams: IOPassStreams,
    private readonly seed: number,
    private readonly rand: RandomSource,
    private readonly threads: boolean,
  ) {
    this.posNeg = io.mvType === 'PosNegSeparate' || io.mvType === 'PosNegSeparateDigitalSum';
    this.digitalSum = io.mvType === 'PosNegSeparateDigitalSum';
    this.gl = scope.runtime.isGl;
    this.key = keyHalves(seed);
    // per-line arrays padded to whole groups of four (zeros: no non-linearity, no offset)
    this.nl = new Float32Array(roundUp4(nOut));
    if (draws.outNonlinearity) this.nl.set(draws.outNonlinearity);
    this.vOffset = new Float32Array(roundUp4(nOut));
    if (draws.vOffset) this.vOffset.set(draws.vOffset);
  }

  /** Copies the per-line draws again (after setState replaced them). */
  refreshDraws(): void {
    this.nl.fill(0);
    if (this.draws.outNonlinearity) this.nl.set(this.draws.outNonlinearity);
    this.vOffset.fill(0);
    if (this.draws.vOffset) this.vOffset.set(this.draws.vOffset);
  }

  /** Whether this pass reads W with the read asymmetry of negative inputs. */
  get needsNegativeWeights(): boolean {
    return this.posNeg && this.draws.wAsymmetry !== null;
  }

  private ensure(batch: number): void {
    if (this.nmScale.length >= batch) return;
    this.nmScale = new Float32Array(batch);
    this.rowScale = new Float32Array(batch);
    this.active = new Int32Array(batch);
    this.passed = new Uint8Array(batch);
    this.passes = new Int32Array(batch);
  }

  /**
   * Analog passes per vector of the last run [batch] (a view of the reused buffer, valid until
   * the next run): 1 + its bound-management re-runs, 0 for a vector noise management skipped.
   */
  passCounts(): Int32Array {
    return this.passes.subarray(0, this.lastBatch);
  }

  async run(weights: PassWeights, x: Float32Array, batch: number, call: number, nm: NoiseManagementState): Promise<Float32Array> {
    const { io, nIn, nOut } = this;
    const forward = io.direction === 'forward';
    this.lastBatch = batch;
    if (io.isPerfect) {
      if (this.passes.length < batch) this.passes = new Int32Array(batch);
      this.passes.fill(1, 0, batch);
      return forward ? this.gemm.forward(weights.w, x, batch, io.outScale) : this.gemm.backward(weights.w, x, batch, io.outScale);
    }
    this.ensure(batch);
    const y = new Float32Array(batch * nOut);
    const { nmScale, rowScale, active, passed, passes } = this;
    passes.fill(0, 0, batch);

    // The management loop is core's (the same as the ndarray engine's); see io.ts.
    let nActive = startManagedBatch(io, x, batch, nIn, nm, nmScale, active);
    let reduction = 1;
    for (let round = 0; nActive > 0; round++) {
      if (round > 0) reduction = nextBoundManagementRound(io, round, reduction, x, nIn, active, nActive, nmScale, nm);
      managedInputScales(io, reduction, active, nActive, nmScale, rowScale);
      const outs = await this.computeRows(weights, x, batch, nActive, round, call);
      passed.fill(1, 0, nActive);
      for (const out of outs) this.boundTestAndClip(out, nActive);
      if (outs.length === 2) {
        const [pos, neg] = outs as [Float32Array, Float32Array];
        for (let k = 0; k < nActive * nOut; k++) pos[k] = pos[k]! + neg[k]!;
      }
      const out = outs[0]!;
      const stop = boundManagementStops(io, reduction);
      let next = 0;
      for (let a = 0; a < nActive; a++) {
        const r = active[a]!;
        passes[r] = passes[r]! + 1;
        if (!stop && passed[a] === 0) {
          active[next++] = r; // clipped: again with half the input
          continue;
        }
        const factor = managedOutputFactor(io, rowScale[a]!, nmScale[r]!);
        const yo = r * nOut;
        const oo = a * nOut;
        for (let i = 0; i < nOut; i++) y[yo + i] = out[oo + i]! * factor;
      }
      nActive = next;
    }
    return y;
  }

  /**
   * aihwkit's bound test on each active row's quantised outputs, in output order (a clip at
   * +out_bound fails the row, one at −out_bound sets the result to !bm_test_negative_bound),
   * and-ed into `passed`; clips in place.
   */
  private boundTestAndClip(out: Float32Array, nActive: number): void {
    const { io, nOut, passed } = this;
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
  private async computeRows(weights: PassWeights, x: Float32Array, batch: number, nActive: number, round: number, call: number): Promise<Float32Array[]> {
    if (nActive <= MAX_ROWS) return this.computeChunk(weights, x, batch, 0, nActive, round, call);
    // kernels write at most MAX_ROWS rows (texture height, and short draw calls): chunks of active rows
    const nOut = this.nOut;
    let outs: Float32Array[] = [];
    for (let a0 = 0; a0 < nActive; a0 += MAX_ROWS) {
      const a1 = Math.min(nActive, a0 + MAX_ROWS);
      const part = await this.computeChunk(weights, x, batch, a0, a1, round, call);
      if (outs.length === 0) outs = part.map(() => new Float32Array(nActive * nOut));
      part.forEach((p, k) => outs[k]!.set(p, a0 * nOut));
    }
    return outs;
  }

  /** computeRows for active rows [a0, a1). */
  private async computeChunk(weights: PassWeights, x: Float32Array, batch: number, a0: number, a1: number, round: number, call: number): Promise<Float32Array[]> {
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
      const r = await this.analog({ ...common, part: 'all', phase: 0, addPrev: false, finalize: true }, weights.w, xp, rowIndex, null, call, round);
      return [this.readRows(r, rows, nActive)];
    }
    // negative inputs first (through the read-asymmetric weights), then positive ones
    const wNeg = weights.wNeg ?? weights.w;
    if (this.digitalSum) {
      const neg = await this.analog({ ...common, part: 'neg', phase: 1, addPrev: false, finalize: true }, wNeg, xp, rowIndex, null, call, round);
      const negRows = this.readRows(neg, rows, nActive);
      const pos = await this.analog({ ...common, part: 'pos', phase: 0, addPrev: false, finalize: true }, weights.w, xp, rowIndex, null, call, round);
      return [this.readRows(pos, rows, nActive), negRows];
    }
    const neg = await this.analog({ ...common, part: 'neg', phase: 1, addPrev: false, finalize: false }, wNeg, xp, rowIndex, null, call, round);
    const prev = this.gl ? neg : this.readRows(neg, rows, rows);
    const pos = await this.analog({ ...common, part: 'pos', phase: 0, addPrev: true, finalize: true }, weights.w, xp, rowIndex, prev, call, round);
    return [this.readRows(pos, rows, nActive)];
  }

  /** Runs one analog kernel; its result (texture on GL, nested groups on cpu/webasm). */
  private async analog(
    spec: AnalogSpec,
    w: DeviceArray,
    xp: KernelResult,
    rowIndex: Float32Array,
    prev: KernelResult | Float32Array | null,
    call: number,
    round: number,
  ): Promise<KernelResult> {
    const { io, streams } = this;
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
      this.draws.nlFactor,
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
          asyncMode: this.threads,
          ...randTypes,
        });
    const result = await k(...args);
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
