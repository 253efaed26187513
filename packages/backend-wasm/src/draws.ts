/**
 * Core's random fills drawn in the kernels (assembly/philox.ts fillNormal64 /
 * fillUniform64: Philox in SIMD lanes, the same float64 numbers as core's RandomStream,
 * rounded to float32 as core's fills into a Float32Array are). The weight modifier
 * (core's modifyWeightsWith) takes them: its physics stays core's, its draws — one or more
 * per weight on every training forward — run here.
 */
import { seedToKey, type StreamFills } from '@crossbar/core';
import type { FillKernel, Kernels } from './loader.js';

/** Elements per kernel call: the float64 scratch stays at 512 KiB whatever the tile. */
const CHUNK = 1 << 16;

/** `kernel`'s elements 0 … out.length − 1 of stream (seed, streamId, call, sub) into out. */
function fill(kernels: Kernels, kernel: FillKernel, out: Float32Array, seed: number, streamId: number, call: number, sub: number): Float32Array {
  const [k0, k1] = seedToKey(seed);
  const heap = kernels.heap;
  const mark = heap.mark();
  try {
    const scratch = heap.allocF64(Math.min(out.length, CHUNK), false);
    for (let start = 0; start < out.length; start += CHUNK) {
      const n = Math.min(CHUNK, out.length - start);
      kernel(scratch, n, k0, k1, streamId, call, sub, BigInt(start));
      out.set(heap.f64(scratch, n), start);
    }
  } finally {
    heap.release(mark);
  }
  return out;
}

/** Core's StreamFills on `kernels` (the same numbers as core's RandomStream fills). */
export function wasmStreamFills(kernels: Kernels): StreamFills {
  const e = kernels.exports;
  return {
    normal: (out, seed, streamId, call, sub) => fill(kernels, e.fillNormal64, out, seed, streamId, call, sub),
    uniform: (out, seed, streamId, call, sub) => fill(kernels, e.fillUniform64, out, seed, streamId, call, sub),
  };
}
