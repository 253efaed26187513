/**
 * The page's settings besides the RPU config: the tile view's matrix and
 * inputs, the drift view's task and training, and their checks. A bad value
 * is a SettingError naming the setting, shown next to its control; the page
 * keeps computing with the last good settings.
 */
import { CrossbarError } from '@crossbar/core';
import type { DataSpec } from './data.js';

/** A setting of the page that is not allowed; `setting` names it (a control's key). */
export class SettingError extends CrossbarError {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

export interface TileSettings {
  /** Outputs (rows of W). */
  outSize: number;
  /** Inputs (columns of W). */
  inSize: number;
  /** Input vectors per forward call. */
  batch: number;
  seed: number;
  weights: DataSpec;
  inputs: DataSpec;
}

export interface DriftSettings {
  seed: number;
  /** Hidden layer width of the MLP 64-hidden-10. */
  hidden: number;
  epochs: number;
  batchSize: number;
  lr: number;
  trainSize: number;
  testSize: number;
  /** Std of the Gaussian pixel noise of the glyphs. */
  pixelNoise: number;
  /** Programming repeats (new programming noise, drift exponents and read noise each). */
  repeats: number;
  /** Seconds after programming at which the test accuracy is measured. */
  times: number[];
}

export const TILE_DEFAULTS: TileSettings = {
  outSize: 64,
  inSize: 128,
  batch: 64,
  seed: 1,
  weights: { dist: 'uniform', scale: 0.5 },
  inputs: { dist: 'normal', scale: 0.4 },
};

/** 1 s, 1 min, 1 h, 1 day, 1 week, 1 month (30 days), 1 year, 10 years. */
export const DEFAULT_TIMES: readonly number[] = [1, 60, 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400, 3650 * 86400];

export const DRIFT_DEFAULTS: DriftSettings = {
  seed: 1,
  hidden: 32,
  epochs: 8,
  batchSize: 16,
  lr: 0.5,
  trainSize: 1000,
  testSize: 500,
  pixelNoise: 0.2,
  repeats: 3,
  times: [...DEFAULT_TIMES],
};

export const LIMITS = {
  size: 1024,
  batch: 1024,
  /** Multiply-adds per forward call (outputs × inputs × vectors). */
  work: 1 << 28,
  hidden: 256,
  epochs: 50,
  trainSize: 5000,
  testSize: 2000,
  repeats: 10,
  times: 16,
};

function fail(setting: string, message: string): never {
  throw new SettingError(setting, message);
}

export function checkInt(setting: string, label: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(setting, `${label} must be a whole number from ${min} to ${max}, got ${formatGot(v)}`);
  }
  return v;
}

export function checkNumber(setting: string, label: string, v: unknown, min: number, max: number, minExclusive = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (minExclusive && v === min)) {
    fail(setting, `${label} must be a number ${minExclusive ? '>' : '≥'} ${min} and ≤ ${max}, got ${formatGot(v)}`);
  }
  return v;
}

function formatGot(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'nothing (not a number)' : String(v);
  return JSON.stringify(v) ?? String(v);
}

function checkSpec(setting: string, label: string, v: unknown): DataSpec {
  if (v === null || typeof v !== 'object') fail(setting, `${label} must be an object { dist, scale }`);
  const s = v as Record<string, unknown>;
  if (s.dist !== 'uniform' && s.dist !== 'normal') fail(`${setting}.dist`, `${label} distribution must be "uniform" or "normal", got ${formatGot(s.dist)}`);
  const scale = checkNumber(`${setting}.scale`, `${label} scale`, s.scale, 0, 1e6, true);
  return { dist: s.dist, scale };
}

/** Checks tile settings (from controls or a link); returns a clean copy or throws SettingError. */
export function checkTileSettings(v: unknown): TileSettings {
  if (v === null || typeof v !== 'object') fail('tile', 'tile settings must be an object');
  const t = v as Record<string, unknown>;
  const outSize = checkInt('outSize', 'Outputs', t.outSize, 1, LIMITS.size);
  const inSize = checkInt('inSize', 'Inputs', t.inSize, 1, LIMITS.size);
  const batch = checkInt('batch', 'Input vectors', t.batch, 1, LIMITS.batch);
  const seed = checkInt('seed', 'Seed', t.seed, 0, 2 ** 32 - 1);
  if (outSize * inSize * batch > LIMITS.work) {
    fail('batch', `outputs × inputs × vectors is ${outSize * inSize * batch}: the page computes at most ${LIMITS.work} multiply-adds per call`);
  }
  return { outSize, inSize, batch, seed, weights: checkSpec('weights', 'Weights', t.weights), inputs: checkSpec('inputs', 'Inputs', t.inputs) };
}

/** Checks drift settings; returns a clean copy or throws SettingError. */
export function checkDriftSettings(v: unknown): DriftSettings {
  if (v === null || typeof v !== 'object') fail('drift', 'drift settings must be an object');
  const d = v as Record<string, unknown>;
  const times = d.times;
  if (!Array.isArray(times) || times.length === 0 || times.length > LIMITS.times) {
    fail('times', `times must be a list of 1 to ${LIMITS.times} numbers of seconds`);
  }
  const clean = times.map((t, i) => checkNumber('times', `time ${i + 1}`, t, 0, 1e12, true));
  for (let i = 1; i < clean.length; i++) {
    if (clean[i]! <= clean[i - 1]!) fail('times', `times must increase: ${clean[i]} s comes after ${clean[i - 1]} s`);
  }
  return {
    seed: checkInt('driftSeed', 'Seed', d.seed, 0, 2 ** 32 - 1),
    hidden: checkInt('hidden', 'Hidden units', d.hidden, 1, LIMITS.hidden),
    epochs: checkInt('epochs', 'Epochs', d.epochs, 0, LIMITS.epochs),
    batchSize: checkInt('batchSize', 'Batch size', d.batchSize, 1, 256),
    lr: checkNumber('lr', 'Learning rate', d.lr, 0, 10, true),
    trainSize: checkInt('trainSize', 'Training glyphs', d.trainSize, 10, LIMITS.trainSize),
    testSize: checkInt('testSize', 'Test glyphs', d.testSize, 10, LIMITS.testSize),
    pixelNoise: checkNumber('pixelNoise', 'Pixel noise', d.pixelNoise, 0, 5),
    repeats: checkInt('repeats', 'Repeats', d.repeats, 1, LIMITS.repeats),
    times: clean,
  };
}

/** Seconds after programming as "1 s", "1 min", "1 h", "2 days", "1 week", "1 month", "10 years", else seconds. */
export function timeLabel(t: number): string {
  const units: [number, string, string][] = [
    [365 * 86400, 'year', 'years'],
    [30 * 86400, 'month', 'months'],
    [7 * 86400, 'week', 'weeks'],
    [86400, 'day', 'days'],
    [3600, 'h', 'h'],
    [60, 'min', 'min'],
  ];
  for (const [size, one, many] of units) {
    const n = t / size;
    if (n >= 1 && Number.isInteger(n)) return `${n} ${n === 1 ? one : many}`;
  }
  return `${Number(t.toPrecision(3))} s`;
}

const TIME_UNITS: [RegExp, number][] = [
  [/^(s|sec|secs|seconds?)$/, 1],
  [/^(m|min|mins|minutes?)$/, 60],
  [/^(h|hr|hrs|hours?)$/, 3600],
  [/^(d|days?)$/, 86400],
  [/^(w|wk|weeks?)$/, 7 * 86400],
  [/^(mo|months?)$/, 30 * 86400],
  [/^(y|yr|yrs|years?)$/, 365 * 86400],
];

/** "1s, 1h, 1d, 1y" (or plain seconds) → seconds; throws SettingError naming the bad entry. */
export function parseTimes(text: string): number[] {
  const parts = text
    .split(/[,;]+|\s+(?=[+]?\d)/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new SettingError('times', 'enter times after programming, e.g. 1s, 1h, 1d, 1y');
  return parts.map((p) => {
    const m = /^([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*([a-z]*)$/i.exec(p);
    const unit = m ? (m[2]!.toLowerCase() === '' ? 1 : TIME_UNITS.find(([re]) => re.test(m[2]!.toLowerCase()))?.[1]) : undefined;
    if (!m || unit === undefined) throw new SettingError('times', `"${p}" is not a time: write a number and a unit (s, min, h, d, w, mo, y)`);
    return Number(m[1]) * unit;
  });
}

/** Seconds → "1s, 1min, 1h, 1d, 1w, 1mo, 1y, 10y" (what parseTimes reads back). */
export function formatTimes(times: readonly number[]): string {
  return times
    .map((t) => {
      for (const [size, unit] of [
        [365 * 86400, 'y'],
        [30 * 86400, 'mo'],
        [7 * 86400, 'w'],
        [86400, 'd'],
        [3600, 'h'],
        [60, 'min'],
      ] as const) {
        if (t >= size && Number.isInteger(t / size)) return `${t / size}${unit}`;
      }
      return `${t}s`;
    })
    .join(', ');
}
