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
  type ExpStepDevice,
  type LinearStepDevice,
  type PiecewiseStepDevice,
  type SoftBoundsReferenceDevice,
  type PulsedDevice,
  type PulsedDeviceKind,
  type UpdateSettings,
} from '@crossbar/core';
import type { GpuTileContext } from '../context.js';
import { DeviceArray, roundUp4 } from '../device.js';
import { input2d, type GpuTexture, type KernelResult } from '../gpujs.js';
import { argumentTypesFor } from '../kernels/io.js';
import { keyHalves } from '../kernels/philox.js';
import { DEVICE_SCALARS, LIST_WIDTH, STALL, totalsSource, walkSource, type WalkSpec } from '../kernels/pulses.js';
import { coincidenceCounting, popcount16 } from '../kernels/bits.js';

/** The resident per-device arrays a walk reads. */
export interface PulsedArrays {
  maxBound: DeviceArray;
  minBound: DeviceArray;
  scaleUp: DeviceArray;
  scaleDown: DeviceArray;
  /** LinearStep / SoftBounds slopes, PowStep (PowStepReference) exponents. */
  extraUp: DeviceArray | null;
  extraDown: DeviceArray | null;
  /** SoftBoundsReference / PowStepReference: the reference conductances. */
  reference: DeviceArray | null;
}

/** PiecewiseStep's nodes (float32, as aihwkit stores them). */
interface PiecewiseNodes {
  pwUp: Float32Array;
  pwDown: Float32Array;
  /** Nodes − 1. */
  pwSections: number;
}

/** The device's scalars (DEVICE_SCALARS), float32. */
export type DeviceScalars = Record<(typeof DEVICE_SCALARS)[number], number>;

export class DevicePulsedUpdate {
  private readonly encoder: UpdateRowEncoder;
  private readonly stochastic: boolean;
  private readonly noisy: boolean;
  private readonly summed: boolean;
  private readonly pulseNoise: TableNormals;
  private readonly sumNoise: TableNormals;
  private readonly key: [number, number, number, number];
  private readonly scalars: DeviceScalars;
  private readonly size: number;
  private readonly nodes: PiecewiseNodes | null;
  /** The row plan of the running call (core's). */
  private plan!: UpdateRowPlan;
  /** The device's resident arrays of the running call. */
  private arrays!: PulsedArrays;

  constructor(
    private readonly ctx: GpuTileContext,
    private readonly kind: PulsedDeviceKind,
    device: PulsedDevice,
    settings: UpdateSettings,
    /** The seed of the update's streams (core's PulsedUpdateArgs.seed: a compound's device has its own). */
    seed: number,
  ) {
    this.scalars = deviceScalars(device, kind);
    this.encoder = new UpdateRowEncoder(seed, ctx.inSize, ctx.outSize, settings);
    this.stochastic = this.encoder.stochastic;
    this.noisy = this.scalars.std > 0;
    this.summed = kind === 'ConstantStep' && this.noisy;
    this.pulseNoise = new TableNormals(seed, RandomStreamId.UpdateStepNoise);
    this.sumNoise = new TableNormals(seed, RandomStreamId.UpdateStepNoiseSum);
    this.key = keyHalves(seed);
    this.size = ctx.outSize * ctx.inSize;
    if (kind === 'PiecewiseStep') {
      const pw = device as PiecewiseStepDevice;
      this.nodes = { pwUp: Float32Array.from(pw.piecewiseUp), pwDown: Float32Array.from(pw.piecewiseDown), pwSections: pw.piecewiseUp.length - 1 };
    } else this.nodes = null;
  }

  /**
   * W ← W − lr·dᵀx through the device, on `target` (the weights, or the persistent weights under
   * write noise), in update call `call`, with core's row plan of the call. Returns each device's
   * pulse count in the call ([outSize × inSize]) when `wantTouched` (write noise redraws the
   * devices that got pulses), else null; null too when no row has pulses.
   */
  run(
    target: DeviceArray,
    arrays: PulsedArrays,
    plan: UpdateRowPlan,
    x: Float32Array,
    d: Float32Array,
    batch: number,
    call: number,
    wantTouched: boolean,
  ): Float32Array | null {
    const { inSize, outSize } = this.ctx;
    let maxBl = 0;
    for (let r = 0; r < batch; r++) maxBl = Math.max(maxBl, plan.bl[r]!);
    if (maxBl === 0) return null;
    this.plan = plan;
    this.arrays = arrays;
    const blocks = updateRowBlocks(plan, batch, inSize, outSize);
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
      const block = this.encodeBlock(x, d, call, r0, rows);
      const totals = this.block(target, block, call, r0, before, loops, wantTouched || (before !== null && b + 2 < blocks.length));
      if (totals === null) continue;
      for (let e = 0; e < this.size; e++) {
        const n = totals[e]!;
        if (before !== null) before[e] = before[e]! + n;
        if (pulses !== null) pulses[e] = pulses[e]! + n;
      }
    }
    return pulses;
  }

  /**
   * x's and d's pulse inputs of rows [r0, r0 + rows) (kernels/pulses.ts): stochastic, the trains
   * row-sliced, [G·(K+1) × size] for G = ⌈rows/16⌉ groups and K the block's largest BL;
   * deterministic, the factors [rows × size].
   */
  private encodeBlock(x: Float32Array, d: Float32Array, call: number, r0: number, rows: number): Block {
    const { inSize, outSize } = this.ctx;
    const enc = this.encoder;
    if (!this.stochastic) {
      const height = paddedHeight(rows);
      const X = new Float32Array(height * inSize);
      const D = new Float32Array(height * outSize);
      for (let rr = 0; rr < rows; rr++) {
        if (enc.encode(call, this.plan, x, d, r0 + rr) === 0) continue;
        X.set(enc.xFactors, rr * inSize);
        D.set(enc.dFactors, rr * outSize);
      }
      return { X, D, rows, units: rows, K: 1, width: 1, height };
    }
    let K = 1;
    for (let r = r0; r < r0 + rows; r++) K = Math.max(K, this.plan.bl[r]!);
    const groups = Math.ceil(rows / 16);
    const height = paddedHeight(groups * (K + 1));
    const X = new Float32Array(height * inSize);
    const D = new Float32Array(height * outSize);
    for (let rr = 0; rr < rows; rr++) {
      const r = r0 + rr;
      const bl = enc.encode(call, this.plan, x, d, r);
      if (bl === 0) continue;
      const g = rr >> 4;
      const bit = 1 << (rr & 15);
      slice(enc.xMasks, x, r * inSize, inSize, bl, K, g, bit, X);
      slice(enc.dMasks, d, r * outSize, outSize, bl, K, g, bit, D);
    }
    return { X, D, rows, units: groups, K, width: K + 1, height };
  }

  /**
   * One row block on the device. Returns the block's pulses per device when `needTotals` or
   * when the walk needed them for its noise lists, else null.
   */
  private block(target: DeviceArray, data: Block, call: number, r0: number, before: Float32Array | null, loops: number, needTotals: boolean): Float32Array | null {
    const { inSize, outSize } = this.ctx;
    const X = this.matrix(data.X, inSize, data.height);
    const D = this.matrix(data.D, outSize, data.height);
    const inKernel = this.ctx.rand === 'kernel';
    const base: Omit<WalkSpec, 'perPulse'> = {
      layout: this.ctx.scope.runtime.isGl ? 'packed4' : 'flat',
      inSize,
      outSize,
      sliced: this.stochastic,
      bits: coincidenceCounting(this.ctx.scope.runtime.mode),
      device: this.kind,
      summed: this.summed,
      sums: inKernel ? 'kernel' : 'upload',
      before: before !== null,
      flatIndex: this.flatIndex,
    };
    const common = { target, X, D, units: data.units, K: data.K, r0, call, before, loops };
    let totals: Float32Array | null = null;
    // the row-sliced trains are counted on the host (a few bit operations per 16 rows: cheaper than a
    // kernel and its read-back); the deterministic factors by the totals kernel
    const counts = (only?: Uint8Array): Float32Array =>
      (totals ??= this.stochastic ? slicedTotals(data, inSize, outSize, only) : this.totals(X, D, data.units, data.K, loops));
    if (!this.noisy || inKernel) {
      const out = this.walk({ ...base, perPulse: this.noisy ? 'kernel' : 'none' }, common, null);
      this.commit(target, out);
      return needTotals ? counts() : null;
    }
    const sums = this.summed ? this.sums(r0, data.rows) : null;
    let prev: KernelResult | null = null;
    let listed: (e: number) => boolean = () => true;
    let marks: Uint8Array | null = null;
    if (this.summed) {
      prev = this.walk({ ...base, perPulse: 'stall' }, common, sums);
      const got = this.read(prev);
      const stalled: number[] = [];
      for (let e = 0; e < this.size; e++) if (got[e]! <= STALL * 0.5) stalled.push(e);
      if (stalled.length === 0) {
        this.commit(target, prev);
        return needTotals ? counts() : null;
      }
      const m = new Uint8Array(this.size);
      for (const e of stalled) m[e] = 1;
      marks = m;
      listed = (e) => m[e] === 1;
    }
    // the lists need the counts of the listed devices only, unless later blocks or write noise need all
    const n = counts(needTotals ? undefined : (marks ?? undefined));
    const lists = this.lists(n, before, listed);
    const out = this.walk({ ...base, perPulse: 'list' }, { ...common, prev: prev ?? target.data }, sums, lists);
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
    const height = paddedHeight(Math.ceil(total / LIST_WIDTH));
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
  private walk(
    spec: WalkSpec,
    c: { target: DeviceArray; X: unknown; D: unknown; units: number; K: number; r0: number; call: number; before: Float32Array | null; loops: number; prev?: unknown },
    sums: unknown,
    lists?: { offY: Float32Array; offX: Float32Array; noise: unknown },
  ): KernelResult {
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
      rf: a.reference?.data,
      prev: c.prev,
      X: c.X,
      D: c.D,
      units: c.units,
      K: c.K,
      r0: c.r0,
      ...this.scalars,
      ...this.nodes,
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
  private totals(X: unknown, D: unknown, units: number, K: number, loops: number): Float32Array {
    const { inSize, outSize } = this.ctx;
    const src = totalsSource({
      layout: this.ctx.scope.runtime.isGl ? 'packed4' : 'flat',
      inSize,
      outSize,
      sliced: this.stochastic,
      bits: coincidenceCounting(this.ctx.scope.runtime.mode),
      flatIndex: this.flatIndex,
    });
    const result = this.launch(src.source, src.args, { X, D, units, K }, roundUp4(outSize), loops, 'pulse totals');
    const out = this.read(result);
    this.free(result);
    return out;
  }

  private launch(source: string, args: string[], values: Record<string, unknown>, rowsAlloc: number, loops: number, what: string): KernelResult {
    const { scope, inSize } = this.ctx;
    const rt = scope.runtime;
    const callArgs = args.map((n) => {
      const v = values[n];
      if (v === undefined || v === null) throw new Error(`gpujs: pulsed update kernel argument ${n} is missing`);
      return v;
    });
    const settings: Record<string, unknown> = rt.isGl
      ? { output: [Math.ceil(inSize / 4), rowsAlloc], pipeline: true, immutable: true, returnType: 'Array(4)' }
      : { output: [rowsAlloc * roundUp4(inSize)] };
    settings.loopMaxIterations = loops;
    settings.dynamicArguments = true;
    settings.argumentTypes = argumentTypesFor(rt.mode, args, callArgs);
    const k = scope.kernel(source, settings);
    const result = k(...callArgs);
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

/** One block's pulse inputs (PulsedUpdate.encodeBlock). */
interface Block {
  X: Float32Array;
  D: Float32Array;
  rows: number;
  /** Groups of 16 rows (stochastic) or rows (deterministic). */
  units: number;
  /** Bits per train (the block's largest BL; 1 for the deterministic factors). */
  K: number;
  /** Rows of X and D per unit. */
  width: number;
  /** Rows of X and D allocated: units · width padded (paddedHeight). */
  height: number;
}

/**
 * The rows allocated for a kernel input of `rows` rows: the next power of two (at least 1), so
 * that its size, and with it the kernel's size signature, takes few values (gpu.js's webasm mode
 * rebuilds its module for each new size and keeps 8; GL reallocates the input texture). The
 * kernels index the rows they use; the padding stays zero.
 */
function paddedHeight(rows: number): number {
  let h = 1;
  while (h < rows) h *= 2;
  return h;
}

/**
 * Each device's pulses in a block of row-sliced trains ([outSize × inSize]): the totals kernel's
 * counts, on the host; of the devices `only` marks (others 0) when given.
 */
function slicedTotals(block: Block, inSize: number, outSize: number, only?: Uint8Array): Float32Array {
  const out = new Float32Array(outSize * inSize);
  if (only !== undefined) {
    const { X, D, width } = block;
    for (let e = 0; e < out.length; e++) {
      if (only[e] === 0) continue;
      const i = Math.floor(e / inSize);
      const j = e - i * inSize;
      let n = 0;
      for (let g = 0; g < block.units; g++) {
        for (let k = 0; k < block.K; k++) n += popcount16(X[(g * width + k) * inSize + j]! & D[(g * width + k) * outSize + i]!);
      }
      out[e] = n;
    }
    return out;
  }
  const X = Int32Array.from(block.X);
  const D = Int32Array.from(block.D);
  for (let g = 0; g < block.units; g++) {
    for (let k = 0; k < block.K; k++) {
      const xo = (g * block.width + k) * inSize;
      const dOff = (g * block.width + k) * outSize;
      for (let i = 0; i < outSize; i++) {
        const dv = D[dOff + i]!;
        if (dv === 0) continue;
        for (let j = 0, e = i * inSize; j < inSize; j++, e++) {
          const co = X[xo + j]! & dv;
          if (co !== 0) out[e] = out[e]! + popcount16(co);
        }
      }
    }
  }
  return out;
}

/**
 * One row's trains (masks per column, trainWordsPerColumn(bl) 32-bit words) into the row-sliced
 * words of group g: bit `bit` of X[(g·(K+1) + k)·n + col] for each bit k fired, and of
 * X[(g·(K+1) + K)·n + col] when the column's value is negative.
 */
function slice(masks: Int32Array, v: Float32Array, offset: number, n: number, bl: number, K: number, g: number, bit: number, out: Float32Array): void {
  const wpc = trainWordsPerColumn(bl);
  const base = g * (K + 1) * n;
  for (let j = 0; j < n; j++) {
    if (v[offset + j]! < 0) out[base + K * n + j]! += bit;
    for (let w = 0; w < wpc; w++) {
      let m = masks[j * wpc + w]!;
      while (m !== 0) {
        const low = m & -m;
        m ^= low;
        out[base + (32 * w + 31 - Math.clz32(low)) * n + j]! += bit;
      }
    }
  }
}

/** The scalars of a device's step formula (kernels/pulses.ts DEVICE_SCALARS), float32 as aihwkit uses them. */
export function deviceScalars(device: PulsedDevice, kind: PulsedDeviceKind): DeviceScalars {
  const f = Math.fround;
  const std = f(device.dwMinStd);
  const s: DeviceScalars = { std, multNoise: 0, aUp: 0, aDown: 0, gammaUp: 0, gammaDown: 0, expA: 0, expB: 0, stdAdd: 0, stdSlope: 0, complexNoise: 0 };
  if (kind === 'LinearStep' || kind === 'SoftBounds') s.multNoise = (device as LinearStepDevice).multNoise ? 1 : 0;
  if (kind === 'SoftBoundsReference') s.multNoise = (device as SoftBoundsReferenceDevice).multNoise ? 1 : 0;
  if (kind === 'ExpStep') {
    const e = device as ExpStepDevice;
    Object.assign(s, {
      aUp: f(e.aUp),
      aDown: f(e.aDown),
      gammaUp: f(e.gammaUp),
      gammaDown: f(e.gammaDown),
      expA: f(e.a),
      expB: f(e.b),
      stdAdd: f(e.dwMinStdAdd),
      stdSlope: f(e.dwMinStdSlope),
    });
    // aihwkit's hasComplexNoise: dw_min_std > 0 and an additive or slope part
    s.complexNoise = std > 0 && (s.stdAdd !== 0 || s.stdSlope !== 0) ? 1 : 0;
  }
  return s;
}
