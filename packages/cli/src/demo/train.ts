/**
 * Training and evaluation of the demo's network on digit sets.
 */
import { classificationAccuracy, trainClassifierEpoch, type AnalogSGD, type LabelledSet, type Module } from '@crossbar/modules';
import { ProgressBar, type ProgressOptions } from '../progress.js';
import { percent } from '../format.js';
import { permutation, type Digits } from './mnist.js';

export { argmax, countCorrect } from '@crossbar/modules';

/** One epoch of training, as the report records it. */
export interface EpochRecord {
  epoch: number;
  learningRate: number;
  /** Mean cross-entropy over the epoch's batches (training mode, with the weight noise of training). */
  loss: number;
  /** Fraction of the epoch's training digits classified right in their training forward pass. */
  trainAccuracy: number;
  /** Test accuracy after the epoch (evaluation mode, before programming), when measured. */
  testAccuracy?: number;
  seconds: number;
  samplesPerSecond: number;
}

/** The demo's digits as a labelled set for @crossbar/modules' classification helpers. */
function labelled(data: Digits): LabelledSet {
  return { x: data.images, labels: data.labels, count: data.count };
}

/** Test accuracy of the model in its current mode (the caller sets eval()), in batches of 500. */
export function evaluate(model: Module, data: Digits, batchSize = 500): Promise<number> {
  return classificationAccuracy(model, labelled(data), batchSize);
}

export interface EpochOptions {
  epoch: number;
  epochs: number;
  batchSize: number;
  /** Seed of the epoch's digit order (stream DemoData, call 1 + epoch). */
  seed: number;
  progress?: ProgressOptions | false;
}

/**
 * One epoch (modules' trainClassifierEpoch): the training digits in a seeded
 * order, in batches of `batchSize` (a last partial batch is used too),
 * forward, cross-entropy, backward, optimizer step; a progress bar.
 */
export async function trainEpoch(model: Module, optimizer: AnalogSGD, train: Digits, options: EpochOptions): Promise<EpochRecord> {
  const bar = options.progress === false ? undefined : new ProgressBar(`epoch ${options.epoch + 1}/${options.epochs}`, train.count, options.progress);
  const start = performance.now();
  const describe = (p: { samples: number; loss: number; accuracy: number }): string => {
    const s = (performance.now() - start) / 1000;
    return `loss ${p.loss.toFixed(3)}  acc ${percent(p.accuracy, 1)}  ${Math.round(p.samples / Math.max(s, 1e-9))} samples/s`;
  };
  const result = await trainClassifierEpoch(model, optimizer, labelled(train), {
    order: permutation(train.count, options.seed, 1 + options.epoch),
    batchSize: options.batchSize,
    onBatch: bar ? (p) => bar.update(p.samples, describe(p)) : undefined,
  });
  const seconds = (performance.now() - start) / 1000;
  bar?.finish(describe(result));
  return {
    epoch: options.epoch + 1,
    learningRate: optimizer.learningRate,
    loss: result.loss,
    trainAccuracy: result.accuracy,
    seconds,
    samplesPerSecond: result.samples / seconds,
  };
}
