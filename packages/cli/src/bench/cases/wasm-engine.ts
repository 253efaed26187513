/**
 * The wasm engine (@crossbar/backend-wasm) on one and on two threads beside the
 * ndarray engine, in one table: the cases of ndarray-mvm.ts and ndarray-update.ts
 * (the same sizes, configs and inputs: common/inputs.ts) through core's tile on the
 * wasm kernels (with the TransferCompound update of ndarray-transfer-update.ts), and one vector (batch 1) through a 512 × 512 tile with aihwkit's
 * default IOParameters on every engine. The demo's training step on wasm is in
 * demo-training.ts. "wasm-1t" runs on the calling thread alone, "wasm-2t" splits
 * rows with one worker thread (the same bits).
 */
import { getBackend, type AnalogTileBackend } from '@crossbar/core';
import '@crossbar/backend-ndarray';
import { defineBench } from '../harness.js';
import { BATCH, mvmConfig, mvmRun, powStepUpdateConfig, pulsedUpdateConfig, pulsedUpdateRun, transferCompoundConfig, uniform, UPDATE_LR } from './common/inputs.js';

const N = 512;

/** The wasm engine with `threads` threads (a backend of its own per case: its pool is stopped at teardown). */
export async function wasmBackend(threads: number): Promise<AnalogTileBackend> {
  const { createWasmBackend } = await import('@crossbar/backend-wasm');
  return createWasmBackend({ threads });
}

/** The engines of the table: name → a backend and what frees it. */
const ENGINES: Record<string, () => Promise<{ backend: AnalogTileBackend; free: () => unknown }>> = {
  'wasm-1t': async () => {
    const backend = await wasmBackend(1);
    return { backend, free: () => backend.dispose?.() };
  },
  'wasm-2t': async () => {
    const backend = await wasmBackend(2);
    return { backend, free: () => backend.dispose?.() };
  },
};

function wasmCases(engine: string) {
  const make = ENGINES[engine]!;
  return [
    ...(['perfect', 'default-IO'] as const).flatMap((kind) =>
      (['forward', 'backward'] as const).map((direction) =>
        defineBench({
          name: `${kind} ${direction} ${N}x${N} b${BATCH}`,
          group: direction,
          engine,
          size: `${N}x${N}, batch ${BATCH}`,
          flops: 2 * N * N * BATCH,
          async setup() {
            const { backend, free } = await make();
            const tile = await backend.createTile({ outSize: N, inSize: N, rpuConfig: mvmConfig(kind), seed: 1 });
            return {
              run: await mvmRun(tile, direction, N),
              teardown: async () => {
                await tile.dispose();
                await free();
              },
            };
          },
        }),
      ),
    ),
    ...(
      [
        ['pulsed update', 'ConstantStep', pulsedUpdateConfig],
        ['pulsed update', 'PowStep', powStepUpdateConfig],
        ['TransferCompound update', '2×ConstantStep', transferCompoundConfig],
      ] as const
    ).map(([what, device, config]) =>
      defineBench({
        name: `${what} ${N}x${N} b${BATCH} ${device} lr ${UPDATE_LR}`,
        group: 'update',
        engine,
        size: `${N}x${N}, batch ${BATCH}`,
        items: { count: N * N * BATCH, unit: 'device-rows' },
        async setup() {
          const { backend, free } = await make();
          const tile = await backend.createTile({ outSize: N, inSize: N, rpuConfig: config(), seed: 1 });
          return {
            run: await pulsedUpdateRun(tile, N),
            teardown: async () => {
              await tile.dispose();
              await free();
            },
          };
        },
      }),
    ),
  ];
}

/** One vector through a 512 × 512 tile with the default IO (the latency of a single inference). */
function batchOne(engine: string, make: () => Promise<{ backend: AnalogTileBackend; free: () => unknown }>) {
  return defineBench({
    name: `default-IO forward ${N}x${N} b1`,
    group: 'forward',
    engine,
    size: `${N}x${N}, batch 1`,
    flops: 2 * N * N,
    async setup() {
      const { backend, free } = await make();
      const tile = await backend.createTile({ outSize: N, inSize: N, rpuConfig: mvmConfig('default-IO'), seed: 1 });
      await tile.setWeights(uniform(2, N * N, 1 / Math.sqrt(N)));
      const inputs = Array.from({ length: 64 }, (_, k) => uniform(10 + k, N, 1));
      let k = 0;
      return {
        run: () => tile.forward(inputs[k++ % 64]!, 1),
        teardown: async () => {
          await tile.dispose();
          await free();
        },
      };
    },
  });
}

export default [
  batchOne('ndarray', async () => ({ backend: await getBackend('ndarray'), free: () => undefined })),
  ...Object.keys(ENGINES).flatMap((engine) => [...wasmCases(engine), batchOne(engine, ENGINES[engine]!)]),
];
