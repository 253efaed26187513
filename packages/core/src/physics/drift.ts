/**
 * Device drift (DriftParameter / SimpleDriftParameter) of training tiles:
 * aihwkit v.0.7.1 src/rpucuda/weight_drifter.cpp, on host arrays
 * (core's tile runs it; the state machine is written once).
 *
 * Each call adds timeSinceLastCall / t_0 to the tile's clock. An element
 * whose weight changed by more than reset_tol since the previous call
 * (an update, decay, set_weights, ...) restarts its drift there (w0 = w,
 * t_start = now); an unchanged element is recomputed from its w0 as
 * w0·max(now − t_start, 1)^(−ν) (+ the conductance offset term). So the first
 * call after a change never moves the weight, and a call with dt <= t_0 right
 * after one neither. Weight noise (w_noise_std) is added to every element
 * after the drift and becomes the reference for the next call's change test.
 *
 * Random draws (one tile call per drift that draws): DeviceDrift, sub 0 normal
 * ν cycle-to-cycle variation (nu_std), sub 1 normal weight noise (w_noise_std),
 * element = row · inSize + column.
 */
import { RandomStream, RandomStreamId } from '../rng.js';
import type { TileState } from '../tile.js';
import { driftExponent, driftedWeight, type DriftSettings } from './devices.js';

/** What a drifter needs of its tile. */
export interface DrifterContext {
  readonly seed: number;
  /** outSize · inSize. */
  readonly size: number;
  /** The call index of the next random-consuming operation (advances the tile's counter). */
  nextRandomCall(): number;
}

/**
 * The drift state machine of one tile (aihwkit's WeightDrifter): the clock,
 * each element's drift start and w0, and the change reference.
 */
export class DeviceDrifter {
  private readonly size: number;
  /** The clock in units of t_0 (float32, as aihwkit's current_t_). */
  private now = 0;
  private active = false;
  private readonly previous: Float32Array;
  private readonly w0: Float32Array;
  private readonly start: Float32Array;
  private readonly noise: Float32Array;
  private readonly nuNoise: Float32Array;

  /**
   * @param nu the per-element drift exponents ν_ij (device-to-device), or null for
   *   aihwkit's "simple" drift where every element uses settings.nu.
   */
  constructor(
    private readonly ctx: DrifterContext,
    private readonly settings: DriftSettings,
    readonly nu: Float32Array | null,
  ) {
    this.size = ctx.size;
    this.previous = new Float32Array(this.size);
    this.w0 = new Float32Array(this.size);
    this.start = new Float32Array(this.size);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a buffer sized although its std is 0 is never read
    this.noise = new Float32Array(settings.wNoiseStd > 0 ? this.size : 0);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a buffer sized although its std is 0 is never read
    this.nuNoise = new Float32Array(settings.nuStd > 0 ? this.size : 0);
  }

  /** Whether a drift draws random numbers (nu_std or w_noise_std). */
  get usesRandomness(): boolean {
    return this.settings.wNoiseStd > 0 || this.settings.nuStd > 0;
  }

  /**
   * Drifts `w` (the weights or the persistent weights) in place; `call`: the
   * random call of the tile's drift (taken here when not given and needed).
   */
  apply(w: Float32Array, timeSinceLastCall: number, call?: number): void {
    const s = this.settings;
    if (!this.active) {
      this.previous.set(w);
      this.w0.set(w);
      this.start.fill(0);
      this.now = 0;
      this.active = true;
    }
    if (this.usesRandomness) {
      const c = call ?? this.ctx.nextRandomCall();
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, with nu_std 0 the buffer is empty and filling it changes nothing
      if (s.nuStd > 0) new RandomStream(this.ctx.seed, RandomStreamId.DeviceDrift, c, 0).fillNormal(this.nuNoise);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, with w_noise_std 0 the buffer is empty and filling it changes nothing
      if (s.wNoiseStd > 0) new RandomStream(this.ctx.seed, RandomStreamId.DeviceDrift, c, 1).fillNormal(this.noise);
    }
    this.now = Math.fround(this.now + Math.fround(timeSinceLastCall / s.t0));
    let offset = Math.fround(Math.fround(s.gOffset * s.wgRatio) + s.wOffset);
    if (Math.abs(offset) < s.resetTol) offset = 0;
    const nu = this.nu;
    // Stryker disable next-line EqualityOperator: equivalent, the extra index past a typed array's end reads undefined and its write is ignored
    for (let i = 0; i < this.size; i++) {
      let v = w[i]!;
      if (Math.abs(Math.fround(this.previous[i]! - v)) > s.resetTol) {
        this.start[i] = this.now;
        this.w0[i] = v;
      } else {
        // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, driftExponent ignores ξ when nu_std is 0
        const xi = s.nuStd > 0 ? this.nuNoise[i]! : 0;
        const n = driftExponent(nu === null ? s.nu : nu[i]!, s.nuStd, xi, s.nuK, v, s.wOffset, s.wgRatio, s.gOffset, s.logG0);
        v = driftedWeight(this.w0[i]!, Math.fround(this.now - this.start[i]!), n, offset);
      }
      if (s.wNoiseStd > 0) v = Math.fround(v + Math.fround(s.wNoiseStd * this.noise[i]!));
      this.previous[i] = v;
      w[i] = v;
    }
  }

  /** Clips the weights and the change reference to the device bounds (pulsed devices, after each drift). */
  saturate(w: Float32Array, minBound: Float32Array, maxBound: Float32Array): void {
    // Stryker disable next-line EqualityOperator: equivalent, the extra index past a typed array's end reads undefined and its write is ignored
    for (let i = 0; i < this.size; i++) {
      w[i] = Math.min(Math.max(minBound[i]!, w[i]!), maxBound[i]!);
      this.previous[i] = Math.min(Math.max(minBound[i]!, this.previous[i]!), maxBound[i]!);
    }
  }

  /** Writes the drift state into a tile state's arrays and scalars (the `drift.*` entries). */
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    scalars['drift.active'] = this.active ? 1 : 0;
    scalars['drift.now'] = this.now;
    arrays['drift.previous'] = this.active ? Array.from(this.previous) : null;
    arrays['drift.w0'] = this.active ? Array.from(this.w0) : null;
    arrays['drift.start'] = this.active ? Array.from(this.start) : null;
  }

  /**
   * Restores the `drift.*` entries of a state that core's checkTileState accepted (it
   * refuses arrays of another length than the tile's and non-finite numbers first).
   */
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    const previous = arrays['drift.previous'];
    const w0 = arrays['drift.w0'];
    const start = arrays['drift.start'];
    this.active = scalars['drift.active'] === 1 && Array.isArray(previous) && Array.isArray(w0) && Array.isArray(start);
    this.now = typeof scalars['drift.now'] === 'number' ? scalars['drift.now'] : 0;
    if (this.active) {
      this.previous.set(previous!);
      this.w0.set(w0!);
      this.start.set(start!);
    }
  }
}
