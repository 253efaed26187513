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
import { deviceModelPlan, type EngineDeviceModel } from '@crossbar/core';
import type { TileContext } from './tile.js';
import { FloatingPointDeviceModel } from './devices/floating-point.js';
import { PulsedDeviceModel } from './devices/pulsed.js';
import { WeightDrifter } from './drift.js';

export type DeviceModel = EngineDeviceModel<void>;

/** The device model core's deviceModelPlan chooses for the tile's rpuConfig. */
export function createDeviceModel(ctx: TileContext): DeviceModel {
  const plan = deviceModelPlan(ctx.rpuConfig, ctx.seed, ctx.outSize * ctx.inSize);
  if (plan.kind === 'pulsed') return new PulsedDeviceModel(ctx, plan.device, plan.update);
  const drifter = plan.drift === null ? null : new WeightDrifter(ctx, plan.drift.settings, plan.drift.exponents);
  return new FloatingPointDeviceModel(ctx, plan, drifter);
}
