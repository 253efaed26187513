/**
 * The analog forward with aihwkit's default IOParameters plus one array-stage
 * non-ideality (weight noise AdditiveConstant, IR drop, mv_type PosNegSeparate), on the
 * ndarray engine and on the wasm engine (one thread), 512 × 512, batch 256: the cost of
 * the stage over the default-IO forward (ndarray-mvm.ts, wasm-engine.ts: the same
 * inputs, common/inputs.ts). The wasm engine computes these in its fused WebAssembly
 * pass (backend-wasm assembly/array.ts); IR drop adds two GEMMs (Σ|w||x| and the
 * drop-weighted Σ), PosNegSeparate a second pass through the array.
 */
import { getBackend, IdealDevice, IOParameters, SingleRPUConfig, type AnalogTileBackend } from '@crossbar/core';
import '@crossbar/backend-ndarray';
import { defineBench } from '../harness.js';
import { BATCH, mvmRun } from './common/inputs.js';

const N = 512;

const SETTINGS: [string, ConstructorParameters<typeof IOParameters>[0]][] = [
  ['w_noise 0.02 AdditiveConstant', { wNoise: 0.02, wNoiseType: 'AdditiveConstant' }],
  ['ir_drop 1', { irDrop: 1 }],
  ['PosNegSeparate', { mvType: 'PosNegSeparate' }],
];

const ENGINES: Record<string, () => Promise<{ backend: AnalogTileBackend; free: () => unknown }>> = {
  ndarray: async () => ({ backend: await getBackend('ndarray'), free: () => undefined }),
  'wasm-1t': async () => {
    const { createWasmBackend } = await import('@crossbar/backend-wasm');
    const backend = await createWasmBackend({ threads: 1 });
    return { backend, free: () => backend.dispose?.() };
  },
};

export default Object.entries(ENGINES).flatMap(([engine, make]) =>
  SETTINGS.map(([what, fields]) =>
    defineBench({
      name: `default-IO + ${what} forward ${N}x${N} b${BATCH}`,
      group: 'forward',
      engine,
      size: `${N}x${N}, batch ${BATCH}`,
      flops: 2 * N * N * BATCH,
      async setup() {
        const { backend, free } = await make();
        const rpuConfig = new SingleRPUConfig({ device: new IdealDevice(), forward: new IOParameters(fields), backward: new IOParameters() });
        const tile = await backend.createTile({ outSize: N, inSize: N, rpuConfig, seed: 1 });
        return {
          run: await mvmRun(tile, 'forward', N),
          teardown: async () => {
            await tile.dispose();
            await free();
          },
        };
      },
    }),
  ),
);
