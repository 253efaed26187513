/**
 * The wasm engine in headless Chromium (the page browser/main.ts, served cross-origin
 * isolated): the registry picks it, it refuses threads on the page's main thread and
 * says why, a missing .wasm falls back to ndarray with the reason, and in a Worker the
 * Web Worker pool gives the same bits on 2 threads as on 1 — and as the page's main
 * thread and Node. Skipped with the reason where this machine has no chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend } from '../src/index.js';
import { scenario } from '../browser/scenario.js';
import { usePage } from '../browser/harness.js';

const { need } = usePage({ beforeAll, afterAll });
// the same page served without the COOP/COEP headers: no SharedArrayBuffer
const plainPage = usePage({ beforeAll, afterAll }, { crossOriginIsolated: false });

type Bits = { forward: number[]; backward: number[] };

describe('the wasm engine in headless Chromium', () => {
  it('loads its kernels in the page, outranks ndarray, and runs one thread on the main thread (it may not block)', async (ctx) => {
    const p = need(ctx);
    const info = await p.call('info');
    expect(info, p.console.join('\n')).toMatchObject({ crossOriginIsolated: true, simd: true, sharedMemory: true, canBlock: false, chosen: 'wasm' });
    expect(info.description).toMatch(/WebAssembly SIMD engine .*1 thread\b/);
    expect(info.threadsRefusal).toMatch(/may not block in Atomics.wait/);
    expect(info.engines.find((e) => e.name === 'wasm')).toMatchObject({ status: 'ok' });
    expect(await p.call('threadsOnMainThread')).toMatch(/^InputError: .*threads = 2 cannot run here: .*run the engine in a Web Worker/);
  });

  it('where the .wasm is missing the registry reports why and takes ndarray', async (ctx) => {
    const p = need(ctx);
    const r = await p.call('missingKernels');
    expect(r.chosen).toBe('ndarray');
    expect(r.status).toBe('failed');
    expect(r.detail).toMatch(/fetching the kernels http:\/\/127\.0\.0\.1:\d+\/missing\/kernels\.wasm gave HTTP 404/);
  });

  it('in a Worker, the Web Worker pool runs 2 threads with the same bits as 1 thread, the main thread and Node', async (ctx) => {
    const p = need(ctx);
    const r = (await p.call('inWorker', 'threads')) as {
      ok: boolean;
      error?: string;
      refusal: string | null;
      defaultThreads: number;
      description: string;
      one: Bits;
      two: Bits;
      again: Bits;
    };
    expect(r.ok, r.error).toBe(true);
    expect(r.refusal).toBeNull();
    expect(r.defaultThreads).toBeGreaterThanOrEqual(1);
    expect(r.description).toMatch(/2 threads/);
    expect(r.two).toEqual(r.one);
    expect(r.again).toEqual(r.one);
    expect(await p.call('mainThread')).toEqual(r.one);
    const node = await createWasmBackend({ threads: 1 });
    try {
      expect(await scenario(node)).toEqual(r.one);
    } finally {
      await node.dispose?.();
    }
  });

  it('in a Worker, a pool worker whose kernel throws fails the call; one that exits is noticed after stallMs; the pool recovers', async (ctx) => {
    const p = need(ctx);
    const r = await p.call('inWorker', 'faults');
    expect(r.ok, String(r.error)).toBe(true);
    expect(r.host).toBe('Web Workers');
    expect(r.thrown).toMatch(/^BackendError: .*kernel worker 2 failed: injected kernel fault/);
    expect(r.readyAfterReplace).toBe(false); // the new workers start once the Worker's event loop runs
    expect(r.readyLater).toBe(true);
    expect(r.exited).toMatch(/^BackendError: .*1 kernel worker\(s\) did not finish the call within 400 ms/);
    expect(r.recovered).toBe(true);
  });
});

describe('the wasm engine on a page without cross-origin isolation', () => {
  it('runs one thread, also in a Worker, says why, and gives the same bits', async (ctx) => {
    const p = plainPage.need(ctx);
    const info = await p.call('info');
    expect(info).toMatchObject({ crossOriginIsolated: false, simd: true, sharedMemory: false, chosen: 'wasm' });
    expect(info.threadsRefusal).toMatch(/cross-origin isolation/);
    const r = await p.call('inWorker', 'plain');
    expect(r.ok, String(r.error)).toBe(true);
    expect(r).toMatchObject({ crossOriginIsolated: false, defaultThreads: 1 });
    expect(r.refusal).toMatch(/shared WebAssembly memory is unavailable here/);
    expect(r.two).toMatch(/^WasmLoadError: .*cross-origin isolation/);
    expect(r.one).toEqual(await p.call('mainThread'));
  });
});
