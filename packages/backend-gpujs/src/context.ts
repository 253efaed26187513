/**
 * What the kernels of one gpu.js tile share: its sizes and seed, the kernel
 * scope (compiled kernels and device arrays, freed with the tile) and where
 * random numbers come from.
 */
import type { RandomSource } from './random.js';
import type { KernelScope } from './scope.js';

export interface GpuTileContext {
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  readonly scope: KernelScope;
  /** Where kernels' random numbers come from (random.ts). */
  readonly rand: RandomSource;
}
