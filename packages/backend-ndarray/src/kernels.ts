/**
 * The ndarray engine as core sees it: a set of kernels in plain JS over
 * Float32Arrays (core's KernelSet). Core's tile (KernelTile) runs everything
 * around them.
 *   mvm.ts     perfectMvm, analogPass (the MVM as one GEMM, gemm.ts)
 *   update.ts  floatingPointUpdate, pulsedUpdate (pulse trains: pulses.ts; steps: devices/steps.ts)
 * The weight modifier is core's plain-JS kernel (modifyWeightsHost).
 */
import { modifyWeightsHost, type KernelSet, type TileKernels, type TileSpec } from '@crossbar/core';
import { createMvm } from './mvm.js';
import { createUpdate } from './update.js';

export const NDARRAY_NAME = 'ndarray';

/** The kernels of one tile. */
export function createNdarrayKernels(spec: TileSpec): TileKernels {
  return { ...createMvm(spec), ...createUpdate(spec), modifyWeights: modifyWeightsHost };
}

/** The ndarray engine's kernel set (for core's kernelBackend). */
export const ndarrayKernels: KernelSet = {
  name: NDARRAY_NAME,
  description: 'reference CPU engine (JS, ndarray over Float32Array)',
  createKernels: createNdarrayKernels,
};
