// The pool's logic over either kind of worker host, the thread choice, and the
// browser paths of the loader that Node can run (a data: URL, a Response).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '@crossbar/core';
import { loadKernels, WasmEngine } from '../src/index.js';
import { nodeWorkerHost } from '../src/node-workers.js';
import { PoolOp, ThreadPool, type WorkerHost } from '../src/thread-pool.js';
import { canBlock, defaultThreads, threadsRefusal } from '../src/threads.js';
import { webWorkerHost } from '../src/web-workers.js';
import { readFileSync } from 'node:fs';
import { bits, uniform } from './helpers.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

/** Node's workers, declared as a browser's: they are not waited for until they have started. */
function browserLike(): WorkerHost {
  return { ...nodeWorkerHost()!, kind: 'browser-like', startsWhileBlocked: false };
}

async function gemmCase(threads: number, host: WorkerHost) {
  const plain = await loadKernels();
  const shared = await loadKernels({ shared: true });
  const [m, n, k] = [37, 29, 53];
  const a = uniform(1, m * k);
  const b = uniform(2, n * k);
  const run = (kernels: typeof plain, gemm: (pa: number, pb: number, pc: number) => void) => {
    const h = kernels.heap;
    const [pa, pb, pc] = [h.allocF32(m * k), h.allocF32(n * k), h.allocF32(m * n)];
    h.f32(pa, m * k).set(a);
    h.f32(pb, n * k).set(b);
    gemm(pa, pb, pc);
    return h.f32(pc, m * n).slice();
  };
  const want = run(plain, (pa, pb, pc) => plain.exports.gemmNT(m, n, k, pa, k, pb, k, pc, n));
  const pool = new ThreadPool(shared, threads, host, { stallMs: 5000 });
  const threaded = () => run(shared, (pa, pb, pc) => pool.run(PoolOp.GemmNT, [m, n, k, pa, k, pb, k, pc, n]));
  return { want, pool, threaded };
}

describe('ThreadPool over a WorkerHost', () => {
  it('where workers start only while the caller does not block, the caller runs every part until they are ready: the same bits', async () => {
    const { want, pool, threaded } = await gemmCase(3, browserLike());
    try {
      expect(pool.ready).toBe(false); // nothing has let them start yet
      expect(bits(threaded())).toEqual(bits(want));
      expect(() => pool.run(PoolOp.Fault, [1, 1])).not.toThrow(); // the workers' faults do not run on the caller
      await pool.whenReady();
      expect(pool.ready).toBe(true);
      expect(bits(threaded())).toEqual(bits(want));
      // a worker's fault now reaches the call, and the next call runs again (on the caller until the new workers start)
      expect(() => pool.run(PoolOp.Fault, [2, 0])).toThrow(/kernel worker 2 failed: injected kernel fault/);
      expect(bits(threaded())).toEqual(bits(want));
      await pool.whenReady();
      expect(bits(threaded())).toEqual(bits(want));
    } finally {
      await pool.dispose();
    }
    await expect(pool.whenReady()).rejects.toThrow(/disposed/);
  });

  it('Node workers are waited for: a call right after the pool is made runs on them', async () => {
    const { want, pool, threaded } = await gemmCase(2, nodeWorkerHost()!);
    try {
      expect(bits(threaded())).toEqual(bits(want));
      expect(pool.ready).toBe(true);
    } finally {
      await pool.dispose();
    }
  });

  it('whenReady fails with the reason when the workers do not start', async () => {
    const host: WorkerHost = { kind: 'silent', startsWhileBlocked: false, spawn: () => ({ terminate: () => undefined }) };
    const pool = new ThreadPool(await loadKernels({ shared: true }), 2, host);
    await expect(pool.whenReady(30)).rejects.toThrow(/1 kernel worker\(s\) \(silent\) did not start within 30 ms/);
    await pool.dispose();
  });

  it('has no Web Workers in Node', () => {
    expect(webWorkerHost()).toBeUndefined();
    expect(nodeWorkerHost()?.kind).toBe('worker_threads');
  });
});

describe('the thread choice', () => {
  it('Node may block and share memory: min(4, cores) threads, or CROSSBAR_WASM_THREADS', () => {
    expect(canBlock()).toBe(true);
    expect(threadsRefusal()).toBeNull();
    vi.stubEnv('CROSSBAR_WASM_THREADS', '3');
    expect(defaultThreads()).toBe(3);
    vi.stubEnv('CROSSBAR_WASM_THREADS', 'many');
    expect(() => defaultThreads()).toThrow(/CROSSBAR_WASM_THREADS/);
  });

  it('without shared memory (a page that is not cross-origin isolated): 1 thread, and more are refused with the reason', async () => {
    vi.stubEnv('CROSSBAR_WASM_THREADS', '');
    vi.stubGlobal('SharedArrayBuffer', undefined);
    expect(canBlock()).toBe(false);
    expect(threadsRefusal()).toMatch(/cross-origin isolation/);
    expect(defaultThreads()).toBe(1);
    const engine = await WasmEngine.create();
    expect(engine.threads).toBe(1);
    await expect(WasmEngine.create({ threads: 2 })).rejects.toThrow(/shared WebAssembly memory is unavailable/);
  });

  it('where this thread may not block (a page’s main thread): 1 thread, and more are refused with the reason', async () => {
    vi.stubEnv('CROSSBAR_WASM_THREADS', '');
    vi.stubGlobal('Atomics', {
      ...Object.fromEntries(Object.getOwnPropertyNames(Atomics).map((k) => [k, (Atomics as unknown as Record<string, unknown>)[k]])),
      wait: () => {
        throw new TypeError('Atomics.wait cannot be called in this context');
      },
    });
    expect(canBlock()).toBe(false);
    expect(threadsRefusal()).toMatch(/may not block in Atomics.wait/);
    expect(defaultThreads()).toBe(1);
    const err = await WasmEngine.create({ threads: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/run the engine in a Web Worker/);
  });
});

describe('the loader’s browser paths', () => {
  const url = new URL('../dist/kernels.wasm', import.meta.url);
  it('decodes a bundler’s data: URL without fetching, and takes a fetch Response (compiled while streaming)', async () => {
    const bytes = readFileSync(url);
    const dataUrl = `data:application/wasm;base64,${bytes.toString('base64')}`;
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const k = await loadKernels({ source: dataUrl });
    expect(typeof k.exports.gemmNT).toBe('function');
    expect(fetchSpy).not.toHaveBeenCalled();
    const streamed = await loadKernels({ source: new Response(bytes, { headers: { 'content-type': 'application/wasm' } }) });
    expect(typeof streamed.exports.gemmNN).toBe('function');
    const untyped = await loadKernels({ source: new Response(bytes) });
    expect(typeof untyped.exports.gemmNN).toBe('function');
    await expect(loadKernels({ source: new Response('missing', { status: 404 }) })).rejects.toMatchObject({ reason: 'missing-file' });
    await expect(loadKernels({ source: 'data:application/wasm,abc' })).rejects.toMatchObject({ reason: 'invalid-module' });
    fetchSpy.mockRestore();
  });

  it('fetches an http(s) URL and reports a failed fetch as a missing file', async () => {
    const bytes = readFileSync(url);
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      if (String(input).endsWith('/ok/kernels.wasm')) return new Response(bytes, { headers: { 'content-type': 'application/wasm' } });
      throw new TypeError('Failed to fetch');
    });
    const k = await loadKernels({ source: 'https://example.test/ok/kernels.wasm' });
    expect(typeof k.exports.gemmNT).toBe('function');
    const err = await loadKernels({ source: new URL('https://example.test/gone/kernels.wasm') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'missing-file' });
    expect((err as Error).message).toMatch(/cannot fetch the kernels https:\/\/example.test\/gone\/kernels.wasm: Failed to fetch/);
    expect(fetchSpy).toHaveBeenCalledTimes(2);
  });
});
