/**
 * The kernel contract: what an engine supplies so that core's tile (KernelTile)
 * can run on it, after TensorFlow.js's split (tfjs-core owns the ops, a backend
 * supplies kernels). Core owns everything around the kernels: the boundary
 * checks, the random-call counter and stream layout, which operation
 * invalidates which state, the TileState keys and their save/load, the drift
 * clock, the noise- and bound-management loop, the device lifecycle (bounds,
 * write noise, decay, diffusion, reset) and the clip / remap / modifier /
 * programming lifecycle. A kernel computes; it keeps no policy.
 *
 * Memory: the tile's weights, modified weights and device arrays are host
 * Float32Arrays, row-major [outSize × inSize], owned by core and handed to the
 * kernels as arguments; a kernel writes only what its contract names. Scratch
 * buffers, caches and anything on a device are the engine's own (its per-tile
 * TileKernels object holds them; `dispose` frees them). An engine that keeps the
 * weights on a device (gpu.js) re-uploads them for an MVM only when the weights
 * version core hands it changes (AnalogPassArgs.weightsVersion).
 *
 * Every kernel is optional: a tile whose config needs one the engine left out
 * refuses the call with a NotSupportedError naming the kernel and the config
 * field that needs it (`missingKernel`), as tfjs's KernelBackend defaults throw
 * "not yet implemented".
 */
import type { StreamFills } from './fills.js';
import { NotSupportedError } from '../errors.js';
import type { RPUConfig } from '../config/rpu-configs.js';
import type { PulsedDevice } from '../config/devices.js';
import type { UpdateParameters, WeightModifierParameter } from '../config/parameters.js';
import type { MvDirection, MvParameters, ResolvedIO } from '../physics/io.js';
import type { PulsedDeviceKind } from '../physics/devices.js';
import type { UpdateRowPlan, UpdateSettings } from '../physics/update.js';
import type { Awaitable } from '../tile.js';

/** What a tile is, as its kernels see it (checked and validated by core). */
export interface TileSpec {
  /** The engine's registry name (for messages). */
  readonly engine: string;
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  /** The tile's own validated config (read only). */
  readonly rpuConfig: RPUConfig;
}

/**
 * One bound-management round of an IO-managed pass over the active vectors of a
 * batch: y[a] = ADC(B · DAC(x[active[a]] · rowScale[a])), B = W forward, Wᵀ backward.
 * The kernel runs the DAC stage (input noise, rounding, bound, asymmetry), the array
 * (GEMM, IR drop, voltage offsets and series resistance, weight noise, PosNegSeparate
 * passes through the read-asymmetric weights) and the ADC stage (non-linearity, output
 * asymmetry, noise, rounding, the bound test and the clip) with core's per-element
 * formulas (physics/io.ts) and the streams of core's layout (ioPassStreams: input noise
 * and rounding sub = round; output noise, rounding and weight noise sub = 2 · round +
 * phase; element = batch row · pass size + index). Core scales the results.
 */
export interface AnalogPassArgs {
  readonly direction: MvDirection;
  readonly io: ResolvedIO;
  /** The per-tile draws of this direction (voltage offsets, non-linearities, read asymmetry). */
  readonly draws: MvParameters;
  readonly seed: number;
  /** The weights this call reads [outSize × inSize] (the tile's or its modified copy). */
  readonly weights: Float32Array;
  /**
   * Equal for two calls only when the `weights` they are handed (and the pass's `draws`) hold the
   * same values (core changes it whenever it may have written them): an engine that keeps a copy of the weights on a device
   * uploads again only when (`weights`, `weightsVersion`) differ from its copy's. A kernel that
   * reads the host array directly ignores it. Absent (a caller other than core's tile): the
   * weights may have changed.
   */
  readonly weightsVersion?: number;
  /** Round 0 of a call: the weights may differ from the last call's (rebuild anything derived from them). */
  readonly firstRound: boolean;
  /** The call's input [batch × nIn] (x forward, d backward). */
  readonly x: Float32Array;
  readonly nIn: number;
  readonly nOut: number;
  /** Batch row of each active vector [nActive]. */
  readonly active: Int32Array;
  readonly nActive: number;
  /** Input scale of each active vector [nActive] (1 / (α · reduction)). */
  readonly rowScale: Float32Array;
  readonly round: number;
  /** The tile's random call of this forward/backward (0 when the IO draws nothing). */
  readonly call: number;
  /** Written: the clipped ADC outputs [nActive × nOut]. */
  readonly out: Float32Array;
  /** Written: 1 where the vector passed the bound test (always 1 without bound management), else 0 [nActive]. */
  readonly passed: Uint8Array;
  /**
   * The factor each active vector's output is multiplied with once it is final [nActive]
   * (managedOutputFactor: forward out_scale / rowScale, backward out_scale · α; float32).
   */
  readonly outputFactor: Float32Array;
  /** Whether every active vector is final after this round (no bound management, or its limit reached). */
  readonly lastRound: boolean;
  /**
   * The call's result [batch × nOut], for a kernel whose TileKernels.analogPassWritesResult is
   * set: it writes row active[a] = fl(out[a] · outputFactor[a]) (the float32 product) of every
   * vector that is final (passed[a] = 1, or lastRound) and leaves the other rows as they are;
   * `out` is then not read. Other kernels leave it alone (core scales `out` into it).
   */
  readonly result: Float32Array;
}

/** The pulsed device's per-element arrays (core's, from drawPulsedDevice; the hidden parameters). */
export interface PulsedDeviceArrays {
  readonly kind: PulsedDeviceKind;
  readonly device: PulsedDevice;
  readonly maxBound: Float32Array;
  readonly minBound: Float32Array;
  readonly scaleUp: Float32Array;
  readonly scaleDown: Float32Array;
  /** LinearStep / SoftBounds slopes or PowStep (PowStepReference) exponents (up, down); null for the others. */
  readonly extraUp: Float32Array | null;
  readonly extraDown: Float32Array | null;
  /** SoftBoundsReference / PowStepReference: the reference subtracted from each conductance; null for the others. */
  readonly reference: Float32Array | null;
}

/**
 * The pulsed update of one call (aihwkit's rpu_weight_updater.cpp): the pulse trains of
 * core's plan (UpdateRowPlan, computed for this call, maxBL > 0) through the device,
 * batch row after batch row, per element pulse by pulse with core's step formulas,
 * clipped to the bounds after each pulse, cycle-to-cycle noise from core's TableNormals
 * (RandomStreamId.UpdateStepNoise / UpdateStepNoiseSum) in `call`.
 */
export interface PulsedUpdateArgs {
  readonly seed: number;
  readonly call: number;
  readonly device: PulsedDeviceArrays;
  readonly update: UpdateParameters;
  readonly settings: UpdateSettings;
  readonly plan: UpdateRowPlan;
  readonly x: Float32Array;
  readonly d: Float32Array;
  readonly batch: number;
  /** The learning rate (float32, > 0; the plan already holds what the pulse trains need of it). */
  readonly learningRate: number;
  /** Written in place: the weights the pulses act on (the persistent ones under write noise). */
  readonly target: Float32Array;
  /** Written: 1 for every element that received pulses (zeroed by core before the call). */
  readonly touched: Uint8Array;
  /**
   * Whether core reads `touched` after the call (write noise redraws the devices that got
   * pulses); when false a kernel may leave it as it is (counting pulses costs a device engine a
   * read-back). Absent: write it.
   */
  readonly touchedRead?: boolean;
}

/** The weight modifier (aihwkit's WeightModifier::apply) of one applyWeightModifier call. */
export interface ModifyWeightsArgs {
  readonly seed: number;
  /** The tile's random call, or -1 when `modifier` draws nothing (weightModifierDraws). */
  readonly call: number;
  readonly modifier: WeightModifierParameter;
  readonly outSize: number;
  readonly inSize: number;
  /** The tile's weights (read). */
  readonly weights: Float32Array;
  /** Written: the modified weights (every element, including DropConnect and copy_last_column). */
  readonly out: Float32Array;
}

/** An engine's kernels for one tile (made by KernelSet.createKernels). Leave out what the engine cannot run. */
export interface TileKernels {
  /**
   * y = out_scale · B x for a perfect IO (is_perfect, mv_type Ideal): x [batch × nIn] →
   * [batch × nOut], B = W forward, Wᵀ backward, sums rounded once to float32.
   * `weightsVersion`: as AnalogPassArgs.weightsVersion.
   */
  perfectMvm?(direction: MvDirection, weights: Float32Array, x: Float32Array, batch: number, outScale: number, weightsVersion?: number): Float32Array;
  /** One bound-management round of a non-perfect pass (AnalogPassArgs). */
  analogPass?(args: AnalogPassArgs): void;
  /**
   * Set: `analogPass` writes the final vectors' scaled outputs into AnalogPassArgs.result
   * itself (saving core's copy through `out`). Unset: it writes `out` and core scales.
   */
  readonly analogPassWritesResult?: boolean;
  /**
   * out[r] = max_j |x[r · n + j]| for r < rows (0 for n = 0), the noise management's row
   * maxima (AbsMax, AverageAbsMax; physics/io.ts noiseManagementScale) of a call's input,
   * x finite (core checked it). Without it core computes them in JS.
   */
  rowAbsMax?(x: Float32Array, rows: number, n: number, out: Float32Array): void;
  /**
   * W ← W + (−lr) · dᵀ x in float32 as aihwkit's BLAS does: batch 1 through ger (fused
   * w + fl(−lr·d_i)·x_j), else gemm (a fused chain over the rows, then w + fl(−lr·sum)).
   * FloatingPointRPUConfig, IdealDevice, InferenceRPUConfig. lr > 0.
   */
  floatingPointUpdate?(weights: Float32Array, x: Float32Array, d: Float32Array, batch: number, learningRate: number): void;
  /**
   * The pulsed update of a pulsed device (PulsedUpdateArgs). A compound device's tile
   * (tile/compounds.ts) calls it for several devices, with their own arrays, update settings
   * (the tile's, transfer_update, refresh_update) and stream seeds: key any cache on those.
   */
  pulsedUpdate?(args: PulsedUpdateArgs): void;
  /** InferenceRPUConfig's weight modifier (ModifyWeightsArgs); core's modifyWeightsHost is a plain-JS one. */
  modifyWeights?(args: ModifyWeightsArgs): void;
  /**
   * The random fills of the tile's host physics (PCM programming, drift and read noise,
   * device diffusion and write noise): core's RandomStream numbers, drawn by the engine
   * (fills.ts). Without it core draws them itself.
   */
  readonly streamFills?: StreamFills;
  /** Frees the engine's buffers of this tile. */
  dispose?(): void;
}

/** What an engine registers: its name and a factory of per-tile kernels. */
export interface KernelSet {
  readonly name: string;
  readonly description?: string;
  /** The kernels of one tile; called once per createTile, after core has checked the options. */
  createKernels(spec: TileSpec): Awaitable<TileKernels>;
  /** Frees engine-wide resources. */
  dispose?(): Awaitable<void>;
}

/** The names of the kernels (for messages and docs). */
export type KernelName = Exclude<keyof TileKernels, 'dispose'>;

/**
 * The NotSupportedError of a tile that needs a kernel its engine left out: names the
 * engine, what the config asks for, the kernel, and the config field that needs it.
 */
export function missingKernel(engine: string, what: string, kernel: KernelName, field: string): NotSupportedError {
  return new NotSupportedError(`${engine} engine: ${what} is not supported: the engine has no "${kernel}" kernel (needed by ${field})`);
}
