import { describe, expect, it } from 'vitest';
import { checkTileState, InputError, InferenceRPUConfig, rpuConfigToDict, type TileState } from '../src/index.js';

const rpuConfig = new InferenceRPUConfig();
const tile = { outSize: 2, inSize: 3, seed: 7, rpuConfig };
const state = (over: Partial<TileState> = {}): TileState => ({
  format: 'crossbar-tile-state@1',
  outSize: 2,
  inSize: 3,
  seed: 7,
  rpuConfig: rpuConfigToDict(rpuConfig),
  rngCall: 4,
  weights: [1, 2, 3, 4, 5, 6],
  hiddenParameters: { nu_drift_0: [0, 0, 0, 0, 0, 0] },
  arrays: {},
  scalars: {},
  ...over,
});

describe('checkTileState', () => {
  it('converts a matching state', () => {
    const s = checkTileState(tile, state());
    expect(Array.from(s.weights)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.hiddenParameters.nu_drift_0).toBeInstanceOf(Float32Array);
    expect(s.rngCall).toBe(4);
  });

  it.each([
    ['format', { format: 'other' } as unknown as Partial<TileState>, /format/],
    ['size', { inSize: 4 }, /2 × 4 tile, this tile is 2 × 3/],
    ['seed', { seed: 8 }, /seed 8, this tile has seed 7/],
    ['config', { rpuConfig: { ...rpuConfigToDict(rpuConfig), forward: { out_noise: 0.5 } } }, /different rpuConfig/],
    ['rngCall', { rngCall: 0 }, /rngCall/],
    ['weights length', { weights: [1, 2] }, /weights must have 6 elements/],
    ['weights finite', { weights: [1, 2, 3, 4, 5, Number.NaN] }, /weights\[5\] is NaN/],
    ['hidden', { hiddenParameters: { x: 'no' } as unknown as TileState['hiddenParameters'] }, /hiddenParameters.x/],
  ])('refuses a wrong %s with an InputError', (_what, over, message) => {
    expect(() => checkTileState(tile, state(over))).toThrow(InputError);
    expect(() => checkTileState(tile, state(over))).toThrow(message);
  });
});
