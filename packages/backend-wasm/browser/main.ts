/**
 * The wasm engine's browser test page: runs the engine in the page (on its main
 * thread: one thread) and in a Worker (the Web Worker pool), and answers the Node
 * tests (test/browser*.test.ts, through harness.ts) with plain data.
 */
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { BackendRegistry, getBackend, listBackends } from '@crossbar/core';
import { checkOracleCase, checkProperty, loadOracleWithFetch, oracleEntries, PROPERTIES, TOLERANCES, type OracleEntry } from '@crossbar/conformance/portable';
import { canBlock, createWasmBackend, hasSharedMemory, hasWasmSimd, threadsRefusal, WASM_PRIORITY } from '../src/index.js';
import { scenario } from './scenario.js';
import type { AnalogTileBackend } from '@crossbar/core';

let entries: Map<string, OracleEntry> | null = null;
let engine: Promise<AnalogTileBackend> | null = null;

/** The engine of the conformance calls: on the page's main thread, one thread. */
function wasm(): Promise<AnalogTileBackend> {
  engine ??= createWasmBackend({ threads: 1 });
  return engine;
}

const api = {
  /** What the page has, and which engine the registry picks (importing the package registered "wasm"). */
  async info() {
    const chosen = await getBackend();
    return {
      crossOriginIsolated: self.crossOriginIsolated,
      simd: hasWasmSimd(),
      sharedMemory: hasSharedMemory(),
      canBlock: canBlock(),
      threadsRefusal: threadsRefusal(),
      chosen: chosen.name,
      description: chosen.description,
      engines: listBackends().map((b) => ({ name: b.name, status: b.status, priority: b.priority })),
    };
  },
  /** A registry whose "wasm" cannot load its kernels (a missing file): what it reports, and what it picks. */
  async missingKernels() {
    const registry = new BackendRegistry();
    registry.register('ndarray', () => new NdarrayBackend(), { priority: 1 });
    registry.register('wasm', () => createWasmBackend({ threads: 1, source: new URL('missing/kernels.wasm', location.href) }), { priority: WASM_PRIORITY });
    const chosen = (await registry.get()).name;
    const wasmInfo = registry.list().find((b) => b.name === 'wasm')!;
    return { chosen, status: wasmInfo.status, detail: wasmInfo.detail ?? '' };
  },
  /** More than one thread on the page's main thread: the engine refuses with the reason. */
  async threadsOnMainThread() {
    try {
      const b = await createWasmBackend({ threads: 2 });
      await b.dispose?.();
      return 'made';
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  },
  /** The scenario on the page's main thread (one thread). */
  async mainThread() {
    return scenario(await wasm());
  },
  /** A task of browser/worker.ts in a Worker: 'threads' (the Web Worker pool), 'faults', 'plain'. */
  inWorker(task: 'threads' | 'faults' | 'plain'): Promise<Record<string, unknown>> {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    return new Promise((resolve, reject) => {
      worker.onmessage = (e) => {
        worker.terminate();
        resolve(e.data as Record<string, unknown>);
      };
      worker.onerror = (e) => {
        worker.terminate();
        reject(new Error(`the test worker failed: ${e.message}`));
      };
      worker.postMessage(task);
    });
  },
  /** Loads the aihwkit oracle from `url` (cases/, expected/); returns the case ids. */
  async loadOracle(url: string): Promise<string[]> {
    const oracle = await loadOracleWithFetch(new URL(url, location.href).href);
    entries = new Map(oracleEntries(oracle).map((e) => [e.id, e]));
    return [...entries.keys()];
  },
  /** One oracle case on the engine against aihwkit's result (the conformance package's comparison, 'webasm' tolerances). */
  async conformanceCase(id: string, maxReps: number) {
    const entry = entries?.get(id);
    if (!entry) throw new Error(`no oracle case ${id} loaded`);
    const check = await checkOracleCase(await wasm(), entry, TOLERANCES.webasm, { maxReps });
    return { ok: check.ok, failures: check.failures, notes: check.notes, flips: check.flips.length };
  },
  /** One conformance property on the engine. */
  async conformanceProperty(id: string, seed: number, numRuns: number) {
    const property = PROPERTIES.find((p) => p.id === id);
    if (!property) throw new Error(`no conformance property ${id}`);
    const res = await checkProperty(property, { backend: await wasm(), tolerance: TOLERANCES.webasm, seed, numRuns });
    return { ok: res.ok, failures: res.failures, notes: res.notes };
  },
};

export type HarnessApi = typeof api;

(window as unknown as { crossbarHarness: HarnessApi }).crossbarHarness = api;
document.getElementById('status')!.textContent = 'ready';
