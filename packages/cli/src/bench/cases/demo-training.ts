/**
 * The demo's work on each installed engine: one hardware-aware training step
 * of the 784-256-128-10 MLP on a batch of 32 standardised MNIST digits
 * (forward, cross-entropy, backward, AnalogSGD step with clip, remap and the
 * weight modifier), and an evaluation forward pass of 500 digits. Digits per
 * second give the demo's epoch time (8,000 digits): `crossbar bench` prints it.
 */
import { getBackend } from '@crossbar/core';
import { AnalogSGD, CrossEntropyLoss, manualSeed } from '@crossbar/modules';
import { hwaConfig } from '../../demo/configs.js';
import { pixelStats, standardize } from '../../demo/data.js';
import { IMAGE_SIZE, loadMnist, type Digits } from '../../demo/mnist.js';
import { buildNetwork, DEMO_DEFAULTS } from '../../demo/run.js';
import { registerInstalledEngines } from '../../engines.js';
import { defineBench } from '../harness.js';
import { wasmBackend } from './wasm-engine.js';

/** Digits of one demo epoch. */
export const DEMO_EPOCH_DIGITS = DEMO_DEFAULTS.trainSize;

const SIZES = [IMAGE_SIZE, ...DEMO_DEFAULTS.hidden, 10];
const TRAIN_BATCH = DEMO_DEFAULTS.batchSize;
const EVAL_BATCH = 500;
/** The engines measured: registry names, and the wasm engine on one and on two threads (wasm-engine.ts). */
const ENGINES = ['ndarray', 'gpujs', 'wasm-1t', 'wasm-2t'];

let digits: Digits | undefined;
function standardDigits(): Digits {
  if (!digits) {
    const all = loadMnist();
    digits = standardize(all, pixelStats(all));
  }
  return digits;
}

async function network(engineName: string) {
  await registerInstalledEngines();
  const wasmThreads = /^wasm-(\d+)t$/.exec(engineName);
  const engine = wasmThreads ? await wasmBackend(Number(wasmThreads[1])) : await getBackend(engineName);
  manualSeed(1);
  const model = buildNetwork(SIZES, hwaConfig(DEMO_DEFAULTS.modifierStd), engine);
  await model.build();
  return model;
}

const MACS = SIZES.slice(1).reduce((a, n, i) => a + n * SIZES[i]!, 0);

export default ENGINES.flatMap((engine) => [
  defineBench({
    name: `HWA training step ${SIZES.join('-')}, batch ${TRAIN_BATCH}`,
    group: 'demo',
    engine,
    size: `${SIZES.join('-')}, batch ${TRAIN_BATCH}`,
    // forward, backward and update are one multiply-add per weight and digit each
    flops: 3 * 2 * MACS * TRAIN_BATCH,
    items: { count: TRAIN_BATCH, unit: 'digits' },
    async setup() {
      const model = await network(engine);
      const optimizer = new AnalogSGD(model, { lr: DEMO_DEFAULTS.hwa.lr });
      const loss = new CrossEntropyLoss();
      const d = standardDigits();
      const labels = new Array<number>(TRAIN_BATCH);
      let start = 0;
      return {
        run: async () => {
          if (start + TRAIN_BATCH > d.count) start = 0;
          const x = d.images.subarray(start * IMAGE_SIZE, (start + TRAIN_BATCH) * IMAGE_SIZE);
          for (let b = 0; b < TRAIN_BATCH; b++) labels[b] = d.labels[start + b]!;
          start += TRAIN_BATCH;
          optimizer.zeroGrad();
          loss.forward(await model.forward(x, TRAIN_BATCH), labels, TRAIN_BATCH);
          await model.backward(loss.backward());
          await optimizer.step();
        },
        teardown: () => model.dispose(),
      };
    },
  }),
  defineBench({
    name: `evaluation ${SIZES.join('-')}, batch ${EVAL_BATCH}`,
    group: 'demo',
    engine,
    size: `${SIZES.join('-')}, batch ${EVAL_BATCH}`,
    flops: 2 * MACS * EVAL_BATCH,
    items: { count: EVAL_BATCH, unit: 'test digits' },
    async setup() {
      const model = await network(engine);
      model.eval();
      const d = standardDigits();
      const x = d.images.subarray(0, EVAL_BATCH * IMAGE_SIZE);
      return { run: () => model.forward(x, EVAL_BATCH), teardown: () => model.dispose() };
    },
  }),
]);
