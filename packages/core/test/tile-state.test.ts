import { describe, expect, it } from 'vitest';
import { checkTileState, InputError, InferenceRPUConfig, rpuConfigToDict, SingleRPUConfig, type TileState } from '../src/index.js';

const rpuConfig = new InferenceRPUConfig();
const pulsed = new SingleRPUConfig();
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
    ['weights finite', { weights: [1, 2, 3, 4, 5, Number.NaN] }, /weights\[5\] is null; every element must be a finite number/],
    ['weights null (JSON NaN)', { weights: [1, 2, 3, 4, 5, null] as unknown as number[] }, /weights\[5\] is null.*JSON.stringify writes NaN/],
    ['weights string', { weights: [1, 2, '0.5', 4, 5, 6] as unknown as number[] }, /weights\[2\] is "0.5"/],
    ['weights boolean', { weights: [1, 2, 3, true, 5, 6] as unknown as number[] }, /weights\[3\] is true/],
    ['hidden null', { hiddenParameters: { nu_drift_0: [0, 0, null, 0, 0, 0] } as unknown as TileState['hiddenParameters'] }, /hiddenParameters.nu_drift_0\[2\] is null/],
    ['hidden length', { hiddenParameters: { nu_drift_0: [0, 0] } }, /hiddenParameters.nu_drift_0 must have 6 elements/],
    ['drift.previous short', { arrays: { 'drift.previous': [1, 2] } }, /arrays\["drift.previous"\] must have 6 elements, got 2/],
    ['compound device drift.w0 long', { arrays: { 'compound.1.drift.w0': [1, 2, 3, 4, 5, 6, 7] } }, /arrays\["compound.1.drift.w0"\] must have 6 elements, got 7/],
    ['array string', { arrays: { 'training.scales': ['1', 1] } as unknown as TileState['arrays'] }, /arrays\["training.scales"\]\[0\] is "1"/],
    ['scalar string', { scalars: { 'drift.now': 'abc' } as unknown as TileState['scalars'] }, /scalars\["drift.now"\] is "abc"/],
    ['arrays missing', { arrays: null } as unknown as Partial<TileState>, /state.arrays must be an object/],
    [
      'bounds crossed',
      { rpuConfig: rpuConfigToDict(pulsed), hiddenParameters: { max_bound: [0, 0, 0, 0, 0, 0], min_bound: [0, 0, 1, 0, 0, 0] } },
      /max_bound\[2\] = 0 is below min_bound\[2\] = 1/,
    ],
    ['hidden', { hiddenParameters: { x: 'no' } as unknown as TileState['hiddenParameters'] }, /hiddenParameters.x/],
  ])('refuses a wrong %s with an InputError', (_what, over, message) => {
    const t = over.rpuConfig ? { ...tile, rpuConfig: pulsed } : tile;
    expect(() => checkTileState(t, state(over))).toThrow(InputError);
    expect(() => checkTileState(t, state(over))).toThrow(message);
  });
});
