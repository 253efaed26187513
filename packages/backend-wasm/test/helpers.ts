import { RandomStream } from '@crossbar/core';
import { loadKernels, type Kernels } from '../src/index.js';

let shared: Promise<Kernels> | undefined;

/** One instance of the kernels (unshared memory) for a test file. */
export function kernels(): Promise<Kernels> {
  shared ??= loadKernels();
  return shared;
}

/** The float32 bit patterns of a, for bit-identity checks (tell −0 from +0, NaN payloads alike). */
export function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** n values uniform in [−scale, scale) (core's Philox, stream 0 of `seed`). */
export function uniform(seed: number, n: number, scale = 1): Float32Array {
  return new RandomStream(seed, 0, 0, 0).fillUniform(new Float32Array(n)).map((u) => (2 * u - 1) * scale);
}
