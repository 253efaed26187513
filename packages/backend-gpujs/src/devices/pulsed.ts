/**
 * The pulsed devices of SingleRPUConfig (ConstantStep, LinearStep,
 * SoftBounds, ExpStep, PowStep) on the device: the device-to-device draws
 * (core's drawPulsedDevice, uploaded once), the bounds, NoneWithDevice,
 * decay, diffusion, column reset, drift, write noise and the hidden
 * parameters — aihwkit v.0.7.1 rpu_pulsed_device.cpp, with the ndarray
 * engine's semantics, streams and elements (its devices/pulsed.ts):
 *   DeviceDiffusion  sub 0 normal;  DeviceReset sub 0 uniform (pick), sub 1 normal;
 *   UpdateWriteNoise sub 1 normal, in the operation's random call (or its own);
 *   element = row · inSize + column.
 *
 * The pulsed update (Stochastic, StochasticCompressed, MeanCount,
 * DeterministicImplicit) runs as kernels (pulsed-update.ts); its write noise:
 *   UpdateWriteNoise sub 0 normal, in the update's call, for the devices that got pulses.
 */
import {
  drawPulsedDevice,
  DwMinState,
  driftSettings,
  pulsedDeviceKind,
  pulsedHiddenParameterNames,
  RandomStreamId,
  type HiddenParameters,
  type LinearStepDevice,
  type PulsedDevice,
  type PulsedDeviceKind,
  type TileState,
  type ExpStepDevice,
  type UpdateParameters,
  updateSettings,
} from '@crossbar/core';
import type { TileContext } from '../context.js';
import type { DeviceArray } from '../device.js';
import { DeviceDrifter } from '../drift.js';
import { mapMatrix } from '../elementwise.js';
import { formulaName as fn } from '../kernels/library.js';
import { rankUpdate } from './rank-update.js';
import { DevicePulsedUpdate, type DeviceScalars } from './pulsed-update.js';
import type { DeviceModel } from './model.js';

const CLIP = 'Math.max(Math.min(v, hi), lo)';

export class PulsedDeviceModel implements DeviceModel {
  readonly kind: PulsedDeviceKind;
  private readonly size: number;
  private readonly arrays: [string, DeviceArray][];
  private readonly maxBound: DeviceArray;
  private readonly minBound: DeviceArray;
  private readonly scaleUp: DeviceArray;
  private readonly scaleDown: DeviceArray;
  private readonly decayScale: DeviceArray;
  private readonly diffusionRate: DeviceArray;
  private readonly resetBias: DeviceArray;
  private readonly driftNu: DeviceArray;
  /** The weights the pulses act on under write noise (aihwkit's persistent weights). */
  private readonly persistent: DeviceArray | null;
  private readonly writeNoiseStd: number;
  private readonly drifter: DeviceDrifter | null;
  private readonly resetStd: number;
  /** dw_min and the weight granularity (re-estimated when the steps are set). */
  private readonly dw: DwMinState;
  /** The pulsed update (null for NoneWithDevice). */
  private readonly pulsed: DevicePulsedUpdate | null;

  constructor(
    private readonly ctx: TileContext,
    device: PulsedDevice,
    private readonly update_: UpdateParameters,
  ) {
    const { scope, outSize, inSize } = ctx;
    this.kind = pulsedDeviceKind(device);
    this.size = outSize * inSize;
    this.dw = new DwMinState(device);
    this.resetStd = Math.fround(device.resetStd);
    this.writeNoiseStd = 'writeNoiseStd' in device ? Math.fround((device as LinearStepDevice).writeNoiseStd) : 0;
    const draws = drawPulsedDevice(device, ctx.seed, outSize, inSize);
    const up = (a: Float32Array) => scope.upload(a, outSize, inSize, true);
    this.maxBound = up(draws.maxBound);
    this.minBound = up(draws.minBound);
    this.scaleUp = up(draws.scaleUp);
    this.scaleDown = up(draws.scaleDown);
    this.decayScale = up(draws.decayScale);
    this.diffusionRate = up(draws.diffusionRate);
    this.resetBias = up(draws.resetBias);
    this.driftNu = up(draws.driftNu);
    this.persistent = this.writeNoiseStd > 0 ? up(new Float32Array(this.size)) : null;
    const byName = new Map<string, DeviceArray>([
      ['max_bound', this.maxBound],
      ['min_bound', this.minBound],
      ['dwmin_up', this.scaleUp],
      ['dwmin_down', this.scaleDown],
      ['decay_scales', this.decayScale],
      ['diffusion_rates', this.diffusionRate],
      ['reset_bias', this.resetBias],
      ['drift_nu', this.driftNu],
    ]);
    if (this.persistent !== null) byName.set('persistent_weights', this.persistent);
    let extraUp: DeviceArray | null = null;
    let extraDown: DeviceArray | null = null;
    if (draws.extra !== null) {
      extraUp = up(draws.extra.up);
      extraDown = up(draws.extra.down);
      byName.set(draws.extra.names[0], extraUp);
      byName.set(draws.extra.names[1], extraDown);
    }
    // aihwkit's order (getDPNames)
    this.arrays = pulsedHiddenParameterNames(this.kind, this.persistent !== null).map((n) => [n, byName.get(n)!]);
    this.drifter = device.drift.nu > 0 ? new DeviceDrifter(ctx, driftSettings(device.drift), this.driftNu) : null;
    const settings = updateSettings(update_);
    this.pulsed =
      settings === null
        ? null
        : new DevicePulsedUpdate(
            ctx,
            this.kind,
            settings,
            { maxBound: this.maxBound, minBound: this.minBound, scaleUp: this.scaleUp, scaleDown: this.scaleDown, extraUp, extraDown },
            deviceScalars(device, this.kind),
          );
    // aihwkit clips the (zero) weights to the bounds at construction: corrupt devices take their value
    this.onWeightsSet();
  }

  /** The weights the device physics acts on (the persistent ones under write noise). */
  private get target(): DeviceArray {
    return this.persistent ?? this.ctx.weights;
  }

  private clip(a: DeviceArray): void {
    const { scope, outSize, inSize } = this.ctx;
    mapMatrix(scope, outSize, inSize, { inputs: { v: a, lo: this.minBound, hi: this.maxBound }, expr: CLIP }, a);
  }

  /** aihwkit's applyUpdateWriteNoise: visible weights = persistent + write noise (in `call`, else a call of its own). */
  private redrawWriteNoise(call?: number): void {
    const pw = this.persistent;
    if (pw === null) return;
    const { scope, outSize, inSize, seed, rand, weights } = this.ctx;
    const c = call ?? this.ctx.nextRandomCall();
    const std = Math.fround(this.writeNoiseStd * this.dw.dwMin);
    mapMatrix(
      scope,
      outSize,
      inSize,
      {
        inputs: { p: pw },
        scalars: { std },
        expr: 'Math.fround(p + Math.fround(std * g))',
        random: { items: [{ name: 'g', normal: true, streamId: RandomStreamId.UpdateWriteNoise, sub: 1 }], call: c, seed, source: rand },
      },
      weights,
    );
  }

  onWeightsSet(): void {
    this.clip(this.ctx.weights);
    if (this.persistent !== null) {
      const { scope, outSize, inSize, weights } = this.ctx;
      mapMatrix(scope, outSize, inSize, { inputs: { w: weights }, expr: 'w' }, this.persistent);
      this.redrawWriteNoise();
    }
  }

  async update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): Promise<void> {
    if (!(learningRate > 0)) return; // aihwkit: a zero learning rate changes nothing
    if (this.pulsed !== null) {
      const call = this.ctx.nextRandomCall();
      const pulses = await this.pulsed.run(this.target, x, d, batch, Math.fround(learningRate), this.dw.granularity, call, this.persistent !== null);
      if (pulses !== null) this.finishWriteNoise(call, pulses);
      return;
    }
    // NoneWithDevice: each row's floating-point update (aihwkit's ger), clipped to the bounds after it
    const { inSize, outSize } = this.ctx;
    const t = this.target;
    const alpha = -Math.fround(learningRate);
    for (let r = 0; r < batch; r++) {
      await rankUpdate(this.ctx, t, x.subarray(r * inSize, (r + 1) * inSize), d.subarray(r * outSize, (r + 1) * outSize), 1, alpha);
      this.clip(t);
    }
    this.redrawWriteNoise();
  }

  /** Write noise after a pulsed update: the visible weight of every device that got pulses is redrawn around its persistent weight. */
  private finishWriteNoise(call: number, pulses: Float32Array): void {
    const pw = this.persistent;
    if (pw === null) return;
    const { scope, outSize, inSize, seed, rand, weights } = this.ctx;
    const std = Math.fround(this.writeNoiseStd * this.dw.dwMin);
    mapMatrix(
      scope,
      outSize,
      inSize,
      {
        inputs: { p: pw, w: weights },
        arrays: { n: pulses },
        scalars: { std },
        expr: '(n > 0.0 ? Math.fround(p + Math.fround(std * g)) : w)',
        random: { items: [{ name: 'g', normal: true, streamId: RandomStreamId.UpdateWriteNoise, sub: 0 }], call, seed, source: rand },
      },
      weights,
    );
  }

  decay(alpha: number): void {
    const { scope, outSize, inSize } = this.ctx;
    const t = this.target;
    mapMatrix(
      scope,
      outSize,
      inSize,
      {
        inputs: { w: t, b: this.resetBias, s: this.decayScale, lo: this.minBound, hi: this.maxBound },
        scalars: { a: Math.fround(alpha) },
        expr: `${fn('decayedWeight')}(w, b, s, a, lo, hi)`,
      },
      t,
    );
    this.redrawWriteNoise();
  }

  diffuse(): void {
    const { scope, outSize, inSize, seed, rand } = this.ctx;
    const t = this.target;
    const call = this.ctx.nextRandomCall();
    mapMatrix(
      scope,
      outSize,
      inSize,
      {
        inputs: { w: t, rate: this.diffusionRate, lo: this.minBound, hi: this.maxBound },
        expr: `${fn('diffusedWeight')}(w, rate, xi, lo, hi)`,
        random: { items: [{ name: 'xi', normal: true, streamId: RandomStreamId.DeviceDiffusion, sub: 0 }], call, seed, source: rand },
      },
      t,
    );
    this.redrawWriteNoise(call);
  }

  resetColumns(start: number, count: number, resetProb: number): void {
    if (resetProb === 0 || count === 0) return; // aihwkit: RPUPulsed::resetCols does nothing
    const { scope, outSize, inSize, seed, rand } = this.ctx;
    const t = this.target;
    const call = this.ctx.nextRandomCall();
    const p = Math.fround(resetProb);
    const items = [
      { name: 'u', normal: false, streamId: RandomStreamId.DeviceReset, sub: 0 },
      { name: 'xi', normal: true, streamId: RandomStreamId.DeviceReset, sub: 1 },
    ];
    const reset = `${fn('resetWeight')}(b, resetStd, ${this.resetStd > 0 ? 'xi' : '0.0'}, lo, hi)`;
    const picked = p !== 1 ? ' && u < p' : '';
    mapMatrix(
      scope,
      outSize,
      inSize,
      {
        inputs: { w: t, b: this.resetBias, lo: this.minBound, hi: this.maxBound },
        scalars: { p, resetStd: this.resetStd, c0: start, cnt: count, nIn: inSize }, // columns wrap past the last (core's resetColumnIndex)
        expr: `((c >= c0 ? c - c0 : c - c0 + nIn) < cnt${picked} ? ${reset} : w)`,
        random: { items, call, seed, source: rand },
      },
      t,
    );
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

  getHiddenParameters(): HiddenParameters {
    const out: HiddenParameters = {};
    for (const [name, a] of this.arrays) out[name] = name === 'drift_nu' && this.drifter === null ? new Float32Array(this.size) : a.download();
    return out;
  }

  setHiddenParameters(params: Partial<HiddenParameters>): void {
    const { scope } = this.ctx;
    for (const [name, a] of this.arrays) {
      const v = params[name];
      if (v !== undefined) scope.overwrite(a, v);
    }
    if (this.drifter === null) scope.overwrite(this.driftNu, new Float32Array(this.size)); // aihwkit keeps ν only with a drifter
    this.dw.reestimate(this.scaleUp.download(), this.scaleDown.download()); // aihwkit's setDeviceParameter
    // aihwkit clips the weights to the new bounds (a set persistent_weights is kept)
    this.clip(this.ctx.weights);
    if (this.persistent !== null && params['persistent_weights'] === undefined) {
      const { outSize, inSize, weights } = this.ctx;
      mapMatrix(scope, outSize, inSize, { inputs: { w: weights }, expr: 'w' }, this.persistent);
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

/** The scalars of a device's step formula (kernels/pulses.ts DEVICE_SCALARS), float32 as aihwkit uses them. */
function deviceScalars(device: PulsedDevice, kind: PulsedDeviceKind): DeviceScalars {
  const f = Math.fround;
  const std = f(device.dwMinStd);
  const s: DeviceScalars = { std, multNoise: 0, aUp: 0, aDown: 0, gammaUp: 0, gammaDown: 0, expA: 0, expB: 0, stdAdd: 0, stdSlope: 0, complexNoise: 0 };
  if (kind === 'LinearStep' || kind === 'SoftBounds') s.multNoise = (device as LinearStepDevice).multNoise ? 1 : 0;
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
