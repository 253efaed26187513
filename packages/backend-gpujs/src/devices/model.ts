/**
 * The device model of a gpu.js tile: the update W ← W − lr·dᵀx and the
 * device's other weight operations (decay, diffusion, column reset, drift),
 * its hidden parameters and state. As in aihwkit's tiles, update() does not
 * decay or diffuse; a training loop calls those after each mini-batch.
 */
import {
  drawDriftExponents,
  driftSettings,
  FloatingPointRPUConfig,
  IdealDevice,
  InferenceRPUConfig,
  type HiddenParameters,
  type PulsedDevice,
  type TileState,
} from '@crossbar/core';
import type { TileContext } from '../context.js';
import { DeviceDrifter } from '../drift.js';
import { FloatingPointDeviceModel } from './floating-point.js';
import { PulsedDeviceModel } from './pulsed.js';

export interface DeviceModel {
  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): Promise<void>;
  /** Called after setWeights. */
  onWeightsSet(): void;
  drift(timeSinceLastCall: number): void;
  decay(alpha: number): void;
  diffuse(): void;
  resetColumns(start: number, count: number, resetProb: number): void;
  getHiddenParameters(): HiddenParameters;
  setHiddenParameters(params: Partial<HiddenParameters>): void;
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}

export function createDeviceModel(ctx: TileContext): DeviceModel {
  const cfg = ctx.rpuConfig;
  if (cfg instanceof FloatingPointRPUConfig) {
    const dev = cfg.device;
    // aihwkit's RPUSimple drifts with the "simple" drift: one ν, no variation, no offsets or noise
    const drifter = new DeviceDrifter(ctx, driftSettings(dev.drift), null);
    return new FloatingPointDeviceModel(ctx, { name: 'FloatingPointDevice', diffusion: dev.diffusion, lifetime: dev.lifetime, drifter });
  }
  if (cfg instanceof InferenceRPUConfig) {
    return new FloatingPointDeviceModel(ctx, { name: 'IdealDevice', diffusion: cfg.device.diffusion, lifetime: cfg.device.lifetime, drifter: null });
  }
  if (cfg.device instanceof IdealDevice) {
    const ideal = cfg.device as IdealDevice;
    return new FloatingPointDeviceModel(ctx, { name: 'IdealDevice', diffusion: ideal.diffusion, lifetime: ideal.lifetime, drifter: null });
  }
  const dev = cfg.device as PulsedDevice;
  if (cfg.update.pulseType === 'None') {
    // aihwkit builds the device as its floating-point part: no bounds, per-device drift exponents
    let drifter: DeviceDrifter | null = null;
    if (dev.drift.nu > 0) {
      const key = dev.constructionSeed !== 0 ? dev.constructionSeed : ctx.seed;
      const nu = ctx.scope.upload(drawDriftExponents(key, dev.drift, ctx.outSize * ctx.inSize), ctx.outSize, ctx.inSize, true);
      drifter = new DeviceDrifter(ctx, driftSettings(dev.drift), nu);
    }
    return new FloatingPointDeviceModel(ctx, { name: `${dev.constructor.name} with pulse_type None`, diffusion: dev.diffusion, lifetime: dev.lifetime, drifter });
  }
  return new PulsedDeviceModel(ctx, dev, cfg.update);
}
