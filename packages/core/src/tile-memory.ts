/**
 * A size limit checked before any allocation: a tile (or a layer's grid of
 * tiles) whose buffers would exceed it is refused with an InputError that
 * gives the estimated bytes and how to raise the limit, instead of V8's
 * "Invalid typed array length" or an out-of-memory crash halfway through.
 */
import { FloatingPointRPUConfig, InferenceRPUConfig, type RPUConfig } from './config/rpu-configs.js';
import { InputError } from './errors.js';

/** Environment variable that raises (or lowers) the default limit, in bytes. */
export const MAX_TILE_BYTES_ENV = 'CROSSBAR_MAX_TILE_BYTES';
/** The default limit: 4 GiB of estimated tile buffers per createTile call or layer. */
export const DEFAULT_MAX_TILE_BYTES = 4 * 2 ** 30;

/**
 * How many float32 arrays of outSize × inSize a tile of this config holds at most
 * (weights, device hidden parameters, drift state, modified and programmed copies,
 * engine scratch): an upper estimate, so the check errs on the safe side.
 */
export function arraysPerElement(rpuConfig: RPUConfig | undefined): number {
  if (rpuConfig instanceof FloatingPointRPUConfig) return 6; // weights, modifier copy, drift (3), scratch
  if (rpuConfig instanceof InferenceRPUConfig) return 8; // + reference, programmed, drift exponents (2)
  return 18; // pulsed: + up to 11 hidden parameters and update scratch
}

/** Estimated bytes of a tile's buffers. */
export function estimateTileBytes(outSize: number, inSize: number, rpuConfig?: RPUConfig): number {
  return outSize * inSize * 4 * arraysPerElement(rpuConfig);
}

function envLimit(): number | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const raw = env?.[MAX_TILE_BYTES_ENV];
  if (raw === undefined || raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) {
    throw new InputError(`${MAX_TILE_BYTES_ENV}=${raw} is not a positive number of bytes`);
  }
  return v;
}

/** The limit in force: `override` (an option), else env CROSSBAR_MAX_TILE_BYTES, else DEFAULT_MAX_TILE_BYTES. */
export function maxTileBytes(where: string, override?: number): number {
  if (override !== undefined) {
    if (typeof override !== 'number' || !(override > 0)) {
      throw new InputError(`${where}: maxBytes must be a positive number of bytes, got ${String(override)}`);
    }
    return override;
  }
  return envLimit() ?? DEFAULT_MAX_TILE_BYTES;
}

function formatBytes(b: number): string {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(1)} GiB`;
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
  return `${Math.round(b)} bytes`;
}

/**
 * Throws an InputError when `bytes` (an estimate of what `what` would allocate)
 * exceeds the limit; nothing has been allocated yet when it throws.
 * Also refuses arrays longer than a typed array can be.
 */
export function checkTileMemory(where: string, what: string, bytes: number, elements: number, maxBytes?: number): void {
  const limit = maxTileBytes(where, maxBytes);
  if (!Number.isSafeInteger(elements) || elements > 2 ** 32 - 1 || bytes > limit) {
    throw new InputError(
      `${where}: ${what} would need about ${formatBytes(bytes)} (${bytes.toExponential(2)} bytes) of tile buffers, ` +
        `over the limit of ${formatBytes(limit)}` +
        (elements > 2 ** 32 - 1 ? ' (and more elements than a Float32Array can hold)' : '') +
        `; raise it with the option maxBytes or the environment variable ${MAX_TILE_BYTES_ENV} (bytes), or map the layer onto smaller tiles`,
    );
  }
}
