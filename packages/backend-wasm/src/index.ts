/**
 * @crossbar/backend-wasm — groundwork of the WebAssembly SIMD + threads engine:
 * the AssemblyScript kernels (GEMM, Philox draws, the fused forward IO stage),
 * their loader and a worker-pool prototype. Not an engine yet: nothing is
 * registered (see README, "What remains").
 */
export { WasmLoadError, type WasmLoadFailure } from './errors.js';
export { WasmHeap } from './heap.js';
export { hasSharedMemory, hasWasmSimd, loadKernels, type KernelExports, type Kernels, type KernelSource, type LoadKernelsOptions } from './loader.js';
export { checkFusedForward, forwardIOArgs, FusedForward } from './forward.js';
export { KernelPool, type ForwardIOArgs } from './pool.js';
