// Checks of the page's settings and the time notation (src/settings.ts).
import { describe, expect, it } from 'vitest';
import { checkDriftSettings, checkTileSettings, DRIFT_DEFAULTS, formatTimes, parseTimes, SettingError, TILE_DEFAULTS, timeLabel } from '../src/settings.js';

describe('settings', () => {
  it('passes the defaults and names the setting of a refused value', () => {
    expect(checkTileSettings(TILE_DEFAULTS)).toEqual(TILE_DEFAULTS);
    expect(checkDriftSettings(DRIFT_DEFAULTS)).toEqual(DRIFT_DEFAULTS);
    const refused = (f: () => unknown): SettingError => {
      try {
        f();
      } catch (e) {
        if (e instanceof SettingError) return e;
        throw e;
      }
      throw new Error('not refused');
    };
    expect(refused(() => checkTileSettings({ ...TILE_DEFAULTS, outSize: 0 }))).toMatchObject({
      setting: 'outSize',
      message: 'Outputs must be a whole number from 1 to 1024, got 0',
    });
    expect(refused(() => checkTileSettings({ ...TILE_DEFAULTS, batch: 2.5 })).setting).toBe('batch');
    expect(refused(() => checkTileSettings({ ...TILE_DEFAULTS, inSize: NaN })).message).toContain('got nothing (not a number)');
    expect(refused(() => checkTileSettings({ ...TILE_DEFAULTS, weights: { dist: 'cauchy', scale: 1 } })).setting).toBe('weights.dist');
    expect(refused(() => checkTileSettings({ ...TILE_DEFAULTS, inputs: { dist: 'normal', scale: 0 } })).setting).toBe('inputs.scale');
    expect(refused(() => checkTileSettings({ ...TILE_DEFAULTS, outSize: 1024, inSize: 1024, batch: 1024 })).message).toContain('at most 268435456 multiply-adds');
    expect(refused(() => checkDriftSettings({ ...DRIFT_DEFAULTS, times: [10, 5] })).message).toContain('times must increase');
    expect(refused(() => checkDriftSettings({ ...DRIFT_DEFAULTS, lr: 0 })).setting).toBe('lr');
    expect(refused(() => checkDriftSettings({ ...DRIFT_DEFAULTS, seed: -1 })).setting).toBe('driftSeed');
  });

  it('reads and writes times after programming with units', () => {
    expect(parseTimes('1s, 1min, 1h, 1d, 1w, 1mo, 1y, 10y')).toEqual([1, 60, 3600, 86400, 604800, 2592000, 31536000, 315360000]);
    expect(parseTimes('20 2.5h; 3 days')).toEqual([20, 9000, 259200]);
    expect(formatTimes(DRIFT_DEFAULTS.times)).toBe('1s, 1min, 1h, 1d, 1w, 1mo, 1y, 10y');
    expect(parseTimes(formatTimes([1.5, 90, 7200]))).toEqual([1.5, 90, 7200]);
    expect(() => parseTimes('1 fortnight')).toThrow('"1 fortnight" is not a time');
    expect(() => parseTimes(' ')).toThrow('enter times');
    expect([1, 60, 7200, 86400, 604800, 2592000, 31536000, 315360000, 1.5].map(timeLabel)).toEqual([
      '1 s',
      '1 min',
      '2 h',
      '1 day',
      '1 week',
      '1 month',
      '1 year',
      '10 years',
      '1.5 s',
    ]);
  });
});
