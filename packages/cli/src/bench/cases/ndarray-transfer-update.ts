/**
 * One update of a 512 × 512 TransferCompound (Tiki-Taka) tile on the ndarray engine,
 * batch 256, aihwkit's defaults: two ConstantStepDevices with aihwkit's defaults, gamma 0
 * (the visible weights are the slow device's), transfer_every 1 with units_in_mbatch (one
 * transfer per update call: one column read through the default transfer_forward IO and
 * written with the default transfer_update), the default UpdateParameters for the SGD
 * pulses onto the fast device. The same inputs and learning rate as the single-device
 * case (ndarray-update.ts), so the two compare: the compound's cost is its fast device's
 * pulsed update plus the transfer (core's tile/compounds.ts). The same case on the gpu.js
 * engine: gpujs.ts; on the wasm engine: wasm-engine.ts.
 */
import { getBackend } from '@crossbar/core';
import '@crossbar/backend-ndarray';
import { defineBench } from '../harness.js';
import { BATCH, pulsedUpdateRun, transferCompoundConfig, UPDATE_LR } from './common/inputs.js';

const N = 512;

export default defineBench({
  name: `TransferCompound update ${N}x${N} b${BATCH} 2×ConstantStep lr ${UPDATE_LR}`,
  group: 'update',
  engine: 'ndarray',
  size: `${N}x${N}, batch ${BATCH}`,
  items: { count: N * N * BATCH, unit: 'device-rows' },
  async setup() {
    const tile = await (await getBackend('ndarray')).createTile({ outSize: N, inSize: N, rpuConfig: transferCompoundConfig(), seed: 1 });
    return { run: await pulsedUpdateRun(tile, N), teardown: () => tile.dispose() };
  },
});
