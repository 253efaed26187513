/**
 * Pulsed update through the device model, decay, diffusion, reset and device
 * drift (owner: the update work). Placeholder until that work lands.
 */
import { NotSupportedError, type HiddenParameters, type TileState } from '@crossbar/core';
import type { TileContext } from './tile.js';

export interface DeviceModel {
  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): void;
  /** Called after setWeights: pulsed devices clip to their bounds, drift resets, ... */
  onWeightsSet(): void;
  drift(timeSinceLastCall: number): void;
  decay(alpha: number): void;
  diffuse(): void;
  resetColumns(start: number, count: number, resetProb: number): void;
  getHiddenParameters(): HiddenParameters;
  setHiddenParameters(params: Partial<HiddenParameters>): void;
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}

export function createDeviceModel(_ctx: TileContext): DeviceModel {
  const refuse = (): never => {
    throw new NotSupportedError('ndarray engine: device updates are not implemented yet');
  };
  return {
    update: refuse,
    onWeightsSet() {},
    drift: refuse,
    decay: refuse,
    diffuse: refuse,
    resetColumns: refuse,
    getHiddenParameters: () => ({}),
    setHiddenParameters() {},
    saveState() {},
    loadState() {},
  };
}
