/**
 * Core's random fills drawn in the kernels (assembly/philox.ts fillNormal64 /
 * fillUniform64: Philox in SIMD lanes, the same float64 numbers as core's RandomStream,
 * rounded to float32 as core's fills into a Float32Array are): the tile's
 * TileKernels.streamFills. Core's host physics takes them — the weight modifier
 * (modifyWeightsWith: one or more normals per weight on every training forward), PCM
 * programming, drift and read noise, device diffusion and write noise — so its physics
 * stays core's and its draws run here.
 */
import { seedToKey, type StreamFills } from '@crossbar/core';
import { scoped } from './heap.js';
import type { FillKernel, Kernels } from './loader.js';

/** Elements per kernel call: the float64 scratch stays at 512 KiB whatever the tile. */
const CHUNK = 1 << 16;

/** `kernel`'s elements first … first + out.length − 1 of stream (seed, streamId, call, sub) into out. */
function fill<A extends Float32Array | Float64Array>(
  kernels: Kernels,
  kernel: FillKernel,
  out: A,
  seed: number,
  streamId: number,
  call: number,
  sub: number,
  first: number,
): A {
  if (!(Number.isSafeInteger(first) && first >= 0)) throw new RangeError(`stream fill: start must be a non-negative integer, got ${first}`);
  const [k0, k1] = seedToKey(seed);
  const heap = kernels.heap;
  scoped(heap, () => {
    const scratch = heap.allocF64(Math.min(out.length, CHUNK), false);
    for (let start = 0; start < out.length; start += CHUNK) {
      const n = Math.min(CHUNK, out.length - start);
      kernel(scratch, n, k0, k1, streamId, call, sub, BigInt(first + start));
      out.set(heap.f64(scratch, n), start);
    }
  });
  return out;
}

/** Core's StreamFills on `kernels` (the same numbers as core's RandomStream fills). */
export function wasmStreamFills(kernels: Kernels): StreamFills {
  const e = kernels.exports;
  return {
    normal: (out, seed, streamId, call, sub, start = 0) => fill(kernels, e.fillNormal64, out, seed, streamId, call, sub, start),
    uniform: (out, seed, streamId, call, sub, start = 0) => fill(kernels, e.fillUniform64, out, seed, streamId, call, sub, start),
  };
}
