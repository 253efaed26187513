/**
 * A CNN forward pass on a batch of 256 standardised MNIST digits on each
 * installed engine: the demo's `--model cnn` network (two analog 5 × 5
 * convolutions, each unrolled by im2col onto its tile, with ReLU and max
 * pooling, then analog linear layers), hardware-aware config, eval mode
 * (noisy DAC/ADC, drift compensation off until programmed).
 */
import { getBackend } from '@crossbar/core';
import { manualSeed } from '@crossbar/modules';
import { hwaConfig } from '../../demo/configs.js';
import { pixelStats, standardize } from '../../demo/data.js';
import { IMAGE_SIZE, loadMnist } from '../../demo/mnist.js';
import { buildCnn, cnnFeatureSize, CNN_FEATURES, DEMO_DEFAULTS } from '../../demo/run.js';
import { registerInstalledEngines } from '../../engines.js';
import { defineBench } from '../harness.js';

const BATCH = 256;
const ENGINES = ['ndarray', 'gpujs'];
const SIZES = [cnnFeatureSize(), ...DEMO_DEFAULTS.cnn.hidden, 10];

/** Multiply-adds per digit: each convolution's output positions × its unrolled kernel matrix, then the linear layers. */
function macsPerDigit(): number {
  let side = 28;
  let channels = 1;
  let macs = 0;
  const k = CNN_FEATURES.kernel;
  for (const c of CNN_FEATURES.channels) {
    const out = side - k + 1;
    macs += out * out * c * channels * k * k;
    side = Math.floor(out / CNN_FEATURES.pool);
    channels = c;
  }
  return macs + SIZES.slice(1).reduce((a, n, i) => a + n * SIZES[i]!, 0);
}

export default ENGINES.map((engine) =>
  defineBench({
    name: `CNN forward, batch ${BATCH}`,
    group: 'cnn',
    engine,
    size: `conv5x5(${CNN_FEATURES.channels.join(')-conv5x5(')})-${SIZES.join('-')}, batch ${BATCH}`,
    flops: 2 * macsPerDigit() * BATCH,
    items: { count: BATCH, unit: 'digits' },
    async setup() {
      await registerInstalledEngines();
      const backend = await getBackend(engine);
      manualSeed(1);
      const model = buildCnn(SIZES, hwaConfig(DEMO_DEFAULTS.modifierStd), backend);
      await model.build();
      model.eval();
      const all = loadMnist();
      const x = standardize(all, pixelStats(all)).images.subarray(0, BATCH * IMAGE_SIZE);
      return { run: () => model.forward(x, BATCH), teardown: () => model.dispose() };
    },
  }),
);
