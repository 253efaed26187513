/**
 * The loops around a classifier that aihwkit's examples write by hand: one
 * training epoch of AnalogSGD with cross-entropy over a labelled set in a given
 * order, accuracy in batches, and the inference-drift evaluation (program,
 * drift to each time, accuracy with global drift compensation and, on a twin
 * whose config has drift_compensation None, without; repeated with new
 * programming noise). Each model forward pass is one tile call per analog tile,
 * so the batch sizes and the order of the calls are part of what a seeded run
 * gives; these helpers fix that order.
 */
import { checkPositiveInteger, InputError } from '@crossbar/core';
import { CrossEntropyLoss } from './loss.js';
import type { Module } from './module.js';
import type { AnalogSGD } from './optim.js';

/** A labelled set: inputs `x` [count × features] row-major, class indices `labels` [count]. */
export interface LabelledSet {
  x: Float32Array;
  labels: ArrayLike<number>;
  count: number;
}

/** The features per sample of `data` (checked: count a positive integer that divides x.length). */
function featuresOf(where: string, data: LabelledSet): number {
  checkPositiveInteger(where, 'data.count', data.count);
  if (data.x.length === 0 || data.x.length % data.count !== 0) {
    throw new InputError(`${where}: data.x has ${data.x.length} values, which is not data.count ${data.count} × a positive number of features`);
  }
  if (data.labels.length < data.count) throw new InputError(`${where}: data.labels has ${data.labels.length} entries, data.count is ${data.count}`);
  return data.x.length / data.count;
}

/** The index of the largest of the `n` values from `offset` (the first on ties; NaN never wins). */
export function argmax(y: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let c = 0; c < n; c++) {
    const v = y[offset + c]!;
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

/** How many rows of `y` [batch × classes] have their argmax at the row's label. */
export function countCorrect(y: ArrayLike<number>, labels: ArrayLike<number>, batch: number, classes: number): number {
  let ok = 0;
  for (let b = 0; b < batch; b++) if (argmax(y, b * classes, classes) === labels[b]) ok++;
  return ok;
}

/**
 * The fraction of `data` the model classifies right, in its current mode (the
 * caller sets eval()), in forward passes of `batchSize` samples (a last
 * partial one too).
 */
export async function classificationAccuracy(model: Module, data: LabelledSet, batchSize = 500): Promise<number> {
  const where = 'classificationAccuracy';
  const features = featuresOf(where, data);
  checkPositiveInteger(where, 'batchSize', batchSize);
  let ok = 0;
  for (let s = 0; s < data.count; s += batchSize) {
    const n = Math.min(batchSize, data.count - s);
    const y = await model.forward(data.x.subarray(s * features, (s + n) * features), n);
    const classes = y.length / n;
    for (let b = 0; b < n; b++) if (argmax(y, b * classes, classes) === data.labels[s + b]) ok++;
  }
  return ok / data.count;
}

/** The running totals of an epoch after a batch (for progress displays). */
export interface EpochProgress {
  /** Batches done. */
  batches: number;
  /** Samples done. */
  samples: number;
  /** Mean cross-entropy so far. */
  loss: number;
  /** Fraction of the samples so far classified right (training forward passes). */
  accuracy: number;
}

/** Options of one classifier training epoch. */
export interface ClassifierEpochOptions {
  /** The sample indices in the order of this epoch (a permutation of 0 … count − 1, e.g. core's streamPermutation). */
  order: ArrayLike<number>;
  batchSize: number;
  /** Called after each batch's optimizer step; awaited (a throw stops the epoch there). */
  onBatch?: (progress: EpochProgress) => void | Promise<void>;
}

/** The loss and accuracy of one classifier training epoch. */
export interface ClassifierEpochResult {
  /** Mean cross-entropy over the epoch's samples (each batch's mean weighted by its size). */
  loss: number;
  /** Fraction of the epoch's samples classified right in their training forward pass. */
  accuracy: number;
  samples: number;
}

/**
 * One training epoch: the model in training mode; the samples of `data` in
 * `order`, in batches of `batchSize` (a last partial batch too); per batch
 * zeroGrad, forward, cross-entropy (torch's mean over the batch), backward and
 * the optimizer's step.
 */
export async function trainClassifierEpoch(model: Module, optimizer: AnalogSGD, data: LabelledSet, options: ClassifierEpochOptions): Promise<ClassifierEpochResult> {
  const where = 'trainClassifierEpoch';
  const features = featuresOf(where, data);
  const batchSize = checkPositiveInteger(where, 'batchSize', options.batchSize);
  const { order } = options;
  if (order.length !== data.count) throw new InputError(`${where}: order has ${order.length} entries, data.count is ${data.count}`);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= data.count) throw new InputError(`${where}: order[${k}] = ${i} is not a sample index in [0, ${data.count})`);
  }
  const loss = new CrossEntropyLoss();
  const x = new Float32Array(Math.min(batchSize, data.count) * features);
  const labels = new Array<number>(Math.min(batchSize, data.count));
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let batches = 0;
  model.train();
  for (let s = 0; s < data.count; s += batchSize) {
    const n = Math.min(batchSize, data.count - s);
    const xb = n * features === x.length ? x : x.subarray(0, n * features);
    for (let b = 0; b < n; b++) {
      const i = order[s + b]!;
      xb.set(data.x.subarray(i * features, (i + 1) * features), b * features);
      labels[b] = data.labels[i]!;
    }
    const lb = n === labels.length ? labels : labels.slice(0, n);
    optimizer.zeroGrad();
    const y = await model.forward(xb, n);
    lossSum += loss.forward(y, lb, n) * n;
    correct += countCorrect(y, lb, n, y.length / n);
    seen += n;
    batches++;
    await model.backward(loss.backward());
    await optimizer.step();
    await options.onBatch?.({ batches, samples: seen, loss: lossSum / seen, accuracy: correct / seen });
  }
  return { loss: lossSum / seen, accuracy: correct / seen, samples: seen };
}

/** Mean and sample standard deviation of repeated measurements. */
export interface AccuracyStats {
  mean: number;
  /** Sample std (n − 1); 0 with one value. */
  std: number;
  values: number[];
}

/** Mean and sample std of `values` (non-empty). */
export function accuracyStats(values: number[]): AccuracyStats {
  if (values.length === 0) throw new InputError('accuracyStats: values must not be empty');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std, values };
}

/** The accuracy at one time after programming, over the repeats. */
export interface DriftAccuracyPoint {
  /** Seconds after programming. */
  t: number;
  /** The model whose tiles apply their drift compensation. */
  compensated: AccuracyStats;
  /** The twin without drift compensation. */
  uncompensated: AccuracyStats;
  /** Mean drift compensation factor of the compensated model's tiles (mean over the repeats). */
  compensationScale: number;
}

/** Where a drift evaluation is, after one (repeat, time) step. */
export interface DriftStep {
  /** 0-based repeat. */
  repeat: number;
  /** Index into `times`. */
  index: number;
  t: number;
  /** Steps done and in all (repeats × times). */
  done: number;
  total: number;
  compensated: number;
  uncompensated: number;
}

/** Options of the accuracy-after-drift evaluation. */
export interface DriftAccuracyOptions {
  /** Programming repeats (new programming noise, drift exponents and read noise each); default 1. */
  repeats?: number;
  /** The accuracy of a model in eval mode (e.g. classificationAccuracy on a test set). */
  accuracy: (model: Module) => Promise<number>;
  /** Called after each step; awaited (a throw stops the evaluation there). */
  onStep?: (step: DriftStep) => void | Promise<void>;
}

/**
 * Test accuracy after programming and drift to each of `times` (seconds,
 * increasing as aihwkit's drift_analog_weights expects), `repeats` times: per
 * repeat both models are programmed, then per time both drift, the compensated
 * model is evaluated, then the twin, then the compensation factors are read.
 * `models.compensated` and `models.uncompensated` are the same trained network
 * with drift compensation and with drift_compensation None, in eval mode.
 */
export async function driftAccuracy(
  models: { compensated: Module; uncompensated: Module },
  times: readonly number[],
  options: DriftAccuracyOptions,
): Promise<DriftAccuracyPoint[]> {
  const where = 'driftAccuracy';
  const repeats = checkPositiveInteger(where, 'repeats', options.repeats ?? 1);
  if (times.length === 0) throw new InputError(`${where}: times must not be empty`);
  const { compensated, uncompensated } = models;
  const comp: number[][] = times.map(() => []);
  const unc: number[][] = times.map(() => []);
  const scales: number[][] = times.map(() => []);
  const total = repeats * times.length;
  for (let r = 0; r < repeats; r++) {
    await compensated.program();
    await uncompensated.program();
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      await compensated.drift(t);
      await uncompensated.drift(t);
      const c = await options.accuracy(compensated);
      const u = await options.accuracy(uncompensated);
      comp[i]!.push(c);
      unc[i]!.push(u);
      scales[i]!.push(await meanCompensationScale(compensated));
      await options.onStep?.({ repeat: r, index: i, t, done: r * times.length + i + 1, total, compensated: c, uncompensated: u });
    }
  }
  return times.map((t, i) => ({
    t,
    compensated: accuracyStats(comp[i]!),
    uncompensated: accuracyStats(unc[i]!),
    compensationScale: scales[i]!.reduce((a, b) => a + b, 0) / scales[i]!.length,
  }));
}

/** The mean drift compensation factor of the model's analog tiles (1 without tiles). */
export async function meanCompensationScale(model: Module): Promise<number> {
  const tiles = model.analogTiles();
  let s = 0;
  for (const t of tiles) s += await t.tile.getDriftCompensationScale();
  return tiles.length ? s / tiles.length : 1;
}
