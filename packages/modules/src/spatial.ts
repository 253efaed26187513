/**
 * Image geometry shared by the convolutions and the pooling layers. Data stays
 * row-major [batch × features] as everywhere in this package; an image sample
 * is its channels one after the other, each row by row (PyTorch's NCHW). A 1-d
 * signal [C × L] is the image [C × 1 × L].
 */
import { checkPositiveInteger, InputError } from '@crossbar/core';

/** Kernel geometry of a 2-d window over [C × H × W] images (one value per axis: height, width). */
export interface Window2d {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}

/** The concrete shapes of one pass: input [C × H × W] → output [outH × outW] positions per channel. */
export interface Geometry2d extends Window2d {
  channels: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
}

/** The geometry options every convolution takes (analog and digital). */
export interface ConvGeometryOptions {
  /** Stride per axis (default 1). */
  stride?: number | number[];
  /** Zero padding on both sides per axis (default 0). */
  padding?: number | number[];
  /** Spacing of the kernel elements per axis (default 1). */
  dilation?: number | number[];
  /**
   * The input's spatial size: [height, width] (2-d) or the length (1-d).
   * Without it each call infers it: square images, or the whole row.
   */
  inputSize?: number | number[];
}

/** A convolution's kernel and geometry options as a 2-d window (a 1-d layer is a one-row image) and its fixed input size. */
export function convWindow(where: string, dims: 1 | 2, kernelSize: unknown, options: ConvGeometryOptions): { window: Window2d; inputSize: [number, number] | null } {
  const k = perAxis(where, 'kernelSize', kernelSize, dims, 1);
  const s = perAxis(where, 'stride', options.stride ?? 1, dims, 1);
  const p = perAxis(where, 'padding', options.padding ?? 0, dims, 0);
  const d = perAxis(where, 'dilation', options.dilation ?? 1, dims, 1);
  const size = checkInputSize(where, options.inputSize, dims);
  const pair = (v: number[], one: number): [number, number] => (dims === 1 ? [one, v[0]!] : [v[0]!, v[1]!]);
  return {
    window: { kernel: pair(k, 1), stride: pair(s, 1), padding: pair(p, 0), dilation: pair(d, 1) },
    inputSize: size ? pair(size, 1) : null,
  };
}

/** A window's per-axis values as the layer was given them ([h, w], or [w] for a 1-d layer). */
export function axesOf(v: readonly [number, number], dims: 1 | 2): number[] {
  return dims === 1 ? [v[1]] : [...v];
}

/** torch's `_pair`/`_single`: one number for every axis, or one per axis. */
export function perAxis(where: string, name: string, value: unknown, axes: number, min: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(axes).fill(value) : value;
  if (!Array.isArray(list) || list.length !== axes) {
    throw new InputError(`${where}: ${name} must be an integer or ${axes} integers, got ${JSON.stringify(value)}`);
  }
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new InputError(`${where}: ${name} must be integers >= ${min}, got ${JSON.stringify(value)}`);
    }
  }
  return [...(list as number[])];
}

/** torch's output length of one axis: ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 (⌈⌉ with ceilMode). */
export function outputLength(n: number, k: number, s: number, p: number, d: number, ceilMode = false): number {
  const span = n + 2 * p - d * (k - 1) - 1;
  if (span < 0) return 0;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // torch: with ceil_mode the last window must start inside the input or the left padding.
  if (ceilMode && (out - 1) * s >= n + p) out--;
  return out;
}

/**
 * The geometry of a pass over x with `features` values per sample: [channels × H × W]
 * given (`inputSize` [H, W]) or, without it, square (H = W = √(features / channels)), or
 * with `oneD` a row [1 × features / channels].
 */
export function geometry2d(
  where: string,
  window: Window2d,
  channels: number,
  features: number,
  inputSize: readonly [number, number] | null,
  ceilMode = false,
  oneD = false,
): Geometry2d {
  let inH: number;
  let inW: number;
  if (inputSize) {
    [inH, inW] = inputSize;
    if (features !== channels * inH * inW) {
      throw new InputError(`${where}: each sample has ${features} values, the input shape [${channels}, ${inH}, ${inW}] needs ${channels * inH * inW}`);
    }
  } else if (oneD) {
    if (features % channels !== 0) throw new InputError(`${where}: each sample has ${features} values, which is not ${channels} channels × a length`);
    inH = 1;
    inW = features / channels;
  } else {
    const side = Math.round(Math.sqrt(features / channels));
    if (features % channels !== 0 || side * side * channels !== features) {
      throw new InputError(`${where}: each sample has ${features} values, which is not ${channels} square channels; give inputSize [height, width]`);
    }
    inH = side;
    inW = side;
  }
  const outH = outputLength(inH, window.kernel[0], window.stride[0], window.padding[0], window.dilation[0], ceilMode);
  const outW = outputLength(inW, window.kernel[1], window.stride[1], window.padding[1], window.dilation[1], ceilMode);
  if (outH < 1 || outW < 1) {
    throw new InputError(
      `${where}: the input [${channels}, ${inH}, ${inW}] is smaller than the kernel [${window.kernel.join(', ')}] ` +
        `(dilation [${window.dilation.join(', ')}], padding [${window.padding.join(', ')}]): no output position`,
    );
  }
  return { ...window, channels, inH, inW, outH, outW };
}

/** Checks an `inputSize` option: `axes` positive integers (or undefined). */
export function checkInputSize(where: string, value: unknown, axes: number): number[] | null {
  if (value === undefined || value === null) return null;
  const list = typeof value === 'number' && axes === 1 ? [value] : value;
  if (!Array.isArray(list) || list.length !== axes) {
    throw new InputError(`${where}: inputSize must be ${axes === 1 ? 'the signal length' : '[height, width]'}, got ${JSON.stringify(value)}`);
  }
  list.forEach((v, i) => checkPositiveInteger(where, `inputSize[${i}]`, v));
  return [...(list as number[])];
}

/**
 * im2col (torch.nn.functional.unfold, transposed as aihwkit's _forward_unfold):
 * x [batch × C·H·W] → col [batch·outH·outW × C·kh·kw], one row per output
 * position (batch outer, then row, then column), its columns in the order of a
 * torch conv weight's flattened [C × kh × kw]; padding reads as 0. Writes into
 * `col` (length checked by the caller).
 */
export function im2col(x: Float32Array, batch: number, g: Geometry2d, col: Float32Array): void {
  patches(x, batch, g, col, true);
}

/** col2im, the adjoint of im2col: dx [batch × C·H·W] = Σ of dcol's entries at the pixels they were read from (padding dropped). */
export function col2im(dcol: Float32Array, batch: number, g: Geometry2d, dx: Float32Array): void {
  dx.fill(0);
  patches(dx, batch, g, dcol, false);
}

/** The one walk over every (patch row, column) ↔ pixel pair: col ← image (toCols) or image += col. */
function patches(image: Float32Array, batch: number, g: Geometry2d, col: Float32Array, toCols: boolean): void {
  const { channels: C, inH: H, inW: W, outH, outW } = g;
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.stride;
  const [ph, pw] = g.padding;
  const [dh, dw] = g.dilation;
  const K = C * kh * kw;
  let row = 0;
  for (let b = 0; b < batch; b++) {
    const xb = b * C * H * W;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, row++) {
        let o = row * K;
        for (let c = 0; c < C; c++) {
          const xc = xb + c * H * W;
          for (let i = 0; i < kh; i++) {
            const ih = oh * sh - ph + i * dh;
            const inside = ih >= 0 && ih < H;
            const xr = xc + ih * W;
            for (let j = 0; j < kw; j++, o++) {
              const iw = ow * sw - pw + j * dw;
              const pixel = inside && iw >= 0 && iw < W;
              if (toCols) col[o] = pixel ? image[xr + iw]! : 0;
              else if (pixel) image[xr + iw] = image[xr + iw]! + col[o]!;
            }
          }
        }
      }
    }
  }
}

/** [batch·L × C] (one row per position) → [batch × C·L] (channel planes), into `out`. */
export function positionsToPlanes(y: Float32Array, batch: number, positions: number, channels: number, out: Float32Array): void {
  for (let b = 0; b < batch; b++) {
    const yb = b * positions * channels;
    const ob = b * channels * positions;
    for (let p = 0; p < positions; p++) {
      const yr = yb + p * channels;
      for (let c = 0; c < channels; c++) out[ob + c * positions + p] = y[yr + c]!;
    }
  }
}

/** [batch × C·L] (channel planes) → [batch·L × C] (one row per position), into `out`. */
export function planesToPositions(x: Float32Array, batch: number, positions: number, channels: number, out: Float32Array): void {
  for (let b = 0; b < batch; b++) {
    const xb = b * channels * positions;
    const ob = b * positions * channels;
    for (let c = 0; c < channels; c++) {
      const xc = xb + c * positions;
      for (let p = 0; p < positions; p++) out[ob + p * channels + c] = x[xc + p]!;
    }
  }
}

/** A reusable scratch array: the same buffer while the size stays, a new one when it changes. */
export class Scratch {
  private buf = new Float32Array(0);
  get(length: number): Float32Array {
    if (this.buf.length !== length) this.buf = new Float32Array(length);
    return this.buf;
  }
}
