/**
 * The analog convolutions: the same as AnalogLinear on the unrolled input (bit
 * for bit, on every engine, noise included), the convolution formula itself
 * (written out here independently of im2col), the mapped forms, and refusals.
 */
import { describe, expect, it } from 'vitest';
import { FloatingPointRPUConfig, InferenceRPUConfig, SingleRPUConfig } from '@crossbar/core';
import { AnalogConv1d, AnalogConv1dMapped, AnalogConv2d, AnalogConv2dMapped, AnalogLinear, AnalogSGD, Conv2d, loadModel, saveModel } from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';
import { maxAbsDiff, uniform } from './helpers/data.js';
import { referenceEngine } from './helpers/reference-engine.js';

/** The unrolled input, written as the textbook definition: row (b, oh, ow), column (c, i, j). */
function unroll(
  x: Float32Array,
  batch: number,
  [C, H, W]: number[],
  [kh, kw]: number[],
  [sh, sw]: number[],
  [ph, pw]: number[],
  [dh, dw]: number[],
): { col: Float32Array; outH: number; outW: number } {
  const outH = Math.floor((H + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const outW = Math.floor((W + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const rows: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let c = 0; c < C; c++) {
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const ih = oh * sh - ph + i * dh;
              const iw = ow * sw - pw + j * dw;
              rows.push(ih >= 0 && ih < H && iw >= 0 && iw < W ? x[b * C * H * W + c * H * W + ih * W + iw]! : 0);
            }
          }
        }
      }
    }
  }
  return { col: Float32Array.from(rows), outH, outW };
}

/** y [batch·L × m] (rows per position) → [batch × m × L]. */
function toPlanes(y: Float32Array, batch: number, L: number, m: number): Float32Array {
  const out = new Float32Array(y.length);
  for (let b = 0; b < batch; b++) for (let p = 0; p < L; p++) for (let c = 0; c < m; c++) out[b * m * L + c * L + p] = y[(b * L + p) * m + c]!;
  return out;
}

/** Direct convolution sum in float64: y[b, o, oh, ow] = bias[o] + Σ w[o, c, i, j] · x[b, c, oh·s − p + i·d, ...]. */
function directConv(
  x: Float32Array,
  batch: number,
  w: Float32Array,
  bias: Float32Array,
  shape: number[],
  outC: number,
  k: number[],
  s: number[],
  p: number[],
  d: number[],
): Float64Array {
  const [C, H, W] = shape as [number, number, number];
  const outH = Math.floor((H + 2 * p[0]! - d[0]! * (k[0]! - 1) - 1) / s[0]!) + 1;
  const outW = Math.floor((W + 2 * p[1]! - d[1]! * (k[1]! - 1) - 1) / s[1]!) + 1;
  const y = new Float64Array(batch * outC * outH * outW);
  for (let b = 0; b < batch; b++)
    for (let o = 0; o < outC; o++)
      for (let oh = 0; oh < outH; oh++)
        for (let ow = 0; ow < outW; ow++) {
          let sum = bias[o]!;
          for (let c = 0; c < C; c++)
            for (let i = 0; i < k[0]!; i++)
              for (let j = 0; j < k[1]!; j++) {
                const ih = oh * s[0]! - p[0]! + i * d[0]!;
                const iw = ow * s[1]! - p[1]! + j * d[1]!;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                sum += w[((o * C + c) * k[0]! + i) * k[1]! + j]! * x[((b * C + c) * H + ih) * W + iw]!;
              }
          y[((b * outC + o) * outH + oh) * outW + ow] = sum;
        }
  return y;
}

function conformanceSuite(engine: string): void {
  const cases = [
    {
      name: 'stride 2, padding 1, dilation 1, analog bias, SingleRPUConfig',
      cfg: () => new SingleRPUConfig({ mapping: { digitalBias: false } }),
      s: [2, 1],
      p: [1, 1],
      d: [1, 1],
    },
    {
      name: 'dilation 2, padding 2, digital bias, InferenceRPUConfig (HWA modifier, input range)',
      cfg: () => new InferenceRPUConfig({ modifier: { type: 'AddNormal', stdDev: 0.05 }, prePost: { inputRange: { enable: true, manageOutputClipping: false } } }),
      s: [1, 2],
      p: [2, 0],
      d: [2, 1],
    },
  ];
  for (const c of cases) {
    it(`AnalogConv2d equals AnalogLinear on the unrolled input bit for bit: ${c.name}`, async () => {
      const shape = [3, 7, 6];
      const k = [3, 2];
      const batch = 2;
      const conv = new AnalogConv2d(3, 4, k, { stride: c.s, padding: c.p, dilation: c.d, inputSize: [7, 6], rpuConfig: c.cfg(), engine, seed: 21 });
      const lin = new AnalogLinear(3 * 3 * 2, 4, { rpuConfig: c.cfg(), engine, seed: 21 });
      const x = uniform(batch * 3 * 7 * 6, 3);
      const { col, outH, outW } = unroll(x, batch, shape, k, c.s, c.p, c.d);
      expect(conv.outputShape()).toEqual([4, outH, outW]);
      const L = outH * outW;
      for (const mode of ['train', 'eval'] as const) {
        conv.train(mode === 'train');
        lin.train(mode === 'train');
        const yc = await conv.forward(x, batch);
        const yl = await lin.forward(col, batch * L);
        expect(Array.from(yc)).toEqual(Array.from(toPlanes(yl, batch, L, 4)));
      }
      conv.train();
      lin.train();
      const optC = new AnalogSGD(conv, { lr: 0.1 });
      const optL = new AnalogSGD(lin, { lr: 0.1 });
      const dy = uniform(batch * 4 * L, 4);
      optC.zeroGrad();
      optL.zeroGrad();
      await conv.forward(x, batch);
      await lin.forward(col, batch * L);
      const dxc = await conv.backward(dy);
      // dy in rows per position for the linear layer.
      const dyRows = new Float32Array(dy.length);
      for (let b = 0; b < batch; b++) for (let p = 0; p < L; p++) for (let o = 0; o < 4; o++) dyRows[(b * L + p) * 4 + o] = dy[b * 4 * L + o * L + p]!;
      const dcol = await lin.backward(dyRows);
      // dx is the adjoint of the unrolling: Σ over the patches that read each pixel.
      const dx = new Float64Array(x.length);
      const probe = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        probe.fill(0);
        probe[i] = 1;
        const u = unroll(probe, batch, shape, k, c.s, c.p, c.d).col;
        let s = 0;
        for (let r = 0; r < u.length; r++) if (u[r] !== 0) s += dcol[r]!;
        dx[i] = s;
      }
      expect(maxAbsDiff(dxc, dx)).toBeLessThan(1e-5);
      await optC.step();
      await optL.step();
      const wc = await conv.getWeights();
      const wl = await lin.getWeights();
      expect(Array.from(wc.weight)).toEqual(Array.from(wl.weight));
      expect(wc.bias && Array.from(wc.bias)).toEqual(wl.bias && Array.from(wl.bias));
      await conv.dispose();
      await lin.dispose();
    });
  }

  it('AnalogConv2d with a floating-point config computes the convolution (direct sum) and matches the digital Conv2d', async () => {
    const k = [3, 3];
    const conv = new AnalogConv2d(2, 3, 3, { padding: 1, stride: 2, rpuConfig: new FloatingPointRPUConfig(), engine, seed: 5 });
    const digital = new Conv2d(2, 3, 3, { padding: 1, stride: 2, seed: 5 });
    const { weight, bias } = await conv.getWeights();
    digital.setWeights(weight, bias);
    const x = uniform(2 * 2 * 8 * 8, 9);
    const want = directConv(x, 2, weight, bias!, [2, 8, 8], 3, k, [2, 2], [1, 1], [1, 1]);
    expect(maxAbsDiff(await conv.eval().forward(x, 2), want)).toBeLessThan(2e-6);
    expect(maxAbsDiff(await digital.forward(x, 2), want)).toBeLessThan(2e-6);
    await conv.dispose();
  });

  it('AnalogConv1d is the 2-d convolution of a one-row image', async () => {
    const conv = new AnalogConv1d(2, 3, 3, { stride: 2, padding: 1, rpuConfig: new FloatingPointRPUConfig(), engine, seed: 6 });
    const { weight, bias } = await conv.getWeights();
    const x = uniform(3 * 2 * 9, 10);
    const want = directConv(x, 3, weight, bias!, [2, 1, 9], 3, [1, 3], [1, 2], [0, 1], [1, 1]);
    expect(conv.outputShape(9)).toEqual([3, 5]);
    expect(maxAbsDiff(await conv.eval().forward(x, 3), want)).toBeLessThan(2e-6);
    await conv.dispose();
  });

  it('mapped convolutions split the input channels over tiles of whole kernels and compute the same', async () => {
    const cfg = new FloatingPointRPUConfig({ mapping: { maxInputSize: 20, maxOutputSize: 3 } });
    const mapped = new AnalogConv2dMapped(5, 4, 3, { rpuConfig: cfg, engine, seed: 7 });
    // 9 inputs per channel: 20 fit 2 channels, so 5 channels in 3 tiles (2, 2, 1); 4 outputs in 2 tiles.
    expect(mapped.gridShape).toEqual([3, 2]);
    expect(mapped.inSizes).toEqual([18, 18, 9]);
    const single = new AnalogConv2d(5, 4, 3, { rpuConfig: new FloatingPointRPUConfig(), engine, seed: 7 });
    const { weight, bias } = await mapped.getWeights();
    await single.setWeights(weight, bias);
    const x = uniform(2 * 5 * 6 * 6, 11);
    expect(maxAbsDiff(await mapped.eval().forward(x, 2), await single.eval().forward(x, 2))).toBeLessThan(2e-6);
    const m1 = new AnalogConv1dMapped(3, 2, 2, { rpuConfig: new FloatingPointRPUConfig({ mapping: { maxInputSize: 4 } }), engine, seed: 8 });
    expect(m1.gridShape).toEqual([2, 1]);
    for (const l of [mapped, single, m1]) await l.dispose();
  });

  it('saves and loads a convolution with its geometry and tiles', async () => {
    const conv = new AnalogConv2d(2, 3, [2, 3], { stride: [1, 2], padding: [1, 0], inputSize: [5, 7], rpuConfig: new InferenceRPUConfig(), engine, seed: 9 });
    const x = uniform(2 * 2 * 5 * 7, 12);
    conv.eval();
    const saved = JSON.stringify(await saveModel(conv));
    const y = await conv.forward(x, 2);
    const loaded = await loadModel(saved);
    expect(loaded.getConfig()).toEqual(conv.getConfig());
    expect(Array.from(await loaded.eval().forward(x, 2))).toEqual(Array.from(y));
    await conv.dispose();
    await loaded.dispose();
  });
}

describeEachEngine('analog convolutions', (engine) => conformanceSuite(engine));

describe('analog convolution refusals', () => {
  const engine = referenceEngine;
  it('refuses groups, padding modes and Conv1d dilation as aihwkit', () => {
    expect(() => new AnalogConv2d(4, 4, 3, { groups: 2, engine })).toThrow(/groups = 2 is not supported, only one group/);
    expect(() => new AnalogConv2d(4, 4, 3, { paddingMode: 'reflect', engine })).toThrow(/paddingMode 'reflect' is not supported/);
    expect(() => new AnalogConv1d(4, 4, 3, { dilation: 2, engine })).toThrow(/dilation = 2 is not supported/);
    expect(() => new AnalogConv2d(4, 4, [3, 3, 3], { engine })).toThrow(/kernelSize must be an integer or 2 integers/);
    expect(() => new AnalogConv2d(4, 4, 3, { stride: 0, engine })).toThrow(/stride must be integers >= 1/);
    expect(() => new AnalogConv2d(0, 4, 3, { engine })).toThrow(/inChannels must be a positive integer/);
  });

  it('refuses a mapped convolution with an analog bias or tiles smaller than one kernel', () => {
    expect(() => new AnalogConv2dMapped(2, 2, 3, { rpuConfig: new SingleRPUConfig({ mapping: { digitalBias: false, maxInputSize: 9 } }), engine })).toThrow(
      /only a digital bias is supported/,
    );
    expect(() => new AnalogConv2dMapped(2, 2, 3, { rpuConfig: new SingleRPUConfig({ mapping: { maxInputSize: 8 } }), engine })).toThrow(
      /too small to fit a single kernel: 9 > mapping.maxInputSize 8/,
    );
  });

  it('refuses inputs that do not fit and changes nothing', async () => {
    const conv = new AnalogConv2d(2, 3, 3, { rpuConfig: new FloatingPointRPUConfig(), engine, seed: 1 });
    await expect(conv.forward(new Float32Array(2 * 2 * 5 * 6), 2)).rejects.toThrow(/not 2 square channels; give inputSize/);
    await expect(conv.forward(new Float32Array(2 * 2 * 2 * 2), 2)).rejects.toThrow(/smaller than the kernel/);
    await expect(conv.forward(new Float32Array(7), 2)).rejects.toThrow(/not batch 2 ×/);
    const bad = new Float32Array(2 * 5 * 5);
    bad[3] = NaN;
    await expect(conv.forward(bad, 1)).rejects.toThrow(/x\[3\] is NaN/);
    const fixed = new AnalogConv2d(2, 3, 3, { inputSize: [5, 6], rpuConfig: new FloatingPointRPUConfig(), engine, seed: 1 });
    await expect(fixed.forward(new Float32Array(2 * 5 * 5), 1)).rejects.toThrow(/input shape \[2, 5, 6\] needs 60/);
    await expect(conv.backward(new Float32Array(3))).rejects.toThrow(/needs a forward pass first/);
    await conv.forward(new Float32Array(2 * 5 * 5), 1);
    await expect(conv.backward(new Float32Array(3))).rejects.toThrow(/dy must have 27 elements/);
  });
});
