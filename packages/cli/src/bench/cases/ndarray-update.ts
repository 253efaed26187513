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
 * machine with one thread. See docs/training.md. The PowStep case runs the same inputs
 * through a PowStepDevice with aihwkit's defaults: a pow per pulse, and BL management scaled
 * by its weight granularity dw_min·0.5^pow_gamma.
 */
import { getBackend, type RPUConfig } from '@crossbar/core';
import '@crossbar/backend-ndarray';
import { defineBench } from '../harness.js';
import { BATCH, powStepUpdateConfig, pulsedUpdateConfig, pulsedUpdateRun, UPDATE_LR } from './common/inputs.js';

const N = 512;

/** The pulsed update of `config` (`device` names it) on the ndarray engine. */
function updateCase(device: string, config: () => RPUConfig) {
  return defineBench({
    name: `pulsed update ${N}x${N} b${BATCH} ${device} lr ${UPDATE_LR}`,
    group: 'update',
    engine: 'ndarray',
    size: `${N}x${N}, batch ${BATCH}`,
    items: { count: N * N * BATCH, unit: 'device-rows' },
    async setup() {
      const tile = await (await getBackend('ndarray')).createTile({ outSize: N, inSize: N, rpuConfig: config(), seed: 1 });
      return { run: await pulsedUpdateRun(tile, N), teardown: () => tile.dispose() };
    },
  });
}

export default [updateCase('ConstantStep', pulsedUpdateConfig), updateCase('PowStep', powStepUpdateConfig)];
