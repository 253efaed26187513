/**
 * The analog MVM of the ndarray engine, 512 × 512, batch 256: the perfect
 * forward and backward (FloatingPointRPUConfig: the GEMM alone), and the
 * forward and backward with aihwkit's default IOParameters (noise management
 * AbsMax, bound management Iterative, 7-bit DAC, 9-bit ADC with out_bound 12,
 * output noise 0.06) on an IdealDevice, so that only the MVM is timed.
 *
 * Inputs: weights uniform in ±1/√512 (aihwkit's default layer init), x and d
 * uniform in [−1, 1); 8 mini-batches used in turn. With these no output clips,
 * so bound management runs one pass: the default-IO cost over the perfect one
 * is the IO itself (per-vector scaling, DAC, ADC, 131 k output-noise normals).
 * GFLOP/s counts the 2 · 512 · 512 · 256 multiply-adds of the MVM.
 */
import { getBackend } from '@crossbar/core';
import '@crossbar/backend-ndarray';
import { defineBench } from '../harness.js';
import { BATCH, mvmConfig, mvmRun } from './common/inputs.js';

const N = 512;

export default (['perfect', 'default-IO'] as const).flatMap((kind) =>
  (['forward', 'backward'] as const).map((direction) =>
    defineBench({
      name: `${kind} ${direction} ${N}x${N} b${BATCH}`,
      group: direction,
      engine: 'ndarray',
      size: `${N}x${N}, batch ${BATCH}`,
      flops: 2 * N * N * BATCH,
      async setup() {
        const tile = await (await getBackend('ndarray')).createTile({ outSize: N, inSize: N, rpuConfig: mvmConfig(kind), seed: 1 });
        return { run: await mvmRun(tile, direction, N), teardown: () => tile.dispose() };
      },
    }),
  ),
);
