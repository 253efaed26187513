/**
 * The digital layers against values computed by hand, and convertToAnalog.
 */
import { describe, expect, it } from 'vitest';
import { FloatingPointRPUConfig, InferenceRPUConfig } from '@crossbar/core';
import {
  AnalogConv2d,
  AnalogConv2dMapped,
  AnalogLinear,
  AnalogLinearMapped,
  AnalogSequential,
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  convertToAnalog,
  Dropout,
  Flatten,
  GELU,
  Linear,
  loadModel,
  LogSoftmax,
  MaxPool2d,
  ReLU,
  saveModel,
} from '../src/index.js';
import { erf } from '../src/layers.js';
import './helpers/engines.js';
import { maxAbsDiff, uniform } from './helpers/data.js';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const close = (a: ArrayLike<number>, b: number[], tol = 1e-6): void => {
  expect(a.length).toBe(b.length);
  b.forEach((v, i) => expect(Math.abs(a[i]! - v), `[${i}] ${a[i]} vs ${v}`).toBeLessThan(tol));
};

describe('MaxPool2d', () => {
  // One 4 × 4 plane: 1..16 row by row, with a 20 at (1, 2).
  const x = f32(1, 2, 3, 4, 5, 6, 20, 8, 9, 10, 11, 12, 13, 14, 15, 16);
  it('takes the max of each window and routes dy to it', async () => {
    const pool = new MaxPool2d(2, { inputShape: [1, 4, 4] });
    expect(pool.outputShape).toEqual([1, 2, 2]);
    close(await pool.forward(x, 1), [6, 20, 14, 16]);
    const dx = await pool.backward(f32(1, 2, 3, 4));
    const want = new Array(16).fill(0);
    want[5] = 1;
    want[6] = 2;
    want[13] = 3;
    want[15] = 4;
    close(dx, want);
  });
  it('stride 1, padding 1 (padding never wins), ceil mode', async () => {
    const p = new MaxPool2d(2, { stride: 1, padding: 1, inputShape: [1, 2, 2] });
    close(await p.forward(f32(-1, -2, -3, -4), 1), [-1, -1, -2, -1, -1, -2, -3, -3, -4]);
    const c = new MaxPool2d(2, { stride: 2, ceilMode: true, inputShape: [1, 3, 3] });
    expect(c.outputShape).toEqual([1, 2, 2]);
    close(await c.forward(f32(1, 2, 3, 4, 5, 6, 7, 8, 9), 1), [5, 6, 8, 9]);
  });
  it('refuses inputs of another shape and padding over half the kernel', async () => {
    await expect(new MaxPool2d(2, { inputShape: [2, 4, 4] }).forward(x, 1)).rejects.toThrow(/each sample has 16 values, inputShape \[2, 4, 4\] needs 32/);
    expect(() => new MaxPool2d(2, { padding: 2, inputShape: [1, 4, 4] })).toThrow(/padding 2 must be at most half the kernel size 2/);
    expect(() => new MaxPool2d(2, {} as never)).toThrow(/inputShape must be an integer or 3 integers/);
  });
});

describe('AvgPool2d', () => {
  it('averages each window; with padding torch’s divisors (count_include_pad true and false)', async () => {
    const x = f32(1, 2, 3, 4, 5, 6, 7, 8, 9);
    const a = new AvgPool2d(2, { stride: 1, inputShape: [1, 3, 3] });
    close(await a.forward(x, 1), [3, 4, 6, 7]);
    close(await a.backward(f32(4, 4, 4, 4)), [1, 2, 1, 2, 4, 2, 1, 2, 1]);
    const inc = new AvgPool2d(2, { stride: 2, padding: 1, inputShape: [1, 3, 3] });
    // Windows: {1}, {2,3}, {4,7}, {5,6,8,9}; divisor 4 each (padding counts).
    close(await inc.forward(x, 1), [0.25, 1.25, 2.75, 7]);
    const exc = new AvgPool2d(2, { stride: 2, padding: 1, countIncludePad: false, inputShape: [1, 3, 3] });
    close(await exc.forward(x, 1), [1, 2.5, 5.5, 7]);
  });
});

describe('BatchNorm2d', () => {
  // eps 1e-12 (it must be > 0) leaves the hand values. Two channels of 2 pixels, batch 2: channel 0 values 1, 3, 5, 7 (mean 4, var 5); channel 1 values 2, 2, 4, 4 (mean 3, var 1).
  const x = f32(1, 3, 2, 2, 5, 7, 4, 4);
  it('eval: the running statistics, weight and bias', async () => {
    const bn = new BatchNorm2d(2, { eps: 1e-12 });
    bn.setStatistics({ weight: f32(2, 1), bias: f32(1, 0), runningMean: f32(1, 2), runningVar: f32(4, 1) });
    bn.eval();
    close(await bn.forward(x, 2), [1, 3, 0, 0, 5, 7, 2, 2]);
    close(await bn.backward(f32(1, 1, 1, 1, 1, 1, 1, 1)), [1, 1, 1, 1, 1, 1, 1, 1]);
  });
  it('training: batch statistics, running statistics updated with momentum (unbiased variance)', async () => {
    const bn = new BatchNorm2d(2, { eps: 1e-12, momentum: 0.5 });
    const y = await bn.forward(x, 2);
    const s5 = Math.sqrt(5);
    close(y, [-3 / s5, -1 / s5, -1, -1, 1 / s5, 3 / s5, 1, 1], 1e-6);
    close(bn.runningMean, [2, 1.5]);
    // Unbiased variances 20/3 and 4/3, halfway from 1.
    close(bn.runningVar, [0.5 + 10 / 3, 0.5 + 2 / 3], 1e-6);
    // dy = y gives weight gradient Σ y·x̂ = n = 4 per channel and bias gradient Σ y = 0.
    await bn.backward(y);
    close(bn.weight!.grad!, [4, 4], 1e-5);
    close(bn.bias!.grad!, [0, 0], 1e-6);
  });
  it('saves and loads its statistics', async () => {
    const bn = new BatchNorm2d(2);
    bn.setStatistics({ runningMean: f32(1, 2), runningVar: f32(3, 4) });
    const loaded = (await loadModel(JSON.stringify(await saveModel(bn)))) as BatchNorm2d;
    close(loaded.runningVar, [3, 4]);
    expect(() => bn.setStatistics({ runningVar: f32(-1, 1) })).toThrow(/runningVar must be >= 0/);
  });
});

describe('Dropout, LogSoftmax, GELU', () => {
  it('Dropout zeroes a fraction p in training, scales the rest by 1/(1 − p), is the identity in eval', async () => {
    const d = new Dropout(0.25, { seed: 3 });
    const x = new Float32Array(4000).fill(1);
    const y = await d.forward(x, 10);
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros / 4000).toBeGreaterThan(0.22);
    expect(zeros / 4000).toBeLessThan(0.28);
    expect(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    const dx = await d.backward(new Float32Array(4000).fill(1));
    expect(Array.from(dx)).toEqual(Array.from(y));
    const y2 = await d.forward(x, 10);
    expect(Array.from(y2)).not.toEqual(Array.from(y)); // a new mask each pass
    d.eval();
    expect(Array.from(await d.forward(x, 10))).toEqual(Array.from(x));
    expect(() => new Dropout(1.5)).toThrow(/p must be in \[0, 1\]/);
  });
  it('LogSoftmax: x − log Σ exp x, and its backward', async () => {
    const l = new LogSoftmax();
    close(await l.forward(f32(0, Math.log(2)), 1), [-Math.log(3), Math.log(2) - Math.log(3)]);
    // d/dx of y0: (1 − 1/3, −2/3).
    close(await l.backward(f32(1, 0)), [2 / 3, -2 / 3]);
  });
  it('GELU: x·Φ(x) and the tanh form, with derivatives', async () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 14);
    const g = new GELU();
    close(await g.forward(f32(1, -1, 0), 1), [0.8413447460685429, -0.15865525393145707, 0]);
    // Φ(1) + φ(1) = 0.8413447 + 0.2419707.
    close(await g.backward(f32(1, 1, 1)), [1.0833154705876864, -0.08331547058768646, 0.5]);
    const t = new GELU('tanh');
    close(await t.forward(f32(1), 1), [0.8411919906082768]);
  });
});

describe('digital Linear and convertToAnalog', () => {
  it('Linear computes x Wᵀ + b', async () => {
    const l = new Linear(2, 2);
    l.setWeights(f32(1, 2, 3, 4), f32(1, -1));
    close(await l.forward(f32(1, 1), 1), [4, 6]);
  });

  it('converts Linear and Conv2d to analog layers holding their weights; the result computes the same (ideal config)', async () => {
    const digital = new AnalogSequential(
      new Conv2d(1, 4, 3, { padding: 1, seed: 1 }),
      new ReLU(),
      new MaxPool2d(2, { inputShape: [4, 6, 6] }),
      new BatchNorm2d(4),
      new Flatten(),
      new Linear(36, 3, { seed: 2 }),
    );
    (digital.get(3) as BatchNorm2d).setStatistics({ runningMean: f32(0.1, 0.2, 0.3, 0.4), runningVar: f32(1, 2, 3, 4) });
    digital.eval();
    const x = uniform(2 * 36, 5);
    const want = await digital.forward(x, 2);
    const analog = (await convertToAnalog(digital, new FloatingPointRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 0 } }), {
      engine: 'ndarray',
    })) as AnalogSequential;
    expect(analog.children().map((m) => m.type)).toEqual(['AnalogConv2d', 'ReLU', 'MaxPool2d', 'BatchNorm2d', 'Flatten', 'AnalogLinear']);
    expect(analog.get(3)).not.toBe(digital.get(3));
    expect(maxAbsDiff(await analog.eval().forward(x, 2), want)).toBeLessThan(1e-5);
    expect((await (analog.get(0) as AnalogConv2d).getWeights()).weight).toEqual((digital.get(0) as Conv2d).weight.value);
    // aihwkit's default mapping (512 × 512 tiles) gives the mapped layers.
    const mapped = (await convertToAnalog(digital, new InferenceRPUConfig(), { engine: 'ndarray' })) as AnalogSequential;
    expect(mapped.get(0)).toBeInstanceOf(AnalogConv2dMapped);
    expect(mapped.get(5)).toBeInstanceOf(AnalogLinearMapped);
    const single = (await convertToAnalog(digital, new InferenceRPUConfig(), { engine: 'ndarray', mapped: false })) as AnalogSequential;
    expect(single.get(5)).toBeInstanceOf(AnalogLinear);
    await expect(convertToAnalog(digital, {} as never)).rejects.toThrow(/rpuConfig must be a FloatingPointRPUConfig/);
    for (const m of [analog, mapped, single]) await m.dispose();
  });
});
