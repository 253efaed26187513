/**
 * The analog MVM of core's tile: forward and backward with IOParameters, as
 * aihwkit 0.7.1's CPU tile runs them (rpu_forward_backward_pass.cpp,
 * ForwardBackwardPassIOManaged; a batch is a loop of vectors, rpu.cpp
 * RPUAbstract::forwardMatrix). Core owns the policy: the per-tile draws (voltage
 * offsets, non-linearities, read asymmetry, from the seed at creation), the
 * AverageAbsMax running value (one number shared by forward and backward, moved
 * per input vector), the random call of each pass, and the managed loop — noise
 * management per vector, then bound-management rounds re-running only the vectors
 * that clipped with half their input (physics/io.ts: the management of a batch).
 * The engine's kernels compute: `perfectMvm` for a perfect IO, `analogPass` for one
 * round of the others. See docs/forward-pass.md.
 *
 * Random numbers (RandomStreamId in rng.ts): a forward or backward call that draws
 * any takes one tile call index; the subs and elements within it are the kernel's
 * contract (AnalogPassArgs).
 */
import {
  boundManagementStops,
  drawMvParameters,
  ioParametersOf,
  ioUsesRandomness,
  loadMvmState,
  managedInputScales,
  managedOutputFactor,
  nextBoundManagementRound,
  resolveIOParameters,
  saveMvmState,
  startManagedBatch,
  type MvDirection,
  type MvParameters,
  type NoiseManagementState,
  type ResolvedIO,
} from '../physics/io.js';
import type { TileState } from '../tile.js';
import { missingKernel, type TileKernels } from './kernels.js';
import type { TileContext } from './context.js';

const EMPTY32 = new Float32Array(0);

/** One direction's managed pass: its IO, draws and batch-sized scratch (grown to the largest batch seen); compounds.ts reads its transfers through one. */
export class ManagedPass {
  private nmScale = EMPTY32; // [batch] noise-management value per row
  private rowScale = EMPTY32; // [active] input scale per active row
  private active = new Int32Array(0); // [active] batch row of each active row
  private passed = new Uint8Array(0); // [active] bound test result
  private out = EMPTY32; // [active × nOut] kernel output
  private outFactor = EMPTY32; // [active] output factor per active row
  private absMax = EMPTY32; // [batch] the engine's row maxima (TileKernels.rowAbsMax)
  /** [batch] analog passes per vector in the last run. */
  passes = new Int32Array(0);
  lastBatch = 0;

  constructor(
    readonly io: ResolvedIO,
    readonly draws: MvParameters,
    private readonly nOut: number,
    private readonly nIn: number,
  ) {}

  private ensure(batch: number): void {
    if (this.nmScale.length >= batch) return;
    this.nmScale = new Float32Array(batch);
    this.rowScale = new Float32Array(batch);
    this.active = new Int32Array(batch);
    this.passed = new Uint8Array(batch);
    this.passes = new Int32Array(batch);
    this.out = new Float32Array(batch * this.nOut);
    this.outFactor = new Float32Array(batch);
    this.absMax = new Float32Array(batch);
  }

  run(ctx: TileContext, weights: Float32Array, x: Float32Array, batch: number, call: number, nm: NoiseManagementState): Float32Array {
    const { io, nIn, nOut } = this;
    const kernels: TileKernels = ctx.kernels;
    this.lastBatch = batch;
    if (io.isPerfect) {
      if (kernels.perfectMvm === undefined) {
        throw missingKernel(ctx.engine, 'a perfect MVM', 'perfectMvm', `rpuConfig.${io.direction} (is_perfect)`);
      }
      if (this.passes.length < batch) this.passes = new Int32Array(batch);
      this.passes.fill(1, 0, batch);
      return kernels.perfectMvm(io.direction, weights, x, batch, io.outScale, ctx.weightsVersion?.());
    }
    if (kernels.analogPass === undefined) {
      throw missingKernel(ctx.engine, 'a non-perfect MVM', 'analogPass', `rpuConfig.${io.direction} (is_perfect false)`);
    }
    const y = new Float32Array(batch * nOut);
    this.ensure(batch);
    const { nmScale, rowScale, active, passed, passes, out, outFactor } = this;
    passes.fill(0, 0, batch);
    // AbsMax / AverageAbsMax read each vector's max |x|: the engine's kernel where it has one
    let absMax: Float32Array | undefined;
    if (kernels.rowAbsMax !== undefined && (io.noiseManagement === 'AbsMax' || io.noiseManagement === 'AverageAbsMax')) {
      absMax = this.absMax;
      kernels.rowAbsMax(x, batch, nIn, absMax);
    }
    let nActive = startManagedBatch(io, x, batch, nIn, nm, nmScale, active, absMax);
    const writesResult = kernels.analogPassWritesResult === true;
    let reduction = 1;
    const weightsVersion = nActive > 0 ? ctx.weightsVersion?.() : undefined;
    for (let round = 0; nActive > 0; round++) {
      if (round > 0) reduction = nextBoundManagementRound(io, round, reduction, x, nIn, active, nActive, nmScale, nm);
      managedInputScales(io, reduction, active, nActive, nmScale, rowScale);
      for (let a = 0; a < nActive; a++) outFactor[a] = managedOutputFactor(io, rowScale[a]!, nmScale[active[a]!]!);
      const stop = boundManagementStops(io, reduction);
      kernels.analogPass({
        direction: io.direction,
        io,
        draws: this.draws,
        seed: ctx.seed,
        weights,
        weightsVersion,
        firstRound: round === 0,
        x,
        nIn,
        nOut,
        active,
        nActive,
        rowScale,
        round,
        call,
        out,
        passed,
        outputFactor: outFactor,
        lastRound: stop,
        result: y,
      });
      let next = 0;
      for (let a = 0; a < nActive; a++) {
        const r = active[a]!;
        passes[r] = passes[r]! + 1;
        if (!stop && passed[a] === 0) {
          active[next++] = r; // clipped: again with half the input
          continue;
        }
        if (!writesResult) scaleInto(out, a * nOut, y, r * nOut, nOut, outFactor[a]!);
      }
      nActive = next;
    }
    return y;
  }
}

function scaleInto(src: Float32Array, so: number, dst: Float32Array, d0: number, n: number, factor: number): void {
  for (let i = 0; i < n; i++) dst[d0 + i] = src[so + i]! * factor;
}

/** Forward and backward of a tile, and their state ("mvm.*" keys). */
export class TileMvm {
  private readonly fwd: ManagedPass;
  private readonly bwd: ManagedPass;
  /** AverageAbsMax running value, shared by forward and backward (aihwkit's aux_nm_value_). */
  private readonly nm: NoiseManagementState = { averageAbsMax: -1 };

  constructor(private readonly ctx: TileContext) {
    const config = ctx.rpuConfig;
    const { outSize, inSize, seed } = ctx;
    const count = outSize * inSize;
    const fwdIO = resolveIOParameters(ioParametersOf(config, 'forward'), 'forward', 'rpuConfig.forward', ctx.engine);
    const bwdIO = resolveIOParameters(ioParametersOf(config, 'backward'), 'backward', 'rpuConfig.backward', ctx.engine);
    this.fwd = new ManagedPass(fwdIO, drawMvParameters(fwdIO, outSize, count, seed), outSize, inSize);
    this.bwd = new ManagedPass(bwdIO, drawMvParameters(bwdIO, inSize, count, seed), inSize, outSize);
  }

  /** Whether the tile can count bound-management passes (it has the kernel that runs them). */
  get countsPasses(): boolean {
    return this.ctx.kernels.analogPass !== undefined;
  }

  /** y [batch × out] = f(W x) with the forward IOParameters, W the given weights (the tile's or modified ones). */
  forward(weights: Float32Array, x: Float32Array, batch: number): Float32Array {
    return this.run('forward', weights, x, batch);
  }

  /** z [batch × in] = f(Wᵀ d) with the backward IOParameters. */
  backward(weights: Float32Array, d: Float32Array, batch: number): Float32Array {
    return this.run('backward', weights, d, batch);
  }

  private run(direction: MvDirection, weights: Float32Array, x: Float32Array, batch: number): Float32Array {
    const pass = direction === 'forward' ? this.fwd : this.bwd;
    const call = ioUsesRandomness(pass.io) ? this.ctx.nextRandomCall() : 0;
    return pass.run(this.ctx, weights, x, batch, call, this.nm);
  }

  /** The analog passes each vector of the last forward call took (a view valid until the next forward). */
  forwardPassCounts(): Int32Array {
    return this.fwd.passes.subarray(0, this.fwd.lastBatch);
  }

  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    saveMvmState(this.nm, this.fwd.draws, this.bwd.draws, arrays, scalars);
  }

  /** Checks everything before writing anything (a refused state changes nothing). */
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    loadMvmState(this.nm, this.fwd.draws, this.bwd.draws, arrays, scalars);
  }
}
