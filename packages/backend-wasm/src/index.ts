/**
 * @crossbar/backend-wasm — the WebAssembly SIMD + threads engine: AssemblyScript
 * kernels (GEMM, Philox draws, the fused analog pass) on core's kernel contract.
 * Importing this package registers it as "wasm" with WASM_PRIORITY, above the
 * ndarray engine, so it is the default wherever its kernels load; where they do not
 * (no WebAssembly SIMD, the .wasm missing), the registry reports the WasmLoadError
 * and takes the next engine.
 *
 * @module @crossbar/backend-wasm
 */
import { registerBackend } from '@crossbar/core';
import { createWasmBackend, WASM_NAME, type WasmEngineOptions } from './engine.js';

export { WasmLoadError, type WasmLoadFailure } from './errors.js';
export { WasmHeap } from './heap.js';
export {
  hasSharedMemory,
  hasWasmSimd,
  loadKernels,
  type FillKernel,
  type GemmKernel,
  type KernelExports,
  type Kernels,
  type KernelSource,
  type LoadKernelsOptions,
} from './loader.js';
export type { PoolWorker, PoolWorkerData, ThreadPool, ThreadPoolOptions, WorkerHost } from './thread-pool.js';
export { canBlock, threadsRefusal } from './threads.js';
export { createWasmBackend, createWasmKernels, WASM_NAME, WasmEngine, wasmKernelSet, type WasmEngineOptions } from './engine.js';
export { wasmUpdateRefusal } from './update.js';

/** The registry priority of "wasm": above the ndarray engine (1), the default wherever the kernels load. */
export const WASM_PRIORITY = 2;

/**
 * (Re-)registers the engine as "wasm" in core's default registry with these options
 * (importing the package registers it with the defaults).
 */
export function registerWasmBackend(options: WasmEngineOptions = {}): void {
  registerBackend(WASM_NAME, () => createWasmBackend(options), { priority: WASM_PRIORITY });
}

registerWasmBackend();
