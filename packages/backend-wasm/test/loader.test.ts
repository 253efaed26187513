import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError } from '@crossbar/core';
import { hasSharedMemory, hasWasmSimd, loadKernels, WasmLoadError } from '../src/index.js';
import { readFileSync } from 'node:fs';

afterEach(() => vi.restoreAllMocks());

describe('loadKernels', () => {
  it('instantiates the build output with an unshared memory by default', async () => {
    const k = await loadKernels();
    expect(k.shared).toBe(false);
    expect(k.memory.buffer).toBeInstanceOf(ArrayBuffer);
    expect(k.exports.heapBase()).toBeGreaterThanOrEqual(0);
    expect(k.heap.base).toBe(k.exports.heapBase());
  });

  it('instantiates the threads build over a SharedArrayBuffer when shared', async () => {
    expect(hasSharedMemory()).toBe(true); // Node 20
    const k = await loadKernels({ shared: true });
    expect(k.shared).toBe(true);
    expect(k.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('takes bytes, a compiled module or a file URL (the browser paths)', async () => {
    const url = new URL('../dist/kernels.wasm', import.meta.url);
    const bytes = readFileSync(url);
    for (const source of [bytes, new Uint8Array(bytes).buffer, await WebAssembly.compile(bytes), url, url.href]) {
      const k = await loadKernels({ source });
      expect(typeof k.exports.gemmNT).toBe('function');
    }
  });

  it('says the file is missing (a WasmLoadError, a BackendError for the registry)', async () => {
    const err = await loadKernels({ source: '/nonexistent/kernels.wasm' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WasmLoadError);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as WasmLoadError).reason).toBe('missing-file');
    expect((err as Error).message).toMatch(/\/nonexistent\/kernels\.wasm/);
  });

  it('says when the bytes are not WebAssembly or are the wrong build for the memory', async () => {
    const junk = await loadKernels({ source: new Uint8Array([1, 2, 3]) }).catch((e: unknown) => e);
    expect((junk as WasmLoadError).reason).toBe('invalid-module');
    const wrong = await loadKernels({ source: new URL('../dist/kernels-shared.wasm', import.meta.url), shared: false }).catch((e: unknown) => e);
    expect((wrong as WasmLoadError).reason).toBe('invalid-module');
    expect((wrong as Error).message).toMatch(/kernels\.wasm build/);
  });

  it('says when the runtime has no WebAssembly SIMD', async () => {
    expect(hasWasmSimd()).toBe(true);
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    expect(hasWasmSimd()).toBe(false);
    const err = await loadKernels().catch((e: unknown) => e);
    expect((err as WasmLoadError).reason).toBe('no-simd');
    expect((err as Error).message).toMatch(/SIMD/);
  });

  it('says when shared memory is asked for but unavailable', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    try {
      expect(hasSharedMemory()).toBe(false);
      const err = await loadKernels({ shared: true }).catch((e: unknown) => e);
      expect((err as WasmLoadError).reason).toBe('no-shared-memory');
      expect((err as Error).message).toMatch(/cross-origin isolation/);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('refuses a maximum memory outside [64 KiB, 4 GiB]', async () => {
    await expect(loadKernels({ maximumBytes: 1000 })).rejects.toThrow(/maximumBytes/);
    await expect(loadKernels({ maximumBytes: 2 ** 33 })).rejects.toThrow(/maximumBytes/);
  });
});

describe('WasmHeap', () => {
  it('hands out 16-byte aligned zeroed buffers, grows the memory, and releases to a mark', async () => {
    const { heap, memory } = await loadKernels({ maximumBytes: 64 << 20 });
    const a = heap.allocF32(3);
    expect(a % 16).toBe(0);
    heap.f32(a, 3).set([1, 2, 3]);
    const mark = heap.mark();
    const big = heap.alloc(8 << 20); // past the first page: grows
    expect(big % 16).toBe(0);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + (8 << 20));
    heap.release(mark);
    const again = heap.allocF32(3);
    expect(again).toBe(big);
    expect(Array.from(heap.f32(again, 3))).toEqual([0, 0, 0]);
    expect(Array.from(heap.f32(a, 3))).toEqual([1, 2, 3]);
    expect(() => heap.alloc(128 << 20)).toThrow(/cannot grow/);
    expect(() => heap.release(-1)).toThrow(/mark/);
  });
});

describe('WasmHeap long-lived blocks', () => {
  it('reuses freed blocks (first fit, split, merged) and gives a block at the top back to the stack', async () => {
    const { heap } = await loadKernels();
    const start = heap.mark();
    heap.release(start);
    const a = heap.allocBlock(100); // 112 bytes
    const b = heap.allocBlock(64);
    const c = heap.allocBlock(32);
    expect([a % 16, b, c]).toEqual([0, a + 112, a + 176]);
    expect(heap.blockBytes).toBe(208);
    heap.freeBlock(a);
    expect(heap.allocBlock(48)).toBe(a); // first fit, split
    const d = heap.allocBlock(64); // the rest of a's block
    expect(d).toBe(a + 48);
    heap.freeBlock(a);
    heap.freeBlock(d);
    heap.freeBlock(b); // merged with a's freed bytes: one block of 176
    expect(heap.allocBlock(176)).toBe(a);
    heap.freeBlock(a);
    heap.freeBlock(c); // ends at the top: everything back to the stack
    expect(heap.mark()).toBe(start);
    expect(heap.blockBytes).toBe(0);
    expect(() => heap.allocBlock(16)).toThrow(/mark is held/);
    heap.release(start);
    expect(() => heap.freeBlock(a)).toThrow(/not a block/);
    expect(() => heap.allocBlock(0)).toThrow(/positive integer/);
  });

  it('keeps a block freed during a call for later blocks (the call’s buffers above it are released to their mark)', async () => {
    const { heap } = await loadKernels();
    const a = heap.allocBlock(64);
    const mark = heap.mark();
    const scratch = heap.alloc(32);
    expect(scratch).toBe(a + 64);
    heap.freeBlock(a); // not at the top: kept in the free list
    heap.release(mark);
    expect(heap.allocBlock(64)).toBe(a);
  });
});
