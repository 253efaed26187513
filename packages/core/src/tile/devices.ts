/**
 * The device model of core's tile: the update W ← W − lr·dᵀx (pulsed through the
 * device per UpdateParameters, or floating point) and the device's other weight
 * operations — decay, diffusion, column reset, device drift — with its hidden
 * parameters and state. Which model a config gets: physics/device-model.ts
 * (deviceModelPlan). The update itself is the engine's kernel
 * (`floatingPointUpdate`, `pulsedUpdate`); the lifecycle around it is here.
 *
 * aihwkit v.0.7.1: src/rpucuda/rpu.cpp (RPUSimple: decay, diffusion, drift),
 * rpu_pulsed_device.cpp/.h (populate, hidden parameters, bounds, decay, diffusion,
 * reset, onSetWeights, write noise), rpu_simple_device.cpp, rpu_pulsed.cpp
 * (populateParameter for pulse_type None).
 *
 * As in aihwkit's tiles, update() does not decay or diffuse: a training loop
 * calls decayWeights() and diffuseWeights() after each mini-batch (aihwkit's
 * post_update_step, when lifetime > 0 or diffusion > 0) and driftWeights()
 * where it models the passing of time.
 */
import type { LinearStepDevice, PulsedDevice } from '../config/devices.js';
import type { UpdateParameters } from '../config/parameters.js';
import { RandomStream, RandomStreamId } from '../rng.js';
import { resetColumnIndex } from '../tile-calls.js';
import {
  decayedWeight,
  diffusedWeight,
  drawPulsedDevice,
  driftSettings,
  pulsedDeviceKind,
  pulsedHiddenParameterNames,
  resetWeight,
  simpleDecayFactor,
} from '../physics/devices.js';
import { deviceModelPlan, DwMinState, SimpleDeviceModel, type EngineDeviceModel, type SimpleDevicePlan } from '../physics/device-model.js';
import { DeviceDrifter } from '../physics/drift.js';
import { UpdateRowPlan, updateSettings, type UpdateSettings } from '../physics/update.js';
import type { HiddenParameters, TileState } from '../tile.js';
import { streamFillsOf } from './fills.js';
import type { TileContext } from './context.js';
import { missingKernel, type PulsedDeviceArrays } from './kernels.js';
import { createCompoundModel, isCompoundConfig } from './compounds.js';

/** The operations of a tile's device model (core's EngineDeviceModel), with the state check of validate-then-commit. */
export interface DeviceModel extends EngineDeviceModel<void> {
  /** Throws an InputError if the saved state does not fit (before anything changes). */
  checkState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}

/** The device model core's deviceModelPlan chooses for the tile's rpuConfig. */
export function createDeviceModel(ctx: TileContext): DeviceModel {
  if (isCompoundConfig(ctx.rpuConfig)) return createCompoundModel(ctx); // compounds.ts
  const plan = deviceModelPlan(ctx.rpuConfig, ctx.seed, ctx.size);
  if (plan.kind === 'pulsed') return new PulsedDeviceModel(ctx, plan.device, plan.update);
  const drifter = plan.drift === null ? null : new DeviceDrifter(ctx, plan.drift.settings, plan.drift.exponents);
  return new FloatingPointDeviceModel(ctx, plan, drifter);
}

/**
 * Floating-point weights: FloatingPointRPUConfig (FloatingPointDevice), IdealDevice,
 * InferenceRPUConfig's training update, and any pulsed device with update.pulse_type
 * "None" (aihwkit then builds the device as its simple floating-point part: no bounds,
 * no hidden parameters; only diffusion, lifetime and drift remain).
 */
class FloatingPointDeviceModel extends SimpleDeviceModel implements DeviceModel {
  private readonly row: Float64Array;

  /** @param drifter null: driftWeights changes nothing. */
  constructor(
    private readonly ctx: TileContext,
    private readonly plan: SimpleDevicePlan,
    private readonly drifter: DeviceDrifter | null,
  ) {
    super(ctx.engine, plan.name, drifter);
    this.row = new Float64Array(ctx.inSize);
  }

  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, the kernel's w − 0·dᵀx changes nothing (the tile refuses negative rates)
    if (!(learningRate > 0)) return;
    const kernel = this.ctx.kernels.floatingPointUpdate;
    // Stryker disable ConditionalExpression,BlockStatement,StringLiteral: the ndarray engine under mutation testing supplies every kernel; this refusal is for engines without one (core's kernel-tile.test.ts)
    if (kernel === undefined) {
      throw missingKernel(this.ctx.engine, `the floating-point update of ${this.plan.name}`, 'floatingPointUpdate', 'rpuConfig.device');
    }
    // Stryker restore ConditionalExpression,BlockStatement,StringLiteral
    kernel.call(this.ctx.kernels, this.ctx.weights, x, d, batch, learningRate);
  }

  onWeightsSet(): void {}

  drift(timeSinceLastCall: number): void {
    this.drifter?.apply(this.ctx.weights, timeSinceLastCall);
  }

  decay(alpha: number): void {
    const f = simpleDecayFactor(Math.fround(this.plan.lifetime), Math.fround(alpha));
    // aihwkit decays only with a factor in (0, 1)
    if (!(f > 0)) return;
    // Stryker disable next-line EqualityOperator: equivalent, f = 1 (α = 0) multiplies by 1
    if (!(f < 1)) return;
    const w = this.ctx.weights;
    // Stryker disable next-line EqualityOperator: equivalent, the extra index past a typed array's end reads undefined and its write is ignored
    for (let e = 0; e < w.length; e++) w[e] = Math.fround(w[e]! * f);
  }

  diffuse(): void {
    const diffusion = Math.fround(this.plan.diffusion);
    if (!(diffusion > 0)) return;
    const { inSize, outSize, weights: w } = this.ctx;
    const call = this.ctx.nextRandomCall();
    const fills = streamFillsOf(this.ctx.kernels);
    // Stryker disable next-line EqualityOperator: equivalent, the extra index past a typed array's end reads undefined and its write is ignored
    for (let i = 0; i < outSize; i++) {
      fills.normal(this.row, this.ctx.seed, RandomStreamId.DeviceDiffusion, call, 0, i * inSize);
      for (let j = 0; j < inSize; j++) w[i * inSize + j] = Math.fround(w[i * inSize + j]! + Math.fround(diffusion * this.row[j]!));
    }
  }

  // the drift.* entries, its only state, are checked by core's checkTileState (lengths, finite numbers)
  checkState(): void {}
}

/**
 * The pulsed devices of SingleRPUConfig (ConstantStep, LinearStep, SoftBounds, ExpStep,
 * PowStep): device-to-device draws (core's drawPulsedDevice, so every engine builds the
 * same devices from the same seed), the pulsed update through the engine's kernel,
 * NoneWithDevice, decay, diffusion, column reset, drift and write noise.
 */
export class PulsedDeviceModel implements DeviceModel {
  private readonly size: number;
  private readonly w: Float32Array;
  private readonly arrays: PulsedDeviceArrays;
  private readonly decayScale: Float32Array;
  private readonly diffusionRate: Float32Array;
  private readonly resetBias: Float32Array;
  private readonly driftNu: Float32Array;
  private readonly extraNames: readonly [string, string] | null = null;
  /** The weights the pulses act on when write noise is on (aihwkit's persistent weights); the visible ones are these plus noise. */
  private readonly persistent: Float32Array | null;
  private readonly writeNoiseStd: number;
  private readonly drifter: DeviceDrifter | null;
  private readonly settings: UpdateSettings | null;
  private readonly resetStd: number;
  /** dw_min and the weight granularity (re-estimated when the steps are set). */
  private readonly dw: DwMinState;
  private readonly plan = new UpdateRowPlan();
  private readonly touched: Uint8Array;
  private readonly rowNormals: Float64Array;

  constructor(
    private readonly ctx: TileContext,
    device: PulsedDevice,
    private readonly update_: UpdateParameters,
  ) {
    // the config already refused bounds that exclude 0 and reverse steps without mult_noise (aihwkit's checks)
    const p = device;
    const size = ctx.size;
    this.size = size;
    this.w = ctx.weights;
    this.dw = new DwMinState(p);
    this.resetStd = Math.fround(p.resetStd);
    this.writeNoiseStd = 'writeNoiseStd' in p ? Math.fround((p as LinearStepDevice).writeNoiseStd) : 0;
    this.persistent = this.writeNoiseStd > 0 ? new Float32Array(size) : null;
    this.touched = new Uint8Array(size);
    this.rowNormals = new Float64Array(ctx.inSize);

    const draws = drawPulsedDevice(p, ctx.seed, ctx.outSize, ctx.inSize);
    this.arrays = {
      kind: pulsedDeviceKind(p),
      device: p,
      maxBound: draws.maxBound,
      minBound: draws.minBound,
      scaleUp: draws.scaleUp,
      scaleDown: draws.scaleDown,
      extraUp: draws.extra?.up ?? null,
      extraDown: draws.extra?.down ?? null,
      reference: draws.reference,
    };
    if (draws.extra !== null) this.extraNames = draws.extra.names;
    this.decayScale = draws.decayScale;
    this.diffusionRate = draws.diffusionRate;
    this.resetBias = draws.resetBias;
    this.driftNu = draws.driftNu;
    this.drifter = p.drift.nu > 0 ? new DeviceDrifter(ctx, driftSettings(p.drift), this.driftNu) : null;
    this.settings = updateSettings(update_);
    // aihwkit clips the (zero) weights to the bounds at construction: corrupt devices take their value.
    this.onWeightsSet();
  }

  // ---------------------------------------------------------------- weights

  /** The weights the device physics acts on (the persistent ones under write noise). */
  private get target(): Float32Array {
    return this.persistent ?? this.w;
  }

  private clip(t: Float32Array): void {
    const { maxBound, minBound } = this.arrays;
    // Stryker disable next-line EqualityOperator: equivalent, the extra index past a typed array's end reads undefined and its write is ignored
    for (let e = 0; e < this.size; e++) t[e] = Math.max(Math.min(t[e]!, maxBound[e]!), minBound[e]!);
  }

  /** The write noise std: write_noise_std · dw_min (aihwkit's applyUpdateWriteNoise). */
  private get writeStd(): number {
    return Math.fround(this.writeNoiseStd * this.dw.dwMin);
  }

  /**
   * aihwkit's applyUpdateWriteNoise: every visible weight = persistent + write noise,
   * drawn in the operation's random call (or a call of its own when the operation draws nothing else).
   */
  private redrawWriteNoise(call?: number): void {
    const pw = this.persistent;
    if (pw === null) return;
    const noiseCall = call ?? this.ctx.nextRandomCall();
    const fills = streamFillsOf(this.ctx.kernels);
    const std = this.writeStd;
    const row = this.rowNormals;
    const n = this.ctx.inSize;
    // Stryker disable next-line EqualityOperator: equivalent, the extra index past a typed array's end reads undefined and its write is ignored
    for (let i = 0; i < this.ctx.outSize; i++) {
      fills.normal(row, this.ctx.seed, RandomStreamId.UpdateWriteNoise, noiseCall, 1, i * n);
      // Stryker disable next-line EqualityOperator: equivalent, the extra write (NaN) goes to the next row's first weight, which that row then rewrites from its persistent weight (past the last row it is ignored)
      for (let j = 0; j < n; j++) this.w[i * n + j] = Math.fround(pw[i * n + j]! + Math.fround(std * row[j]!));
    }
  }

  /** Write noise after an update: the visible weight of every device that received pulses is redrawn around its persistent weight. */
  private finishWriteNoise(call: number): void {
    const pw = this.persistent;
    if (pw === null) return;
    const fills = streamFillsOf(this.ctx.kernels);
    const std = this.writeStd;
    const n = this.ctx.inSize;
    const row = this.rowNormals;
    // Stryker disable next-line EqualityOperator: equivalent, the extra index past a typed array's end reads undefined and its write is ignored
    for (let i = 0; i < this.ctx.outSize; i++) {
      // Stryker disable next-line BooleanLiteral: equivalent, as skipping no row (below)
      let any = false;
      // Stryker disable next-line EqualityOperator: equivalent, the extra index is the next row's first device: its row is then visited for nothing, as only touched devices are written
      for (let j = 0; j < n; j++) {
        // Stryker disable next-line ConditionalExpression: equivalent (true) as skipping no row (below); false never redraws and is detected
        any ||= this.touched[i * n + j] === 1;
      }
      // Stryker disable next-line ConditionalExpression: equivalent, skipping a row without pulses saves its draws; the loop below writes only touched devices either way
      if (!any) continue;
      fills.normal(row, this.ctx.seed, RandomStreamId.UpdateWriteNoise, call, 0, i * n);
      // Stryker disable next-line EqualityOperator: equivalent, the extra index is the next row's first device: written (NaN) only when touched, and then its row rewrites it
      for (let j = 0; j < n; j++) {
        const e = i * n + j;
        if (this.touched[e] === 1) this.w[e] = Math.fround(pw[e]! + Math.fround(std * row[j]!));
      }
    }
  }

  onWeightsSet(): void {
    this.clip(this.w);
    if (this.persistent !== null) {
      this.persistent.set(this.w);
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
    const ctx = this.ctx;
    const kernel = ctx.kernels.pulsedUpdate;
    // Stryker disable ConditionalExpression,BlockStatement,StringLiteral: the ndarray engine under mutation testing supplies every kernel; this refusal is for engines without one (core's kernel-tile.test.ts)
    if (kernel === undefined) {
      const pt = this.settings.pulseType;
      throw missingKernel(ctx.engine, `pulse_type ${pt}`, 'pulsedUpdate', `rpuConfig.update.pulse_type = ${pt}`);
    }
    // Stryker restore ConditionalExpression,BlockStatement,StringLiteral
    const call = ctx.nextRandomCall();
    const maxBl = this.plan.compute(x, d, batch, ctx.inSize, ctx.outSize, lr, this.dw.granularity, this.settings);
    // Stryker disable next-line ConditionalExpression: equivalent, a plan without pulses (maxBl 0) makes the kernel write and touch nothing
    if (maxBl === 0) return;
    this.applyPlan(this.plan, this.update_, this.settings, x, d, batch, lr, call, ctx.seed);
  }

  /** The weight granularity of the device (dw_min, or its kind's rule): the BL scale of its pulsed updates. */
  get granularity(): number {
    return this.dw.granularity;
  }

  /**
   * The pulses of a plan computed elsewhere (a compound device: the cell's granularity, its
   * update policy, a transfer's update parameters) through the engine's `pulsedUpdate` kernel
   * onto this device's weights. `seed`: the stream key of the pulse trains (a compound's devices
   * that get the same pulses share it); `call`: the tile's random call.
   */
  applyPlan(
    plan: UpdateRowPlan,
    update: UpdateParameters,
    settings: UpdateSettings,
    x: Float32Array,
    d: Float32Array,
    batch: number,
    lr: number,
    call: number,
    seed: number,
  ): void {
    const ctx = this.ctx;
    const kernel = ctx.kernels.pulsedUpdate;
    // Stryker disable ConditionalExpression,BlockStatement,StringLiteral: the ndarray engine under mutation testing supplies every kernel; this refusal is for engines without one (core's kernel-tile.test.ts)
    if (kernel === undefined) {
      throw missingKernel(ctx.engine, `pulse_type ${settings.pulseType}`, 'pulsedUpdate', `rpuConfig.update.pulse_type = ${settings.pulseType}`);
    }
    // Stryker restore ConditionalExpression,BlockStatement,StringLiteral
    this.touched.fill(0);
    kernel.call(ctx.kernels, {
      seed,
      call,
      device: this.arrays,
      update,
      settings,
      plan,
      x,
      d,
      batch,
      learningRate: lr,
      target: this.target,
      touched: this.touched,
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a hint the ndarray kernel ignores (it always writes touched)
      touchedRead: this.persistent !== null,
    });
    this.finishWriteNoise(call);
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
      // Stryker disable next-line EqualityOperator: equivalent, the extra row writes past the weights' end, where writes are ignored
      for (let i = 0; i < outSize; i++) {
        const a = Math.fround(alpha * d[r * outSize + i]!);
        // Stryker disable next-line ConditionalExpression: equivalent, adding 0·x changes no weight
        if (a === 0) continue;
        const base = i * inSize;
        for (let j = 0; j < inSize; j++) t[base + j] = Math.fround(t[base + j]! + a * x[r * inSize + j]!);
      }
      this.clip(t);
    }
    this.redrawWriteNoise();
  }

  // ---------------------------------------------------------------- decay, diffusion, reset, drift

  decay(alpha: number): void {
    const t = this.target;
    const a = Math.fround(alpha);
    const { minBound, maxBound } = this.arrays;
    // Stryker disable next-line EqualityOperator: equivalent, the extra index past a typed array's end reads undefined and its write is ignored
    for (let e = 0; e < this.size; e++) t[e] = decayedWeight(t[e]!, this.resetBias[e]!, this.decayScale[e]!, a, minBound[e]!, maxBound[e]!);
    this.redrawWriteNoise();
  }

  diffuse(): void {
    const t = this.target;
    const call = this.ctx.nextRandomCall();
    const fills = streamFillsOf(this.ctx.kernels);
    const row = this.rowNormals;
    const n = this.ctx.inSize;
    const { minBound, maxBound } = this.arrays;
    // Stryker disable next-line EqualityOperator: equivalent, the extra index past a typed array's end reads undefined and its write is ignored
    for (let i = 0; i < this.ctx.outSize; i++) {
      fills.normal(row, this.ctx.seed, RandomStreamId.DeviceDiffusion, call, 0, i * n);
      for (let j = 0; j < n; j++) {
        const e = i * n + j;
        t[e] = diffusedWeight(t[e]!, this.diffusionRate[e]!, row[j]!, minBound[e]!, maxBound[e]!);
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
    const { minBound, maxBound } = this.arrays;
    // Stryker disable next-line EqualityOperator: equivalent, the extra index past a typed array's end reads undefined and its write is ignored
    for (let i = 0; i < this.ctx.outSize; i++) {
      for (let k = 0; k < count; k++) {
        const e = i * n + resetColumnIndex(start, k, n); // wraps past the last column, as aihwkit
        if (!(pick.uniform(e) < p)) continue; // uniform(e) is in (0, 1): p = 1 resets every element
        // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, resetWeight ignores ξ when reset_std is 0
        t[e] = resetWeight(this.resetBias[e]!, this.resetStd, this.resetStd > 0 ? xi.normal(e) : 0, minBound[e]!, maxBound[e]!);
      }
    }
    this.redrawWriteNoise(call);
  }

  /**
   * aihwkit's PulsedRPUDevice::resetAtIndices (a OneSidedUnitCell refresh): each listed
   * element ← clip(reset_bias + reset_std·ξ), in a random call of its own.
   */
  resetAt(indices: readonly number[]): void {
    // Stryker disable next-line ConditionalExpression: equivalent for its one caller (the OneSidedUnitCell refresh never passes an empty list)
    if (indices.length === 0) return;
    const call = this.ctx.nextRandomCall();
    const xi = new RandomStream(this.ctx.seed, RandomStreamId.DeviceReset, call, 1);
    const t = this.target;
    const { minBound, maxBound } = this.arrays;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, resetWeight ignores ξ when reset_std is 0
    for (const e of indices) t[e] = resetWeight(this.resetBias[e]!, this.resetStd, this.resetStd > 0 ? xi.normal(e) : 0, minBound[e]!, maxBound[e]!);
    this.redrawWriteNoise(call);
  }

  drift(timeSinceLastCall: number): void {
    if (this.drifter === null) return; // aihwkit drifts only when drift.nu > 0
    const t = this.target;
    const call = this.drifter.usesRandomness || this.persistent !== null ? this.ctx.nextRandomCall() : 0;
    this.drifter.apply(t, timeSinceLastCall, call);
    this.drifter.saturate(t, this.arrays.minBound, this.arrays.maxBound);
    this.redrawWriteNoise(call);
  }

  // ---------------------------------------------------------------- hidden parameters and state

  private namedArrays(): [string, Float32Array][] {
    const a = this.arrays;
    const arrays: Record<string, Float32Array | null> = {
      max_bound: a.maxBound,
      min_bound: a.minBound,
      dwmin_up: a.scaleUp,
      dwmin_down: a.scaleDown,
      decay_scales: this.decayScale,
      diffusion_rates: this.diffusionRate,
      reset_bias: this.resetBias,
      drift_nu: this.driftNu,
      persistent_weights: this.persistent,
      reference: a.reference,
    };
    if (this.extraNames !== null) {
      arrays[this.extraNames[0]] = a.extraUp;
      arrays[this.extraNames[1]] = a.extraDown;
    }
    return pulsedHiddenParameterNames(a.kind, this.persistent !== null).map((name) => [name, arrays[name]!]);
  }

  getHiddenParameters(): HiddenParameters {
    const out: HiddenParameters = {};
    // drift_nu is 0 without a drifter: drawn only when drift.nu > 0, zeroed by setHiddenParameters
    for (const [name, a] of this.namedArrays()) out[name] = a.slice();
    return out;
  }

  setHiddenParameters(params: Partial<HiddenParameters>): void {
    for (const [name, a] of this.namedArrays()) {
      const v = params[name];
      if (v !== undefined) a.set(v);
    }
    if (this.drifter === null) this.driftNu.fill(0); // aihwkit keeps ν only with a drifter
    this.dw.reestimate(this.arrays.scaleUp, this.arrays.scaleDown); // aihwkit's setDeviceParameter
    // aihwkit clips the weights to the new bounds (a set persistent_weights is kept, see docs/training.md)
    this.clip(this.w);
    if (this.persistent !== null && params['persistent_weights'] === undefined) {
      this.persistent.set(this.w);
      this.redrawWriteNoise();
    }
  }

  // the drift.* entries, its only state, are checked by core's checkTileState (lengths, finite numbers)
  checkState(_arrays: TileState['arrays'], _scalars: TileState['scalars']): void {}

  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.dw.saveState(scalars);
    this.drifter?.saveState(arrays, scalars);
  }

  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    this.dw.loadState(scalars);
    this.drifter?.loadState(arrays, scalars);
  }
}
