/**
 * Backward passes against central finite differences, for perfect configs:
 * input gradients, digital bias and learned out-scaling gradients, and the
 * analog weight gradient as the change an AnalogSGD step makes (ΔW = −lr·∂L/∂W).
 */
import { describe, expect, it } from 'vitest';
import { FloatingPointRPUConfig, InferenceRPUConfig, type AnalogTile, type AnalogTileBackend } from '@crossbar/core';
import {
  AnalogConv1dMapped,
  AnalogConv2d,
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  GELU,
  Linear,
  LogSoftmax,
  AnalogLinear,
  AnalogLinearMapped,
  AnalogSequential,
  AnalogSGD,
  CrossEntropyLoss,
  Flatten,
  MSELoss,
  ReLU,
  Sigmoid,
  Softmax,
  Tanh,
  type Module,
} from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';
import { uniform } from './helpers/data.js';
import { referenceEngine } from './helpers/reference-engine.js';

type Engine = string | AnalogTileBackend;

/** A scalar loss of the model's output: Σ r ⊙ y (linear) or a loss object. */
type LossFn = (y: Float32Array) => { value: number; grad: Float32Array };

function linearLoss(r: Float32Array): LossFn {
  return (y) => {
    let v = 0;
    for (let i = 0; i < y.length; i++) v += y[i]! * r[i]!;
    return { value: v, grad: r.slice() };
  };
}

async function lossAt(model: Module, x: Float32Array, batch: number, loss: LossFn): Promise<number> {
  return loss(await model.forward(x, batch)).value;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    if (err > tol * Math.max(1, scale)) {
      throw new Error(`${what}[${i}]: got ${actual[i]}, finite differences ${expected[i]} (tolerance ${tol * Math.max(1, scale)})`);
    }
  }
}

/** ∂L/∂x by central differences. */
async function fdInput(model: Module, x: Float32Array, batch: number, loss: LossFn, h: number): Promise<Float64Array> {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xp = x.slice();
    const xm = x.slice();
    xp[i] = x[i]! + h;
    xm[i] = x[i]! - h;
    g[i] = ((await lossAt(model, xp, batch, loss)) - (await lossAt(model, xm, batch, loss))) / (xp[i]! - xm[i]!);
  }
  return g;
}

/** ∂L/∂p for a digital parameter value array, by central differences. */
async function fdParam(model: Module, p: Float32Array, x: Float32Array, batch: number, loss: LossFn, h: number): Promise<Float64Array> {
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    p[i] = v + h;
    const up = p[i]!;
    const lp = await lossAt(model, x, batch, loss);
    p[i] = v - h;
    const down = p[i]!;
    const lm = await lossAt(model, x, batch, loss);
    p[i] = v;
    g[i] = (lp - lm) / (up - down);
  }
  return g;
}

/** ∂L/∂W_tile for the raw weights of one tile (bias column included), by central differences. */
async function fdTileWeights(model: Module, tile: AnalogTile, x: Float32Array, batch: number, loss: LossFn, h: number): Promise<Float64Array> {
  const weight = Float32Array.from(await tile.getWeights());
  const g = new Float64Array(weight.length);
  for (let i = 0; i < weight.length; i++) {
    const w = weight.slice();
    w[i] = weight[i]! + h;
    await tile.setWeights(w);
    const lp = await lossAt(model, x, batch, loss);
    w[i] = weight[i]! - h;
    await tile.setWeights(w);
    const lm = await lossAt(model, x, batch, loss);
    g[i] = (lp - lm) / (2 * h);
  }
  await tile.setWeights(weight);
  return g;
}

/**
 * Checks dx, the digital parameters' gradients and the analog weight update
 * of one model against finite differences. aihwkit's update is
 * W_tile ← W_tile − lr · (d / s) x̂ᵀ with d the gradient at the tile's output
 * (learned out scales included) and s the digital mapping scales, i.e.
 * ΔW_tile = −lr · (∂L/∂W_tile) / s².
 */
async function checkModel(model: Module, inFeatures: number, batch: number, loss: LossFn, seed: number): Promise<void> {
  await model.build();
  const x = uniform(batch * inFeatures, seed, -1, 1);
  const h = 1e-2;
  const tol = 2e-3;

  // Analytic gradients from one forward/backward.
  model.zeroGrad();
  const y = await model.forward(x, batch);
  const dx = await model.backward(loss(y).grad);
  const params = model.namedParameters().map(([n, p]) => [n, p, p.grad!.slice()] as const);

  expectClose(dx, await fdInput(model, x, batch, loss, h), tol, 'dx');
  for (const [name, p, grad] of params) {
    expectClose(grad, await fdParam(model, p.value, x, batch, loss, h), tol, `grad of ${name}`);
  }

  const tiles = model.namedAnalogTiles();
  const fd = [];
  const before = [];
  const scales = [];
  for (const [, t] of tiles) {
    fd.push(await fdTileWeights(model, t.tile, x, batch, loss, h));
    before.push(Float32Array.from(await t.tile.getWeights()));
    scales.push(Float32Array.from(await t.tile.getScales()));
  }
  const lr = 1e-3;
  const opt = new AnalogSGD(model, { lr });
  model.zeroGrad();
  await model.backward(loss(await model.forward(x, batch)).grad);
  await opt.step();
  for (let k = 0; k < tiles.length; k++) {
    const [name, t] = tiles[k]!;
    const after = await t.tile.getWeights();
    const cols = t.tile.inSize;
    const step = new Float64Array(after.length);
    for (let i = 0; i < after.length; i++) {
      const s = scales[k]![Math.floor(i / cols)]!;
      step[i] = ((before[k]![i]! - after[i]!) / lr) * s * s;
    }
    expectClose(step, fd[k]!, 5e-3, `weight step of tile ${name}`);
  }
}

function fp(init: ConstructorParameters<typeof FloatingPointRPUConfig>[0] = {}): FloatingPointRPUConfig {
  return new FloatingPointRPUConfig(init);
}

function gradientSuite(engine: Engine): void {
  it('AnalogLinear, digital bias', async () => {
    const layer = new AnalogLinear(5, 4, { rpuConfig: fp(), engine, seed: 11 });
    await checkModel(layer, 5, 3, linearLoss(uniform(12, 2)), 1);
  });

  it('AnalogLinear, analog bias column, columnwise weight scaling, columnwise learned out scaling', async () => {
    const rpuConfig = fp({
      mapping: { digitalBias: false, weightScalingOmega: 0.8, weightScalingColumnwise: true, learnOutScaling: true, outScalingColumnwise: true },
    });
    const layer = new AnalogLinear(4, 3, { rpuConfig, engine, seed: 12 });
    await layer.build();
    layer.analogTiles()[0]!.outScaling!.value.set([1.5, 0.7, 1.2]);
    await checkModel(layer, 4, 2, linearLoss(uniform(6, 3)), 2);
  });

  it('AnalogLinear with a perfect InferenceRPUConfig', async () => {
    const rpuConfig = new InferenceRPUConfig({ forward: { isPerfect: true } });
    const layer = new AnalogLinear(3, 4, { rpuConfig, engine, seed: 13 });
    await checkModel(layer, 3, 2, linearLoss(uniform(8, 4)), 3);
  });

  it('AnalogLinearMapped over a 3 × 2 grid (sizes that do not divide), learned scalar out scaling, weight scaling', async () => {
    const rpuConfig = fp({ mapping: { maxInputSize: 2, maxOutputSize: 3, learnOutScaling: true, weightScalingOmega: 0.6 } });
    const layer = new AnalogLinearMapped(5, 4, { rpuConfig, engine, seed: 14 });
    expect(layer.gridShape).toEqual([3, 2]);
    await layer.build();
    for (const t of layer.analogTiles()) t.outScaling!.value[0] = 1.3;
    await checkModel(layer, 5, 3, linearLoss(uniform(12, 5)), 4);
  });

  it('AnalogSequential: mapped layer, Tanh, ReLU, linear layer, cross-entropy', async () => {
    const mapped = new AnalogLinearMapped(4, 6, { rpuConfig: fp({ mapping: { maxInputSize: 3, maxOutputSize: 4 } }), engine, seed: 15 });
    const last = new AnalogLinear(6, 3, { rpuConfig: fp({ mapping: { maxInputSize: 0, maxOutputSize: 0 } }), engine, seed: 16 });
    const model = new AnalogSequential(new Flatten([2, 2]), mapped, new Tanh(), new ReLU(), last);
    const ce = new CrossEntropyLoss();
    const labels = [0, 2, 1];
    const loss: LossFn = (y) => ({ value: ce.forward(y, labels, 3), grad: ce.backward() });
    await checkModel(model, 4, 3, loss, 5);
  });

  it('AnalogSequential ending in Sigmoid and Softmax with an MSE loss', async () => {
    const a = new AnalogLinear(3, 5, { rpuConfig: fp(), engine, seed: 17 });
    const b = new AnalogLinear(5, 4, { rpuConfig: fp(), engine, seed: 18 });
    const model = new AnalogSequential(a, new Sigmoid(), b, new Softmax());
    const mse = new MSELoss();
    const target = uniform(8, 6, 0, 0.5);
    const loss: LossFn = (y) => ({ value: mse.forward(y, target, 2), grad: mse.backward() });
    await checkModel(model, 3, 2, loss, 6);
  });
}

function convGradientSuite(engine: Engine): void {
  it('AnalogConv2d (stride 2, padding 1, analog bias), BatchNorm2d in training, GELU, AvgPool2d (padding, countIncludePad false), AnalogLinear, LogSoftmax', async () => {
    const conv = new AnalogConv2d(2, 3, 3, { stride: 2, padding: 1, inputSize: [6, 5], rpuConfig: fp({ mapping: { digitalBias: false } }), engine, seed: 31 });
    const bn = new BatchNorm2d(3);
    bn.setStatistics({ weight: Float32Array.of(1.2, 0.8, 1.1), bias: Float32Array.of(0.1, -0.2, 0.05) });
    const model = new AnalogSequential(
      conv,
      bn,
      new GELU(),
      new AvgPool2d(2, { stride: 1, padding: 1, countIncludePad: false, inputShape: [3, 3, 3] }),
      new Flatten([3, 4, 4]),
      new AnalogLinear(48, 4, { rpuConfig: fp(), engine, seed: 32 }),
      new LogSoftmax(),
    );
    await checkModel(model, 2 * 6 * 5, 2, linearLoss(uniform(8, 33)), 7);
  });

  it('AnalogConv1dMapped over 2 × 2 tiles (learned out scaling), Tanh', async () => {
    const rpuConfig = fp({ mapping: { maxInputSize: 6, maxOutputSize: 2, learnOutScaling: true } });
    const conv = new AnalogConv1dMapped(4, 3, 3, { padding: 1, rpuConfig, engine, seed: 34 });
    expect(conv.gridShape).toEqual([2, 2]);
    await conv.build();
    for (const t of conv.analogTiles()) t.outScaling!.value[0] = 0.9;
    await checkModel(new AnalogSequential(conv, new Tanh()), 4 * 5, 2, linearLoss(uniform(30, 35)), 8);
  });
}

describe('gradients on the test-only reference engine', () => gradientSuite(referenceEngine));
describe('convolution gradients on the test-only reference engine', () => convGradientSuite(referenceEngine));
describeEachEngine('convolution gradients', (engine) => convGradientSuite(engine));

describe('gradients of the digital Conv2d and Linear', () => {
  it('digital layers: input, weight and bias gradients', async () => {
    const model = new AnalogSequential(
      new Conv2d(2, 3, [2, 3], { padding: [1, 0], dilation: [1, 2], inputSize: [5, 7], seed: 36 }),
      new Tanh(),
      new Flatten(),
      new Linear(3 * 6 * 3, 2, { seed: 37 }),
    );
    await checkModel(model, 2 * 5 * 7, 2, linearLoss(uniform(4, 38)), 9);
  });
});
describeEachEngine('gradients', (engine) => gradientSuite(engine));
