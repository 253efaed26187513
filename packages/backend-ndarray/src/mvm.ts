/**
 * Forward and backward analog MVM with IOParameters (owner: the MVM work).
 * Placeholder until that work lands: refuses every call.
 */
import { NotSupportedError, type TileState } from '@crossbar/core';
import type { NdArray } from 'ndarray';
import type { TileContext } from './tile.js';

export interface Mvm {
  /** y [batch × out] = f(W x) with the forward IOParameters, W the given weights (e.g. modified ones). */
  forward(weights: NdArray<Float32Array>, x: Float32Array, batch: number): Float32Array;
  /** z [batch × in] = f(Wᵀ d) with the backward IOParameters. */
  backward(weights: NdArray<Float32Array>, d: Float32Array, batch: number): Float32Array;
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}

export function createMvm(_ctx: TileContext): Mvm {
  const refuse = (): never => {
    throw new NotSupportedError('ndarray engine: the analog MVM is not implemented yet');
  };
  return { forward: refuse, backward: refuse, saveState() {}, loadState() {} };
}
