import type { AnalogTileBackend, CreateTileOptions } from '@crossbar/core';
import { ndarrayKernels } from './kernels.js';
import { NdarrayTile } from './tile.js';

/** The reference engine: every kernel in plain JS on Float32Arrays (its tiles are synchronous). */
export class NdarrayBackend implements AnalogTileBackend {
  readonly name = ndarrayKernels.name;
  readonly description = ndarrayKernels.description;

  createTile(options: CreateTileOptions): NdarrayTile {
    return new NdarrayTile(options);
  }
}
