/**
 * The device model of a gpu.js tile: the update W ← W − lr·dᵀx and the
 * device's other weight operations (decay, diffusion, column reset, drift),
 * its hidden parameters and state. As in aihwkit's tiles, update() does not
 * decay or diffuse; a training loop calls those after each mini-batch.
 */
import {
  FloatingPointRPUConfig,
  IdealDevice,
  InferenceRPUConfig,
  NotSupportedError,
  type HiddenParameters,
  type PulsedDevice,
  type TileState,
} from '@crossbar/core';
import type { TileContext } from '../context.js';
import { DeviceDrifter } from '../drift.js';
import { FloatingPointDeviceModel } from './floating-point.js';

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
    const drifter = new DeviceDrifter(
      ctx,
      { nu: Math.fround(dev.drift.nu), t0: dev.drift.t0, resetTol: dev.drift.resetTol, nuStd: 0, wgRatio: 1, gOffset: 0, wOffset: 0, nuK: 0, logG0: 0, wNoiseStd: 0 },
      null,
    );
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
  throw new NotSupportedError(
    `gpujs engine: pulsed devices (${dev.constructor.name}, update.pulse_type "${cfg.update.pulseType}") are not implemented yet: ` +
      'their construction draws, pulse trains and per-pulse noise live in @crossbar/backend-ndarray and must move to @crossbar/core first',
  );
}
