/**
 * The public-boundary checks of every AnalogTile call, one place for every
 * engine (as TensorFlow.js's ops check their arguments before a kernel runs):
 * an engine's method calls its check first and only then touches the tile, so
 * a bad call throws the same InputError/ConfigError, with the same message, on
 * every engine and changes nothing. Pure functions, so a synchronous engine
 * (ndarray) and an asynchronous one (gpu.js) use them alike. Reading a
 * TileState back is checkTileState (tile-state.ts); tileStateOf here builds one.
 */
import { rpuConfigToDict } from './config/dict.js';
import type { RPUConfig } from './config/rpu-configs.js';
import { ConfigError, InputError } from './errors.js';
import type { CreateTileOptions, HiddenParameters, TileState } from './tile.js';
import type { TileIdentity } from './tile-state.js';
import { checkFiniteNumber, checkFloat32Array, checkPositiveInteger } from './validate.js';
import { checkHiddenParameterRanges } from './hidden-checks.js';
import { checkTileMemory, estimateTileBytes } from './tile-memory.js';

/** The sizes a call's arrays are checked against. */
export interface TileSizes {
  readonly outSize: number;
  readonly inSize: number;
  /** The tile's config, where a check depends on it (hidden parameters: enforce_consistency). */
  readonly rpuConfig?: RPUConfig;
}

/** createTile's options, checked: sizes, the seed (default 0) and a validated deep copy of the config. */
export interface CheckedTileOptions {
  outSize: number;
  inSize: number;
  seed: number;
  rpuConfig: RPUConfig;
}

/**
 * Checks `createTile`'s options and returns them with the seed's default and the tile's own
 * validated deep copy of the config (later changes to the caller's config have no effect).
 */
export function checkCreateTileOptions(options: CreateTileOptions): CheckedTileOptions {
  const where = 'createTile';
  if (options === null || typeof options !== 'object') throw new InputError(`${where}: options must be an object`);
  const outSize = checkPositiveInteger(where, 'outSize', options.outSize);
  const inSize = checkPositiveInteger(where, 'inSize', options.inSize);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InputError(`${where}: seed must be a non-negative safe integer, got ${String(seed)}`);
  }
  const cfg = options.rpuConfig as unknown;
  if (cfg === null || typeof cfg !== 'object' || typeof (cfg as RPUConfig).validate !== 'function') {
    throw new ConfigError(`${where}: rpuConfig must be a FloatingPointRPUConfig, SingleRPUConfig or InferenceRPUConfig`);
  }
  const rpuConfig = (cfg as RPUConfig).clone().validate();
  // Before any allocation: a tile too large for memory is a clear InputError, not V8's RangeError or a crash.
  checkTileMemory(where, `a ${outSize} × ${inSize} tile`, estimateTileBytes(outSize, inSize, rpuConfig), outSize * inSize, options.maxBytes);
  return { outSize, inSize, seed, rpuConfig };
}

/** Every call of a disposed tile is refused (`where`: the method's name). */
export function checkTileAlive(where: string, disposed: boolean): void {
  if (disposed) throw new InputError(`${where}: the tile was disposed`);
}

function weightsShape(tile: TileSizes): string {
  return `outSize ${tile.outSize} × inSize ${tile.inSize}`;
}

/** setWeights: finite weights [outSize × inSize]. */
export function checkSetWeightsArgs(tile: TileSizes, weights: Float32Array): void {
  checkFloat32Array('setWeights', 'weights', weights, tile.outSize * tile.inSize, { shape: weightsShape(tile) });
}

/** forward: a positive batch and finite inputs x [batch × inSize]. */
export function checkForwardArgs(tile: TileSizes, x: Float32Array, batch: number): void {
  checkPositiveInteger('forward', 'batch', batch);
  checkFloat32Array('forward', 'x', x, batch * tile.inSize, { shape: `batch ${batch} × inSize ${tile.inSize}` });
}

/** backward: a positive batch and finite errors d [batch × outSize]. */
export function checkBackwardArgs(tile: TileSizes, d: Float32Array, batch: number): void {
  checkPositiveInteger('backward', 'batch', batch);
  checkFloat32Array('backward', 'd', d, batch * tile.outSize, { shape: `batch ${batch} × outSize ${tile.outSize}` });
}

/** update: a positive batch, finite x [batch × inSize] and d [batch × outSize], a finite learning rate >= 0. */
export function checkUpdateArgs(tile: TileSizes, x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
  checkPositiveInteger('update', 'batch', batch);
  checkFloat32Array('update', 'x', x, batch * tile.inSize, { shape: `batch ${batch} × inSize ${tile.inSize}` });
  checkFloat32Array('update', 'd', d, batch * tile.outSize, { shape: `batch ${batch} × outSize ${tile.outSize}` });
  checkFiniteNumber('update', 'learningRate', learningRate, { min: 0 });
}

/** driftWeights: a finite time >= 0. */
export function checkDriftWeightsArgs(time: number): void {
  checkFiniteNumber('driftWeights', 'time', time, { min: 0 });
}

/** decayWeights: a finite alpha; returns it, 1 when left out. */
export function checkDecayWeightsArgs(alpha?: number): number {
  return checkFiniteNumber('decayWeights', 'alpha', alpha === undefined ? 1 : alpha);
}

/** resetColumns' arguments with their defaults applied (aihwkit's: start 0, one column, probability 1). */
export interface ResetColumnsArgs {
  start: number;
  count: number;
  resetProb: number;
}

/**
 * resetColumns: `count` columns from `start` on, wrapping past the last column as aihwkit's
 * reset_columns does (start 3, count 4 of 5 columns: 3, 4, 0, 1); a negative count means every
 * column (aihwkit's reset()), 0 none; resetProb in [0, 1]. Left-out arguments take aihwkit's
 * defaults (start 0, one column, probability 1). An engine resets column (start + k) % inSize
 * for k < count (resetColumnIndex).
 */
export function checkResetColumnsArgs(inSize: number, start?: number, count?: number, resetProb?: number): ResetColumnsArgs {
  const s = start === undefined ? 0 : start;
  if (!Number.isInteger(s) || s < 0 || s >= inSize) {
    throw new InputError(`resetColumns: start must be an integer in [0, ${inSize - 1}], got ${s}`);
  }
  const c = count === undefined ? 1 : count; // aihwkit's reset_columns(start_column_idx=0, num_columns=1, reset_prob=1.0)
  if (!Number.isInteger(c) || c > inSize) {
    throw new InputError(`resetColumns: count must be an integer <= ${inSize} (negative: every column), got ${c}`);
  }
  const p = checkFiniteNumber('resetColumns', 'resetProb', resetProb === undefined ? 1 : resetProb, { min: 0 });
  if (p > 1) throw new InputError(`resetColumns: resetProb must be <= 1, got ${p}`);
  return { start: s, count: c < 0 ? inSize : c, resetProb: p };
}

/** The column the k-th reset column is (k < count), wrapping past the last as aihwkit does. */
export function resetColumnIndex(start: number, k: number, inSize: number): number {
  return (start + k) % inSize;
}

/** setScales: finite digital output scales [outSize]. */
export function checkSetScalesArgs(tile: TileSizes, scales: Float32Array): void {
  checkFloat32Array('setScales', 'scales', scales, tile.outSize, { shape: `outSize ${tile.outSize}` });
}

/**
 * setHiddenParameters: an object whose every entry is one of the tile's hidden parameters
 * with finite values [outSize × inSize] in the ranges aihwkit's devices keep
 * (checkHiddenParameterRanges). `current`: the tile's hidden parameters now
 * (getHiddenParameters), or just their names.
 */
export function checkSetHiddenParametersArgs(tile: TileSizes, params: Partial<HiddenParameters>, current: Iterable<string> | HiddenParameters): void {
  if (params === null || typeof params !== 'object') throw new InputError('setHiddenParameters: params must be an object');
  const values: HiddenParameters | null = isIterable(current) ? null : current;
  const names = new Set(values ? Object.keys(values) : (current as Iterable<string>));
  for (const [name, value] of Object.entries(params)) {
    if (!names.has(name)) {
      throw new InputError(`setHiddenParameters: unknown hidden parameter "${name}"; this tile has: ${[...names].join(', ')}`);
    }
    checkFloat32Array('setHiddenParameters', name, value, tile.outSize * tile.inSize, { shape: weightsShape(tile) });
  }
  const merged: HiddenParameters = { ...(values ?? {}), ...(params as HiddenParameters) };
  const device = (tile.rpuConfig as { device?: { enforceConsistency?: boolean } } | undefined)?.device;
  checkHiddenParameterRanges('setHiddenParameters', merged, Object.keys(params), { enforceConsistency: device?.enforceConsistency });
}

function isIterable(v: unknown): v is Iterable<string> {
  return v !== null && typeof v === 'object' && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/** What an engine saves of a tile; tileStateOf converts it to the JSON-safe TileState. */
export interface TileStateParts {
  rngCall: number;
  weights: Float32Array;
  hiddenParameters: HiddenParameters;
  arrays: TileState['arrays'];
  scalars: TileState['scalars'];
}

/** getState: the engine-neutral TileState of a tile (its identity, config dict and arrays as number lists). */
export function tileStateOf(tile: TileIdentity, parts: TileStateParts): TileState {
  const hiddenParameters: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(parts.hiddenParameters)) hiddenParameters[name] = Array.from(values);
  return {
    format: 'crossbar-tile-state@1',
    outSize: tile.outSize,
    inSize: tile.inSize,
    seed: tile.seed,
    rpuConfig: rpuConfigToDict(tile.rpuConfig),
    rngCall: parts.rngCall,
    weights: Array.from(parts.weights),
    hiddenParameters,
    arrays: parts.arrays,
    scalars: parts.scalars,
  };
}

/**
 * The optional AnalogTile.getForwardPassCounts for an engine: `record` the passes per vector
 * of each public forward call (not of internal readouts such as the drift compensation's),
 * `counts` gives a copy of the last (null before the first).
 */
export class ForwardPassRecord {
  private passes: Int32Array | null = null;
  private batch = 0;

  /** Keeps the passes of a forward call's `batch` vectors (copied: the engine may reuse its buffer). */
  record(passes: ArrayLike<number>, batch: number): void {
    if (this.passes === null || this.passes.length < batch) this.passes = new Int32Array(batch);
    for (let r = 0; r < batch; r++) this.passes[r] = passes[r]!;
    this.batch = batch;
  }

  /** A copy of the last recorded passes [batch], or null before the first. */
  counts(): Int32Array | null {
    return this.passes === null ? null : this.passes.slice(0, this.batch);
  }
}
