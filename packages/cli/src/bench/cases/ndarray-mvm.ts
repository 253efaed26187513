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
import { FloatingPointRPUConfig, getBackend, IdealDevice, IOParameters, RandomStream, SingleRPUConfig, type RPUConfig } from '@crossbar/core';
import '@crossbar/backend-ndarray';
import { defineBench } from '../harness.js';

const N = 512;
const BATCH = 256;
const SETS = 8;

/** n values uniform in [−scale, scale). */
const uniform = (seed: number, n: number, scale: number) =>
  new RandomStream(seed, 0, 0, 0).fillUniform(new Float32Array(n)).map((u) => (2 * u - 1) * scale);

const configs: [string, () => RPUConfig][] = [
  ['perfect', () => new FloatingPointRPUConfig()],
  ['default-IO', () => new SingleRPUConfig({ device: new IdealDevice(), forward: new IOParameters(), backward: new IOParameters() })],
];

export default configs.flatMap(([label, config]) =>
  (['forward', 'backward'] as const).map((direction) =>
    defineBench({
      name: `${label} ${direction} ${N}x${N} b${BATCH}`,
      group: direction,
      engine: 'ndarray',
      size: `${N}x${N}, batch ${BATCH}`,
      flops: 2 * N * N * BATCH,
      async setup() {
        const tile = await (await getBackend('ndarray')).createTile({ outSize: N, inSize: N, rpuConfig: config(), seed: 1 });
        await tile.setWeights(uniform(2, N * N, 1 / Math.sqrt(N)));
        const inputs = Array.from({ length: SETS }, (_, k) => uniform(10 + k, BATCH * N, 1));
        let k = 0;
        return {
          run: () => {
            const v = inputs[k++ % SETS]!;
            return direction === 'forward' ? tile.forward(v, BATCH) : tile.backward(v, BATCH);
          },
          teardown: () => tile.dispose(),
        };
      },
    }),
  ),
);
