/**
 * What the parts of core's tile share: sizes, config, the weights and the
 * random-call counter, and the engine's kernels.
 */
import type { RPUConfig } from '../config/rpu-configs.js';
import type { TileKernels } from './kernels.js';

/** What the parts of a KernelTile (MVM, training, inference, devices) need of it. */
export interface TileContext {
  /** The engine's registry name (for messages). */
  readonly engine: string;
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  readonly rpuConfig: RPUConfig;
  /** outSize · inSize. */
  readonly size: number;
  /** The current (visible) weights, row-major [outSize × inSize]. The parts change them in place. */
  readonly weights: Float32Array;
  readonly kernels: TileKernels;
  /** Returns the call index for the next random-consuming operation and advances it. */
  nextRandomCall(): number;
  /**
   * The weights version handed to the MVM kernels (AnalogPassArgs.weightsVersion): the same
   * number for two kernel calls only when the weights they read hold the same values. A
   * context without it hands the kernels none (they upload every time).
   */
  weightsVersion?(): number;
}
