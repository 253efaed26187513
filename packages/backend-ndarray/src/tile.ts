/** The ndarray engine's tile: core's KernelTile on the ndarray kernels. */
import { checkCreateTileOptions, KernelTile, type CreateTileOptions } from '@crossbar/core';
import { createNdarrayKernels, NDARRAY_NAME } from './kernels.js';

/** A tile of the ndarray engine (what NdarrayBackend.createTile returns). */
export class NdarrayTile extends KernelTile {
  /** Always offered: the engine has the analogPass kernel. */
  declare readonly getForwardPassCounts: () => Int32Array | null;

  constructor(options: CreateTileOptions) {
    super(NDARRAY_NAME, options, createNdarrayKernels({ engine: NDARRAY_NAME, ...checkCreateTileOptions(options) }));
  }
}
