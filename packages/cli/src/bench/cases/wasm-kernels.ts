/**
 * The kernels of @crossbar/backend-wasm (the groundwork of the WebAssembly
 * engine, issue 14) on one thread, beside the engines' cases (ndarray-mvm.ts:
 * the same sizes, configs and inputs): 512 × 512, batch 256, the perfect
 * forward (f32x4 gemmNT, x copied in and y out as a tile would), the perfect
 * backward (gemmNN reading W in place) and the forward with aihwkit's default
 * IOParameters (core's noise/bound management around the fused DAC → GEMM →
 * output noise → ADC kernel; its 131 k output-noise normals drawn in the kernel).
 * The package is private and not an engine yet: where it is not installed or
 * its kernels are not built, the cases are skipped with the reason.
 */
import { resolveIOParameters, type IOParameters } from '@crossbar/core';
import { defineBench } from '../harness.js';
import { BATCH, mvmConfig, SETS, uniform, type MvmKind } from './common/inputs.js';

const N = 512;

async function forwardRun(kind: MvmKind): Promise<() => unknown> {
  const { FusedForward, loadKernels } = await import('@crossbar/backend-wasm');
  const kernels = await loadKernels();
  const config = mvmConfig(kind) as { forward?: IOParameters };
  const io = resolveIOParameters(config.forward, 'forward', 'rpuConfig.forward', 'wasm');
  const pass = new FusedForward(kernels, io, N, N, BATCH);
  pass.weights().set(uniform(2, N * N, 1 / Math.sqrt(N)));
  const inputs = Array.from({ length: SETS }, (_, k) => uniform(10 + k, BATCH * N, 1));
  const nm = { averageAbsMax: -1 };
  let k = 0;
  return () => pass.run(inputs[k % SETS]!, BATCH, 1, 1 + k++, nm);
}

async function backwardRun(): Promise<() => unknown> {
  const { loadKernels } = await import('@crossbar/backend-wasm');
  const { exports: e, heap } = await loadKernels();
  const w = heap.allocF32(N * N);
  const d = heap.allocF32(BATCH * N);
  const z = heap.allocF32(BATCH * N);
  heap.f32(w, N * N).set(uniform(2, N * N, 1 / Math.sqrt(N)));
  const inputs = Array.from({ length: SETS }, (_, k) => uniform(10 + k, BATCH * N, 1));
  let k = 0;
  return () => {
    heap.f32(d, BATCH * N).set(inputs[k++ % SETS]!);
    e.gemmNN(BATCH, N, N, d, N, w, N, z, N);
    return heap.f32(z, BATCH * N).slice();
  };
}

export default [
  defineBench({
    name: `perfect forward ${N}x${N} b${BATCH} (wasm kernels, 1 thread)`,
    group: 'forward',
    engine: 'wasm',
    size: `${N}x${N}, batch ${BATCH}`,
    flops: 2 * N * N * BATCH,
    setup: () => forwardRun('perfect'),
  }),
  defineBench({
    name: `perfect backward ${N}x${N} b${BATCH} (wasm kernels, 1 thread)`,
    group: 'backward',
    engine: 'wasm',
    size: `${N}x${N}, batch ${BATCH}`,
    flops: 2 * N * N * BATCH,
    setup: backwardRun,
  }),
  defineBench({
    name: `default-IO forward ${N}x${N} b${BATCH} (wasm kernels, 1 thread)`,
    group: 'forward',
    engine: 'wasm',
    size: `${N}x${N}, batch ${BATCH}`,
    flops: 2 * N * N * BATCH,
    setup: () => forwardRun('default-IO'),
  }),
];
