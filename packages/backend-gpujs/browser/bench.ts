/**
 * Measurements of the engine's device machinery that run the same in Node and
 * in the browser page: the plain MVM on resident weights, and the two ways of
 * getting random numbers onto the device. Benchmarks, not tests: they return
 * timings (medians of repeated calls after a warm-up).
 */
import { FloatingPointRPUConfig, RandomStream } from '@crossbar/core';
import { createGpujsBackend } from '../src/backend.js';
import type { GpujsMode } from '../src/modes.js';
import { GpuRuntime } from '../src/runtime.js';
import { keyHalves } from '../src/kernels/philox.js';
import { kernelRandomSupported, philoxLibrary } from '../src/random.js';
import type { GpuTexture } from '../src/gpujs.js';
import { testData } from './checks.js';

function now(): number {
  return performance.now();
}

async function median(reps: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    await fn();
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export interface GemmTiming {
  mode: GpujsMode;
  outSize: number;
  inSize: number;
  batch: number;
  forwardMs: number;
  backwardMs: number;
  forwardGflops: number;
  backwardGflops: number;
}

/** Perfect forward and backward of a FloatingPointRPUConfig tile (upload, kernels, read-back). */
export async function benchGemm(mode: GpujsMode, outSize: number, inSize: number, batch: number, reps: number): Promise<GemmTiming> {
  const backend = createGpujsBackend({ mode });
  try {
    const tile = backend.createTile({ outSize, inSize, rpuConfig: new FloatingPointRPUConfig() });
    await tile.setWeights(testData(outSize * inSize, 1));
    const x = testData(batch * inSize, 2);
    const d = testData(batch * outSize, 3);
    const forwardMs = await median(reps, () => tile.forward(x, batch));
    const backwardMs = await median(reps, () => tile.backward(d, batch));
    const flops = 2 * outSize * inSize * batch;
    return {
      mode,
      outSize,
      inSize,
      batch,
      forwardMs,
      backwardMs,
      forwardGflops: flops / forwardMs / 1e6,
      backwardGflops: flops / backwardMs / 1e6,
    };
  } finally {
    await backend.dispose();
  }
}

export interface RandomTiming {
  mode: GpujsMode;
  count: number;
  /** Normals drawn by a kernel with the in-kernel Philox (null where the mode cannot). */
  kernelMs: number | null;
  /** Normals filled on the CPU by core's RandomStream and handed to a kernel (upload). */
  uploadMs: number;
}

/**
 * `count` standard normals made available to a kernel on the device, both ways:
 * each kernel writes y = 0.5 · n so both do the same device work besides the drawing.
 */
export async function benchRandom(mode: GpujsMode, count: number, reps: number): Promise<RandomTiming> {
  const rt = new GpuRuntime(mode, philoxLibrary(mode));
  const gl = rt.isGl;
  const settings = { output: [count], pipeline: gl };
  const sync = (r: unknown) => (gl ? (r as GpuTexture).renderRawOutput() : r);
  try {
    const [a, b, c, d] = keyHalves(1234);
    let kernelMs: number | null = null;
    if (kernelRandomSupported(mode)) {
      const k = rt.acquire(
        'function(k0h, k0l, k1h, k1l, call) { return 0.5 * philoxNormal(k0h, k0l, k1h, k1l, 0, 11, call, this.thread.x); }',
        mode === 'webgl2' ? settings : { ...settings, argumentTypes: { k0h: 'Integer', k0l: 'Integer', k1h: 'Integer', k1l: 'Integer', call: 'Integer' } },
      );
      let call = 1;
      kernelMs = await median(reps, () => sync(k(a, b, c, d, call++)));
    }
    const u = rt.acquire('function(g) { return 0.5 * g[this.thread.x]; }', settings);
    const buf = new Float32Array(count);
    let call = 1;
    const uploadMs = await median(reps, () => {
      new RandomStream(1234, 11, call++, 0).fillNormal(buf);
      return sync(u(buf));
    });
    return { mode, count, kernelMs, uploadMs };
  } finally {
    await rt.dispose();
  }
}
