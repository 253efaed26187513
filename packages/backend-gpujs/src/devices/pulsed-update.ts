/**
 * The pulsed update (Stochastic, StochasticCompressed, MeanCount,
 * DeterministicImplicit) of the pulsed devices on the device, with the
 * ndarray engine's semantics, streams and elements (its pulses.ts and
 * devices/pulsed.ts; every shared piece is core's, physics/update.ts):
 *
 *   host     BL, A and B per batch row (UpdateRowPlan), the row blocks
 *            (updateRowBlocks), and per row x's and d's pulse inputs
 *            (UpdateRowEncoder: the stochastic trains as 16-bit words signed
 *            with their value's sign, or the deterministic factors), uploaded.
 *   kernels  per row block one walk (kernels/pulses.ts): each device's
 *            coincidences row by row, the pulses one by one through the
 *            device's step formula, ConstantStep noise summed where
 *            summedPulsesApply allows it. The weights stay on the device.
 *
 * Cycle-to-cycle noise (RandomStreamId.UpdateStepNoise, UpdateStepNoiseSum):
 * drawn in the kernel where the mode has exact integer arithmetic and the
 * engine draws there (random 'kernel': cpu, webasm, webgl2), else filled on the
 * host with core's TableNormals and uploaded. Per-pulse noise is a list per
 * device whose length is its pulse count, known only on the device; so:
 *   ConstantStep  the walk runs with the summed noise (block and chunks) and
 *                 returns STALL for a device whose pulses must run one by one
 *                 (near a bound); only then the totals kernel counts those
 *                 devices' pulses, the host fills their lists, and a second walk
 *                 redoes them;
 *   other devices the totals kernel first, then the lists of every device with
 *                 pulses, then the walk.
 */
import {
  pulseNoiseNormals,
  RandomStreamId,
  TableNormals,
  UpdateRowEncoder,
  UpdateRowPlan,
  updateRowBlocks,
  trainWordsPerColumn,
  type PulsedDeviceKind,
  type UpdateSettings,
} from '@crossbar/core';
import type { TileContext } from '../context.js';
import { DeviceArray, roundUp4 } from '../device.js';
import { input2d, type GpuTexture, type KernelResult } from '../gpujs.js';
import { argumentTypesFor } from '../kernels/io.js';
import { keyHalves } from '../kernels/philox.js';
import { DEVICE_SCALARS, LIST_WIDTH, STALL, totalsSource, walkSource, type WalkSpec } from '../kernels/pulses.js';

/** The resident per-device arrays a walk reads. */
export interface PulsedArrays {
  maxBound: DeviceArray;
  minBound: DeviceArray;
  scaleUp: DeviceArray;
  scaleDown: DeviceArray;
  /** LinearStep / SoftBounds slopes, PowStep exponents. */
  extraUp: DeviceArray | null;
  extraDown: DeviceArray | null;
}

/** The device's scalars (DEVICE_SCALARS), float32. */
export type DeviceScalars = Record<(typeof DEVICE_SCALARS)[number], number>;

export class DevicePulsedUpdate {
  private readonly plan = new UpdateRowPlan();
  private readonly encoder: UpdateRowEncoder;
  private readonly stochastic: boolean;
  private readonly noisy: boolean;
  private readonly summed: boolean;
  private readonly pulseNoise: TableNormals;
  private readonly sumNoise: TableNormals;
  private readonly key: [number, number, number, number];
  private readonly size: number;

  constructor(
    private readonly ctx: TileContext,
    private readonly kind: PulsedDeviceKind,
    private readonly settings: UpdateSettings,
    private readonly arrays: PulsedArrays,
    private readonly scalars: DeviceScalars,
  ) {
    this.encoder = new UpdateRowEncoder(ctx.seed, ctx.inSize, ctx.outSize, settings);
    this.stochastic = this.encoder.stochastic;
    this.noisy = scalars.std > 0;
    this.summed = kind === 'ConstantStep' && this.noisy;
    this.pulseNoise = new TableNormals(ctx.seed, RandomStreamId.UpdateStepNoise);
    this.sumNoise = new TableNormals(ctx.seed, RandomStreamId.UpdateStepNoiseSum);
    this.key = keyHalves(ctx.seed);
    this.size = ctx.outSize * ctx.inSize;
  }

  /**
   * W ← W − lr·dᵀx through the device, on `target` (the weights, or the persistent weights under
   * write noise), in update call `call`. Returns each device's pulse count in the call
   * ([outSize × inSize]) when `wantTouched` (write noise redraws the devices that got pulses),
   * else null; null too when no row has pulses.
   */
  async run(target: DeviceArray, x: Float32Array, d: Float32Array, batch: number, lr: number, granularity: number, call: number, wantTouched: boolean): Promise<Float32Array | null> {
    const { inSize, outSize } = this.ctx;
    const maxBl = this.plan.compute(x, d, batch, inSize, outSize, lr, granularity, this.settings);
    if (maxBl === 0) return null;
    const blocks = updateRowBlocks(this.plan, batch, inSize, outSize);
    const words = this.stochastic ? Math.ceil(maxBl / 16) : 0;
    this.pulseNoise.begin(call);
    this.sumNoise.begin(call);
    const multi = blocks.length > 2;
    const before = this.noisy && multi ? new Float32Array(this.size) : null;
    const pulses = wantTouched ? new Float32Array(this.size) : null;
    // loops run at most a block's rows, or a row's pulses (<= BL)
    let loops = 256;
    while (loops <= maxBl) loops *= 2;
    for (let b = 0; b < blocks.length; b += 2) {
      const r0 = blocks[b]!;
      const rows = blocks[b + 1]! - r0;
      const block = this.encodeBlock(x, d, call, r0, rows, words);
      const totals = await this.block(target, block, words, call, r0, rows, before, loops, wantTouched || (before !== null && b + 2 < blocks.length));
      if (totals === null) continue;
      for (let e = 0; e < this.size; e++) {
        const n = totals[e]!;
        if (before !== null) before[e] = before[e]! + n;
        if (pulses !== null) pulses[e] = pulses[e]! + n;
      }
    }
    return pulses;
  }

  /** x's and d's pulse inputs of rows [r0, r0 + rows): X [rows·w × inSize], D [rows·w × outSize] (w = max(words, 1)). */
  private encodeBlock(x: Float32Array, d: Float32Array, call: number, r0: number, rows: number, words: number): { X: Float32Array; D: Float32Array } {
    const { inSize, outSize } = this.ctx;
    const w = Math.max(words, 1);
    const X = new Float32Array(rows * w * inSize);
    const D = new Float32Array(rows * w * outSize);
    const enc = this.encoder;
    for (let rr = 0; rr < rows; rr++) {
      const r = r0 + rr;
      const bl = enc.encode(call, this.plan, x, d, r);
      if (bl === 0) continue;
      if (!this.stochastic) {
        X.set(enc.xFactors, rr * inSize);
        D.set(enc.dFactors, rr * outSize);
        continue;
      }
      const wpc = trainWordsPerColumn(bl);
      spread(enc.xMasks, x, r * inSize, inSize, wpc, words, X, rr * words);
      spread(enc.dMasks, d, r * outSize, outSize, wpc, words, D, rr * words);
    }
    return { X, D };
  }

  /**
   * One row block on the device. Returns the block's pulses per device when `needTotals` or
   * when the walk needed them for its noise lists, else null.
   */
  private async block(
    target: DeviceArray,
    data: { X: Float32Array; D: Float32Array },
    words: number,
    call: number,
    r0: number,
    rows: number,
    before: Float32Array | null,
    loops: number,
    needTotals: boolean,
  ): Promise<Float32Array | null> {
    const { inSize, outSize } = this.ctx;
    const w = Math.max(words, 1);
    const X = this.matrix(data.X, inSize, rows * w);
    const D = this.matrix(data.D, outSize, rows * w);
    const inKernel = this.ctx.rand === 'kernel';
    const base: Omit<WalkSpec, 'perPulse'> = {
      layout: this.ctx.scope.runtime.isGl ? 'packed4' : 'flat',
      inSize,
      outSize,
      words,
      device: this.kind,
      summed: this.summed,
      sums: inKernel ? 'kernel' : 'upload',
      before: before !== null,
      flatIndex: this.flatIndex,
    };
    const common = { target, X, D, rows, r0, call, before, loops };
    let totals: Float32Array | null = null;
    const counts = async (): Promise<Float32Array> => (totals ??= await this.totals(X, D, words, rows, loops));
    if (!this.noisy || inKernel) {
      const out = await this.walk({ ...base, perPulse: this.noisy ? 'kernel' : 'none' }, common, null);
      this.commit(target, out);
      return needTotals ? counts() : null;
    }
    const sums = this.summed ? this.sums(r0, rows) : null;
    let prev: KernelResult | null = null;
    let listed: (e: number) => boolean = () => true;
    if (this.summed) {
      prev = await this.walk({ ...base, perPulse: 'stall' }, common, sums);
      const got = this.read(prev);
      const stalled: number[] = [];
      for (let e = 0; e < this.size; e++) if (got[e]! <= STALL * 0.5) stalled.push(e);
      if (stalled.length === 0) {
        this.commit(target, prev);
        return needTotals ? counts() : null;
      }
      const marks = new Uint8Array(this.size);
      for (const e of stalled) marks[e] = 1;
      listed = (e) => marks[e] === 1;
    }
    const n = await counts();
    const lists = this.lists(n, before, listed);
    const out = await this.walk({ ...base, perPulse: 'list' }, { ...common, prev: prev ?? target.data }, sums, lists);
    if (prev !== null) this.free(prev);
    this.commit(target, out);
    return n;
  }

  /** The summed noise of a block and its chunks, [9 × devices]: row 0 sub 2·r0, row 1 + c sub 2·(r0 + 32c) + 1 (UpdateStepNoiseSum). */
  private sums(r0: number, rows: number): unknown {
    const size = this.size;
    const out = new Float32Array(9 * size);
    this.sumNoise.fill(2 * r0, 0, out.subarray(0, size));
    for (let c = 0; 32 * c < rows; c++) this.sumNoise.fill(2 * (r0 + 32 * c) + 1, 0, out.subarray((1 + c) * size, (2 + c) * size));
    return this.matrix(out, size, 9);
  }

  /**
   * The per-pulse noise lists of the devices `listed` marks that have pulses in the block:
   * numbers before[e] … before[e] + n[e] − 1 of sub e (UpdateStepNoise), laid out in rows of
   * LIST_WIDTH; offY[e] < 0 for the others.
   */
  private lists(n: Float32Array, before: Float32Array | null, listed: (e: number) => boolean): { offY: Float32Array; offX: Float32Array; noise: unknown } {
    const size = this.size;
    const offY = new Float32Array(size).fill(-1);
    const offX = new Float32Array(size);
    let total = 0;
    for (let e = 0; e < size; e++) if (n[e]! > 0 && listed(e)) total += n[e]!;
    const height = Math.max(1, Math.ceil(total / LIST_WIDTH));
    const noise = new Float32Array(height * LIST_WIDTH);
    let o = 0;
    for (let e = 0; e < size; e++) {
      const count = n[e]!;
      if (!(count > 0) || !listed(e)) continue;
      offY[e] = Math.floor(o / LIST_WIDTH);
      offX[e] = o % LIST_WIDTH;
      this.pulseNoise.fill(e, before === null ? 0 : before[e]!, noise.subarray(o, o + count));
      o += count;
    }
    return { offY, offX, noise: this.matrix(noise, LIST_WIDTH, height) };
  }

  /** Runs a walk; its result (a texture on GL, the flat array on cpu/webasm). */
  private async walk(
    spec: WalkSpec,
    c: { target: DeviceArray; X: unknown; D: unknown; rows: number; r0: number; call: number; before: Float32Array | null; loops: number; prev?: unknown },
    sums: unknown,
    lists?: { offY: Float32Array; offX: Float32Array; noise: unknown },
  ): Promise<KernelResult> {
    const src = walkSource(spec);
    const a = this.arrays;
    const values: Record<string, unknown> = {
      w: c.target.data,
      lo: a.minBound.data,
      hi: a.maxBound.data,
      su: a.scaleUp.data,
      sd: a.scaleDown.data,
      ea: a.extraUp?.data,
      eb: a.extraDown?.data,
      prev: c.prev,
      X: c.X,
      D: c.D,
      rows: c.rows,
      r0: c.r0,
      ...this.scalars,
      sums,
      before: c.before,
      offY: lists?.offY,
      offX: lists?.offX,
      noise: lists?.noise,
      k0h: this.key[0],
      k0l: this.key[1],
      k1h: this.key[2],
      k1l: this.key[3],
      call: c.call,
      table: pulseNoiseNormals(),
    };
    return this.launch(src.source, src.args, values, c.target.rowsAlloc, c.loops, 'pulsed update');
  }

  /** Each device's pulses in the block ([outSize × inSize]). */
  private async totals(X: unknown, D: unknown, words: number, rows: number, loops: number): Promise<Float32Array> {
    const { inSize, outSize } = this.ctx;
    const src = totalsSource({ layout: this.ctx.scope.runtime.isGl ? 'packed4' : 'flat', inSize, outSize, words, flatIndex: this.flatIndex });
    const result = await this.launch(src.source, src.args, { X, D, rows }, roundUp4(outSize), loops, 'pulse totals');
    const out = this.read(result);
    this.free(result);
    return out;
  }

  private async launch(source: string, args: string[], values: Record<string, unknown>, rowsAlloc: number, loops: number, what: string): Promise<KernelResult> {
    const { scope, inSize, threads } = this.ctx;
    const rt = scope.runtime;
    const callArgs = args.map((n) => {
      const v = values[n];
      if (v === undefined || v === null) throw new Error(`gpujs: pulsed update kernel argument ${n} is missing`);
      return v;
    });
    const settings: Record<string, unknown> = rt.isGl
      ? { output: [Math.ceil(inSize / 4), rowsAlloc], pipeline: true, immutable: true, returnType: 'Array(4)' }
      : { output: [rowsAlloc * roundUp4(inSize)], asyncMode: threads };
    settings.loopMaxIterations = loops;
    settings.dynamicArguments = true;
    settings.argumentTypes = argumentTypesFor(rt.mode, args, callArgs);
    const k = scope.kernel(source, settings);
    const result = await k(...callArgs);
    rt.assertMode(k, what);
    return result;
  }

  /** cpu mode reads row-major host arrays with a flat index (kernels/pulses.ts WalkSpec.flatIndex). */
  private get flatIndex(): boolean {
    return this.ctx.scope.runtime.mode === 'cpu';
  }

  /** A row-major kernel argument `width` × `height`: the array itself (flat index) or a 2D Input. */
  private matrix(data: Float32Array, width: number, height: number): unknown {
    return this.flatIndex ? data : input2d(data, width, height);
  }

  /** A walk's or the totals' result as [outSize × inSize] on the host. */
  private read(result: KernelResult): Float32Array {
    const { outSize, inSize, scope } = this.ctx;
    const rt = scope.runtime;
    const out = new Float32Array(outSize * inSize);
    if (rt.isGl) return new DeviceArray(rt, outSize, inSize, roundUp4(outSize), result as GpuTexture, false).download(out);
    const flat = result as Float32Array;
    const stride = roundUp4(inSize);
    for (let i = 0; i < outSize; i++) out.set(flat.subarray(i * stride, i * stride + inSize), i * inSize);
    return out;
  }

  /** `result` becomes the target's data. */
  private commit(target: DeviceArray, result: KernelResult): void {
    if (this.ctx.scope.runtime.isGl) target.replace(result as GpuTexture);
    else target.host.set(result as Float32Array);
  }

  private free(result: KernelResult): void {
    if (this.ctx.scope.runtime.isGl) (result as GpuTexture).delete();
  }
}

/**
 * One row's trains (32-bit masks per column, wpc of them) as `words` 16-bit words per column,
 * signed with the column's value: out[(wordRow + q)·n + col] = ±bits 16q … 16q + 15.
 */
function spread(masks: Int32Array, v: Float32Array, offset: number, n: number, wpc: number, words: number, out: Float32Array, wordRow: number): void {
  for (let j = 0; j < n; j++) {
    const sign = v[offset + j]! < 0 ? -1 : 1;
    for (let q = 0; q < words; q++) {
      const m = (q >> 1) < wpc ? masks[j * wpc + (q >> 1)]! : 0;
      const bits = (q & 1) === 0 ? m & 65535 : m >>> 16;
      if (bits !== 0) out[(wordRow + q) * n + j] = sign * bits;
    }
  }
}
