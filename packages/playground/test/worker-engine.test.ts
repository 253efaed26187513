// The wasm engine behind a Worker (src/worker-engine.ts ↔ src/engine-worker.ts), in Node:
// a stand-in Worker delivers the messages (structured clones, asynchronously) to the
// engine worker's module loaded on this thread. The browser test runs the real Worker.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWasmBackend } from '@crossbar/backend-wasm';
import { CrossbarError, InferenceRPUConfig, NotSupportedError, type AnalogTileBackend } from '@crossbar/core';
import { seededMatrix } from '../src/data.js';

type Handler = ((event: { data: unknown }) => void) | null;
const scope: { onmessage: Handler; postMessage(data: unknown): void } = { onmessage: null, postMessage: () => undefined };

class StandInWorker {
  onmessage: Handler = null;
  onerror: ((e: { message: string }) => void) | null = null;
  terminated = false;
  constructor() {
    scope.postMessage = (data) => setTimeout(() => this.onmessage?.({ data: structuredClone(data) }), 0);
  }
  postMessage(data: unknown): void {
    if (!this.terminated) setTimeout(() => scope.onmessage?.({ data: structuredClone(data) }), 0);
  }
  terminate(): void {
    this.terminated = true;
  }
}

let inWorker: AnalogTileBackend;
let direct: AnalogTileBackend;

beforeAll(async () => {
  vi.stubGlobal('self', scope);
  vi.stubGlobal('Worker', StandInWorker);
  await import('../src/engine-worker.js');
  const { createWorkerWasmBackend } = await import('../src/worker-engine.js');
  inWorker = await createWorkerWasmBackend();
  direct = await createWasmBackend({ threads: 1 });
});

afterAll(async () => {
  await inWorker?.dispose?.();
  await direct?.dispose?.();
  vi.unstubAllGlobals();
});

describe('the wasm engine behind a Worker', () => {
  it('is the wasm engine, and its tiles give the same bits as the engine called directly', async () => {
    expect(inWorker.name).toBe('wasm');
    expect(inWorker.description).toMatch(/^WebAssembly SIMD engine .*, in a Web Worker$/);
    const [outSize, inSize, batch] = [24, 40, 12];
    const rpuConfig = new InferenceRPUConfig({ forward: { outBound: 2 } });
    const w = seededMatrix(3, 0, outSize, inSize, { dist: 'uniform', scale: 0.6 });
    const x = seededMatrix(3, 1, batch, inSize, { dist: 'normal', scale: 0.8 });
    const results = [];
    for (const backend of [inWorker, direct]) {
      const tile = await backend.createTile({ outSize, inSize, rpuConfig, seed: 5 });
      await tile.setWeights(w);
      const y = await tile.forward(x, batch);
      const passes = await tile.getForwardPassCounts!();
      await tile.programWeights();
      await tile.driftWeights(3600);
      const drifted = await tile.forward(x, batch, { isTest: true });
      const alpha = await tile.getDriftCompensationScale();
      const state = await tile.getState();
      await tile.dispose();
      results.push({ y: Array.from(y), passes: Array.from(passes!), drifted: Array.from(drifted), alpha, state });
    }
    expect(results[0]).toEqual(results[1]);
    expect(Math.max(...results[0]!.passes)).toBeGreaterThan(1);
  });

  it('keeps a copy of the config, and reports errors as core’s classes', async () => {
    const shift = await Promise.resolve(
      inWorker.createTile({ outSize: 3, inSize: 4, rpuConfig: new InferenceRPUConfig({ forward: { boundManagement: 'Shift' } }) }),
    ).catch((e: unknown) => e);
    expect(shift).toBeInstanceOf(NotSupportedError);
    expect(shift).toBeInstanceOf(CrossbarError);
    expect((shift as Error).message).toMatch(/Shift/);
    const rpuConfig = new InferenceRPUConfig();
    const tile = await inWorker.createTile({ outSize: 3, inSize: 4, rpuConfig, seed: 1 });
    expect(tile.rpuConfig).not.toBe(rpuConfig);
    expect(tile.rpuConfig.equals(rpuConfig)).toBe(true);
    expect(tile.backendName).toBe('wasm');
    expect(typeof tile.getForwardPassCounts).toBe('function');
    const bad = await Promise.resolve(tile.setWeights(new Float32Array(5))).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CrossbarError);
    await tile.dispose();
    await expect(Promise.resolve(tile.getWeights())).rejects.toThrow(/no tile .* \(disposed\?\)/);
    await expect(Promise.resolve(inWorker.createTile({ outSize: 0, inSize: 4, rpuConfig, seed: 1 }))).rejects.toBeInstanceOf(CrossbarError);
  });
});
