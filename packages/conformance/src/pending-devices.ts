/**
 * Oracle cases for devices that no engine implements yet. The suite reports them
 * as skipped with this reason, not as failures; remove a type here when it lands.
 * Empty since issue 16 (every aihwkit 0.7.1 device is simulated); kept for the
 * devices of later aihwkit oracles.
 */
import type { OracleEntry } from './format.js';

/** The device types (dict "type" names) whose oracle cases are skipped as pending. */
export const PENDING_DEVICE_TYPES: readonly string[] = [];

/** The reason a case is skipped because its device is not implemented yet, or undefined. */
export function pendingDeviceReason(entry: OracleEntry): string | undefined {
  const device = entry.case.config.device as { type?: unknown } | undefined;
  const type = device && typeof device === 'object' ? device.type : undefined;
  if (typeof type !== 'string' || !PENDING_DEVICE_TYPES.includes(type)) return undefined;
  return `${type} is not implemented by the engines yet (issue 16: compound devices)`;
}
