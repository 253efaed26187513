/**
 * Device drift (DriftParameter / SimpleDriftParameter) of training tiles on
 * the device: aihwkit v.0.7.1 weight_drifter.cpp, with the ndarray engine's
 * semantics (its drift.ts documents them). Per call the clock advances by
 * dt / t_0; an element whose weight changed by more than reset_tol since the
 * last call restarts there, the others are recomputed from their w0 with
 * core's driftExponent and driftedWeight; w_noise_std noise is added after.
 * Draws: DeviceDrift, sub 0 normal ν variation, sub 1 normal weight noise,
 * element = row · inSize + column, one tile call per drift that draws.
 */
import { RandomStreamId, type DriftSettings, type TileState } from '@crossbar/core';
import type { DeviceArray } from './device.js';
import { mapMatrix, type ElementRandom } from './elementwise.js';
import { formulaName as fn } from './kernels/library.js';
import type { TileContext } from './context.js';

export class DeviceDrifter {
  /** The clock in units of t_0 (float32, as aihwkit's current_t_). */
  private now = 0;
  private active = false;
  private previous: DeviceArray | null = null;
  private w0: DeviceArray | null = null;
  private start: DeviceArray | null = null;

  /** @param nu per-element exponents (device-to-device) on the device, or null: every element uses settings.nu. */
  constructor(
    private readonly ctx: TileContext,
    private readonly settings: DriftSettings,
    readonly nu: DeviceArray | null,
  ) {}

  private zeros(): DeviceArray {
    return this.ctx.scope.upload(new Float32Array(this.ctx.outSize * this.ctx.inSize), this.ctx.outSize, this.ctx.inSize, true);
  }

  /** Whether a drift draws random numbers (ν variation or weight noise). */
  get usesRandomness(): boolean {
    return this.settings.wNoiseStd > 0 || this.settings.nuStd > 0;
  }

  /** Drifts `w` (the weights or the persistent weights) in place; `call`: the operation's random call, else one of its own when it draws. */
  apply(w: DeviceArray, timeSinceLastCall: number, call?: number): void {
    const { scope, outSize, inSize, seed, rand } = this.ctx;
    const s = this.settings;
    if (!this.active) {
      scope.free(this.previous);
      scope.free(this.w0);
      scope.free(this.start);
      this.previous = mapMatrix(scope, outSize, inSize, { inputs: { w }, expr: 'w' });
      this.w0 = mapMatrix(scope, outSize, inSize, { inputs: { w }, expr: 'w' });
      this.start = this.zeros();
      this.now = 0;
      this.active = true;
    }
    const items: ElementRandom[] = [];
    let c = 0;
    if (this.usesRandomness) {
      c = call ?? this.ctx.nextRandomCall();
      if (s.nuStd > 0) items.push({ name: 'xiNu', normal: true, streamId: RandomStreamId.DeviceDrift, sub: 0 });
      if (s.wNoiseStd > 0) items.push({ name: 'xiW', normal: true, streamId: RandomStreamId.DeviceDrift, sub: 1 });
    }
    this.now = Math.fround(this.now + Math.fround(timeSinceLastCall / s.t0));
    let offset = Math.fround(Math.fround(s.gOffset * s.wgRatio) + s.wOffset);
    if (Math.abs(offset) < s.resetTol) offset = 0;
    const scalars = {
      now: this.now,
      resetTol: s.resetTol,
      nuMean: s.nu,
      nuStd: s.nuStd,
      nuK: s.nuK,
      wOffset: s.wOffset,
      wgRatio: s.wgRatio,
      gOffset: s.gOffset,
      logG0: s.logG0,
      offset,
      wNoiseStd: s.wNoiseStd,
    };
    const changed = 'Math.abs(Math.fround(prev - w)) > resetTol';
    const nuOf = this.nu ? 'nuE' : 'nuMean';
    const exponent = `${fn('driftExponent')}(${nuOf}, nuStd, ${s.nuStd > 0 ? 'xiNu' : '0.0'}, nuK, w, wOffset, wgRatio, gOffset, logG0)`;
    let drifted = `(${changed} ? w : ${fn('driftedWeight')}(w0, Math.fround(now - st), ${exponent}, offset))`;
    if (s.wNoiseStd > 0) drifted = `Math.fround(${drifted} + Math.fround(wNoiseStd * xiW))`;
    const inputs: Record<string, DeviceArray> = { w, prev: this.previous!, w0: this.w0!, st: this.start! };
    if (this.nu) inputs.nuE = this.nu;
    const random = items.length ? { items, call: c, seed, source: rand } : undefined;
    const next = mapMatrix(scope, outSize, inSize, { inputs, scalars, expr: drifted, random });
    // the restart points of the changed elements, from the weights before the drift
    mapMatrix(scope, outSize, inSize, { inputs: { w, prev: this.previous!, st: this.start! }, scalars, expr: `(${changed} ? now : st)` }, this.start!);
    mapMatrix(scope, outSize, inSize, { inputs: { w, prev: this.previous!, w0: this.w0! }, scalars, expr: `(${changed} ? w : w0)` }, this.w0!);
    mapMatrix(scope, outSize, inSize, { inputs: { v: next }, expr: 'v' }, this.previous!);
    mapMatrix(scope, outSize, inSize, { inputs: { v: next }, expr: 'v' }, w);
    scope.free(next);
  }

  /** Clips the weights and the change reference to the device bounds (pulsed devices, after each drift). */
  saturate(w: DeviceArray, minBound: DeviceArray, maxBound: DeviceArray): void {
    const { scope, outSize, inSize } = this.ctx;
    const expr = 'Math.min(Math.max(lo, v), hi)';
    mapMatrix(scope, outSize, inSize, { inputs: { v: w, lo: minBound, hi: maxBound }, expr }, w);
    mapMatrix(scope, outSize, inSize, { inputs: { v: this.previous!, lo: minBound, hi: maxBound }, expr }, this.previous!);
  }

  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    scalars['drift.active'] = this.active ? 1 : 0;
    scalars['drift.now'] = this.now;
    arrays['drift.previous'] = this.active ? Array.from(this.previous!.download()) : null;
    arrays['drift.w0'] = this.active ? Array.from(this.w0!.download()) : null;
    arrays['drift.start'] = this.active ? Array.from(this.start!.download()) : null;
  }

  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    const { scope, outSize, inSize } = this.ctx;
    const previous = arrays['drift.previous'];
    const w0 = arrays['drift.w0'];
    const start = arrays['drift.start'];
    this.active = scalars['drift.active'] === 1 && Array.isArray(previous) && Array.isArray(w0) && Array.isArray(start);
    this.now = typeof scalars['drift.now'] === 'number' ? scalars['drift.now'] : 0;
    scope.free(this.previous);
    scope.free(this.w0);
    scope.free(this.start);
    this.previous = this.w0 = this.start = null;
    if (this.active) {
      this.previous = scope.upload(Float32Array.from(previous!), outSize, inSize, true);
      this.w0 = scope.upload(Float32Array.from(w0!), outSize, inSize, true);
      this.start = scope.upload(Float32Array.from(start!), outSize, inSize, true);
    }
  }
}
