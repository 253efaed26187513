/**
 * The analog forward pass on the kernels for the IOParameters the fused kernel
 * covers (aihwkit's defaults and their neighbours): DAC with noise management,
 * input noise, OnePass MVM, output noise, ADC, bound management, out_scale, and
 * stochastic rounding on either side. The management loop (noise-management
 * values, bound-management rounds) is core's (physics/io.ts, "the management of
 * a batch"); each round is one call of the fused kernel `forwardPass`, which
 * reports the vectors that clipped. This is the prototype of what core's tile
 * will drive through the kernel contract (issue 13); it is not an engine.
 */
import {
  boundManagementStops,
  InputError,
  managedInputScales,
  nextBoundManagementRound,
  NotSupportedError,
  seedToKey,
  startManagedBatch,
  type NoiseManagementState,
  type ResolvedIO,
} from '@crossbar/core';
import type { Kernels } from './loader.js';
import type { ForwardIOArgs, KernelPool } from './pool.js';

const ENGINE = 'wasm';

/**
 * Refuses, naming the field, what the fused forward kernel does not compute yet:
 * weight noise, IR drop, output non-linearity, voltage offsets / series resistance,
 * read asymmetry, mv_type other than OnePass; the backward direction.
 */
export function checkFusedForward(io: ResolvedIO, where = 'rpuConfig.forward'): void {
  const refuse = (field: string, value: unknown) => {
    throw new NotSupportedError(
      `${where}.${field} = ${JSON.stringify(value)} is not supported by the ${ENGINE} kernels yet (the fused forward kernel covers DAC, input/output noise, ADC, noise and bound management)`,
    );
  };
  if (io.direction !== 'forward') throw new NotSupportedError(`the ${ENGINE} kernels have no fused backward IO stage yet`);
  if (io.isPerfect) return;
  if (io.mvType !== 'OnePass') refuse('mvType', io.mvType);
  if (io.wNoiseType !== 'None') refuse('wNoiseType', io.wNoiseType);
  if (io.irDrop > 0) refuse('irDrop', io.irDrop);
  if (io.hasNLCalibration) refuse(io.outNonlinearity > 0 ? 'outNonlinearity' : 'rSeries', io.outNonlinearity > 0 ? io.outNonlinearity : io.rSeries);
  if (io.hasVoltageOffsets) refuse('vOffsetStd', io.vOffsetStd);
  if (io.wReadAsymmetryDtod !== 0) refuse('wReadAsymmetryDtod', io.wReadAsymmetryDtod);
}

/** The kernel's setForwardIO arguments of a resolved forward pass. */
export function forwardIOArgs(io: ResolvedIO): ForwardIOArgs {
  return [
    io.inpStep,
    io.inpBound,
    io.inpNoise,
    io.inpNegativeScale,
    io.inpStoRound ? 1 : 0,
    io.outStep,
    io.outBound,
    io.outNoise,
    io.outNegativeScale,
    io.outStoRound ? 1 : 0,
    io.outScale,
    io.bmTestNegativeBound ? 1 : 0,
  ];
}

/**
 * The buffers of one [outSize × inSize] forward pass up to `maxBatch` vectors, in the
 * kernels' memory, and the pass itself. `weights()` is the row-major weight buffer to fill.
 */
export class FusedForward {
  private readonly w: number;
  private readonly x: number;
  private readonly y: number;
  private readonly active: number;
  private readonly rowScale: number;
  private readonly nmScale: number;
  private readonly passed: number;
  private readonly inp: number;
  private readonly acc: number;
  private readonly scratch: number;
  private readonly passesOf: Int32Array;
  private readonly ioArgs: ForwardIOArgs;

  constructor(
    readonly kernels: Kernels,
    readonly io: ResolvedIO,
    readonly outSize: number,
    readonly inSize: number,
    readonly maxBatch: number,
  ) {
    checkFusedForward(io);
    for (const [name, v] of [
      ['outSize', outSize],
      ['inSize', inSize],
      ['maxBatch', maxBatch],
    ] as const) {
      if (!(Number.isInteger(v) && v > 0)) throw new InputError(`FusedForward: ${name} must be a positive integer, got ${v}`);
    }
    const h = kernels.heap;
    this.w = h.allocF32(outSize * inSize);
    this.x = h.allocF32(maxBatch * inSize);
    this.y = h.allocF32(maxBatch * outSize);
    this.active = h.allocI32(maxBatch);
    this.rowScale = h.allocF32(maxBatch);
    this.nmScale = h.allocF32(maxBatch);
    this.passed = h.allocI32(maxBatch);
    this.inp = h.allocF32(maxBatch * inSize);
    this.acc = h.allocF32(maxBatch * outSize);
    this.scratch = h.allocF64(2 * Math.max(inSize, outSize));
    this.passesOf = new Int32Array(maxBatch);
    this.ioArgs = forwardIOArgs(io);
    if (!io.isPerfect) kernels.exports.setForwardIO(...this.ioArgs);
  }

  /** The weight buffer [outSize × inSize] (a view into the kernels' memory). */
  weights(): Float32Array {
    return this.kernels.heap.f32(this.w, this.outSize * this.inSize);
  }

  /** Analog passes per vector of the last run (1 + bound-management re-runs; 0 if skipped). */
  passCounts(): Int32Array {
    return this.passesOf;
  }

  /**
   * y [batch × outSize] = the analog W x of each row of x [batch × inSize], random
   * numbers from (seed, call) as core's streams; `nm` is the tile's noise-management state.
   */
  run(x: Float32Array, batch: number, seed: number, call: number, nm: NoiseManagementState): Float32Array {
    const e = this.kernels.exports;
    const [k0, k1] = seedToKey(seed);
    if (this.begin(x, batch)) {
      e.gemmNT(batch, this.outSize, this.inSize, this.x, this.inSize, this.w, this.inSize, this.y, this.outSize);
      return this.end(batch);
    }
    const r = this.startRounds(batch, nm);
    for (let round = 0; r.nActive > 0; round++) {
      const final = this.nextRound(r, round, nm);
      e.forwardPass(
        this.x,
        this.w,
        this.outSize,
        this.inSize,
        this.active,
        this.rowScale,
        0,
        r.nActive,
        this.inp,
        this.acc,
        this.y,
        this.passed,
        final ? 1 : 0,
        this.scratch,
        k0,
        k1,
        call,
        round,
      );
      this.endRound(r, final);
    }
    return this.end(batch);
  }

  /** As `run`, with the kernels' rows split over a worker pool (same bits for any thread count). */
  async runThreaded(pool: KernelPool, x: Float32Array, batch: number, seed: number, call: number, nm: NoiseManagementState): Promise<Float32Array> {
    if (pool.kernels !== this.kernels) throw new InputError('FusedForward.runThreaded: the pool runs other kernels than this pass');
    const [k0, k1] = seedToKey(seed);
    if (this.begin(x, batch)) {
      await pool.gemmNT(batch, this.outSize, this.inSize, this.x, this.inSize, this.w, this.inSize, this.y, this.outSize);
      return this.end(batch);
    }
    const r = this.startRounds(batch, nm);
    for (let round = 0; r.nActive > 0; round++) {
      const final = this.nextRound(r, round, nm);
      await pool.forwardPass(
        this.ioArgs,
        this.x,
        this.w,
        this.outSize,
        this.inSize,
        this.active,
        this.rowScale,
        0,
        r.nActive,
        this.inp,
        this.acc,
        this.y,
        this.passed,
        final,
        k0,
        k1,
        call,
        round,
      );
      this.endRound(r, final);
    }
    return this.end(batch);
  }

  /** Checks and copies x in; true when the pass is perfect (a plain GEMM). */
  private begin(x: Float32Array, batch: number): boolean {
    const { inSize: nIn, outSize: nOut } = this;
    if (!(Number.isInteger(batch) && batch > 0 && batch <= this.maxBatch)) {
      throw new InputError(`FusedForward.run: batch must be an integer in [1, ${this.maxBatch}], got ${batch}`);
    }
    if (x.length !== batch * nIn) throw new InputError(`FusedForward.run: x has ${x.length} values, expected batch · inSize = ${batch * nIn}`);
    const h = this.kernels.heap;
    h.f32(this.x, batch * nIn).set(x);
    this.passesOf.fill(0);
    if (this.io.isPerfect) {
      this.passesOf.fill(1, 0, batch);
      return true;
    }
    h.f32(this.y, batch * nOut).fill(0); // vectors skipped by noise management give 0
    return false;
  }

  /** y copied out (out_scale applied for a perfect pass). */
  private end(batch: number): Float32Array {
    const y = this.kernels.heap.f32(this.y, batch * this.outSize).slice();
    const s = this.io.outScale;
    if (this.io.isPerfect && s !== 1) for (let k = 0; k < y.length; k++) y[k] = Math.fround(y[k]! * s);
    return y;
  }

  /** Noise management of every vector (core startManagedBatch): the active vectors of round 0. */
  private startRounds(batch: number, nm: NoiseManagementState): Rounds {
    const h = this.kernels.heap;
    const r: Rounds = {
      xv: h.f32(this.x, batch * this.inSize),
      active: h.i32(this.active, batch),
      nmScale: h.f32(this.nmScale, batch),
      rowScale: h.f32(this.rowScale, batch),
      passed: h.i32(this.passed, batch),
      nActive: 0,
      reduction: 1,
    };
    r.nActive = startManagedBatch(this.io, r.xv, batch, this.inSize, nm, r.nmScale, r.active);
    return r;
  }

  /** The input scales of a bound-management round (core's helpers); returns whether it is the last. */
  private nextRound(r: Rounds, round: number, nm: NoiseManagementState): boolean {
    const io = this.io;
    if (round > 0) r.reduction = nextBoundManagementRound(io, round, r.reduction, r.xv, this.inSize, r.active, r.nActive, r.nmScale, nm);
    managedInputScales(io, r.reduction, r.active, r.nActive, r.nmScale, r.rowScale);
    return boundManagementStops(io, r.reduction);
  }

  /** Counts the round's passes and keeps the vectors that clipped for the next round. */
  private endRound(r: Rounds, final: boolean): void {
    const bm = this.io.boundManagement !== 'None';
    const passes = this.passesOf;
    let next = 0;
    for (let a = 0; a < r.nActive; a++) {
      const row = r.active[a]!;
      passes[row] = passes[row]! + 1;
      if (bm && !final && r.passed[a] === 0) r.active[next++] = row; // clipped: again with half the input
    }
    r.nActive = next;
  }
}

/** The state of a batch's bound-management rounds (views into the kernels' memory). */
interface Rounds {
  xv: Float32Array;
  active: Int32Array;
  nmScale: Float32Array;
  rowScale: Float32Array;
  passed: Int32Array;
  nActive: number;
  reduction: number;
}
