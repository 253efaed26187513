import type { AnalogTileBackend, CreateTileOptions } from '@crossbar/core';
import { NdarrayTile } from './tile.js';

/** The reference engine: every tile operation in plain JS on ndarray views over Float32Array. */
export class NdarrayBackend implements AnalogTileBackend {
  readonly name = 'ndarray';
  readonly description = 'reference CPU engine (JS, ndarray over Float32Array)';

  createTile(options: CreateTileOptions): NdarrayTile {
    return new NdarrayTile(options);
  }
}
