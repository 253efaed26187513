/**
 * The ndarray engine's update kernels (core's TileKernels floatingPointUpdate and
 * pulsedUpdate). Core's tile owns the device around them (bounds, write noise, decay,
 * diffusion, reset, drift, hidden parameters: core tile/devices.ts).
 *
 * Floating point (aihwkit v.0.7.1 src/rpucuda/rpu.cpp, RPUSimple): W += (−lr)·dᵀx
 * rounds as aihwkit's float32 BLAS does (checked bit for bit against the oracle's
 * weights_fp): a batch of one row goes through ger, w + fl(−lr·d_i)·x_j with one
 * rounding (fused multiply-add); a larger batch through gemm, a fused multiply-add
 * chain over the rows, then w + fl(−lr·sum). Storing into the Float32Array is the rounding.
 *
 * Pulsed (rpu_weight_updater.cpp, the rpu_*_device.cpp files): pulses run through the
 * device one by one in batch-row order, clipped to the bounds after each pulse; the
 * cycle-to-cycle noise of the h-th pulse of element e in the call is
 * RandomStreamId.UpdateStepNoise (sub e, half h). One shortcut, exact in distribution
 * (core's summed-noise rule, physics/update.ts): for a ConstantStep device with
 * cycle-to-cycle noise whose D down and U up pulses in a block of rows (updateRowBlocks),
 * or in a chunk of 32 rows of it, cannot reach a bound whatever the per-pulse noise
 * (summedPulsesApply: |ξ| is at most the largest table value, about 4.32), no clipping
 * happens, the steps add up, and their sum is drawn at once (summedPulsesWeight:
 * w − D·dw_down + U·dw_up + dw_min_std·sqrt(D·dw_down² + U·dw_up²)·ξ, ξ from the same
 * normal-quantile table, RandomStreamId.UpdateStepNoiseSum).
 */
import {
  RandomStreamId,
  summedPulsesApply,
  summedPulsesWeight,
  TableNormals,
  UPDATE_BLOCK_ROWS,
  UPDATE_CHUNK_ROWS,
  updateRowBlocks,
  type ExpStepDevice,
  type LinearStepDevice,
  type PiecewiseStepDevice,
  type PulsedDeviceArrays,
  type SoftBoundsReferenceDevice,
  type PulsedUpdateArgs,
  type TileKernels,
  type TileSpec,
} from '@crossbar/core';
import { DeterministicSource, StochasticSource, type CountSource } from './pulses.js';
import { ConstantSteps, ExpSteps, LinearSteps, PiecewiseSteps, PowStepReferenceSteps, PowSteps, SoftBoundsReferenceSteps, type PulseSteps } from './devices/steps.js';

/** The update kernels of one tile. */
export type UpdateKernels = Pick<TileKernels, 'floatingPointUpdate' | 'pulsedUpdate'>;

export function createUpdate(spec: TileSpec): UpdateKernels {
  const fp = new FloatingPointUpdate(spec);
  // One pulse walk per device, update settings and stream seed: a compound device's tile
  // (core's tile/compounds.ts) updates several devices, with its own and its transfers' settings.
  const walks: { device: PulsedUpdateArgs['device']; settings: PulsedUpdateArgs['settings']; seed: number; walk: PulsedUpdate }[] = [];
  const walkOf = (args: PulsedUpdateArgs): PulsedUpdate => {
    let w = walks.find((k) => k.device === args.device && k.settings === args.settings && k.seed === args.seed);
    if (w === undefined) {
      w = { device: args.device, settings: args.settings, seed: args.seed, walk: new PulsedUpdate(spec, args) };
      walks.push(w);
    }
    return w.walk;
  };
  return {
    floatingPointUpdate: (w, x, d, batch, lr) => fp.update(w, x, d, batch, lr),
    pulsedUpdate: (args) => walkOf(args).update(args),
  };
}

class FloatingPointUpdate {
  private readonly outSize: number;
  private readonly inSize: number;
  private readonly size: number;
  private acc = new Float32Array(0);

  constructor(spec: TileSpec) {
    this.outSize = spec.outSize;
    this.inSize = spec.inSize;
    this.size = spec.outSize * spec.inSize;
  }

  update(w: Float32Array, x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
    const { inSize, outSize } = this;
    const alpha = Math.fround(-learningRate);
    if (batch === 1) {
      // aihwkit's vector short-cut, BLAS ger: w += fl(alpha·d_i)·x_j, fused
      for (let i = 0; i < outSize; i++) {
        const a = Math.fround(alpha * d[i]!);
        if (a === 0) continue;
        for (let j = 0; j < inSize; j++) w[i * inSize + j] = w[i * inSize + j]! + a * x[j]!;
      }
      return;
    }
    // BLAS gemm: acc = Σ_r d_ri·x_rj as a fused multiply-add chain, then w += fl(alpha·acc)
    if (this.acc.length < this.size) this.acc = new Float32Array(this.size);
    const acc = this.acc;
    acc.fill(0, 0, this.size);
    for (let r = 0; r < batch; r++) {
      const xo = r * inSize;
      for (let i = 0; i < outSize; i++) {
        const dv = d[r * outSize + i]!;
        if (dv === 0) continue;
        const base = i * inSize;
        for (let j = 0; j < inSize; j++) acc[base + j] = acc[base + j]! + dv * x[xo + j]!;
      }
    }
    for (let e = 0; e < this.size; e++) w[e] = w[e]! + Math.fround(alpha * acc[e]!);
  }
}

/** The pulse walk of one tile's pulsed device: its count source, step model, noise tables and scratch. */
class PulsedUpdate {
  private readonly outSize: number;
  private readonly inSize: number;
  private readonly seed: number;
  private readonly steps: PulseSteps;
  private readonly noise: TableNormals;
  private readonly sumNoise: TableNormals;
  private readonly chunkNoise: TableNormals;
  private source: CountSource | null = null;
  private eventRows = new Int32Array(0);
  private eventCounts = new Int32Array(0);
  /** Pulses each element received in earlier row blocks of the current update call (the noise ordinal). */
  private readonly pulsesBefore: Int32Array;
  private readonly rowDown: Int32Array;
  private readonly rowUp: Int32Array;

  constructor(spec: TileSpec, args: PulsedUpdateArgs) {
    this.outSize = spec.outSize;
    this.inSize = spec.inSize;
    this.seed = args.seed;
    this.pulsesBefore = new Int32Array(spec.outSize * spec.inSize);
    this.rowDown = new Int32Array(spec.inSize);
    this.rowUp = new Int32Array(spec.inSize);
    this.noise = new TableNormals(args.seed, RandomStreamId.UpdateStepNoise);
    this.sumNoise = new TableNormals(args.seed, RandomStreamId.UpdateStepNoiseSum);
    this.chunkNoise = new TableNormals(args.seed, RandomStreamId.UpdateStepNoiseSum, UPDATE_BLOCK_ROWS / UPDATE_CHUNK_ROWS);
    this.steps = makeSteps(args.device, this.noise);
  }

  update(args: PulsedUpdateArgs): void {
    const { call, plan, x, d, batch } = args;
    const source = this.countSource(args);
    source.begin(call, plan, x, d);
    this.noise.begin(call);
    if (this.eventRows.length < Math.min(batch, UPDATE_BLOCK_ROWS)) {
      this.eventRows = new Int32Array(Math.min(batch, UPDATE_BLOCK_ROWS));
      this.eventCounts = new Int32Array(Math.min(batch, UPDATE_BLOCK_ROWS));
    }
    this.pulsesBefore.fill(0);
    const blocks = updateRowBlocks(plan, batch, this.inSize, this.outSize);
    for (let b = 0; b < blocks.length; b += 2) {
      source.prepare(blocks[b]!, blocks[b + 1]!);
      this.applyBlock(args, source, call, blocks[b]!, b + 2 < blocks.length);
    }
  }

  private countSource(args: PulsedUpdateArgs): CountSource {
    if (this.source === null) {
      const s = args.settings;
      const { seed, inSize, outSize } = this;
      this.source =
        s.pulseType === 'MeanCount' || s.pulseType === 'DeterministicImplicit'
          ? new DeterministicSource(seed, inSize, outSize, s)
          : new StochasticSource(seed, inSize, outSize, s);
    }
    return this.source;
  }

  /**
   * Applies the pulses of one block of rows, device by device in row order.
   * ConstantStep with noise sums the pulses of the whole block, else of each
   * chunk of 32 rows, where no bound can be reached (core's summedPulsesApply;
   * summed noise: sub 2·first row of the block, or 2·first row of the chunk + 1),
   * and runs the rest pulse by pulse.
   */
  private applyBlock(args: PulsedUpdateArgs, source: CountSource, call: number, r0: number, more: boolean): void {
    const { inSize, outSize } = this;
    const target = args.target;
    const touched = args.touched;
    const steps = this.steps;
    const rows = this.eventRows;
    const counts = this.eventCounts;
    const before = this.pulsesBefore;
    const std = steps.std;
    const kind = args.device.kind;
    const summed = kind === 'ConstantStep' && std > 0;
    const { scaleUp, scaleDown, minBound, maxBound } = args.device;
    const { sumNoise, chunkNoise } = this;
    if (summed) {
      sumNoise.begin(call);
      chunkNoise.begin(call);
    }
    const downs = this.rowDown;
    const ups = this.rowUp;
    const chunks = source.chunks;
    if (kind === 'ConstantStep' && std === 0) {
      // deterministic steps: exact float32 walk in row order, no noise to draw; `touched` is
      // not needed: ConstantStep has no write noise (aihwkit 0.7.1 refuses it there, and
      // ConstantStepDevice has no write_noise_std field)
      for (let e = 0, i = 0; i < outSize; i++) {
        for (let j = 0; j < inSize; j++, e++) {
          const w = target[e]!;
          const v = source.constantWalk(i, j, w, scaleUp[e]!, scaleDown[e]!, minBound[e]!, maxBound[e]!);
          if (v !== w) target[e] = v;
        }
      }
      return;
    }
    for (let i = 0; i < outSize; i++) {
      if (summed) source.totals(i, downs, ups);
      for (let j = 0; j < inSize; j++) {
        const e = i * inSize + j;
        let w = target[e]!;
        let h = before[e]!;
        const su = scaleUp[e]!;
        const sd = scaleDown[e]!;
        const lo = minBound[e]!;
        const hi = maxBound[e]!;
        if (summed) {
          const down = downs[j]!;
          const up = ups[j]!;
          if (down + up === 0) continue;
          if (summedPulsesApply(w, down, up, su, sd, std, lo, hi) > 0) {
            target[e] = summedPulsesWeight(w, down, up, su, sd, std, sumNoise.xi(2 * r0, e), lo, hi);
            touched[e] = 1;
            if (more) before[e] = h + down + up;
            continue;
          }
        }
        let any = false;
        for (let c = 0; c < chunks; c++) {
          if (summed) {
            source.chunkTotals(i, j, c);
            const down = source.down;
            const up = source.up;
            if (down + up === 0) continue;
            if (summedPulsesApply(w, down, up, su, sd, std, lo, hi) > 0) {
              w = summedPulsesWeight(w, down, up, su, sd, std, chunkNoise.xi(2 * (r0 + 32 * c) + 1, e, c), lo, hi);
              h += down + up;
              any = true;
              continue;
            }
          }
          const m = source.chunkEvents(i, j, c, rows, counts);
          for (let t = 0; t < m; t++) {
            const n = counts[t]!;
            if (n > 0) {
              w = steps.apply(e, w, 1, n, h);
              h += n;
            } else {
              w = steps.apply(e, w, -1, -n, h);
              h -= n;
            }
          }
          if (m > 0) any = true;
        }
        if (!any) continue;
        target[e] = w;
        before[e] = h;
        touched[e] = 1;
      }
    }
  }
}

/** The step model of the device (the hidden arrays are core's: a later setHiddenParameters is seen). */
function makeSteps(a: PulsedDeviceArrays, noise: TableNormals): PulseSteps {
  const p = a.device;
  const std = Math.fround(p.dwMinStd);
  switch (a.kind) {
    case 'ConstantStep':
      return new ConstantSteps(a, std, noise);
    case 'LinearStep':
    case 'SoftBounds':
      return new LinearSteps(a, a.extraUp!, a.extraDown!, std, (p as LinearStepDevice).multNoise ? 1 : 0, noise);
    case 'ExpStep': {
      const e = p as ExpStepDevice;
      const f = Math.fround;
      return new ExpSteps(
        a,
        {
          aUp: f(e.aUp),
          aDown: f(e.aDown),
          gammaUp: f(e.gammaUp),
          gammaDown: f(e.gammaDown),
          a: f(e.a),
          b: f(e.b),
          stdAdd: f(e.dwMinStdAdd),
          stdSlope: f(e.dwMinStdSlope),
        },
        std,
        noise,
      );
    }
    case 'PowStep':
      return new PowSteps(a, a.extraUp!, a.extraDown!, std, noise);
    case 'PiecewiseStep': {
      const pw = p as PiecewiseStepDevice;
      return new PiecewiseSteps(a, Float32Array.from(pw.piecewiseUp), Float32Array.from(pw.piecewiseDown), std, noise);
    }
    case 'SoftBoundsReference':
      return new SoftBoundsReferenceSteps(a, a.reference!, std, (p as SoftBoundsReferenceDevice).multNoise ? 1 : 0, noise);
    case 'PowStepReference':
      return new PowStepReferenceSteps(a, a.extraUp!, a.extraDown!, a.reference!, std, noise);
  }
}
