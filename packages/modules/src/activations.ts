/**
 * The digital pieces of a network: activations and Flatten, on row-major
 * [batch × features] float32 data, each with its backward pass.
 */
import { checkFloat32Array, checkPositiveInteger, InputError } from '@crossbar/core';
import { ModuleError } from './errors.js';
import { Module, type ModuleConfig } from './module.js';

/** Checks x [batch × features] and returns the feature count. */
export function checkBatch(where: string, x: unknown, batch: number): number {
  checkPositiveInteger(where, 'batch', batch);
  if (!(x instanceof Float32Array)) checkFloat32Array(where, 'x', x, 0);
  const arr = x as Float32Array;
  if (arr.length === 0 || arr.length % batch !== 0) {
    throw new InputError(`${where}: x has ${arr.length} elements, which is not batch ${batch} × a positive number of features`);
  }
  return checkFloat32Array(where, 'x', arr, arr.length).length / batch;
}

/** An element-wise activation whose derivative is a function of its output. */
abstract class ElementwiseActivation extends Module {
  private y: Float32Array | null = null;

  /** The activation of one value. */
  protected abstract f(x: number): number;
  /** f'(x) written in terms of y = f(x). */
  protected abstract fPrimeOfY(y: number): number;

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    checkBatch(`${this.type}.forward`, x, batch);
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = this.f(x[i]!);
    this.y = y;
    return y;
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    const y = this.y;
    if (!y) throw new ModuleError(`${this.type}.backward: needs a forward pass first`);
    checkFloat32Array(`${this.type}.backward`, 'dy', dy, y.length);
    const dx = new Float32Array(y.length);
    for (let i = 0; i < y.length; i++) dx[i] = dy[i]! * this.fPrimeOfY(y[i]!);
    return dx;
  }

  override getConfig(): ModuleConfig {
    return { type: this.type };
  }
}

/** max(0, x), element-wise (torch's ReLU). */
export class ReLU extends ElementwiseActivation {
  readonly type: string = 'ReLU';
  protected f(x: number): number {
    return x > 0 ? x : 0;
  }
  protected fPrimeOfY(y: number): number {
    return y > 0 ? 1 : 0;
  }
}

/** tanh(x), element-wise (torch's Tanh). */
export class Tanh extends ElementwiseActivation {
  readonly type: string = 'Tanh';
  protected f(x: number): number {
    return Math.tanh(x);
  }
  protected fPrimeOfY(y: number): number {
    return 1 - y * y;
  }
}

/** 1 / (1 + e^−x), element-wise (torch's Sigmoid). */
export class Sigmoid extends ElementwiseActivation {
  readonly type: string = 'Sigmoid';
  protected f(x: number): number {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }
  protected fPrimeOfY(y: number): number {
    return y * (1 - y);
  }
}

/** log Σ_c exp(x[o + c]) over one row of k values, shifted by the row max for stability. */
export function logSumExpRow(x: Float32Array, o: number, k: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, x[o + c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += Math.exp(x[o + c]! - max);
  return max + Math.log(sum);
}

/** Row-wise softmax, computed in float64 and stored as float32. */
export function softmaxRows(x: Float32Array, batch: number, out: Float32Array = new Float32Array(x.length)): Float32Array {
  const k = x.length / batch;
  for (let b = 0; b < batch; b++) {
    const o = b * k;
    const lse = logSumExpRow(x, o, k);
    for (let c = 0; c < k; c++) out[o + c] = Math.exp(x[o + c]! - lse);
  }
  return out;
}

/** Softmax over the features of each row (torch.nn.Softmax(dim=1)); for training use CrossEntropyLoss on the logits. */
export class Softmax extends Module {
  readonly type: string = 'Softmax';
  private y: Float32Array | null = null;
  private batch = 0;

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    checkBatch('Softmax.forward', x, batch);
    this.y = softmaxRows(x, batch);
    this.batch = batch;
    return this.y.slice();
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    const y = this.y;
    if (!y) throw new ModuleError('Softmax.backward: needs a forward pass first');
    checkFloat32Array('Softmax.backward', 'dy', dy, y.length);
    const k = y.length / this.batch;
    const dx = new Float32Array(y.length);
    for (let b = 0; b < this.batch; b++) {
      const o = b * k;
      let dot = 0;
      for (let c = 0; c < k; c++) dot += dy[o + c]! * y[o + c]!;
      for (let c = 0; c < k; c++) dx[o + c] = y[o + c]! * (dy[o + c]! - dot);
    }
    return dx;
  }

  override getConfig(): ModuleConfig {
    return { type: this.type };
  }
}

/**
 * Flattens each sample to one row (torch.nn.Flatten). Data is already
 * row-major [batch × features], so this passes it through; with
 * `inputShape` it checks that each sample has prod(inputShape) values.
 */
export class Flatten extends Module {
  readonly type: string = 'Flatten';
  readonly inputShape: readonly number[] | null;
  private batch = 0;
  private size = 0;

  constructor(inputShape?: readonly number[]) {
    super();
    if (inputShape !== undefined) {
      if (!Array.isArray(inputShape) || inputShape.length === 0) {
        throw new InputError('Flatten: inputShape must be a non-empty array of positive integers');
      }
      inputShape.forEach((d, i) => checkPositiveInteger('Flatten', `inputShape[${i}]`, d));
    }
    this.inputShape = inputShape ? [...inputShape] : null;
  }

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    const features = checkBatch('Flatten.forward', x, batch);
    if (this.inputShape) {
      const want = this.inputShape.reduce((a, b) => a * b, 1);
      if (features !== want) {
        throw new InputError(`Flatten.forward: each sample has ${features} values, inputShape [${this.inputShape.join(', ')}] needs ${want}`);
      }
    }
    this.batch = batch;
    this.size = x.length;
    return x.slice();
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    if (this.batch === 0) throw new ModuleError('Flatten.backward: needs a forward pass first');
    checkFloat32Array('Flatten.backward', 'dy', dy, this.size);
    return dy.slice();
  }

  override getConfig(): ModuleConfig {
    return this.inputShape ? { type: this.type, inputShape: [...this.inputShape] } : { type: this.type };
  }
}
