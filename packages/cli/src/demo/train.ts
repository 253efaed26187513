/**
 * Training and evaluation of the demo's network on digit sets.
 */
import { CrossEntropyLoss, type AnalogSGD, type Module } from '@crossbar/modules';
import { ProgressBar, type ProgressOptions } from '../progress.js';
import { percent } from '../format.js';
import { CLASSES, IMAGE_SIZE, permutation, type Digits } from './mnist.js';

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

/** The index of the largest of `n` values from `offset`. */
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

/** Number of rows of `y` [batch × classes] whose argmax is the label. */
export function countCorrect(y: Float32Array, labels: ArrayLike<number>, batch: number, classes = CLASSES): number {
  let ok = 0;
  for (let b = 0; b < batch; b++) if (argmax(y, b * classes, classes) === labels[b]) ok++;
  return ok;
}

/** Test accuracy of the model in its current mode (the caller sets eval()). */
export async function evaluate(model: Module, data: Digits, batchSize = 500): Promise<number> {
  let ok = 0;
  for (let s = 0; s < data.count; s += batchSize) {
    const n = Math.min(batchSize, data.count - s);
    const y = await model.forward(data.images.subarray(s * IMAGE_SIZE, (s + n) * IMAGE_SIZE), n);
    ok += countCorrect(y, data.labels.subarray(s, s + n), n);
  }
  return data.count > 0 ? ok / data.count : NaN;
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
 * One epoch: the training digits in a seeded order, in batches of
 * `batchSize` (a last partial batch is used too), forward, cross-entropy,
 * backward, optimizer step.
 */
export async function trainEpoch(model: Module, optimizer: AnalogSGD, train: Digits, options: EpochOptions): Promise<EpochRecord> {
  const { batchSize } = options;
  const loss = new CrossEntropyLoss();
  const order = permutation(train.count, options.seed, 1 + options.epoch);
  const x = new Float32Array(batchSize * IMAGE_SIZE);
  const labels = new Array<number>(batchSize);
  const bar = options.progress === false ? undefined : new ProgressBar(`epoch ${options.epoch + 1}/${options.epochs}`, train.count, options.progress);
  const start = performance.now();
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  model.train();
  const fields = (): string => {
    const s = (performance.now() - start) / 1000;
    return `loss ${(lossSum / Math.max(1, seen)).toFixed(3)}  acc ${percent(correct / Math.max(1, seen), 1)}  ${Math.round(seen / Math.max(s, 1e-9))} samples/s`;
  };
  for (let s = 0; s < train.count; s += batchSize) {
    const n = Math.min(batchSize, train.count - s);
    const xb = n === batchSize ? x : x.subarray(0, n * IMAGE_SIZE);
    for (let b = 0; b < n; b++) {
      const i = order[s + b]!;
      xb.set(train.images.subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE), b * IMAGE_SIZE);
      labels[b] = train.labels[i]!;
    }
    const lb = n === batchSize ? labels : labels.slice(0, n);
    optimizer.zeroGrad();
    const y = await model.forward(xb, n);
    lossSum += loss.forward(y, lb, n) * n;
    correct += countCorrect(y, lb, n);
    seen += n;
    await model.backward(loss.backward());
    await optimizer.step();
    bar?.update(seen, fields());
  }
  const seconds = (performance.now() - start) / 1000;
  bar?.finish(fields());
  return {
    epoch: options.epoch + 1,
    learningRate: optimizer.learningRate,
    loss: lossSum / seen,
    trainAccuracy: correct / seen,
    seconds,
    samplesPerSecond: seen / seconds,
  };
}
