/**
 * Digital (float32) Linear and convolutions, torch.nn.Linear / Conv1d / Conv2d:
 * the layers of a model trained elsewhere, or a digital baseline, before
 * `convertToAnalog` puts their weights on analog tiles. The weights are digital
 * Parameters (AnalogSGD trains them with plain SGD). Sums accumulate in float64.
 */
import { checkFloat32Array, checkPositiveInteger, InputError } from '@crossbar/core';
import { toNumbers } from './arrays.js';
import { checkBatch } from './activations.js';
import { ModuleError } from './errors.js';
import { checkStateType, Module, type LoadStateOptions, type ModuleConfig, type ModuleState } from './module.js';
import { Parameter } from './parameter.js';
import { checkSeed, initialLinearWeights, nextLayerSeed } from './seeds.js';
import {
  axesOf,
  col2im,
  convWindow,
  geometry2d,
  im2col,
  planesToPositions,
  positionsToPlanes,
  Scratch,
  type ConvGeometryOptions,
  type Geometry2d,
  type Window2d,
} from './spatial.js';

/** y [rows × out] = x [rows × in] · Wᵀ + b, float64 sums. */
function matmulForward(x: Float32Array, rows: number, w: Float32Array, b: Float32Array | null, n: number, m: number, y: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const xo = r * n;
    for (let o = 0; o < m; o++) {
      const wo = o * n;
      let s = 0;
      for (let i = 0; i < n; i++) s += x[xo + i]! * w[wo + i]!;
      y[r * m + o] = b ? s + b[o]! : s;
    }
  }
}

/** dx = dy · W; dW += dyᵀ x; db += Σ_rows dy. */
function matmulBackward(x: Float32Array, dy: Float32Array, rows: number, w: Float32Array, n: number, m: number, weight: Parameter, bias: Parameter | null): Float32Array {
  const dx = new Float32Array(rows * n);
  const gw = new Float64Array(m * n);
  const gb = new Float64Array(m);
  const acc = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    for (let o = 0; o < m; o++) {
      const d = dy[r * m + o]!;
      if (d === 0) continue;
      gb[o] += d;
      const wo = o * n;
      for (let i = 0; i < n; i++) {
        acc[i] += d * w[wo + i]!;
        gw[wo + i] += d * x[r * n + i]!;
      }
    }
    for (let i = 0; i < n; i++) dx[r * n + i] = acc[i]!;
  }
  weight.addGrad(gw);
  bias?.addGrad(gb);
  return dx;
}

abstract class DigitalWeights extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly seed: number;

  protected constructor(where: string, fanIn: number, outFeatures: number, options: { bias?: boolean; seed?: number }) {
    super();
    if (options === null || typeof options !== 'object') throw new InputError(`${where}: options must be an object`);
    const bias = options.bias ?? true;
    if (typeof bias !== 'boolean') throw new InputError(`${where}: bias must be a boolean, got ${String(bias)}`);
    this.seed = options.seed === undefined ? nextLayerSeed() : checkSeed(where, options.seed);
    const init = initialLinearWeights(this.seed, fanIn, outFeatures);
    this.weight = new Parameter(init.weight);
    this.bias = bias ? new Parameter(init.bias) : null;
  }

  protected override ownParameters(): Array<[string, Parameter]> {
    return this.bias
      ? [
          ['weight', this.weight],
          ['bias', this.bias],
        ]
      : [['weight', this.weight]];
  }

  /** Sets the weights (torch's layout, flattened) and bias. */
  setWeights(weight: Float32Array, bias?: Float32Array | null): void {
    const where = `${this.type}.setWeights`;
    checkFloat32Array(where, 'weight', weight, this.weight.value.length);
    if (bias !== undefined && bias !== null) {
      if (!this.bias) throw new InputError(`${where}: the layer has no bias (bias: false), but a bias was given`);
      checkFloat32Array(where, 'bias', bias, this.bias.value.length);
    }
    this.weight.value.set(weight);
    if (bias && this.bias) this.bias.value.set(bias);
  }

  /** Copies of the weights (torch's layout, flattened) and bias. */
  getWeights(): { weight: Float32Array; bias: Float32Array | null } {
    return { weight: this.weight.value.slice(), bias: this.bias ? this.bias.value.slice() : null };
  }

  override async stateDict(): Promise<ModuleState> {
    const params: Record<string, number[]> = { weight: toNumbers(this.weight.value) };
    if (this.bias) params.bias = toNumbers(this.bias.value);
    return { type: this.type, params };
  }

  override async loadStateDict(state: ModuleState, _options?: LoadStateOptions): Promise<void> {
    checkStateType(state, this.type);
    const p = state.params ?? {};
    const w = p.weight;
    if (!Array.isArray(w)) throw new ModuleError(`${this.type}.loadStateDict: the state has no params.weight`);
    const b = p.bias;
    if (this.bias && !Array.isArray(b)) throw new ModuleError(`${this.type}.loadStateDict: the state has no params.bias`);
    this.setWeights(Float32Array.from(w), this.bias ? Float32Array.from(b!) : null);
  }
}

/** torch.nn.Linear in float32: x [batch × inFeatures] → [batch × outFeatures]. */
export class Linear extends DigitalWeights {
  readonly type: string = 'Linear';
  readonly inFeatures: number;
  readonly outFeatures: number;
  private x: Float32Array | null = null;
  private batch = 0;

  constructor(inFeatures: number, outFeatures: number, options: { bias?: boolean; seed?: number } = {}) {
    checkPositiveInteger('Linear', 'inFeatures', inFeatures);
    checkPositiveInteger('Linear', 'outFeatures', outFeatures);
    super('Linear', inFeatures, outFeatures, options);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
  }

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    const where = 'Linear.forward';
    checkPositiveInteger(where, 'batch', batch);
    checkFloat32Array(where, 'x', x, batch * this.inFeatures, { shape: `batch ${batch} × inFeatures ${this.inFeatures}` });
    const y = new Float32Array(batch * this.outFeatures);
    matmulForward(x, batch, this.weight.value, this.bias?.value ?? null, this.inFeatures, this.outFeatures, y);
    this.x = x.slice();
    this.batch = batch;
    return y;
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    const x = this.x;
    if (!x) throw new ModuleError('Linear.backward: needs a forward pass first');
    checkFloat32Array('Linear.backward', 'dy', dy, this.batch * this.outFeatures);
    return matmulBackward(x, dy, this.batch, this.weight.value, this.inFeatures, this.outFeatures, this.weight, this.bias);
  }

  override getConfig(): ModuleConfig {
    return { type: this.type, inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null, seed: this.seed };
  }
}

/** The options of the digital convolutions (Conv1d, Conv2d). */
export interface ConvOptions extends ConvGeometryOptions {
  /** Whether the layer has a bias (default true). */
  bias?: boolean;
  /** Seed of the initial weights (default: the next layer seed, see manualSeed). */
  seed?: number;
}

abstract class DigitalConv extends DigitalWeights {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly window: Window2d;
  readonly inputSize: readonly [number, number] | null;
  private readonly dims: 1 | 2;
  private geometry: Geometry2d | null = null;
  private batch = 0;
  private col: Float32Array | null = null;
  private readonly colBuf = new Scratch();
  private readonly rowsBuf = new Scratch();

  protected constructor(where: string, dims: 1 | 2, inChannels: number, outChannels: number, kernelSize: unknown, options: ConvOptions) {
    checkPositiveInteger(where, 'inChannels', inChannels);
    checkPositiveInteger(where, 'outChannels', outChannels);
    const { window, inputSize } = convWindow(where, dims, kernelSize, options);
    super(where, inChannels * window.kernel[0] * window.kernel[1], outChannels, options);
    this.dims = dims;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.window = window;
    this.inputSize = inputSize;
  }

  private get fanIn(): number {
    return this.inChannels * this.window.kernel[0] * this.window.kernel[1];
  }

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    const where = `${this.type}.forward`;
    const features = checkBatch(where, x, batch);
    const g = geometry2d(where, this.window, this.inChannels, features, this.inputSize, false, this.dims === 1);
    const positions = g.outH * g.outW;
    const col = this.colBuf.get(batch * positions * this.fanIn);
    im2col(x, batch, g, col);
    const rows = this.rowsBuf.get(batch * positions * this.outChannels);
    matmulForward(col, batch * positions, this.weight.value, this.bias?.value ?? null, this.fanIn, this.outChannels, rows);
    const out = new Float32Array(rows.length);
    positionsToPlanes(rows, batch, positions, this.outChannels, out);
    this.geometry = g;
    this.batch = batch;
    this.col = col;
    return out;
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    const g = this.geometry;
    if (!g || !this.col) throw new ModuleError(`${this.type}.backward: needs a forward pass first`);
    const positions = g.outH * g.outW;
    checkFloat32Array(`${this.type}.backward`, 'dy', dy, this.batch * this.outChannels * positions);
    const rows = this.rowsBuf.get(dy.length);
    planesToPositions(dy, this.batch, positions, this.outChannels, rows);
    const dcol = matmulBackward(this.col, rows, this.batch * positions, this.weight.value, this.fanIn, this.outChannels, this.weight, this.bias);
    const dx = new Float32Array(this.batch * this.inChannels * g.inH * g.inW);
    col2im(dcol, this.batch, g, dx);
    return dx;
  }

  /** The kernel size per axis as given ([kh, kw] or [k]). */
  get kernelSize(): number[] {
    return axesOf(this.window.kernel, this.dims);
  }

  /** The options an analog layer needs to compute the same convolution. */
  convOptions(): Required<Pick<ConvOptions, 'stride' | 'padding' | 'dilation'>> & Pick<ConvOptions, 'inputSize'> {
    const axes = (v: readonly [number, number]): number[] => axesOf(v, this.dims);
    const out: Required<Pick<ConvOptions, 'stride' | 'padding' | 'dilation'>> & Pick<ConvOptions, 'inputSize'> = {
      stride: axes(this.window.stride),
      padding: axes(this.window.padding),
      dilation: axes(this.window.dilation),
    };
    if (this.inputSize) out.inputSize = axes(this.inputSize);
    return out;
  }

  override getConfig(): ModuleConfig {
    return {
      type: this.type,
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: this.kernelSize,
      ...this.convOptions(),
      bias: this.bias !== null,
      seed: this.seed,
    };
  }
}

/** torch.nn.Conv1d in float32 (groups 1, zero padding): x [batch × C·L] → [batch × outC·outL]. */
export class Conv1d extends DigitalConv {
  readonly type: string = 'Conv1d';
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvOptions = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, options);
  }
}

/** torch.nn.Conv2d in float32 (groups 1, zero padding): x [batch × C·H·W] → [batch × outC·outH·outW]. */
export class Conv2d extends DigitalConv {
  readonly type: string = 'Conv2d';
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvOptions = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, options);
  }
}

export type DigitalConvLayer = Conv1d | Conv2d;
