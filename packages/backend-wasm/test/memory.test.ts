// The wasm engine's memory stays flat over calls: the JS heap and ArrayBuffers (after a
// full collection) and the WebAssembly memories, which grow to the largest call and
// stay there (each call's buffers are released when it returns). The 4096 × 4096 check
// (64 MiB of weights, batch 64) runs with CROSSBAR_HEAVY_TESTS=1; by default the same
// check runs on a 384 × 320 tile, forward and backward, on one and on two threads.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { IOParameters, IdealDevice, SingleRPUConfig } from '@crossbar/core';
import { WasmEngine, wasmKernelSet } from '../src/index.js';
import { kernelBackend } from '@crossbar/core';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap and ArrayBuffer bytes in use after a full collection. */
function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Growth of the JS heap and of the wasm memories over `calls` calls, after a first call of each. */
async function growth(threads: number, outSize: number, inSize: number, batch: number, calls: number, withBackward: boolean): Promise<{ js: number; wasm: number }> {
  const engine = await WasmEngine.create({ threads });
  const backend = kernelBackend(wasmKernelSet(engine));
  const io = new IOParameters();
  const tile = await backend.createTile({ outSize, inSize, rpuConfig: new SingleRPUConfig({ device: new IdealDevice(), forward: io, backward: io }), seed: 1 });
  const w = new Float32Array(outSize * inSize);
  for (let k = 0; k < w.length; k++) w[k] = (((k * 2654435761) >>> 0) / 2 ** 32 - 0.5) * (2 / Math.sqrt(inSize));
  await tile.setWeights(w);
  const x = new Float32Array(batch * inSize).map((_, k) => Math.sin(k));
  const d = new Float32Array(batch * outSize).map((_, k) => Math.cos(k));
  const wasmBytes = () => engine.kernels.memory.buffer.byteLength + (engine.sharedKernels?.memory.buffer.byteLength ?? 0);
  await tile.forward(x, batch);
  if (withBackward) await tile.backward(d, batch);
  const js0 = used();
  const wasm0 = wasmBytes();
  for (let c = 0; c < calls; c++) {
    await tile.forward(x, batch);
    if (withBackward) await tile.backward(d, batch);
  }
  const result = { js: used() - js0, wasm: wasmBytes() - wasm0 };
  await tile.dispose();
  await engine.dispose();
  return result;
}

const heavy = process.env.CROSSBAR_HEAVY_TESTS === '1';

describe('wasm engine memory', () => {
  it.runIf(heavy)(
    'runs 100 forward calls of a 4096 × 4096 tile (batch 64, default IO) without growing the heap or the wasm memory',
    async () => {
      for (const threads of [1, 2]) {
        const g = await growth(threads, 4096, 4096, 64, 100, false);
        expect(g.wasm, `${threads} thread(s): wasm memory`).toBe(0);
        expect(g.js, `${threads} thread(s): JS heap`).toBeLessThan(1 << 20); // one output is 1 MiB
      }
    },
    1_800_000,
  );

  it('runs 100 forward and backward calls (384 × 320, batch 16) on one and on two threads without growing the heap or the wasm memory', async () => {
    for (const threads of [1, 2]) {
      const g = await growth(threads, 384, 320, 16, 100, true);
      expect(g.wasm, `${threads} thread(s): wasm memory`).toBe(0);
      expect(g.js, `${threads} thread(s): JS heap`).toBeLessThan(256 << 10);
    }
  }, 120_000);

  it('creating, running and disposing 30 tiles (resident weights) leaves the wasm memory and the heap blocks as they were, on one and on two threads', async () => {
    for (const threads of [1, 2]) {
      const engine = await WasmEngine.create({ threads, minThreadedWork: 1 << 12 });
      const backend = kernelBackend(wasmKernelSet(engine));
      const rpuConfig = new SingleRPUConfig({ device: new IdealDevice(), forward: new IOParameters(), backward: new IOParameters() });
      const instances = [engine.kernels, ...(engine.sharedKernels ? [engine.sharedKernels] : [])];
      const bytes = () => instances.map((k) => k.memory.buffer.byteLength);
      const tops = () =>
        instances.map((k) => {
          const m = k.heap.mark();
          k.heap.release(m);
          return m;
        });
      const cycle = async (c: number) => {
        // sizes vary so that freed blocks are split and merged; batch 1 runs on the plain instance, 64 on the shared one
        const [outSize, inSize] = [96 + 16 * (c % 3), 80 + 8 * (c % 4)];
        const tile = await backend.createTile({ outSize, inSize, rpuConfig, seed: c });
        await tile.setWeights(new Float32Array(outSize * inSize).fill(0.01));
        await tile.forward(new Float32Array(64 * inSize).fill(0.5), 64);
        await tile.forward(new Float32Array(inSize).fill(0.5), 1);
        await tile.backward(new Float32Array(64 * outSize).fill(0.5), 64);
        await tile.dispose();
      };
      for (let c = 0; c < 3; c++) await cycle(c);
      const [bytes0, tops0] = [bytes(), tops()];
      for (let c = 0; c < 30; c++) await cycle(c);
      expect(bytes(), `${threads} thread(s): wasm memory`).toEqual(bytes0);
      expect(tops(), `${threads} thread(s): heap top`).toEqual(tops0);
      expect(instances.map((k) => k.heap.blockBytes)).toEqual(instances.map(() => 0));
      await engine.dispose();
    }
  }, 120_000);
});
