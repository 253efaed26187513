/** A plain training loop for the learning tests. */
import { InferenceRPUConfig } from '@crossbar/core';
import { AnalogSGD, CrossEntropyLoss, type Module } from '../../src/index.js';
import { accuracy, argmaxRows, batchOf, permutation, type Dataset } from './data.js';

export async function trainEpochs(
  model: Module,
  opt: AnalogSGD,
  data: Dataset,
  { epochs, batchSize, seed, onEpoch }: { epochs: number; batchSize: number; seed: number; onEpoch?: (e: number) => void },
): Promise<number[]> {
  const loss = new CrossEntropyLoss();
  const losses: number[] = [];
  model.train();
  for (let e = 0; e < epochs; e++) {
    const order = permutation(data.n, seed, e);
    let sum = 0;
    let count = 0;
    for (let s = 0; s + batchSize <= data.n; s += batchSize) {
      const b = batchOf(data, s, batchSize, order);
      opt.zeroGrad();
      const y = await model.forward(b.x, batchSize);
      sum += loss.forward(y, b.labels, batchSize);
      count++;
      await model.backward(loss.backward());
      await opt.step();
    }
    losses.push(sum / count);
    onEpoch?.(e);
  }
  return losses;
}

/** Accuracy of the model (eval mode) on the whole dataset. */
export async function evaluate(model: Module, data: Dataset): Promise<number> {
  const wasTraining = model.training;
  model.eval();
  const y = await model.forward(data.x, data.n);
  model.train(wasTraining);
  return accuracy(argmaxRows(y, data.n), data.labels);
}

/** The hardware-aware training config of the tests: modifier in training, clip and remap after each step. */
export function hwaConfig(): InferenceRPUConfig {
  return new InferenceRPUConfig({
    mapping: { maxInputSize: 0, maxOutputSize: 0 },
    modifier: { type: 'AddNormal', stdDev: 0.05 },
    clip: { type: 'LayerGaussian', sigma: 2.5 },
    remap: { type: 'ChannelwiseSymmetric' },
  });
}
