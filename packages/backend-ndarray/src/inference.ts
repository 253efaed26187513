/**
 * Inference (InferenceRPUConfig): PCM programming noise, drift with read noise,
 * and global drift compensation measured with the forward pass (owner: the
 * training/inference physics work). Placeholder until that work lands.
 */
import { NotSupportedError, type HiddenParameters, type TileState } from '@crossbar/core';
import type { Mvm } from './mvm.js';
import type { TileContext } from './tile.js';

export interface InferenceState {
  /** Whether the tile's config is an InferenceRPUConfig (drift means PCM drift to absolute time). */
  readonly isInference: boolean;
  /** The drift compensation factor applied in test mode (1 until measured). */
  readonly compensationScale: number;
  program(): void;
  drift(tInference: number): void;
  /** Multiplies y by the drift compensation factor when isTest. */
  compensateOutput(y: Float32Array, isTest: boolean): void;
  onWeightsSet(): void;
  getHiddenParameters(): HiddenParameters;
  setHiddenParameters(params: Partial<HiddenParameters>): void;
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}

export function createInferenceState(ctx: TileContext, _mvm: Mvm): InferenceState {
  const refuse = (): never => {
    throw new NotSupportedError('ndarray engine: inference programming and drift are not implemented yet');
  };
  return {
    isInference: ctx.rpuConfig.constructor.name === 'InferenceRPUConfig',
    compensationScale: 1,
    program: refuse,
    drift: refuse,
    compensateOutput() {},
    onWeightsSet() {},
    getHiddenParameters: () => ({}),
    setHiddenParameters() {},
    saveState() {},
    loadState() {},
  };
}
