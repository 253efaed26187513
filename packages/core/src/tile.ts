/**
 * The engine contract: an `AnalogTileBackend` creates `AnalogTile`s. Data is
 * row-major Float32Array: weights [outSize * inSize], forward inputs
 * [batch * inSize] → outputs [batch * outSize], backward the reverse.
 * Every method may return a Promise; callers always await.
 */
import type { RPUConfig } from './config/rpu-configs.js';

/** A value or a Promise of it: engine methods may be sync or async. */
export type Awaitable<T> = T | Promise<T>;

/** What `AnalogTileBackend.createTile` takes. */
export interface CreateTileOptions {
  /** Number of outputs (rows of the weight matrix). */
  outSize: number;
  /** Number of inputs (columns of the weight matrix). */
  inSize: number;
  /** The tile's config; the tile keeps a validated deep copy. */
  rpuConfig: RPUConfig;
  /** Seed of the tile's counter-based random generator (default 0): same seed, same calls → same results. */
  seed?: number;
  /**
   * Most bytes the tile's buffers may take (an estimate checked before any allocation;
   * default: env CROSSBAR_MAX_TILE_BYTES, else 4 GiB).
   */
  maxBytes?: number;
}

/** Options of `AnalogTile.forward`. */
export interface ForwardOptions {
  /** Inference mode: no weight modifier (unless enable_during_test), drift compensation applied. */
  isTest?: boolean;
}

/** Device-to-device draws and per-device state, aihwkit's names, each [outSize * inSize] row-major. */
export type HiddenParameters = Record<string, Float32Array>;

/**
 * Everything needed to restore a tile on any engine (JSON-safe): what
 * `getState()` returns and `setState()` takes.
 */
export interface TileState {
  format: 'crossbar-tile-state@1';
  outSize: number;
  inSize: number;
  seed: number;
  /** The tile's config as an aihwkit dict (rpuConfigToDict). */
  rpuConfig: Record<string, unknown>;
  /** Position of the tile in its random streams (number of random-consuming calls so far). */
  rngCall: number;
  /** Current weights [outSize * inSize]. */
  weights: number[];
  hiddenParameters: Record<string, number[]>;
  /** Other named state (programmed weights, drift times, running noise-management values, scales, ...). */
  arrays: Record<string, number[] | null>;
  scalars: Record<string, number | null>;
}

/** One analog crossbar tile of an engine: aihwkit's analog tile (`aihwkit.simulator.tiles`) with its forward, backward and pulsed update, drift and the inference workflow. */
export interface AnalogTile {
  /** Name of the engine that made this tile. */
  readonly backendName: string;
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  /** The tile's own (validated, deep-copied) config. Changing it after creation has no effect. */
  readonly rpuConfig: RPUConfig;

  /** Sets the weights [outSize * inSize]; pulsed devices clip them to their bounds as aihwkit does. */
  setWeights(weights: Float32Array): Awaitable<void>;
  /** A copy of the current weights [outSize * inSize]. */
  getWeights(): Awaitable<Float32Array>;

  /** y = f(W x) with the forward IOParameters: x [batch * inSize] → [batch * outSize]. */
  forward(x: Float32Array, batch: number, options?: ForwardOptions): Awaitable<Float32Array>;
  /** z = f(Wᵀ d) with the backward IOParameters: d [batch * outSize] → [batch * inSize]. */
  backward(d: Float32Array, batch: number): Awaitable<Float32Array>;
  /**
   * W ← W − lr · dᵀ x through the device and UpdateParameters (pulsed), one rank-1 update per batch row.
   * The digital output scales are not applied here: a caller that keeps them (weight scaling, remap)
   * divides d by them first, as aihwkit's `pre_update` does (@crossbar/modules does).
   */
  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): Awaitable<void>;

  /**
   * Drift. SingleRPUConfig/FloatingPointRPUConfig: device drift (DriftParameter) by the time since
   * the last call. InferenceRPUConfig: PCM drift and read noise to the absolute time `t` since
   * programming (programming first if needed), and the drift compensation measured.
   */
  driftWeights(time: number): Awaitable<void>;
  /** Decay towards the reset bias with the device lifetime (scaled by alpha, default 1). */
  decayWeights(alpha?: number): Awaitable<void>;
  /** Diffusion: w += rate · ξ, clipped to the bounds. */
  diffuseWeights(): Awaitable<void>;
  /**
   * Resets `count` columns from `start` on (wrapping past the last, as aihwkit; count < 0: all) to the
   * device reset values, each with probability resetProb.
   * Defaults as aihwkit's reset_columns: start 0, count 1, resetProb 1.
   */
  resetColumns(start?: number, count?: number, resetProb?: number): Awaitable<void>;

  /** Draws new modified weights (WeightModifierParameter) for the next forward passes in training. */
  applyWeightModifier(): Awaitable<void>;
  /** Clips the weights per WeightClipParameter. */
  clipWeights(): Awaitable<void>;
  /** Remaps the weights per WeightRemapParameter, moving the factor into the digital output scales. */
  remapWeights(): Awaitable<void>;
  /** InferenceRPUConfig: applies programming noise to the weights and remembers the programmed state. */
  programWeights(): Awaitable<void>;

  /**
   * Digital output scales [outSize] (remap, weight scaling): forward multiplies its outputs by them and
   * backward multiplies d by them before the analog pass (aihwkit's post_forward / pre_backward).
   */
  getScales(): Awaitable<Float32Array>;
  /** Sets the digital output scales [outSize] (see getScales). */
  setScales(scales: Float32Array): Awaitable<void>;
  /** The drift compensation factor applied in test mode (1 until measured). */
  getDriftCompensationScale(): Awaitable<number>;

  /**
   * Optional (an engine may leave it out; callers test for it): how many analog passes each
   * input vector of the last public `forward` call took [batch]. 1 where the first pass did not
   * clip (always, without bound management or with perfect IO), 1 + the number of
   * bound-management re-runs otherwise (aihwkit's `bm_round` loop, per vector), 0 for a vector
   * that noise management let skip the array (all-zero input: output 0 without a pass).
   * A PosNegSeparate pass counts once. Null before the first forward call. Diagnostic only:
   * not part of the tile state.
   */
  getForwardPassCounts?(): Awaitable<Int32Array | null>;

  /**
   * aihwkit's names: pulsed devices' max_bound, min_bound, dwmin_up, ...; an
   * InferenceRPUConfig tile after programming: PCM_DRIFT_EXPONENTS (nu_drift_0, nu_drift_1).
   */
  getHiddenParameters(): Awaitable<HiddenParameters>;
  /** Overwrites some hidden parameters by aihwkit name (each [outSize * inSize]). */
  setHiddenParameters(params: Partial<HiddenParameters>): Awaitable<void>;
  /**
   * aihwkit's set_hidden_update_index: the device of a unit cell that receives the pulses
   * (update_policy SingleFixed) and that set_weights writes. Compound tiles only (optional).
   */
  setHiddenUpdateIndex?(index: number): Awaitable<void>;
  /** aihwkit's get_hidden_update_index (compound tiles only, optional). */
  getHiddenUpdateIndex?(): Awaitable<number>;

  /** Everything needed to restore the tile, JSON-safe. */
  getState(): Awaitable<TileState>;
  /** Restores a tile from `getState()`'s result (of any engine); the shapes and config must match. */
  setState(state: TileState): Awaitable<void>;

  /** Frees the tile's buffers (textures, kernels). The tile is unusable afterwards. */
  dispose(): Awaitable<void>;
}

/** An engine: makes tiles. Engines register a factory of one with `registerBackend`. */
export interface AnalogTileBackend {
  /** Registry name, e.g. "ndarray" or "gpujs". */
  readonly name: string;
  /** Human-readable detail, e.g. the gpu.js mode chosen and why others failed. */
  readonly description?: string;
  /** Makes a tile with the given shape, config and seed; throws on an invalid config. */
  createTile(options: CreateTileOptions): Awaitable<AnalogTile>;
  /** Frees engine-wide resources. */
  dispose?(): Awaitable<void>;
}
