/**
 * The pulsed update of the ndarray engine: W ← W − lr·dᵀx through a
 * ConstantStepDevice with aihwkit's defaults (dw_min 0.001, cycle-to-cycle
 * noise dw_min_std 0.3, device-to-device variation) and the default
 * UpdateParameters (StochasticCompressed, desired_bl 31, update BL
 * management and update management), 512 × 512, batch 256.
 *
 * Inputs: x and d uniform in [−1, 1), 8 mini-batches used in turn (as in
 * training, the weights random-walk instead of running into the bounds);
 * initial weights uniform in [−0.3, 0.3). lr = 0.001 gives BL = 1 and
 * about 0.25 pulses per device and row (16.8 M pulses per call): aihwkit
 * 0.7.1's C++ simulator takes about 0.35–0.39 s per call for it on this
 * machine with one thread. See docs/training.md.
 */
import { ConstantStepDevice, getBackend, RandomStream, SingleRPUConfig, UpdateParameters } from '@crossbar/core';
import '@crossbar/backend-ndarray';
import { defineBench } from '../harness.js';

const N = 512;
const BATCH = 256;
const SETS = 8;

function uniform(seed: number, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  new RandomStream(seed, 0, 0, 0).fillUniform(out);
  for (let i = 0; i < n; i++) out[i] = (2 * out[i]! - 1) * scale;
  return out;
}

const lr = 0.001;

export default defineBench({
  name: `pulsed update ${N}x${N} b${BATCH} ConstantStep lr ${lr}`,
  group: 'update',
  engine: 'ndarray',
  size: `${N}x${N}, batch ${BATCH}`,
  items: { count: N * N * BATCH, unit: 'device-rows' },
  async setup() {
    const rpuConfig = new SingleRPUConfig({ device: new ConstantStepDevice(), update: new UpdateParameters() });
    const tile = await (await getBackend('ndarray')).createTile({ outSize: N, inSize: N, rpuConfig, seed: 1 });
    await tile.setWeights(uniform(2, N * N, 0.3));
    const xs = Array.from({ length: SETS }, (_, k) => uniform(10 + k, BATCH * N, 1));
    const ds = Array.from({ length: SETS }, (_, k) => uniform(100 + k, BATCH * N, 1));
    let k = 0;
    return {
      run: () => {
        const s = k++ % SETS;
        return tile.update(xs[s]!, ds[s]!, BATCH, lr);
      },
      teardown: () => tile.dispose(),
    };
  },
});
