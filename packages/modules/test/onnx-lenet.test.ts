/**
 * The LeNet fixture (test/fixtures: trained and exported by PyTorch's own
 * torch.onnx.export, make-lenet.py): imported with an ideal config it
 * reproduces PyTorch's digital outputs and test accuracy.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FloatingPointRPUConfig } from '@crossbar/core';
import { argmax, importOnnx } from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';
// @ts-expect-error -- a plain .mjs helper shared with make-lenet.py
import { fixtureTestDigits } from './fixtures/mnist-digits.mjs';

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);
const reference = JSON.parse(readFileSync(fixture('lenet-reference.json'), 'utf8')) as {
  correct: number;
  testCount: number;
  accuracy: number;
  outputs: number[][];
  labels: number[];
};
const bytes = new Uint8Array(readFileSync(fixture('lenet.onnx')));
const digits = fixtureTestDigits() as { images: Float32Array; labels: Uint8Array; count: number };

describeEachEngine('importOnnx of the PyTorch LeNet fixture', (engine) => {
  it('reproduces PyTorch outputs to 1e-5 (FloatingPointRPUConfig)', async () => {
    // aihwkit's default mapping (max 512 × 512 per tile) asks for the mapped layers: one tile each here.
    const { model, inputShape, outputShape } = await importOnnx(bytes, { rpuConfig: new FloatingPointRPUConfig(), engine });
    expect(inputShape).toEqual([1, 28, 28]);
    expect(outputShape).toEqual([10]);
    expect(model.children().map((m) => m.type)).toEqual([
      'AnalogConv2dMapped',
      'ReLU',
      'MaxPool2d',
      'BatchNorm2d',
      'AnalogConv2dMapped',
      'ReLU',
      'AvgPool2d',
      'Flatten',
      'AnalogLinearMapped',
      'ReLU',
      'AnalogLinearMapped',
      'ReLU',
      'AnalogLinearMapped',
    ]);
    expect(digits.count).toBe(reference.testCount);
    const y = await model.forward(digits.images.subarray(0, 8 * 784), 8);
    let worst = 0;
    reference.outputs.forEach((row, b) => row.forEach((v, c) => (worst = Math.max(worst, Math.abs(y[b * 10 + c]! - v)))));
    expect(worst).toBeLessThan(1e-5);
    await model.dispose();
  });
});

describe('importOnnx of the PyTorch LeNet fixture [ndarray]', () => {
  it('reproduces PyTorch’s digital test accuracy exactly (FloatingPointRPUConfig, 2,000 digits)', async () => {
    const { model } = await importOnnx(bytes, { rpuConfig: new FloatingPointRPUConfig(), engine: 'ndarray' });
    let correct = 0;
    for (let s = 0; s < digits.count; s += 500) {
      const n = Math.min(500, digits.count - s);
      const out = await model.forward(digits.images.subarray(s * 784, (s + n) * 784), n);
      for (let b = 0; b < n; b++) if (argmax(out, b * 10, 10) === digits.labels[s + b]) correct++;
    }
    expect(correct).toBe(reference.correct);
    await model.dispose();
  });
});

describe('the LeNet fixture', () => {
  it('is small and its reference data is PyTorch’s', () => {
    expect(bytes.length).toBeLessThan(1 << 20);
    expect(reference.accuracy).toBe(reference.correct / reference.testCount);
    expect(Array.from(digits.labels.subarray(0, 8))).toEqual(reference.labels);
  });
});
