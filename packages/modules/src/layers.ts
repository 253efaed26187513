/**
 * The digital layers a CNN needs around its analog convolutions (torch.nn
 * semantics): MaxPool2d, AvgPool2d, BatchNorm2d, Dropout, LogSoftmax, GELU.
 * Images are row-major [batch × C·H·W] as in conv.ts; each layer has its
 * backward pass.
 */
import { checkFiniteNumber, checkFloat32Array, checkPositiveInteger, InputError, RandomStream, RandomStreamId } from '@crossbar/core';
import { checkBatch, logSumExpRow, softmaxRows } from './activations.js';
import { toNumbers } from './arrays.js';
import { ModuleError } from './errors.js';
import { checkStateType, Module, type LoadStateOptions, type ModuleConfig, type ModuleState } from './module.js';
import { Parameter } from './parameter.js';
import { checkSeed, nextLayerSeed } from './seeds.js';
import { geometry2d, perAxis, type Geometry2d, type Window2d } from './spatial.js';

/** The options every 2-d pooling layer takes (torch.nn.MaxPool2d / AvgPool2d arguments). */
export interface Pool2dOptions {
  /** Stride per axis (default: the kernel size, as torch). */
  stride?: number | number[];
  /** Implicit padding on both sides per axis (default 0; at most half the kernel, as torch). */
  padding?: number | number[];
  /** torch's ceil_mode: output sizes rounded up (default false). */
  ceilMode?: boolean;
  /** The input's [channels, height, width] (required: data is flat per sample). */
  inputShape: number[];
}

/** MaxPool2d's options. */
export interface MaxPool2dOptions extends Pool2dOptions {
  /** Spacing of the window elements (default 1). */
  dilation?: number | number[];
}

/** AvgPool2d's options. */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Whether padded zeros count in the average (default true, as torch; ONNX's default is false). */
  countIncludePad?: boolean;
}

abstract class Pool2d extends Module {
  readonly window: Window2d;
  readonly ceilMode: boolean;
  /** [channels, height, width] of each input sample. */
  readonly inputShape: readonly [number, number, number];
  protected readonly geometry: Geometry2d;
  protected batch = 0;

  constructor(where: string, kernelSize: number | number[], options: MaxPool2dOptions & AvgPool2dOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new InputError(`${where}: options with inputShape [channels, height, width] are required`);
    const kernel = perAxis(where, 'kernelSize', kernelSize, 2, 1);
    const stride = perAxis(where, 'stride', options.stride ?? kernel, 2, 1);
    const padding = perAxis(where, 'padding', options.padding ?? 0, 2, 0);
    const dilation = perAxis(where, 'dilation', options.dilation ?? 1, 2, 1);
    padding.forEach((p, i) => {
      if (p > kernel[i]! / 2) throw new InputError(`${where}: padding ${p} must be at most half the kernel size ${kernel[i]} (as torch)`);
    });
    const ceil = options.ceilMode ?? false;
    if (typeof ceil !== 'boolean') throw new InputError(`${where}: ceilMode must be a boolean`);
    const shape = perAxis(where, 'inputShape', options.inputShape, 3, 1);
    this.window = {
      kernel: [kernel[0]!, kernel[1]!],
      stride: [stride[0]!, stride[1]!],
      padding: [padding[0]!, padding[1]!],
      dilation: [dilation[0]!, dilation[1]!],
    };
    this.ceilMode = ceil;
    this.inputShape = [shape[0]!, shape[1]!, shape[2]!];
    this.geometry = geometry2d(where, this.window, shape[0]!, shape[0]! * shape[1]! * shape[2]!, [shape[1]!, shape[2]!], ceil);
  }

  /** [channels, outHeight, outWidth] of each output sample. */
  get outputShape(): [number, number, number] {
    return [this.geometry.channels, this.geometry.outH, this.geometry.outW];
  }

  /** Refuses an input that is not [batch × C·H·W] of inputShape. @internal */
  protected checkInput(x: Float32Array, batch: number): void {
    const features = checkBatch(`${this.type}.forward`, x, batch);
    const [c, h, w] = this.inputShape;
    if (features !== c * h * w) {
      throw new InputError(`${this.type}.forward: each sample has ${features} values, inputShape [${c}, ${h}, ${w}] needs ${c * h * w}`);
    }
  }

  /** Refuses a backward pass without a forward pass or with dy of the wrong length. @internal */
  protected checkDy(dy: Float32Array): void {
    if (this.batch === 0) throw new ModuleError(`${this.type}.backward: needs a forward pass first`);
    const g = this.geometry;
    checkFloat32Array(`${this.type}.backward`, 'dy', dy, this.batch * g.channels * g.outH * g.outW);
  }

  /** The architecture entry fields every pooling layer shares. @internal */
  protected baseConfig(): ModuleConfig {
    return {
      type: this.type,
      kernelSize: [...this.window.kernel],
      stride: [...this.window.stride],
      padding: [...this.window.padding],
      ceilMode: this.ceilMode,
      inputShape: [...this.inputShape],
    };
  }
}

/** torch.nn.MaxPool2d: the max over each window (padding never wins); backward routes dy to the first max. */
export class MaxPool2d extends Pool2d {
  readonly type: string = 'MaxPool2d';
  private argmax = new Int32Array(0);

  constructor(kernelSize: number | number[], options: MaxPool2dOptions) {
    super('MaxPool2d', kernelSize, options as MaxPool2dOptions & AvgPool2dOptions);
  }

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    this.checkInput(x, batch);
    const { channels: C, inH: H, inW: W, outH, outW } = this.geometry;
    const [kh, kw] = this.window.kernel;
    const [sh, sw] = this.window.stride;
    const [ph, pw] = this.window.padding;
    const [dh, dw] = this.window.dilation;
    const out = new Float32Array(batch * C * outH * outW);
    if (this.argmax.length !== out.length) this.argmax = new Int32Array(out.length);
    const arg = this.argmax;
    let o = 0;
    for (let p = 0; p < batch * C; p++) {
      const base = p * H * W;
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++, o++) {
          let best = -Infinity;
          let at = -1;
          for (let i = 0; i < kh; i++) {
            const ih = oh * sh - ph + i * dh;
            if (ih < 0 || ih >= H) continue;
            for (let j = 0; j < kw; j++) {
              const iw = ow * sw - pw + j * dw;
              if (iw < 0 || iw >= W) continue;
              const v = x[base + ih * W + iw]!;
              if (v > best || at < 0) {
                best = v;
                at = base + ih * W + iw;
              }
            }
          }
          out[o] = best;
          arg[o] = at;
        }
      }
    }
    this.batch = batch;
    return out;
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    this.checkDy(dy);
    const [c, h, w] = this.inputShape;
    const dx = new Float32Array(this.batch * c * h * w);
    for (let o = 0; o < dy.length; o++) dx[this.argmax[o]!] = dx[this.argmax[o]!]! + dy[o]!;
    return dx;
  }

  override getConfig(): ModuleConfig {
    return { ...this.baseConfig(), dilation: [...this.window.dilation] };
  }
}

/** torch.nn.AvgPool2d: the mean over each window, torch's divisor (count_include_pad, ceil_mode windows clipped to the padded input). */
export class AvgPool2d extends Pool2d {
  readonly type: string = 'AvgPool2d';
  readonly countIncludePad: boolean;
  /** Per output position of one plane: the input offsets it averages and its divisor. */
  private readonly windows: Array<{ idx: Int32Array; divisor: number }>;

  constructor(kernelSize: number | number[], options: AvgPool2dOptions) {
    if (options && (options as MaxPool2dOptions).dilation !== undefined) throw new InputError('AvgPool2d: dilation is not an option (as torch)');
    super('AvgPool2d', kernelSize, options as MaxPool2dOptions & AvgPool2dOptions);
    const cip = options.countIncludePad ?? true;
    if (typeof cip !== 'boolean') throw new InputError('AvgPool2d: countIncludePad must be a boolean');
    this.countIncludePad = cip;
    this.windows = this.planWindows();
  }

  /** aihwkit relies on torch's avg_pool2d; its divisor: pool size over the padded input, or the in-image count. */
  private planWindows(): Array<{ idx: Int32Array; divisor: number }> {
    const { inH: H, inW: W, outH, outW } = this.geometry;
    const [kh, kw] = this.window.kernel;
    const [sh, sw] = this.window.stride;
    const [ph, pw] = this.window.padding;
    const out: Array<{ idx: Int32Array; divisor: number }> = [];
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let h0 = oh * sh - ph;
        let w0 = ow * sw - pw;
        let h1 = Math.min(h0 + kh, H + ph);
        let w1 = Math.min(w0 + kw, W + pw);
        const poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, H);
        w1 = Math.min(w1, W);
        const idx: number[] = [];
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) idx.push(ih * W + iw);
        out.push({ idx: Int32Array.from(idx), divisor: this.countIncludePad ? poolSize : idx.length });
      }
    }
    return out;
  }

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    this.checkInput(x, batch);
    const { channels: C, inH: H, inW: W } = this.geometry;
    const n = this.windows.length;
    const out = new Float32Array(batch * C * n);
    for (let p = 0; p < batch * C; p++) {
      const base = p * H * W;
      for (let k = 0; k < n; k++) {
        const { idx, divisor } = this.windows[k]!;
        let s = 0;
        for (let i = 0; i < idx.length; i++) s += x[base + idx[i]!]!;
        out[p * n + k] = s / divisor;
      }
    }
    this.batch = batch;
    return out;
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    this.checkDy(dy);
    const { channels: C, inH: H, inW: W } = this.geometry;
    const n = this.windows.length;
    const dx = new Float32Array(this.batch * C * H * W);
    for (let p = 0; p < this.batch * C; p++) {
      const base = p * H * W;
      for (let k = 0; k < n; k++) {
        const { idx, divisor } = this.windows[k]!;
        const g = dy[p * n + k]! / divisor;
        for (let i = 0; i < idx.length; i++) dx[base + idx[i]!] = dx[base + idx[i]!]! + g;
      }
    }
    return dx;
  }

  override getConfig(): ModuleConfig {
    return { ...this.baseConfig(), countIncludePad: this.countIncludePad };
  }
}

/** BatchNorm2d's options (torch.nn.BatchNorm2d arguments). */
export interface BatchNorm2dOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running statistics' update factor (default 0.1, as torch). */
  momentum?: number;
  /** Learned scale and shift (default true). */
  affine?: boolean;
}

/**
 * torch.nn.BatchNorm2d on [batch × C·H·W]: in training the batch statistics
 * per channel (over batch and pixels; biased variance to normalise, unbiased
 * into the running variance), in eval the running statistics. The learned
 * weight and bias are digital parameters.
 */
export class BatchNorm2d extends Module {
  readonly type: string = 'BatchNorm2d';
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Float32Array;
  readonly runningVar: Float32Array;
  private cache: { xhat: Float32Array; invStd: Float64Array; batch: number; spatial: number; train: boolean } | null = null;

  constructor(numFeatures: number, options: BatchNorm2dOptions = {}) {
    super();
    const where = 'BatchNorm2d';
    if (options === null || typeof options !== 'object') throw new InputError(`${where}: options must be an object`);
    this.numFeatures = checkPositiveInteger(where, 'numFeatures', numFeatures);
    this.eps = checkFiniteNumber(where, 'eps', options.eps ?? 1e-5, { min: 0, minExclusive: true });
    this.momentum = checkFiniteNumber(where, 'momentum', options.momentum ?? 0.1, { min: 0 });
    if (this.momentum > 1) throw new InputError(`${where}: momentum must be in [0, 1], got ${this.momentum}`);
    const affine = options.affine ?? true;
    if (typeof affine !== 'boolean') throw new InputError(`${where}: affine must be a boolean`);
    this.affine = affine;
    this.weight = affine ? new Parameter(new Float32Array(numFeatures).fill(1)) : null;
    this.bias = affine ? new Parameter(new Float32Array(numFeatures)) : null;
    this.runningMean = new Float32Array(numFeatures);
    this.runningVar = new Float32Array(numFeatures).fill(1);
  }

  protected override ownParameters(): Array<[string, Parameter]> {
    return this.weight && this.bias
      ? [
          ['weight', this.weight],
          ['bias', this.bias],
        ]
      : [];
  }

  /** Sets the learned scale and shift and the running statistics (e.g. from a trained model). */
  setStatistics(values: { weight?: Float32Array; bias?: Float32Array; runningMean?: Float32Array; runningVar?: Float32Array }): void {
    const where = 'BatchNorm2d.setStatistics';
    const n = this.numFeatures;
    const checked: Array<[Float32Array, Float32Array]> = [];
    for (const key of ['weight', 'bias', 'runningMean', 'runningVar'] as const) {
      const v = values[key];
      if (v === undefined) continue;
      checkFloat32Array(where, key, v, n, { shape: `numFeatures ${n}` });
      if ((key === 'weight' || key === 'bias') && !this.affine) throw new InputError(`${where}: the layer is not affine, it has no ${key}`);
      if (key === 'runningVar' && v.some((s) => s < 0)) throw new InputError(`${where}: runningVar must be >= 0`);
      const target = key === 'weight' ? this.weight!.value : key === 'bias' ? this.bias!.value : key === 'runningMean' ? this.runningMean : this.runningVar;
      checked.push([target, v]);
    }
    for (const [t, v] of checked) t.set(v);
  }

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    const where = 'BatchNorm2d.forward';
    const features = checkBatch(where, x, batch);
    const C = this.numFeatures;
    if (features % C !== 0) throw new InputError(`${where}: each sample has ${features} values, not numFeatures ${C} × pixels`);
    const spatial = features / C;
    const n = batch * spatial;
    const mean = new Float64Array(C);
    const invStd = new Float64Array(C);
    if (this.training) {
      if (n < 2) throw new InputError(`${where}: training needs more than 1 value per channel (batch ${batch} × ${spatial} pixels), as torch`);
      const v = new Float64Array(C);
      for (let b = 0; b < batch; b++) {
        for (let c = 0; c < C; c++) {
          const o = (b * C + c) * spatial;
          for (let s = 0; s < spatial; s++) mean[c] += x[o + s]!;
        }
      }
      for (let c = 0; c < C; c++) mean[c] /= n;
      for (let b = 0; b < batch; b++) {
        for (let c = 0; c < C; c++) {
          const o = (b * C + c) * spatial;
          for (let s = 0; s < spatial; s++) v[c] += (x[o + s]! - mean[c]!) ** 2;
        }
      }
      const m = this.momentum;
      for (let c = 0; c < C; c++) {
        invStd[c] = 1 / Math.sqrt(v[c]! / n + this.eps);
        this.runningMean[c] = (1 - m) * this.runningMean[c]! + m * mean[c]!;
        this.runningVar[c] = (1 - m) * this.runningVar[c]! + (m * v[c]!) / (n - 1);
      }
    } else {
      for (let c = 0; c < C; c++) {
        mean[c] = this.runningMean[c]!;
        invStd[c] = 1 / Math.sqrt(this.runningVar[c]! + this.eps);
      }
    }
    const y = new Float32Array(x.length);
    const xhat = new Float32Array(x.length);
    for (let b = 0; b < batch; b++) {
      for (let c = 0; c < C; c++) {
        const o = (b * C + c) * spatial;
        const g = this.weight ? this.weight.value[c]! : 1;
        const sh = this.bias ? this.bias.value[c]! : 0;
        for (let s = 0; s < spatial; s++) {
          const h = (x[o + s]! - mean[c]!) * invStd[c]!;
          xhat[o + s] = h;
          y[o + s] = h * g + sh;
        }
      }
    }
    this.cache = { xhat, invStd, batch, spatial, train: this.training };
    return y;
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    const cache = this.cache;
    if (!cache) throw new ModuleError('BatchNorm2d.backward: needs a forward pass first');
    checkFloat32Array('BatchNorm2d.backward', 'dy', dy, cache.xhat.length);
    const { xhat, invStd, batch, spatial, train } = cache;
    const C = this.numFeatures;
    const n = batch * spatial;
    const sumDy = new Float64Array(C);
    const sumDyXhat = new Float64Array(C);
    for (let b = 0; b < batch; b++) {
      for (let c = 0; c < C; c++) {
        const o = (b * C + c) * spatial;
        for (let s = 0; s < spatial; s++) {
          sumDy[c] += dy[o + s]!;
          sumDyXhat[c] += dy[o + s]! * xhat[o + s]!;
        }
      }
    }
    this.weight?.addGrad(sumDyXhat);
    this.bias?.addGrad(sumDy);
    const dx = new Float32Array(dy.length);
    for (let b = 0; b < batch; b++) {
      for (let c = 0; c < C; c++) {
        const o = (b * C + c) * spatial;
        const k = (this.weight ? this.weight.value[c]! : 1) * invStd[c]!;
        for (let s = 0; s < spatial; s++) {
          // Eval: the statistics are constants. Training: they depend on x (the standard batch-norm gradient).
          dx[o + s] = train ? (k * (n * dy[o + s]! - sumDy[c]! - xhat[o + s]! * sumDyXhat[c]!)) / n : k * dy[o + s]!;
        }
      }
    }
    return dx;
  }

  override getConfig(): ModuleConfig {
    return { type: this.type, numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.affine };
  }

  override async stateDict(): Promise<ModuleState> {
    const params: Record<string, number[]> = { runningMean: toNumbers(this.runningMean), runningVar: toNumbers(this.runningVar) };
    if (this.weight && this.bias) {
      params.weight = toNumbers(this.weight.value);
      params.bias = toNumbers(this.bias.value);
    }
    return { type: this.type, params };
  }

  override async loadStateDict(state: ModuleState, _options?: LoadStateOptions): Promise<void> {
    checkStateType(state, this.type);
    const p = state.params ?? {};
    const arr = (key: string): Float32Array | undefined => {
      const v = p[key];
      if (v === undefined) {
        if (key.startsWith('running') || this.affine) throw new ModuleError(`BatchNorm2d.loadStateDict: the state has no params.${key}`);
        return undefined;
      }
      if (!Array.isArray(v)) throw new ModuleError(`BatchNorm2d.loadStateDict: params.${key} must be an array`);
      return Float32Array.from(v);
    };
    this.setStatistics({ weight: arr('weight'), bias: arr('bias'), runningMean: arr('runningMean'), runningVar: arr('runningVar') });
    this.cache = null;
  }
}

/**
 * torch.nn.Dropout: in training each value is zeroed with probability p and
 * the rest scaled by 1/(1 − p); in eval the identity. The masks come from the
 * layer's seed (core's RandomStreamId.LayerDropout, one call per training forward pass).
 */
export class Dropout extends Module {
  readonly type: string = 'Dropout';
  readonly p: number;
  readonly seed: number;
  /** Training forward passes so far (the next mask's stream call). */
  calls = 0;
  private mask: Float32Array | null = null;
  private size = 0;

  constructor(p = 0.5, options: { seed?: number } = {}) {
    super();
    this.p = checkFiniteNumber('Dropout', 'p', p, { min: 0 });
    if (this.p > 1) throw new InputError(`Dropout: p must be in [0, 1], got ${p}`);
    this.seed = options.seed === undefined ? nextLayerSeed() : checkSeed('Dropout', options.seed);
  }

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    checkBatch('Dropout.forward', x, batch);
    this.size = x.length;
    if (!this.training || this.p === 0) {
      this.mask = null;
      return x.slice();
    }
    const u = new RandomStream(this.seed, RandomStreamId.LayerDropout, this.calls++, 0).fillUniform(new Float32Array(x.length));
    const scale = this.p === 1 ? 0 : 1 / (1 - this.p);
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      u[i] = u[i]! < this.p ? 0 : scale;
      y[i] = x[i]! * u[i]!;
    }
    this.mask = u;
    return y;
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    if (this.size === 0) throw new ModuleError('Dropout.backward: needs a forward pass first');
    checkFloat32Array('Dropout.backward', 'dy', dy, this.size);
    if (!this.mask) return dy.slice();
    const dx = new Float32Array(dy.length);
    for (let i = 0; i < dy.length; i++) dx[i] = dy[i]! * this.mask[i]!;
    return dx;
  }

  override getConfig(): ModuleConfig {
    return { type: this.type, p: this.p, seed: this.seed };
  }

  override async stateDict(): Promise<ModuleState> {
    return { type: this.type, extra: { calls: this.calls } };
  }

  override async loadStateDict(state: ModuleState): Promise<void> {
    checkStateType(state, this.type);
    const calls = state.extra?.calls ?? 0;
    if (!Number.isSafeInteger(calls) || calls < 0) throw new ModuleError('Dropout.loadStateDict: extra.calls must be a non-negative integer');
    this.calls = calls;
  }
}

/** torch.nn.LogSoftmax(dim=1): log of the row-wise softmax (x − logsumexp), with its backward. */
export class LogSoftmax extends Module {
  readonly type: string = 'LogSoftmax';
  private softmax: Float32Array | null = null;
  private batch = 0;

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    const k = checkBatch('LogSoftmax.forward', x, batch);
    const y = new Float32Array(x.length);
    for (let b = 0; b < batch; b++) {
      const o = b * k;
      const lse = logSumExpRow(x, o, k);
      for (let c = 0; c < k; c++) y[o + c] = x[o + c]! - lse;
    }
    this.softmax = softmaxRows(x, batch);
    this.batch = batch;
    return y;
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    const s = this.softmax;
    if (!s) throw new ModuleError('LogSoftmax.backward: needs a forward pass first');
    checkFloat32Array('LogSoftmax.backward', 'dy', dy, s.length);
    const k = s.length / this.batch;
    const dx = new Float32Array(s.length);
    for (let b = 0; b < this.batch; b++) {
      const o = b * k;
      let sum = 0;
      for (let c = 0; c < k; c++) sum += dy[o + c]!;
      for (let c = 0; c < k; c++) dx[o + c] = dy[o + c]! - s[o + c]! * sum;
    }
    return dx;
  }

  override getConfig(): ModuleConfig {
    return { type: this.type };
  }
}

/**
 * The error function to double precision: erf(x) = (2/√π)·e^(−x²)·Σₙ 2ⁿx^(2n+1)/(1·3···(2n+1))
 * (all terms positive, so no cancellation); |x| > 6 is ±1 in double precision.
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  let term = a;
  let sum = a;
  const a2 = 2 * a * a;
  for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
    term *= a2 / (2 * n + 1);
    sum += term;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
  return x < 0 ? -r : r;
}

/** torch.nn.GELU: x·Φ(x) (approximate 'none') or its tanh form (approximate 'tanh'). */
export class GELU extends Module {
  readonly type: string = 'GELU';
  readonly approximate: 'none' | 'tanh';
  private x: Float32Array | null = null;

  constructor(approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new InputError(`GELU: approximate must be 'none' or 'tanh', got ${String(approximate)}`);
    this.approximate = approximate;
  }

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    checkBatch('GELU.forward', x, batch);
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = this.f(x[i]!);
    this.x = x.slice();
    return y;
  }

  private f(v: number): number {
    if (this.approximate === 'tanh') return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    return 0.5 * v * (1 + erf(v / Math.SQRT2));
  }

  private fPrime(v: number): number {
    if (this.approximate === 'tanh') {
      const k = Math.sqrt(2 / Math.PI);
      const t = Math.tanh(k * (v + 0.044715 * v ** 3));
      return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k * (1 + 3 * 0.044715 * v * v);
    }
    return 0.5 * (1 + erf(v / Math.SQRT2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI);
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    const x = this.x;
    if (!x) throw new ModuleError('GELU.backward: needs a forward pass first');
    checkFloat32Array('GELU.backward', 'dy', dy, x.length);
    const dx = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) dx[i] = dy[i]! * this.fPrime(x[i]!);
    return dx;
  }

  override getConfig(): ModuleConfig {
    return { type: this.type, approximate: this.approximate };
  }
}
