// The shared boundary checks of AnalogTile calls (tile-calls.ts): each refuses what
// it must with the message every engine gives, passes what is valid, and applies the
// documented defaults.
import { describe, expect, it } from 'vitest';
import {
  checkBackwardArgs,
  checkCreateTileOptions,
  checkDecayWeightsArgs,
  checkDriftWeightsArgs,
  checkForwardArgs,
  checkResetColumnsArgs,
  checkSetHiddenParametersArgs,
  checkSetScalesArgs,
  checkSetWeightsArgs,
  checkTileAlive,
  checkTileState,
  resetColumnIndex,
  checkUpdateArgs,
  ConfigError,
  ForwardPassRecord,
  InferenceRPUConfig,
  InputError,
  SingleRPUConfig,
  tileStateOf,
  type CreateTileOptions,
} from '../src/index.js';

const tile = { outSize: 2, inSize: 3 };
const f32 = (...v: number[]) => new Float32Array(v);

describe('checkCreateTileOptions', () => {
  it('returns the sizes, the default seed 0 and a validated copy of the config', () => {
    const rpuConfig = new SingleRPUConfig();
    const o = checkCreateTileOptions({ outSize: 2, inSize: 3, rpuConfig });
    expect([o.outSize, o.inSize, o.seed]).toEqual([2, 3, 0]);
    expect(o.rpuConfig).not.toBe(rpuConfig);
    expect(o.rpuConfig.equals(rpuConfig)).toBe(true);
    expect(checkCreateTileOptions({ outSize: 1, inSize: 1, rpuConfig, seed: 9 }).seed).toBe(9);
  });

  it.each([
    ['options', null, InputError, 'createTile: options must be an object'],
    ['outSize', { outSize: 0, inSize: 1, rpuConfig: new SingleRPUConfig() }, InputError, 'createTile: outSize must be a positive integer, got 0'],
    ['inSize', { outSize: 1, inSize: 1.5, rpuConfig: new SingleRPUConfig() }, InputError, 'createTile: inSize must be a positive integer, got 1.5'],
    ['seed', { outSize: 1, inSize: 1, seed: -1, rpuConfig: new SingleRPUConfig() }, InputError, 'createTile: seed must be a non-negative safe integer, got -1'],
    ['rpuConfig', { outSize: 1, inSize: 1, rpuConfig: {} }, ConfigError, 'createTile: rpuConfig must be a FloatingPointRPUConfig, SingleRPUConfig or InferenceRPUConfig'],
  ])('refuses a bad %s', (_what, options, type, message) => {
    const call = () => checkCreateTileOptions(options as unknown as CreateTileOptions);
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});

describe('the call checks', () => {
  it('refuses calls of a disposed tile', () => {
    expect(() => checkTileAlive('forward', false)).not.toThrow();
    expect(() => checkTileAlive('forward', true)).toThrow(new InputError('forward: the tile was disposed'));
  });

  it('checks the arrays against the tile sizes, with the shape in the message', () => {
    expect(() => checkSetWeightsArgs(tile, new Float32Array(6))).not.toThrow();
    expect(() => checkSetWeightsArgs(tile, new Float32Array(5))).toThrow('setWeights: weights must have 6 elements (outSize 2 × inSize 3), got 5');
    expect(() => checkForwardArgs(tile, new Float32Array(6), 2)).not.toThrow();
    expect(() => checkForwardArgs(tile, new Float32Array(6), 0)).toThrow('forward: batch must be a positive integer, got 0');
    expect(() => checkForwardArgs(tile, f32(1, NaN, 3), 1)).toThrow('forward: x[1] is NaN; every element must be finite');
    expect(() => checkBackwardArgs(tile, new Float32Array(3), 1)).toThrow('backward: d must have 2 elements (batch 1 × outSize 2), got 3');
    expect(() => checkSetScalesArgs(tile, new Float32Array(3))).toThrow('setScales: scales must have 2 elements (outSize 2), got 3');
  });

  it('checks update: x, d, then a finite learning rate >= 0', () => {
    const x = new Float32Array(3);
    const d = new Float32Array(2);
    expect(() => checkUpdateArgs(tile, x, d, 1, 0)).not.toThrow();
    expect(() => checkUpdateArgs(tile, new Float32Array(2), d, 1, 0.1)).toThrow('update: x must have 3 elements (batch 1 × inSize 3), got 2');
    expect(() => checkUpdateArgs(tile, x, new Float32Array(3), 1, 0.1)).toThrow('update: d must have 2 elements (batch 1 × outSize 2), got 3');
    expect(() => checkUpdateArgs(tile, x, d, 1, -0.1)).toThrow('update: learningRate must be >= 0, got -0.1');
    expect(() => checkUpdateArgs(tile, x, d, 1, Infinity)).toThrow('update: learningRate must be a finite number, got Infinity');
  });

  it('checks drift times and decay factors; alpha defaults to 1', () => {
    expect(() => checkDriftWeightsArgs(0)).not.toThrow();
    expect(() => checkDriftWeightsArgs(-1)).toThrow('driftWeights: time must be >= 0, got -1');
    expect(checkDecayWeightsArgs()).toBe(1);
    expect(checkDecayWeightsArgs(0.5)).toBe(0.5);
    expect(() => checkDecayWeightsArgs(NaN)).toThrow('decayWeights: alpha must be a finite number, got NaN');
    expect(() => checkDecayWeightsArgs(null as unknown as number)).toThrow('decayWeights: alpha must be a finite number, got null');
  });

  it("checks resetColumns ranges and applies aihwkit's defaults (column 0, one column, probability 1)", () => {
    expect(checkResetColumnsArgs(3)).toEqual({ start: 0, count: 1, resetProb: 1 });
    expect(checkResetColumnsArgs(3, 1, 2)).toEqual({ start: 1, count: 2, resetProb: 1 });
    expect(checkResetColumnsArgs(3, 2)).toEqual({ start: 2, count: 1, resetProb: 1 });
    expect(checkResetColumnsArgs(3, 2, 1, 0)).toEqual({ start: 2, count: 1, resetProb: 0 });
    expect(() => checkResetColumnsArgs(3, 3)).toThrow('resetColumns: start must be an integer in [0, 2], got 3');
    expect(() => checkResetColumnsArgs(3, 0.5)).toThrow('resetColumns: start must be an integer in [0, 2], got 0.5');
    // aihwkit wraps past the last column; a negative count is every column, 0 none
    expect(checkResetColumnsArgs(3, 1, 3)).toEqual({ start: 1, count: 3, resetProb: 1 });
    expect([0, 1, 2].map((k) => resetColumnIndex(2, k, 3))).toEqual([2, 0, 1]);
    expect(checkResetColumnsArgs(3, 0, 0)).toEqual({ start: 0, count: 0, resetProb: 1 });
    expect(checkResetColumnsArgs(3, 1, -1)).toEqual({ start: 1, count: 3, resetProb: 1 });
    expect(() => checkResetColumnsArgs(3, 1, 4)).toThrow('resetColumns: count must be an integer <= 3 (negative: every column), got 4');
    expect(() => checkResetColumnsArgs(3, 1, 1.5)).toThrow('resetColumns: count must be an integer <= 3');
    expect(() => checkResetColumnsArgs(3, 0, 1, -0.5)).toThrow('resetColumns: resetProb must be >= 0, got -0.5');
    expect(() => checkResetColumnsArgs(3, 0, 1, 1.5)).toThrow('resetColumns: resetProb must be <= 1, got 1.5');
  });

  it('checks hidden parameters by name and size', () => {
    const known = ['max_bound', 'min_bound'];
    expect(() => checkSetHiddenParametersArgs(tile, { max_bound: new Float32Array(6) }, known)).not.toThrow();
    expect(() => checkSetHiddenParametersArgs(tile, null as never, known)).toThrow('setHiddenParameters: params must be an object');
    expect(() => checkSetHiddenParametersArgs(tile, { dw_min: new Float32Array(6) }, known)).toThrow(
      'setHiddenParameters: unknown hidden parameter "dw_min"; this tile has: max_bound, min_bound',
    );
    expect(() => checkSetHiddenParametersArgs(tile, { min_bound: new Float32Array(2) }, known)).toThrow(
      'setHiddenParameters: min_bound must have 6 elements (outSize 2 × inSize 3), got 2',
    );
  });
});

describe('tileStateOf', () => {
  it('builds the JSON-safe state that checkTileState reads back', () => {
    const identity = { outSize: 2, inSize: 3, seed: 4, rpuConfig: new InferenceRPUConfig() };
    const state = tileStateOf(identity, {
      rngCall: 5,
      weights: f32(1, 2, 3, 4, 5, 6),
      hiddenParameters: { nu_drift_0: f32(0.5, 0, 0, 0, 0, 0) },
      arrays: { 'training.scales': [1, 1] },
      scalars: { 'mvm.averageAbsMax': -1 },
    });
    const json = JSON.parse(JSON.stringify(state)) as typeof state;
    expect(json).toEqual(state);
    expect(json.format).toBe('crossbar-tile-state@1');
    expect(json.hiddenParameters.nu_drift_0).toEqual([0.5, 0, 0, 0, 0, 0]);
    const back = checkTileState(identity, json);
    expect(Array.from(back.weights)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back.rngCall).toBe(5);
  });
});

describe('ForwardPassRecord', () => {
  it('is null before the first record, then a copy of the last batch', () => {
    const r = new ForwardPassRecord();
    expect(r.counts()).toBeNull();
    const buffer = new Int32Array([1, 3, 2, 7]);
    r.record(buffer, 3);
    buffer.fill(9); // the engine reuses its buffer
    expect(Array.from(r.counts()!)).toEqual([1, 3, 2]);
    r.counts()!.fill(0);
    expect(Array.from(r.counts()!)).toEqual([1, 3, 2]);
    r.record([0], 1);
    expect(Array.from(r.counts()!)).toEqual([0]);
  });
});
