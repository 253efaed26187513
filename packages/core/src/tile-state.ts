/**
 * Reading a TileState back (AnalogTile.setState), the same checks on every
 * engine: a state from another tile size, seed or config is refused before the
 * tile changes, so a saved tile only ever restores into its own kind.
 */
import { rpuConfigFromDict } from './config/dict.js';
import type { RPUConfig } from './config/rpu-configs.js';
import { InputError } from './errors.js';
import type { TileState } from './tile.js';
import { checkHiddenParameterRanges } from './hidden-checks.js';
import { checkNumberList } from './validate.js';

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
    throw new InputError(`setState: the state is for a ${state.outSize} × ${state.inSize} tile, this tile is ${tile.outSize} × ${tile.inSize}`);
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
  const size = tile.outSize * tile.inSize;
  // Every number is checked here, before the engine writes anything: Float32Array.from would
  // turn null (JSON's NaN) into 0 and "0.5" into 0.5 without a word.
  const weights = checkNumberList('setState', 'weights', state.weights, size);
  const hiddenParameters: Record<string, Float32Array> = {};
  if (state.hiddenParameters === null || typeof state.hiddenParameters !== 'object' || Array.isArray(state.hiddenParameters)) {
    throw new InputError('setState: hiddenParameters must be an object of number arrays');
  }
  for (const [name, values] of Object.entries(state.hiddenParameters)) {
    hiddenParameters[name] = checkNumberList('setState', `hiddenParameters.${name}`, values, size);
  }
  const device = (tile.rpuConfig as { device?: { enforceConsistency?: boolean } }).device;
  checkHiddenParameterRanges('setState', hiddenParameters, Object.keys(hiddenParameters), { enforceConsistency: device?.enforceConsistency });
  checkStateArrays(tile, state.arrays);
  checkStateScalars(state.scalars);
  return { weights, hiddenParameters, rngCall: state.rngCall };
}

/**
 * The lengths of the named arrays every engine saves (a key not listed is checked
 * for numbers only; its engine checks the length before it writes anything).
 */
function expectedLength(tile: TileIdentity, key: string): number | undefined {
  const size = tile.outSize * tile.inSize;
  // a drifter's arrays, also those of a compound's devices (compound.<k>.drift.*: every device has the tile's size)
  if (key.startsWith('drift.') || /^compound\.\d+\.drift\./.test(key)) return size;
  if (key === 'training.scales') return tile.outSize;
  if (key === 'training.modifiedWeights' || key === 'inference.referenceWeights' || key === 'inference.programmedWeights') return size;
  if (key.endsWith('.wAsymmetry')) return size;
  if (key === 'mvm.forward.vOffset' || key === 'mvm.forward.outNonlinearity') return tile.outSize;
  if (key === 'mvm.backward.vOffset' || key === 'mvm.backward.outNonlinearity') return tile.inSize;
  return undefined;
}

/** state.arrays: an object whose entries are null or lists of finite numbers of the right length. */
export function checkStateArrays(tile: TileIdentity, arrays: unknown): void {
  if (arrays === null || typeof arrays !== 'object' || Array.isArray(arrays)) throw new InputError('setState: state.arrays must be an object');
  for (const [key, v] of Object.entries(arrays)) {
    if (v === null || v === undefined) continue;
    checkNumberList('setState', `arrays["${key}"]`, v, expectedLength(tile, key));
  }
}

/** state.scalars: an object whose entries are null or finite numbers. */
export function checkStateScalars(scalars: unknown): void {
  if (scalars === null || typeof scalars !== 'object' || Array.isArray(scalars)) throw new InputError('setState: state.scalars must be an object');
  for (const [key, v] of Object.entries(scalars)) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InputError(`setState: scalars["${key}"] is ${JSON.stringify(v) ?? String(v)}; it must be null or a finite number`);
    }
  }
}
