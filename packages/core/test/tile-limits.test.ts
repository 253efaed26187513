import { afterEach, describe, expect, it } from 'vitest';
import {
  checkCreateTileOptions,
  checkSetHiddenParametersArgs,
  checkNumberList,
  DEFAULT_MAX_TILE_BYTES,
  estimateTileBytes,
  InputError,
  MAX_TILE_BYTES_ENV,
  SingleRPUConfig,
  ConstantStepDevice,
} from '../src/index.js';

describe('the tile size limit (checked before any allocation)', () => {
  afterEach(() => {
    delete process.env[MAX_TILE_BYTES_ENV];
  });

  it('refuses 1e6 × 1e6 and 40000² with the estimated bytes and how to raise the limit', () => {
    const rpuConfig = new SingleRPUConfig();
    for (const n of [1e6, 40000]) {
      expect(() => checkCreateTileOptions({ outSize: n, inSize: n, rpuConfig })).toThrow(InputError);
      expect(() => checkCreateTileOptions({ outSize: n, inSize: n, rpuConfig })).toThrow(
        /createTile: a \d+ × \d+ tile would need about .* GiB .* over the limit of 4.0 GiB.*; raise it with the option maxBytes or the environment variable CROSSBAR_MAX_TILE_BYTES/,
      );
    }
  });

  it('accepts what fits, and the limit can be raised or lowered by option or environment', () => {
    const rpuConfig = new SingleRPUConfig();
    expect(() => checkCreateTileOptions({ outSize: 512, inSize: 512, rpuConfig })).not.toThrow();
    const bytes = estimateTileBytes(512, 512, rpuConfig);
    expect(bytes).toBeLessThan(DEFAULT_MAX_TILE_BYTES);
    expect(() => checkCreateTileOptions({ outSize: 512, inSize: 512, rpuConfig, maxBytes: bytes - 1 })).toThrow(/over the limit/);
    process.env[MAX_TILE_BYTES_ENV] = String(bytes - 1);
    expect(() => checkCreateTileOptions({ outSize: 512, inSize: 512, rpuConfig })).toThrow(/over the limit/);
    expect(() => checkCreateTileOptions({ outSize: 512, inSize: 512, rpuConfig, maxBytes: bytes })).not.toThrow();
    process.env[MAX_TILE_BYTES_ENV] = 'lots';
    expect(() => checkCreateTileOptions({ outSize: 2, inSize: 2, rpuConfig })).toThrow(/CROSSBAR_MAX_TILE_BYTES=lots is not a positive number/);
    expect(() => checkCreateTileOptions({ outSize: 2, inSize: 2, rpuConfig, maxBytes: -1 })).toThrow(/maxBytes must be a positive number/);
  });
});

describe('hidden parameter ranges (as aihwkit devices keep them)', () => {
  const tile = { outSize: 1, inSize: 2, rpuConfig: new SingleRPUConfig() };
  const current = {
    max_bound: Float32Array.of(0.6, 0.6),
    min_bound: Float32Array.of(-0.6, -0.6),
    dwmin_up: Float32Array.of(0.01, 0.01),
    dwmin_down: Float32Array.of(0.01, 0.01),
    decay_scales: Float32Array.of(1, 1),
    diffusion_rates: Float32Array.of(0, 0),
    reset_bias: Float32Array.of(0, 0),
    drift_nu: Float32Array.of(0, 0),
  };
  it.each([
    ['max below the current min', { max_bound: Float32Array.of(0.6, -0.7) }, /max_bound\[1\] = -0.[67]\d* is below min_bound\[1\] = -0.[56]\d*/],
    ['negative dwmin_up', { dwmin_up: Float32Array.of(0.01, -0.01) }, /dwmin_up\[1\] is -0.0\d*; step sizes must be >= 0/],
    ['1e38', { reset_bias: Float32Array.of(1e38, 0) }, /reset_bias\[0\] is 9\.9\d*e\+37; hidden parameters must lie within ±1000000000000000/],
    ['negative diffusion', { diffusion_rates: Float32Array.of(-1, 0) }, /diffusion rates must be >= 0/],
    ['decay scale above 1', { decay_scales: Float32Array.of(1.5, 0) }, /decay scales must be in \[0, 1\]/],
    ['NaN', { drift_nu: Float32Array.of(NaN, 0) }, /drift_nu\[0\] is NaN; every element must be finite/],
  ])('refuses %s', (_what, params, message) => {
    expect(() => checkSetHiddenParametersArgs(tile, params, current)).toThrow(InputError);
    expect(() => checkSetHiddenParametersArgs(tile, params, current)).toThrow(message);
  });

  it('accepts values in range, and negative steps when enforce_consistency is off (aihwkit keeps them then)', () => {
    expect(() => checkSetHiddenParametersArgs(tile, { max_bound: Float32Array.of(0.1, -0.6), dwmin_up: Float32Array.of(0, 0.5) }, current)).not.toThrow();
    const loose = { ...tile, rpuConfig: new SingleRPUConfig({ device: new ConstantStepDevice({ enforceConsistency: false }) }) };
    expect(() => checkSetHiddenParametersArgs(loose, { dwmin_up: Float32Array.of(0.01, -0.01) }, current)).not.toThrow();
  });
});

describe('checkNumberList', () => {
  it('refuses what Float32Array.from would coerce', () => {
    expect(Array.from(checkNumberList('w', 'a', [1, 2.5]))).toEqual([1, 2.5]);
    expect(() => checkNumberList('w', 'a', [1, null])).toThrow(/a\[1\] is null; every element must be a finite number \(null is how JSON.stringify writes NaN/);
    expect(() => checkNumberList('w', 'a', ['0.5'])).toThrow(/a\[0\] is "0.5"/);
    expect(() => checkNumberList('w', 'a', [false])).toThrow(/a\[0\] is false/);
    expect(() => checkNumberList('w', 'a', [1], 2)).toThrow(/a must have 2 elements, got 1/);
    expect(() => checkNumberList('w', 'a', 'abc')).toThrow(/a must be an array of numbers, got string/);
  });
});
