/**
 * Which configs the engines can build tiles from today. aihwkit 0.7.1's other
 * single devices (SoftBoundsPmax, SoftBoundsReference, PowStepReference,
 * PiecewiseStep) are configs only until their physics lands (issue 16): a tile
 * asked for one, alone or inside a compound device, is refused with a
 * NotSupportedError that names the device. The compound devices themselves are
 * simulated by core's tile (tile/compounds.ts).
 */
import { NotSupportedError } from '../errors.js';
import { UNIMPLEMENTED_PULSED_DEVICES } from './devices.js';
import type { AnyConfigClass } from './field.js';
import { DigitalRankUpdateRPUConfig, SingleRPUConfig, UnitCellRPUConfig, type RPUConfig } from './rpu-configs.js';

/** The device (or compound device) of `rpuConfig` no engine implements yet, by aihwkit's class name; undefined when every part is implemented. */
export function unimplementedDevice(rpuConfig: RPUConfig): string | undefined {
  const name = (c: object) => (c.constructor as unknown as AnyConfigClass).configName;
  const unimplemented = (d: object) => (UNIMPLEMENTED_PULSED_DEVICES as readonly unknown[]).includes(d.constructor);
  // compound devices are core's tile's (tile/compounds.ts): only their single devices may be missing
  const inCell = (d: object): string | undefined => {
    if (unimplemented(d)) return name(d);
    const c = d as { unitCellDevices?: object[]; device?: object };
    for (const sub of c.unitCellDevices ?? []) {
      const missing = inCell(sub);
      if (missing !== undefined) return missing;
    }
    return c.device !== undefined ? inCell(c.device) : undefined;
  };
  if (rpuConfig instanceof UnitCellRPUConfig || rpuConfig instanceof DigitalRankUpdateRPUConfig) return inCell(rpuConfig.device);
  if (rpuConfig instanceof SingleRPUConfig && unimplemented(rpuConfig.device)) return name(rpuConfig.device);
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
