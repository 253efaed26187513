/**
 * The pulsed devices of SingleRPUConfig (ConstantStep, LinearStep,
 * SoftBounds, ExpStep, PowStep): device-to-device draws, the pulsed update,
 * NoneWithDevice, decay, diffusion, column reset, drift and write noise.
 *
 * aihwkit v.0.7.1: src/rpucuda/rpu_pulsed_device.cpp/.h (populate, hidden
 * parameters, bounds, decay, diffusion, reset, onSetWeights, write noise),
 * rpu_weight_updater.cpp (the update of one row), the rpu_*_device.cpp files.
 *
 * The device-to-device draws come from @crossbar/core (drawPulsedDevice), so
 * every engine builds the same devices from the same seed.
 *
 * Pulse application: pulses run through the device one by one in batch-row
 * order, clipped to the bounds after each pulse; the cycle-to-cycle noise of
 * the h-th pulse of element e in the call is RandomStreamId.UpdateStepNoise
 * (sub e, half h). One shortcut, exact in distribution (core's summed-noise
 * rule, physics/update.ts): for a ConstantStep device with cycle-to-cycle noise
 * whose D down and U up pulses in a block of rows (updateRowBlocks), or in a
 * chunk of 32 rows of it, cannot reach a bound whatever the per-pulse noise
 * (summedPulsesApply: |ξ| is at most the largest table value, about 4.32), no
 * clipping happens, the steps add up, and their sum is drawn at once
 * (summedPulsesWeight: w − D·dw_down + U·dw_up + dw_min_std·sqrt(D·dw_down² +
 * U·dw_up²)·ξ, ξ from the same normal-quantile table, RandomStreamId.UpdateStepNoiseSum).
 */
import {
  decayedWeight,
  diffusedWeight,
  drawPulsedDevice,
  DwMinState,
  driftSettings,
  pulsedDeviceKind,
  pulsedHiddenParameterNames,
  RandomStream,
  RandomStreamId,
  resetWeight,
  summedPulsesApply,
  summedPulsesWeight,
  UPDATE_BLOCK_ROWS,
  UPDATE_CHUNK_ROWS,
  updateRowBlocks,
  type ExpStepDevice,
  type LinearStepDevice,
  type HiddenParameters,
  type PulsedDevice,
  type PulsedDeviceKind,
  type TileState,
  type UpdateParameters,
  type UpdateSettings,
  TableNormals,
  UpdateRowPlan,
  updateSettings,
  resetColumnIndex,
} from '@crossbar/core';
import type { TileContext } from '../tile.js';
import type { DeviceModel } from '../update.js';
import { WeightDrifter } from '../drift.js';
import { DeterministicSource, StochasticSource, type CountSource } from '../pulses.js';
import { ConstantSteps, ExpSteps, LinearSteps, PowSteps, type PulseSteps } from './steps.js';

export class PulsedDeviceModel implements DeviceModel {
  readonly kind: PulsedDeviceKind;
  private readonly size: number;
  private readonly w: Float32Array;
  readonly maxBound: Float32Array;
  readonly minBound: Float32Array;
  readonly scaleUp: Float32Array;
  readonly scaleDown: Float32Array;
  private readonly decayScale: Float32Array;
  private readonly diffusionRate: Float32Array;
  private readonly resetBias: Float32Array;
  private readonly driftNu: Float32Array;
  /** LinearStep / SoftBounds slopes or PowStep exponents (up, down). */
  private readonly extraUp: Float32Array | null = null;
  private readonly extraDown: Float32Array | null = null;
  private readonly extraNames: readonly [string, string] | null = null;
  /** The weights the pulses act on when write noise is on (aihwkit's persistent weights); the visible ones are these plus noise. */
  private readonly persistent: Float32Array | null;
  private readonly writeNoiseStd: number;
  private readonly drifter: WeightDrifter | null;
  private readonly settings: UpdateSettings | null;
  private readonly resetStd: number;
  /** dw_min and the weight granularity (re-estimated when the steps are set). */
  private readonly dw: DwMinState;
  private readonly steps: PulseSteps;
  private readonly noise: TableNormals;
  private readonly sumNoise: TableNormals;
  private readonly chunkNoise: TableNormals;
  private readonly plan = new UpdateRowPlan();
  private source: CountSource | null = null;
  private eventRows = new Int32Array(0);
  private eventCounts = new Int32Array(0);
  private readonly touched: Uint8Array;
  /** Pulses each element received in earlier row blocks of the current update call (the noise ordinal). */
  private readonly pulsesBefore: Int32Array;
  private readonly rowDown: Int32Array;
  private readonly rowUp: Int32Array;
  private readonly rowNormals: Float64Array;

  constructor(
    private readonly ctx: TileContext,
    device: PulsedDevice,
    update: UpdateParameters,
  ) {
    // the config already refused bounds that exclude 0 and reverse steps without mult_noise (aihwkit's checks)
    this.kind = pulsedDeviceKind(device);
    const p = device;
    const size = ctx.outSize * ctx.inSize;
    this.size = size;
    this.w = ctx.weights.data;
    this.dw = new DwMinState(p);
    this.resetStd = Math.fround(p.resetStd);
    this.writeNoiseStd = 'writeNoiseStd' in p ? Math.fround((p as LinearStepDevice).writeNoiseStd) : 0;
    this.persistent = this.writeNoiseStd > 0 ? new Float32Array(size) : null;
    this.touched = new Uint8Array(size);
    this.pulsesBefore = new Int32Array(size);
    this.rowDown = new Int32Array(ctx.inSize);
    this.rowUp = new Int32Array(ctx.inSize);
    this.rowNormals = new Float64Array(ctx.inSize);

    const draws = drawPulsedDevice(p, ctx.seed, ctx.outSize, ctx.inSize);
    this.maxBound = draws.maxBound;
    this.minBound = draws.minBound;
    this.scaleUp = draws.scaleUp;
    this.scaleDown = draws.scaleDown;
    this.decayScale = draws.decayScale;
    this.diffusionRate = draws.diffusionRate;
    this.resetBias = draws.resetBias;
    this.driftNu = draws.driftNu;
    if (draws.extra !== null) {
      this.extraNames = draws.extra.names;
      this.extraUp = draws.extra.up;
      this.extraDown = draws.extra.down;
    }
    this.drifter = p.drift.nu > 0 ? new WeightDrifter(ctx, driftSettings(p.drift), this.driftNu) : null;

    this.noise = new TableNormals(ctx.seed, RandomStreamId.UpdateStepNoise);
    this.sumNoise = new TableNormals(ctx.seed, RandomStreamId.UpdateStepNoiseSum);
    this.chunkNoise = new TableNormals(ctx.seed, RandomStreamId.UpdateStepNoiseSum, UPDATE_BLOCK_ROWS / UPDATE_CHUNK_ROWS);
    this.steps = this.makeSteps(p);
    this.settings = updateSettings(update);
    // aihwkit clips the (zero) weights to the bounds at construction: corrupt devices take their value.
    this.onWeightsSet();
  }

  // ---------------------------------------------------------------- construction

  private makeSteps(p: PulsedDevice): PulseSteps {
    const std = Math.fround(p.dwMinStd);
    const arrays = { maxBound: this.maxBound, minBound: this.minBound, scaleUp: this.scaleUp, scaleDown: this.scaleDown };
    switch (this.kind) {
      case 'ConstantStep':
        return new ConstantSteps(arrays, std, this.noise);
      case 'LinearStep':
      case 'SoftBounds':
        return new LinearSteps(arrays, this.extraUp!, this.extraDown!, std, (p as LinearStepDevice).multNoise ? 1 : 0, this.noise);
      case 'ExpStep': {
        const e = p as ExpStepDevice;
        const f = Math.fround;
        return new ExpSteps(arrays, { aUp: f(e.aUp), aDown: f(e.aDown), gammaUp: f(e.gammaUp), gammaDown: f(e.gammaDown), a: f(e.a), b: f(e.b), stdAdd: f(e.dwMinStdAdd), stdSlope: f(e.dwMinStdSlope) }, std, this.noise);
      }
      case 'PowStep':
        return new PowSteps(arrays, this.extraUp!, this.extraDown!, std, this.noise);
    }
  }

  // ---------------------------------------------------------------- weights

  /** The weights the device physics acts on (the persistent ones under write noise). */
  private get target(): Float32Array {
    return this.persistent ?? this.w;
  }

  private clipTarget(): void {
    const t = this.target;
    for (let e = 0; e < this.size; e++) t[e] = Math.max(Math.min(t[e]!, this.maxBound[e]!), this.minBound[e]!);
  }

  /**
   * aihwkit's applyUpdateWriteNoise: every visible weight = persistent + write noise,
   * drawn in the operation's random call (or a call of its own when the operation draws nothing else).
   */
  private redrawWriteNoise(call?: number): void {
    const pw = this.persistent;
    if (pw === null) return;
    const noise = new RandomStream(this.ctx.seed, RandomStreamId.UpdateWriteNoise, call ?? this.ctx.nextRandomCall(), 1);
    const std = Math.fround(this.writeNoiseStd * this.dw.dwMin);
    const row = this.rowNormals;
    const n = this.ctx.inSize;
    for (let i = 0; i < this.ctx.outSize; i++) {
      noise.fillNormal(row, i * n);
      for (let j = 0; j < n; j++) this.w[i * n + j] = Math.fround(pw[i * n + j]! + Math.fround(std * row[j]!));
    }
  }

  onWeightsSet(): void {
    const w = this.w;
    for (let e = 0; e < this.size; e++) w[e] = Math.max(Math.min(w[e]!, this.maxBound[e]!), this.minBound[e]!);
    if (this.persistent !== null) {
      this.persistent.set(w);
      this.redrawWriteNoise();
    }
  }

  // ---------------------------------------------------------------- update

  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
    if (!(learningRate > 0)) return; // aihwkit: a zero learning rate changes nothing
    const lr = Math.fround(learningRate);
    if (this.settings === null) {
      this.updateNoneWithDevice(x, d, batch, lr);
      return;
    }
    const call = this.ctx.nextRandomCall();
    const maxBl = this.plan.compute(x, d, batch, this.ctx.inSize, this.ctx.outSize, lr, this.dw.granularity, this.settings);
    if (maxBl === 0) return;
    const source = this.countSource();
    source.begin(call, this.plan, x, d);
    this.noise.begin(call);
    if (this.eventRows.length < Math.min(batch, UPDATE_BLOCK_ROWS)) {
      this.eventRows = new Int32Array(Math.min(batch, UPDATE_BLOCK_ROWS));
      this.eventCounts = new Int32Array(Math.min(batch, UPDATE_BLOCK_ROWS));
    }
    this.touched.fill(0);
    this.pulsesBefore.fill(0);
    const blocks = updateRowBlocks(this.plan, batch, this.ctx.inSize, this.ctx.outSize);
    for (let b = 0; b < blocks.length; b += 2) {
      source.prepare(blocks[b]!, blocks[b + 1]!);
      this.applyBlock(source, call, blocks[b]!, b + 2 < blocks.length);
    }
    this.finishWriteNoise(call);
  }

  private countSource(): CountSource {
    if (this.source === null) {
      const s = this.settings!;
      const { seed, inSize, outSize } = this.ctx;
      this.source = s.pulseType === 'MeanCount' || s.pulseType === 'DeterministicImplicit' ? new DeterministicSource(seed, inSize, outSize, s) : new StochasticSource(seed, inSize, outSize, s);
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
  private applyBlock(source: CountSource, call: number, r0: number, more: boolean): void {
    const { inSize, outSize } = this.ctx;
    const target = this.target;
    const steps = this.steps;
    const rows = this.eventRows;
    const counts = this.eventCounts;
    const touched = this.touched;
    const before = this.pulsesBefore;
    const std = steps.std;
    const summed = this.kind === 'ConstantStep' && std > 0;
    const { scaleUp, scaleDown, minBound, maxBound, sumNoise, chunkNoise } = this;
    if (summed) {
      sumNoise.begin(call);
      chunkNoise.begin(call);
    }
    const downs = this.rowDown;
    const ups = this.rowUp;
    const chunks = source.chunks;
    if (this.kind === 'ConstantStep' && std === 0) {
      // deterministic steps: exact float32 walk in row order, no noise to draw
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

  /** Write noise after an update: the visible weight of every device that received pulses is redrawn around its persistent weight. */
  private finishWriteNoise(call: number): void {
    const pw = this.persistent;
    if (pw === null) return;
    const noise = new RandomStream(this.ctx.seed, RandomStreamId.UpdateWriteNoise, call, 0);
    const std = Math.fround(this.writeNoiseStd * this.dw.dwMin);
    const n = this.ctx.inSize;
    const row = this.rowNormals;
    for (let i = 0; i < this.ctx.outSize; i++) {
      let any = false;
      for (let j = 0; j < n; j++) any ||= this.touched[i * n + j] === 1;
      if (!any) continue;
      noise.fillNormal(row, i * n);
      for (let j = 0; j < n; j++) {
        const e = i * n + j;
        if (this.touched[e] === 1) this.w[e] = Math.fround(pw[e]! + Math.fround(std * row[j]!));
      }
    }
  }

  /**
   * NoneWithDevice: the floating-point update of each row (aihwkit's BLAS ger,
   * w += (−lr·d_i)·x_j with one rounding), then the weights clipped to the bounds.
   * Under write noise aihwkit 0.7.1 writes this step to the visible weights and then
   * overwrites them from the unchanged persistent ones, losing the update; here the
   * step goes to the persistent weights (docs/training.md).
   */
  private updateNoneWithDevice(x: Float32Array, d: Float32Array, batch: number, lr: number): void {
    const { inSize, outSize } = this.ctx;
    const t = this.target;
    const alpha = -lr;
    for (let r = 0; r < batch; r++) {
      for (let i = 0; i < outSize; i++) {
        const a = Math.fround(alpha * d[r * outSize + i]!);
        if (a === 0) continue;
        const base = i * inSize;
        for (let j = 0; j < inSize; j++) t[base + j] = Math.fround(t[base + j]! + a * x[r * inSize + j]!);
      }
      this.clipTarget();
    }
    this.redrawWriteNoise();
  }

  // ---------------------------------------------------------------- decay, diffusion, reset, drift

  decay(alpha: number): void {
    const t = this.target;
    const a = Math.fround(alpha);
    for (let e = 0; e < this.size; e++) t[e] = decayedWeight(t[e]!, this.resetBias[e]!, this.decayScale[e]!, a, this.minBound[e]!, this.maxBound[e]!);
    this.redrawWriteNoise();
  }

  diffuse(): void {
    const t = this.target;
    const call = this.ctx.nextRandomCall();
    const xi = new RandomStream(this.ctx.seed, RandomStreamId.DeviceDiffusion, call, 0);
    const row = this.rowNormals;
    const n = this.ctx.inSize;
    for (let i = 0; i < this.ctx.outSize; i++) {
      xi.fillNormal(row, i * n);
      for (let j = 0; j < n; j++) {
        const e = i * n + j;
        t[e] = diffusedWeight(t[e]!, this.diffusionRate[e]!, row[j]!, this.minBound[e]!, this.maxBound[e]!);
      }
    }
    this.redrawWriteNoise(call);
  }

  resetColumns(start: number, count: number, resetProb: number): void {
    if (resetProb === 0 || count === 0) return; // aihwkit: RPUPulsed::resetCols does nothing
    const call = this.ctx.nextRandomCall();
    const pick = new RandomStream(this.ctx.seed, RandomStreamId.DeviceReset, call, 0);
    const xi = new RandomStream(this.ctx.seed, RandomStreamId.DeviceReset, call, 1);
    const t = this.target;
    const n = this.ctx.inSize;
    const p = Math.fround(resetProb);
    for (let i = 0; i < this.ctx.outSize; i++) {
      for (let k = 0; k < count; k++) {
        const e = i * n + resetColumnIndex(start, k, n); // wraps past the last column
        if (p !== 1 && !(pick.uniform(e) < p)) continue;
        t[e] = resetWeight(this.resetBias[e]!, this.resetStd, this.resetStd > 0 ? xi.normal(e) : 0, this.minBound[e]!, this.maxBound[e]!);
      }
    }
    this.redrawWriteNoise(call);
  }

  drift(timeSinceLastCall: number): void {
    if (this.drifter === null) return; // aihwkit drifts only when drift.nu > 0
    const t = this.target;
    const call = this.drifter.usesRandomness || this.persistent !== null ? this.ctx.nextRandomCall() : 0;
    this.drifter.apply(t, timeSinceLastCall, call);
    this.drifter.saturate(t, this.minBound, this.maxBound);
    this.redrawWriteNoise(call);
  }

  // ---------------------------------------------------------------- hidden parameters and state

  private namedArrays(): [string, Float32Array][] {
    const arrays: Record<string, Float32Array | null> = {
      max_bound: this.maxBound,
      min_bound: this.minBound,
      dwmin_up: this.scaleUp,
      dwmin_down: this.scaleDown,
      decay_scales: this.decayScale,
      diffusion_rates: this.diffusionRate,
      reset_bias: this.resetBias,
      drift_nu: this.driftNu,
      persistent_weights: this.persistent,
    };
    if (this.extraNames !== null) {
      arrays[this.extraNames[0]] = this.extraUp;
      arrays[this.extraNames[1]] = this.extraDown;
    }
    return pulsedHiddenParameterNames(this.kind, this.persistent !== null).map((name) => [name, arrays[name]!]);
  }

  getHiddenParameters(): HiddenParameters {
    const out: HiddenParameters = {};
    for (const [name, a] of this.namedArrays()) out[name] = name === 'drift_nu' && this.drifter === null ? new Float32Array(this.size) : a.slice();
    return out;
  }

  setHiddenParameters(params: Partial<HiddenParameters>): void {
    for (const [name, a] of this.namedArrays()) {
      const v = params[name];
      if (v !== undefined) a.set(v);
    }
    if (this.drifter === null) this.driftNu.fill(0); // aihwkit keeps ν only with a drifter
    this.dw.reestimate(this.scaleUp, this.scaleDown); // aihwkit's setDeviceParameter
    // aihwkit clips the weights to the new bounds (a set persistent_weights is kept, see docs/training.md)
    const w = this.w;
    for (let e = 0; e < this.size; e++) w[e] = Math.max(Math.min(w[e]!, this.maxBound[e]!), this.minBound[e]!);
    if (this.persistent !== null && params['persistent_weights'] === undefined) {
      this.persistent.set(w);
      this.redrawWriteNoise();
    }
  }

  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.dw.saveState(scalars);
    this.drifter?.saveState(arrays, scalars);
  }

  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.dw.loadState(scalars);
    this.drifter?.loadState(arrays, scalars);
  }
}
