/**
 * Losses: scalar value of a batch and its gradient with respect to the
 * network output (mean over the batch, as torch's default reduction).
 */
import { checkFloat32Array, checkPositiveInteger, InputError } from '@crossbar/core';
import { checkBatch, logSumExpRow } from './activations.js';
import { ModuleError } from './errors.js';

/**
 * Cross-entropy of logits [batch × classes] against integer labels (torch's
 * CrossEntropyLoss: log-softmax and negative log-likelihood in one, mean over
 * the batch). `backward()` gives (softmax − one-hot) / batch.
 */
export class CrossEntropyLoss {
  private grad: Float32Array | null = null;

  /** The mean loss of logits [batch × classes] against the labels; keeps the gradient for backward. */
  forward(logits: Float32Array, labels: ArrayLike<number>, batch: number): number {
    const classes = checkBatch('CrossEntropyLoss.forward', logits, batch);
    checkLabels('CrossEntropyLoss.forward', labels, batch, classes);
    const grad = new Float32Array(logits.length);
    let loss = 0;
    for (let b = 0; b < batch; b++) {
      const o = b * classes;
      const lse = logSumExpRow(logits, o, classes);
      loss -= logits[o + labels[b]!]! - lse;
      for (let c = 0; c < classes; c++) grad[o + c] = (Math.exp(logits[o + c]! - lse) - (c === labels[b] ? 1 : 0)) / batch;
    }
    this.grad = grad;
    return loss / batch;
  }

  /** dL/dlogits of the last forward call. */
  backward(): Float32Array {
    if (!this.grad) throw new ModuleError('CrossEntropyLoss.backward: needs a forward call first');
    return this.grad.slice();
  }
}

/** Mean squared error over every element (torch's MSELoss). */
export class MSELoss {
  private grad: Float32Array | null = null;

  /** The mean squared error of y against target (same shape); keeps the gradient for backward. */
  forward(y: Float32Array, target: Float32Array, batch: number): number {
    checkBatch('MSELoss.forward', y, batch);
    checkFloat32Array('MSELoss.forward', 'target', target, y.length);
    let loss = 0;
    const grad = new Float32Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const e = y[i]! - target[i]!;
      loss += e * e;
      grad[i] = (2 * e) / y.length;
    }
    this.grad = grad;
    return loss / y.length;
  }

  /** dL/dy of the last forward call. */
  backward(): Float32Array {
    if (!this.grad) throw new ModuleError('MSELoss.backward: needs a forward call first');
    return this.grad.slice();
  }
}

function checkLabels(where: string, labels: ArrayLike<number>, batch: number, classes: number): void {
  checkPositiveInteger(where, 'batch', batch);
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number' || labels.length !== batch) {
    throw new InputError(`${where}: labels must be an array of ${batch} class indices`);
  }
  for (let b = 0; b < batch; b++) {
    const l = labels[b];
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= classes) {
      throw new InputError(`${where}: labels[${b}] = ${String(l)} is not a class index in [0, ${classes})`);
    }
  }
}
