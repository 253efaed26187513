/**
 * The device model of a tile: the update W ← W − lr·dᵀx (pulsed through the
 * device per UpdateParameters, or floating point), decay, diffusion, column
 * reset, device drift and the hidden parameters.
 *
 *   devices/pulsed.ts          pulsed devices of SingleRPUConfig
 *   devices/floating-point.ts  FloatingPointRPUConfig, IdealDevice, pulse_type "None"
 *   pulses.ts                  pulse trains and coincidences of one update
 *   drift.ts                   device drift (DriftParameter, SimpleDriftParameter)
 *
 * As in aihwkit's tiles, update() does not decay or diffuse: a training loop
 * calls decayWeights() and diffuseWeights() after each mini-batch (aihwkit's
 * post_update_step, when lifetime > 0 or diffusion > 0) and driftWeights()
 * where it models the passing of time.
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
import type { TileContext } from './tile.js';
import { FloatingPointDeviceModel } from './devices/floating-point.js';
import { PulsedDeviceModel } from './devices/pulsed.js';
import { WeightDrifter } from './drift.js';

export interface DeviceModel {
  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): void;
  /** Called after setWeights: pulsed devices clip to their bounds, drift resets, ... */
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

/** The drift of a pulsed device built as its floating-point part (pulse_type "None"): per-device ν as aihwkit's WeightDrifter draws them. */
function simpleDeviceDrifter(ctx: TileContext, device: PulsedDevice): WeightDrifter | null {
  if (!(device.drift.nu > 0)) return null;
  const seed = device.constructionSeed !== 0 ? device.constructionSeed : ctx.seed;
  return new WeightDrifter(ctx, driftSettings(device.drift), drawDriftExponents(seed, device.drift, ctx.outSize * ctx.inSize));
}

export function createDeviceModel(ctx: TileContext): DeviceModel {
  const cfg = ctx.rpuConfig;
  if (cfg instanceof FloatingPointRPUConfig) {
    const dev = cfg.device;
    // aihwkit's RPUSimple drifts with the "simple" drift: one ν, no variation, no offsets or noise
    const drifter = new WeightDrifter(ctx, driftSettings(dev.drift), null);
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
    return new FloatingPointDeviceModel(ctx, {
      name: `${dev.constructor.name} with pulse_type None`,
      diffusion: dev.diffusion,
      lifetime: dev.lifetime,
      drifter: simpleDeviceDrifter(ctx, dev),
    });
  }
  return new PulsedDeviceModel(ctx, dev, cfg.update);
}
