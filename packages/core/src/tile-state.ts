/**
 * Reading a TileState back (AnalogTile.setState), the same checks on every
 * engine: a state from another tile size, seed or config is refused before the
 * tile changes, so a saved tile only ever restores into its own kind.
 */
import { rpuConfigFromDict } from './config/dict.js';
import type { RPUConfig } from './config/rpu-configs.js';
import { InputError } from './errors.js';
import type { TileState } from './tile.js';
import { checkFloat32Array } from './validate.js';

/** What every tile state records about the tile's shape, seed and config. */
export interface TileIdentity {
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  readonly rpuConfig: RPUConfig;
}

/** The parts of a checked TileState that every engine restores the same way. */
export interface CheckedTileState {
  weights: Float32Array;
  hiddenParameters: Record<string, Float32Array>;
  rngCall: number;
}

/**
 * Checks `state` against the tile it is loaded into (format, sizes, seed, config, finite
 * weights, random-call position) and converts its arrays; throws InputError and changes
 * nothing. The engine then checks its own named arrays and scalars before restoring.
 */
export function checkTileState(tile: TileIdentity, state: TileState): CheckedTileState {
  if (state === null || typeof state !== 'object' || state.format !== 'crossbar-tile-state@1') {
    throw new InputError('setState: expected a TileState with format "crossbar-tile-state@1"');
  }
  if (state.outSize !== tile.outSize || state.inSize !== tile.inSize) {
    throw new InputError(
      `setState: the state is for a ${state.outSize} × ${state.inSize} tile, this tile is ${tile.outSize} × ${tile.inSize}`,
    );
  }
  if (state.seed !== tile.seed) {
    // The seed keys every later random draw: restoring into another seed would diverge silently.
    throw new InputError(`setState: the state was saved from a tile with seed ${state.seed}, this tile has seed ${tile.seed}; create the tile with the saved seed`);
  }
  if (!rpuConfigFromDict(state.rpuConfig).equals(tile.rpuConfig)) {
    throw new InputError('setState: the state was saved with a different rpuConfig; create the tile from the saved config');
  }
  if (!Number.isSafeInteger(state.rngCall) || state.rngCall < 1) {
    throw new InputError(`setState: rngCall must be a positive integer, got ${String(state.rngCall)}`);
  }
  if (!Array.isArray(state.weights)) throw new InputError('setState: weights must be an array of numbers');
  const weights = checkFloat32Array('setState', 'weights', Float32Array.from(state.weights), tile.outSize * tile.inSize);
  const hiddenParameters: Record<string, Float32Array> = {};
  if (state.hiddenParameters === null || typeof state.hiddenParameters !== 'object') {
    throw new InputError('setState: hiddenParameters must be an object of number arrays');
  }
  for (const [name, values] of Object.entries(state.hiddenParameters)) {
    if (!Array.isArray(values)) throw new InputError(`setState: hiddenParameters.${name} must be an array of numbers`);
    hiddenParameters[name] = Float32Array.from(values);
  }
  return { weights, hiddenParameters, rngCall: state.rngCall };
}
