/**
 * The gpu.js engine in every mode, beside the ndarray engine's cases
 * (ndarray-mvm.ts, ndarray-update.ts: the same sizes, configs and inputs):
 * 512 × 512, batch 256, the perfect forward (the GEMM alone), the forward and
 * backward with aihwkit's default IOParameters, the pulsed update, and the
 * TransferCompound update of ndarray-transfer-update.ts (Node modes); and
 * the perfect forward of a 4096 × 4096 tile with batch 256 in the two fastest
 * modes here (headlessgl, webasm).
 *
 * Modes: cpu (gpu.js's JavaScript kernels), webasm (WebAssembly SIMD, one
 * thread: the engine's kernels are synchronous), headlessgl (headless-gl; needs a display, e.g.
 * `xvfb-run -a`), webgl2 (headless Chromium, its software WebGL2 on this
 * machine; the page is driven through the DevTools protocol, ~1 ms per call
 * included). A mode that does not work here is reported as skipped with the
 * reason. The "random kernel/upload" cases time the default-IO forward and the
 * pulsed update with their noise drawn in the kernel (core's Philox in gpu.js
 * code or GLSL) or generated on the CPU and uploaded: which the engine picks
 * per mode (random.ts).
 * Inputs: weights uniform in ±1/√in, x and d uniform in [−1, 1), 8 mini-batches in turn.
 */
import { createGpujsBackend, type GpujsMode, type RandomSource } from '@crossbar/backend-gpujs';
import { openPage, type BrowserPage } from '@crossbar/backend-gpujs/browser-harness';
import { defineBench, type BenchCase } from '../harness.js';
import { rpuConfigToDict } from '@crossbar/core';
import type { BenchSpec } from '@crossbar/backend-gpujs/browser-harness';
import {
  BATCH,
  mvmConfig,
  mvmRun,
  mvmSets,
  mvmWeightScale,
  pulsedUpdateConfig,
  pulsedUpdateRun,
  SETS,
  transferCompoundConfig,
  UPDATE_LR,
  UPDATE_WEIGHT_SCALE,
  type MvmKind,
} from './common/inputs.js';

type Kind = MvmKind;

/** An MVM case in a Node mode; `random` forces where the noise comes from (default: the engine's choice). */
function nodeMvm(mode: GpujsMode, kind: Kind, direction: 'forward' | 'backward', n: number, random?: RandomSource): BenchCase {
  return defineBench({
    name: `${kind} ${direction} ${n}x${n} b${BATCH} (${mode}${random ? `, random ${random}` : ''})`,
    group: direction,
    engine: 'gpujs',
    size: `${n}x${n}, batch ${BATCH}`,
    flops: 2 * n * n * BATCH,
    async setup() {
      const backend = createGpujsBackend({ mode, random });
      const tile = await backend.createTile({ outSize: n, inSize: n, rpuConfig: mvmConfig(kind), seed: 1 });
      return { run: await mvmRun(tile, direction, n), teardown: () => backend.dispose() };
    },
  });
}

/**
 * The pulsed update of ndarray-update.ts (the same config, sizes and inputs) in a Node mode; with
 * `transfer`, the TransferCompound update of ndarray-transfer-update.ts.
 */
function nodeUpdate(mode: GpujsMode, random?: RandomSource, transfer = false): BenchCase {
  const n = 512;
  const what = transfer ? 'TransferCompound update' : 'pulsed update';
  const device = transfer ? '2×ConstantStep' : 'ConstantStep';
  return defineBench({
    name: `${what} ${n}x${n} b${BATCH} ${device} lr ${UPDATE_LR} (${mode}${random ? `, random ${random}` : ''})`,
    group: 'update',
    engine: 'gpujs',
    size: `${n}x${n}, batch ${BATCH}`,
    items: { count: n * n * BATCH, unit: 'device-rows' },
    async setup() {
      const backend = createGpujsBackend({ mode, random });
      const rpuConfig = transfer ? transferCompoundConfig() : pulsedUpdateConfig();
      const tile = await backend.createTile({ outSize: n, inSize: n, rpuConfig, seed: 1 });
      return { run: await pulsedUpdateRun(tile, n), teardown: () => backend.dispose() };
    },
  });
}

interface BenchApi {
  benchStart(mode: GpujsMode, spec: BenchSpec, random?: RandomSource): Promise<string>;
  benchStep(step: 'forward' | 'backward' | 'update'): Promise<number>;
  benchStop(): Promise<{ steps: number; weightsChanged: number }>;
  [method: string]: (...args: never[]) => unknown;
}

/**
 * A case in headless Chromium (webgl2): the tile lives in the page, each run is one call into it,
 * with the config, weights and inputs of the Node cases (common/inputs.ts). An MVM (kind perfect
 * or default-IO, step forward or backward), or an update: kind pulsed (nodeUpdate's
 * ConstantStep) or transfer (its TransferCompound).
 */
function browserCase(kind: Kind | 'pulsed' | 'transfer', step: 'forward' | 'backward' | 'update', n: number, random?: RandomSource): BenchCase {
  const update = step === 'update';
  const where = `(webgl2, Chromium${random ? `, random ${random}` : ''})`;
  const rpuConfig = kind === 'pulsed' ? pulsedUpdateConfig() : kind === 'transfer' ? transferCompoundConfig() : mvmConfig(kind);
  const spec: BenchSpec = {
    rpuConfig: rpuConfigToDict(rpuConfig),
    outSize: n,
    inSize: n,
    batch: BATCH,
    weightScale: update ? UPDATE_WEIGHT_SCALE : mvmWeightScale(n),
    sets: update ? SETS : mvmSets(n),
    learningRate: UPDATE_LR,
  };
  return defineBench({
    name: update
      ? `${kind === 'transfer' ? 'TransferCompound' : 'pulsed'} update ${n}x${n} b${BATCH} ${kind === 'transfer' ? '2×ConstantStep' : 'ConstantStep'} lr ${UPDATE_LR} ${where}`
      : `${kind} ${step} ${n}x${n} b${BATCH} ${where}`,
    group: step,
    engine: 'gpujs',
    size: `${n}x${n}, batch ${BATCH}`,
    ...(update ? { items: { count: n * n * BATCH, unit: 'device-rows' } } : { flops: 2 * n * n * BATCH }),
    async setup() {
      const opened = await openPage<BenchApi>();
      if (!opened.ok) throw new Error(opened.reason);
      const page: BrowserPage<BenchApi> = opened.page;
      try {
        const description = await page.call('benchStart', 'webgl2', spec, random);
        if (!description.startsWith('gpu.js mode webgl2')) throw new Error(`the page did not run webgl2: ${description}`);
      } catch (e) {
        await page.close();
        throw e;
      }
      return {
        run: () => page.call('benchStep', step),
        teardown: async () => {
          try {
            const { steps, weightsChanged } = await page.call('benchStop');
            // an update case that changed no weight timed something else (or nothing)
            if (update && steps > 0 && weightsChanged === 0) throw new Error(`${steps} update steps in the page changed no weight`);
          } finally {
            await page.close();
          }
        },
      };
    },
  });
}

const NODE_MODES: GpujsMode[] = ['cpu', 'webasm', 'headlessgl'];

export default [
  ...NODE_MODES.flatMap((mode) => [
    nodeMvm(mode, 'perfect', 'forward', 512),
    nodeMvm(mode, 'default-IO', 'forward', 512),
    nodeMvm(mode, 'default-IO', 'backward', 512),
    nodeUpdate(mode),
    nodeUpdate(mode, undefined, true),
  ]),
  browserCase('pulsed', 'update', 512),
  browserCase('transfer', 'update', 512),
  browserCase('perfect', 'forward', 512),
  browserCase('default-IO', 'forward', 512),
  browserCase('default-IO', 'backward', 512),
  // where the noise comes from: in-kernel Philox against core's Philox on the CPU, uploaded
  nodeMvm('cpu', 'default-IO', 'forward', 512, 'kernel'),
  nodeMvm('webasm', 'default-IO', 'forward', 512, 'kernel'),
  browserCase('default-IO', 'forward', 512, 'kernel'),
  browserCase('default-IO', 'forward', 512, 'upload'),
  nodeUpdate('cpu', 'kernel'),
  nodeUpdate('webasm', 'kernel'),
  browserCase('pulsed', 'update', 512, 'kernel'),
  browserCase('pulsed', 'update', 512, 'upload'),
  nodeMvm('headlessgl', 'perfect', 'forward', 4096),
  nodeMvm('webasm', 'perfect', 'forward', 4096),
];
