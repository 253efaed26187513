/**
 * Where core's tile takes the random numbers of its host physics from (the weight
 * modifier, PCM programming, drift and read noise, device diffusion and write noise):
 * core's RandomStream fills, or an engine's kernels that draw the same numbers faster
 * (TileKernels.streamFills).
 */
import { RandomStream } from '../rng.js';
import type { TileKernels } from './kernels.js';

/**
 * Fills of a random stream's elements start … start + out.length − 1, the numbers of
 * core's RandomStream(seed, streamId, call, sub) (stored into `out`'s element type as
 * RandomStream's fills store them).
 */
export interface StreamFills {
  /** out[k] = new RandomStream(seed, streamId, call, sub).normal(start + k). */
  normal<A extends Float32Array | Float64Array>(out: A, seed: number, streamId: number, call: number, sub: number, start?: number): A;
  /** out[k] = new RandomStream(seed, streamId, call, sub).uniform(start + k). */
  uniform<A extends Float32Array | Float64Array>(out: A, seed: number, streamId: number, call: number, sub: number, start?: number): A;
}

/** Core's own fills (RandomStream). */
export const hostStreamFills: StreamFills = {
  normal: (out, seed, streamId, call, sub, start = 0) => new RandomStream(seed, streamId, call, sub).fillNormal(out, start),
  uniform: (out, seed, streamId, call, sub, start = 0) => new RandomStream(seed, streamId, call, sub).fillUniform(out, start),
};

/** The fills a tile's host physics draws from: the engine's, else core's. */
export function streamFillsOf(kernels: TileKernels): StreamFills {
  return kernels.streamFills ?? hostStreamFills;
}
