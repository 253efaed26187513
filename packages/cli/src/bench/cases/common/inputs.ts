/**
 * What the engines' MVM and pulsed-update cases share, so that their numbers
 * compare (ndarray-mvm.ts, ndarray-update.ts, ndarray-transfer-update.ts, gpujs.ts, wasm-engine.ts): the batch, the
 * configs, the inputs and the run step. Not a case file: the case loader
 * reads only the files directly in cases/.
 *
 * Inputs: weights uniform in ±1/√in for the MVM (aihwkit's default layer
 * init) and in ±0.3 for the update, x and d uniform in [−1, 1), SETS
 * mini-batches used in turn (as in training, the update's weights
 * random-walk instead of running into the bounds).
 */
import {
  ConstantStepDevice,
  FloatingPointRPUConfig,
  IdealDevice,
  IOParameters,
  PowStepDevice,
  RandomStream,
  SingleRPUConfig,
  TransferCompound,
  UnitCellRPUConfig,
  UpdateParameters,
  type AnalogTile,
  type RPUConfig,
} from '@crossbar/core';

export const BATCH = 256;
export const SETS = 8;
/** The pulsed update's learning rate: BL = 1, about 0.25 pulses per device and row at 512 × 512 (see ndarray-update.ts). */
export const UPDATE_LR = 0.001;

/** n values uniform in [−scale, scale) (core's Philox, stream 0 of `seed`). */
export function uniform(seed: number, n: number, scale: number): Float32Array {
  return new RandomStream(seed, 0, 0, 0).fillUniform(new Float32Array(n)).map((u) => (2 * u - 1) * scale);
}

export type MvmKind = 'perfect' | 'default-IO';

/** perfect: FloatingPointRPUConfig (the GEMM alone); default-IO: aihwkit's default IOParameters on an IdealDevice (only the MVM is timed). */
export function mvmConfig(kind: MvmKind): RPUConfig {
  return kind === 'perfect'
    ? new FloatingPointRPUConfig()
    : new SingleRPUConfig({ device: new IdealDevice(), forward: new IOParameters(), backward: new IOParameters() });
}

/** A ConstantStepDevice with aihwkit's defaults and the default UpdateParameters. */
export function pulsedUpdateConfig(): SingleRPUConfig {
  return new SingleRPUConfig({ device: new ConstantStepDevice(), update: new UpdateParameters() });
}

/** A PowStepDevice with aihwkit's defaults (pow_gamma 1 with device-to-device spread) and the default UpdateParameters. */
export function powStepUpdateConfig(): SingleRPUConfig {
  return new SingleRPUConfig({ device: new PowStepDevice(), update: new UpdateParameters() });
}

/**
 * A TransferCompound (Tiki-Taka) with aihwkit's defaults: two ConstantStepDevices, gamma 0,
 * transfer_every 1 with units_in_mbatch (one column transferred per update call), the default
 * UpdateParameters for the SGD pulses (ndarray-transfer-update.ts explains the case).
 */
export function transferCompoundConfig(): UnitCellRPUConfig {
  return new UnitCellRPUConfig({
    device: new TransferCompound({ unitCellDevices: [new ConstantStepDevice(), new ConstantStepDevice()] }),
    update: new UpdateParameters(),
  });
}

/** The mini-batches an MVM case uses in turn: 2 above 1024 (memory), else SETS. */
export const mvmSets = (n: number): number => (n > 1024 ? 2 : SETS);

/**
 * Sets the n × n tile's weights and makes its inputs (x seeds 10 + k forward, d seeds 100 + k
 * backward); returns one timed MVM (the mini-batches in turn).
 */
export async function mvmRun(tile: AnalogTile, direction: 'forward' | 'backward', n: number): Promise<() => unknown> {
  await tile.setWeights(uniform(2, n * n, mvmWeightScale(n)));
  const sets = mvmSets(n);
  const inputs = Array.from({ length: sets }, (_, k) => uniform((direction === 'forward' ? 10 : 100) + k, BATCH * n, 1));
  let k = 0;
  return () => {
    const v = inputs[k++ % sets]!;
    return direction === 'forward' ? tile.forward(v, BATCH) : tile.backward(v, BATCH);
  };
}

/** The MVM cases' weights are uniform in ±1/√in (aihwkit's default layer init). */
export const mvmWeightScale = (n: number): number => 1 / Math.sqrt(n);
/** The update cases' weights are uniform in ±0.3. */
export const UPDATE_WEIGHT_SCALE = 0.3;

/** Sets the n × n tile's weights and makes its inputs; returns one timed pulsed update (lr UPDATE_LR, the mini-batches in turn). */
export async function pulsedUpdateRun(tile: AnalogTile, n: number): Promise<() => unknown> {
  await tile.setWeights(uniform(2, n * n, UPDATE_WEIGHT_SCALE));
  const xs = Array.from({ length: SETS }, (_, k) => uniform(10 + k, BATCH * n, 1));
  const ds = Array.from({ length: SETS }, (_, k) => uniform(100 + k, BATCH * n, 1));
  let k = 0;
  return () => {
    const s = k++ % SETS;
    return tile.update(xs[s]!, ds[s]!, BATCH, UPDATE_LR);
  };
}
