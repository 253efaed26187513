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

const ENGINE = 'wasm';

/**
 * Refuses, naming the field, what the fused forward kernel does not compute yet:
 * weight noise, IR drop, output non-linearity, voltage offsets / series resistance,
 * read asymmetry, mv_type other than OnePass; the backward direction.
 */
export function checkFusedForward(io: ResolvedIO, where = 'rpuConfig.forward'): void {
  const refuse = (field: string, value: unknown) => {
    throw new NotSupportedError(`${where}.${field} = ${JSON.stringify(value)} is not supported by the ${ENGINE} kernels yet (the fused forward kernel covers DAC, input/output noise, ADC, noise and bound management)`);
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
    const e = kernels.exports;
    if (!io.isPerfect) {
      e.setForwardIO(
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
      );
    }
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
    const { io, inSize: nIn, outSize: nOut, kernels } = this;
    if (!(Number.isInteger(batch) && batch > 0 && batch <= this.maxBatch)) {
      throw new InputError(`FusedForward.run: batch must be an integer in [1, ${this.maxBatch}], got ${batch}`);
    }
    if (x.length !== batch * nIn) throw new InputError(`FusedForward.run: x has ${x.length} values, expected batch · inSize = ${batch * nIn}`);
    const h = kernels.heap;
    const e = kernels.exports;
    const xv = h.f32(this.x, batch * nIn);
    xv.set(x);
    const passes = this.passesOf;
    passes.fill(0);
    if (io.isPerfect) {
      e.gemmNT(batch, nOut, nIn, this.x, nIn, this.w, nIn, this.y, nOut);
      const y = h.f32(this.y, batch * nOut).slice();
      if (io.outScale !== 1) for (let k = 0; k < y.length; k++) y[k] = Math.fround(y[k]! * io.outScale);
      passes.fill(1, 0, batch);
      return y;
    }
    const [k0, k1] = seedToKey(seed);
    const active = h.i32(this.active, batch);
    const nmScale = h.f32(this.nmScale, batch);
    const rowScale = h.f32(this.rowScale, batch);
    const passed = h.i32(this.passed, batch);
    h.f32(this.y, batch * nOut).fill(0); // vectors skipped by noise management give 0
    let nActive = startManagedBatch(io, xv, batch, nIn, nm, nmScale, active);
    let reduction = 1;
    for (let round = 0; nActive > 0; round++) {
      if (round > 0) reduction = nextBoundManagementRound(io, round, reduction, xv, nIn, active, nActive, nmScale, nm);
      managedInputScales(io, reduction, active, nActive, nmScale, rowScale);
      const final = boundManagementStops(io, reduction);
      e.forwardPass(this.x, this.w, nOut, nIn, this.active, this.rowScale, 0, nActive, this.inp, this.acc, this.y, this.passed, final ? 1 : 0, this.scratch, k0, k1, call, round);
      const bm = io.boundManagement !== 'None';
      let next = 0;
      for (let a = 0; a < nActive; a++) {
        const r = active[a]!;
        passes[r] = passes[r]! + 1;
        if (bm && !final && passed[a] === 0) {
          active[next] = r; // clipped: again with half the input (next <= a: in place)
          rowScale[next] = rowScale[a]!;
          next++;
        }
      }
      nActive = next;
    }
    return h.f32(this.y, batch * nOut).slice();
  }
}
