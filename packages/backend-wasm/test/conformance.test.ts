// The wasm engine against the conformance suite: every aihwkit oracle case and every
// property, on one thread and with the worker pool (the same bits for any thread
// count; minThreadedWork 0 sends every call, however small, through the pool). The
// GEMM sums in float32 (the 'webasm' tolerances, docs/conformance.md).
import { describeConformance } from '@crossbar/conformance';
import { createWasmBackend } from '../src/index.js';
import { wasmSkips } from './conformance-skips.js';

for (const threads of [1, 2]) {
  describeConformance(`wasm (${threads} thread${threads === 1 ? '' : 's'})`, () => createWasmBackend({ threads, minThreadedWork: 0 }), {
    tolerance: 'webasm',
    skips: wasmSkips,
    restoreOn: [{ name: 'a second wasm backend', factory: () => createWasmBackend({ threads, minThreadedWork: 0 }) }],
  });
}
