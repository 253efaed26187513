/**
 * The device model of a gpu.js tile: core's EngineDeviceModel with an
 * update that waits for the device, of the kind core's deviceModelPlan
 * chooses (floating point: floating-point.ts; pulsed: pulsed.ts).
 */
import { deviceModelPlan, NotSupportedError, pulsedDeviceKind, type EngineDeviceModel } from '@crossbar/core';
import type { TileContext } from '../context.js';
import { DeviceDrifter } from '../drift.js';
import { FloatingPointDeviceModel } from './floating-point.js';
import { PulsedDeviceModel } from './pulsed.js';

export type DeviceModel = EngineDeviceModel<Promise<void>>;

/** The device model core's deviceModelPlan chooses for the tile's rpuConfig (per-device drift exponents uploaded once). */
export function createDeviceModel(ctx: TileContext): DeviceModel {
  const { outSize, inSize } = ctx;
  const plan = deviceModelPlan(ctx.rpuConfig, ctx.seed, outSize * inSize);
  if (plan.kind === 'pulsed') {
    // issue 16 added these devices to core; this engine's kernels do not have them yet (issue 13 ports them onto core's tile)
    const kind = pulsedDeviceKind(plan.device);
    if (kind === 'PiecewiseStep' || kind === 'SoftBoundsReference' || kind === 'PowStepReference') {
      throw new NotSupportedError(`gpujs engine: ${kind}Device is not supported yet (use the ndarray engine)`);
    }
    return new PulsedDeviceModel(ctx, plan.device, plan.update);
  }
  let drifter: DeviceDrifter | null = null;
  if (plan.drift !== null) {
    const nu = plan.drift.exponents === null ? null : ctx.scope.upload(plan.drift.exponents, outSize, inSize, true);
    drifter = new DeviceDrifter(ctx, plan.drift.settings, nu);
  }
  return new FloatingPointDeviceModel(ctx, plan, drifter);
}
