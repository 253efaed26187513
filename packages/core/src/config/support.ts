/**
 * Which configs the engines can build tiles from today. aihwkit 0.7.1's other
 * devices (SoftBoundsPmax, SoftBoundsReference, PowStepReference,
 * PiecewiseStep and every compound device) are configs only until their
 * physics lands (issue 16): a tile asked for one is refused with a
 * NotSupportedError that names the device.
 */
import { NotSupportedError } from '../errors.js';
import { UNIMPLEMENTED_PULSED_DEVICES } from './devices.js';
import type { AnyConfigClass } from './field.js';
import { DigitalRankUpdateRPUConfig, SingleRPUConfig, UnitCellRPUConfig, type RPUConfig } from './rpu-configs.js';

/** The device (or compound device) of `rpuConfig` no engine implements yet, by aihwkit's class name; undefined when every part is implemented. */
export function unimplementedDevice(rpuConfig: RPUConfig): string | undefined {
  const name = (c: object) => (c.constructor as unknown as AnyConfigClass).configName;
  if (rpuConfig instanceof UnitCellRPUConfig || rpuConfig instanceof DigitalRankUpdateRPUConfig) return name(rpuConfig.device);
  if (rpuConfig instanceof SingleRPUConfig && (UNIMPLEMENTED_PULSED_DEVICES as readonly unknown[]).includes(rpuConfig.device.constructor)) {
    return name(rpuConfig.device);
  }
  return undefined;
}

/** Throws a NotSupportedError naming the device when no engine implements `rpuConfig`'s device yet. */
export function checkDeviceImplemented(rpuConfig: RPUConfig): void {
  const device = unimplementedDevice(rpuConfig);
  if (device === undefined) return;
  const owner = (rpuConfig.constructor as unknown as AnyConfigClass).configName;
  throw new NotSupportedError(
    `${owner} with device ${device}: no engine implements ${device} yet (aihwkit 0.7.1's config is accepted, ` +
      `but its physics is not implemented; see docs/configuration.md)`,
  );
}

interface DeviceLike {
  diffusion?: number;
  lifetime?: number;
  unitCellDevices?: DeviceLike[];
  device?: DeviceLike;
}

/** aihwkit's `requires_diffusion()`: diffusion > 0 on the device, or on any device of a compound. */
export function requiresDiffusion(device: object): boolean {
  const d = device as DeviceLike;
  if (d.unitCellDevices) return d.unitCellDevices.some(requiresDiffusion);
  if (d.device) return requiresDiffusion(d.device);
  return (d.diffusion ?? 0) > 0;
}

/** aihwkit's `requires_decay()`: lifetime > 0 on the device, or on any device of a compound. */
export function requiresDecay(device: object): boolean {
  const d = device as DeviceLike;
  if (d.unitCellDevices) return d.unitCellDevices.some(requiresDecay);
  if (d.device) return requiresDecay(d.device);
  return (d.lifetime ?? 0) > 0;
}
