/**
 * Analog convolutions (aihwkit v.0.7.1 src/aihwkit/nn/modules/conv.py and
 * conv_mapped.py, the CPU path `_forward_unfold`): the kernel is unrolled to a
 * [outChannels × inChannels·kh·kw] weight matrix on the tile(s), the input is
 * unfolded (im2col) to one row per output position, and the whole
 * [batch·positions × inChannels·kh·kw] matrix goes through the linear layer's
 * machinery as one batch: input range, analog bias column, weight scaling,
 * forward/backward/update and the post-update step exactly as AnalogLinear.
 * Data is row-major [batch × C·H·W] (PyTorch's NCHW, flattened per sample).
 */
import { checkFloat32Array, checkPositiveInteger, ConfigError, InputError, rpuConfigToDict } from '@crossbar/core';
import { ModuleError } from './errors.js';
import { AnalogLinearBase, splitSizes, type AnalogLinearOptions } from './linear.js';
import type { ModuleConfig } from './module.js';
import {
  axesOf,
  checkInputSize,
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

export interface AnalogConvOptions extends AnalogLinearOptions, ConvGeometryOptions {
  /** Only 1 is supported (as aihwkit). */
  groups?: number;
  /** Only 'zeros' is supported (as aihwkit). */
  paddingMode?: string;
}

interface ConvSpec {
  dims: 1 | 2;
  inChannels: number;
  outChannels: number;
  window: Window2d;
  inputSize: [number, number] | null;
}

function convSpec(where: string, dims: 1 | 2, inChannels: number, outChannels: number, kernelSize: unknown, options: AnalogConvOptions): ConvSpec {
  if (options === null || typeof options !== 'object') throw new InputError(`${where}: options must be an object`);
  checkPositiveInteger(where, 'inChannels', inChannels);
  checkPositiveInteger(where, 'outChannels', outChannels);
  const groups = options.groups ?? 1;
  if (groups !== 1) throw new ConfigError(`${where}: groups = ${String(groups)} is not supported, only one group (as aihwkit)`);
  const paddingMode = options.paddingMode ?? 'zeros';
  if (paddingMode !== 'zeros') throw new ConfigError(`${where}: paddingMode '${String(paddingMode)}' is not supported, only 'zeros' (as aihwkit)`);
  const { window, inputSize } = convWindow(where, dims, kernelSize, options);
  // aihwkit's AnalogConv1d refuses dilation (its indexed path has none).
  if (dims === 1 && window.dilation[1] !== 1) throw new ConfigError(`${where}: dilation = ${window.dilation[1]} is not supported, only 1 (as aihwkit)`);
  return { dims, inChannels, outChannels, window, inputSize };
}

/**
 * aihwkit's _AnalogConvNdMapped.get_split_sizes: input channels over tiles of
 * at most maxInputSize inputs, whole kernels per tile.
 */
function channelSplit(where: string, inChannels: number, kernelElements: number, maxInputSize: number): number[] {
  if (maxInputSize <= 0) return [inChannels * kernelElements];
  if (kernelElements > maxInputSize) {
    throw new ConfigError(`${where}: the tile size is too small to fit a single kernel: ${kernelElements} > mapping.maxInputSize ${maxInputSize}`);
  }
  return splitSizes(inChannels, Math.floor(maxInputSize / kernelElements)).map((c) => c * kernelElements);
}

abstract class AnalogConvBase extends AnalogLinearBase {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Kernel, stride, padding, dilation per axis ([height, width]; a 1-d layer's height is 1). */
  readonly window: Window2d;
  /** The spatial input size if fixed ([height, width]; 1-d: [1, length]), else null (inferred per call). */
  readonly inputSize: readonly [number, number] | null;
  private readonly dims: 1 | 2;
  private geometry: Geometry2d | null = null;
  private convBatch = 0;
  // im2col and transposition buffers, reused across calls (their contents are copied where kept).
  private readonly colBuf = new Scratch();
  private readonly dyBuf = new Scratch();

  protected constructor(where: string, spec: ConvSpec, options: AnalogConvOptions, mapped: boolean) {
    const kernelElements = spec.window.kernel[0] * spec.window.kernel[1];
    super(where, spec.inChannels * kernelElements, spec.outChannels, options, (cfg) => {
      if (!mapped) return { inSizes: [spec.inChannels * kernelElements], outSizes: [spec.outChannels] };
      if ((options.bias ?? true) && !cfg.mapping.digitalBias) {
        throw new ConfigError(`${where}: only a digital bias is supported (rpuConfig.mapping.digitalBias must be true, or bias: false), as in aihwkit`);
      }
      return {
        inSizes: channelSplit(where, spec.inChannels, kernelElements, cfg.mapping.maxInputSize),
        outSizes: splitSizes(spec.outChannels, cfg.mapping.maxOutputSize),
      };
    });
    this.dims = spec.dims;
    this.inChannels = spec.inChannels;
    this.outChannels = spec.outChannels;
    this.window = spec.window;
    this.inputSize = spec.inputSize;
  }

  /** The kernel size per axis as given ([kh, kw] or [k]). */
  get kernelSize(): number[] {
    return axesOf(this.window.kernel, this.dims);
  }

  /** The output's [channels, height, width] (1-d: [channels, length]) for an input of `inputSize` (default the layer's). */
  outputShape(inputSize?: number | number[]): number[] {
    const where = `${this.type}.outputShape`;
    let hw = this.inputSize;
    if (inputSize !== undefined) {
      const size = checkInputSize(where, inputSize, this.dims)!;
      hw = this.dims === 1 ? [1, size[0]!] : [size[0]!, size[1]!];
    }
    if (!hw) throw new InputError(`${where}: the layer has no fixed inputSize; give one`);
    const g = geometry2d(where, this.window, this.inChannels, this.inChannels * hw[0] * hw[1], hw);
    return this.dims === 1 ? [this.outChannels, g.outW] : [this.outChannels, g.outH, g.outW];
  }

  /** The outputs [batch × outChannels·outH·outW] of images x [batch × inChannels·H·W]; keeps what backward needs. */
  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    const where = `${this.type}.forward`;
    checkPositiveInteger(where, 'batch', batch);
    if (!(x instanceof Float32Array)) checkFloat32Array(where, 'x', x, 0);
    if (x.length === 0 || x.length % batch !== 0) {
      throw new InputError(`${where}: x has ${x.length} elements, which is not batch ${batch} × a positive number of features`);
    }
    checkFloat32Array(where, 'x', x, x.length);
    const g = geometry2d(where, this.window, this.inChannels, x.length / batch, this.inputSize, false, this.dims === 1);
    const positions = g.outH * g.outW;
    const col = this.colBuf.get(batch * positions * this.inFeatures);
    im2col(x, batch, g, col);
    const y = await super.forward(col, batch * positions);
    const out = new Float32Array(batch * this.outChannels * positions);
    positionsToPlanes(y, batch, positions, this.outChannels, out);
    this.geometry = g;
    this.convBatch = batch;
    return out;
  }

  /** dL/dy of the last forward pass → dL/dx; records the analog update of each output position. */
  override async backward(dy: Float32Array): Promise<Float32Array> {
    const where = `${this.type}.backward`;
    const g = this.geometry;
    if (!g) throw new ModuleError(`${where}: needs a forward pass first`);
    const batch = this.convBatch;
    const positions = g.outH * g.outW;
    checkFloat32Array(where, 'dy', dy, batch * this.outChannels * positions, {
      shape: `batch ${batch} × outChannels ${this.outChannels} × ${positions} output positions`,
    });
    const dyRows = this.dyBuf.get(dy.length);
    planesToPositions(dy, batch, positions, this.outChannels, dyRows);
    const dcol = await super.backward(dyRows);
    const dx = new Float32Array(batch * this.inChannels * g.inH * g.inW);
    col2im(dcol, batch, g, dx);
    return dx;
  }

  /** The module's architecture entry (type and constructor arguments) for a saved model. */
  override getConfig(): ModuleConfig {
    const axes = (v: readonly [number, number]): number[] => axesOf(v, this.dims);
    const config: ModuleConfig = {
      type: this.type,
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: axes(this.window.kernel),
      stride: axes(this.window.stride),
      padding: axes(this.window.padding),
      dilation: axes(this.window.dilation),
      bias: this.useBias,
      seed: this.seed,
      rpuConfig: rpuConfigToDict(this.rpuConfig),
    };
    if (this.inputSize) config.inputSize = axes(this.inputSize);
    return config;
  }

  override async loadStateDict(...args: Parameters<AnalogLinearBase['loadStateDict']>): Promise<void> {
    await super.loadStateDict(...args);
    this.geometry = null;
  }
}

/**
 * 1-d convolution on one analog tile (aihwkit's AnalogConv1d): x [batch ×
 * inChannels·length] → [batch × outChannels·outLength]. Dilation 1 only, as aihwkit.
 */
export class AnalogConv1d extends AnalogConvBase {
  readonly type: string = 'AnalogConv1d';
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: AnalogConvOptions = {}) {
    super('AnalogConv1d', convSpec('AnalogConv1d', 1, inChannels, outChannels, kernelSize, options), options, false);
  }
  protected tileName(): string {
    return '0';
  }
}

/**
 * 2-d convolution on one analog tile (aihwkit's AnalogConv2d): x [batch ×
 * inChannels·H·W] → [batch × outChannels·outH·outW].
 */
export class AnalogConv2d extends AnalogConvBase {
  readonly type: string = 'AnalogConv2d';
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: AnalogConvOptions = {}) {
    super('AnalogConv2d', convSpec('AnalogConv2d', 2, inChannels, outChannels, kernelSize, options), options, false);
  }
  protected tileName(): string {
    return '0';
  }
}

/**
 * AnalogConv1d over a grid of tiles (aihwkit's AnalogConv1dMapped): input
 * channels split so that each tile holds whole kernels within
 * mapping.maxInputSize inputs, output channels within maxOutputSize; digital bias only.
 */
export class AnalogConv1dMapped extends AnalogConvBase {
  readonly type: string = 'AnalogConv1dMapped';
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: AnalogConvOptions = {}) {
    super('AnalogConv1dMapped', convSpec('AnalogConv1dMapped', 1, inChannels, outChannels, kernelSize, options), options, true);
  }
  protected tileName(i: number, j: number): string {
    return `${i}_${j}`;
  }
  get gridShape(): [number, number] {
    return [this.inSizes.length, this.outSizes.length];
  }
}

/** AnalogConv2d over a grid of tiles (aihwkit's AnalogConv2dMapped), split as AnalogConv1dMapped. */
export class AnalogConv2dMapped extends AnalogConvBase {
  readonly type: string = 'AnalogConv2dMapped';
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: AnalogConvOptions = {}) {
    super('AnalogConv2dMapped', convSpec('AnalogConv2dMapped', 2, inChannels, outChannels, kernelSize, options), options, true);
  }
  protected tileName(i: number, j: number): string {
    return `${i}_${j}`;
  }
  get gridShape(): [number, number] {
    return [this.inSizes.length, this.outSizes.length];
  }
}

export type AnalogConvClass = typeof AnalogConv1d | typeof AnalogConv2d | typeof AnalogConv1dMapped | typeof AnalogConv2dMapped;
