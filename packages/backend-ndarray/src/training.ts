/**
 * Hardware-aware training state: weight modifier, clipping, remapping and the
 * digital output scales (owner: the training/inference physics work).
 * Placeholder until that work lands.
 */
import { NotSupportedError, type TileState } from '@crossbar/core';
import type { NdArray } from 'ndarray';
import type { TileContext } from './tile.js';

export interface TrainingState {
  /** The weights the forward/backward pass reads: the modified ones in training, else the tile's. */
  weightsForForward(isTest: boolean): NdArray<Float32Array>;
  /** Applies the digital output scales to y [batch × out] in place. */
  scaleOutput(y: Float32Array, batch: number): void;
  /** The gradient d [batch × out] as the analog backward pass sees it (scales applied); may return d itself. */
  scaleGradient(d: Float32Array, batch: number): Float32Array;
  onWeightsSet(): void;
  onWeightsChanged(): void;
  applyWeightModifier(): void;
  clipWeights(): void;
  remapWeights(): void;
  getScales(): Float32Array;
  setScales(scales: Float32Array): void;
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}

export function createTrainingState(ctx: TileContext): TrainingState {
  const refuse = (): never => {
    throw new NotSupportedError('ndarray engine: weight modifier, clip and remap are not implemented yet');
  };
  const scales = new Float32Array(ctx.outSize).fill(1);
  return {
    weightsForForward: () => ctx.weights,
    scaleOutput() {},
    scaleGradient: (d) => d,
    onWeightsSet() {},
    onWeightsChanged() {},
    applyWeightModifier: refuse,
    clipWeights: refuse,
    remapWeights: refuse,
    getScales: () => scales.slice(),
    setScales: refuse,
    saveState() {},
    loadState() {},
  };
}
