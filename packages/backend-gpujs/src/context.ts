/**
 * What the modules of a gpu.js tile share: sizes, config, the resident
 * weights, the kernel scope and the random-call counter.
 */
import type { RPUConfig } from '@crossbar/core';
import type { DeviceArray } from './device.js';
import type { RandomSource } from './random.js';
import type { KernelScope } from './scope.js';

export interface TileContext {
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  readonly rpuConfig: RPUConfig;
  /** The current (visible) weights on the device, [outSize × inSize]. Modules replace their data. */
  readonly weights: DeviceArray;
  readonly scope: KernelScope;
  /** Where kernels' random numbers come from (random.ts). */
  readonly rand: RandomSource;
  /** webasm: large kernels on gpu.js's worker pool. */
  readonly threads: boolean;
  /** Returns the call index for the next random-consuming operation and advances it. */
  nextRandomCall(): number;
  readonly rngCall: number;
}
