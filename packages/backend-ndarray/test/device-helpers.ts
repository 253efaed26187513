/** What the device tests (device-models, new-devices) share: a tile on the ndarray engine and its hidden parameters. */
import type { AnalogTile, RPUConfig } from '@crossbar/core';
import { NdarrayBackend } from '../src/index.js';

const backend = new NdarrayBackend();

/** A tile of `rpuConfig` on the ndarray engine. */
export function tile(rpuConfig: RPUConfig, outSize: number, inSize: number, seed = 1): AnalogTile {
  return backend.createTile({ outSize, inSize, rpuConfig, seed });
}

/** The tile's hidden parameters by aihwkit name. */
export function hidden(t: AnalogTile): Record<string, Float32Array> {
  return t.getHiddenParameters() as Record<string, Float32Array>;
}
