/** Bad input at the public boundary: clear CrossbarErrors, and nothing changes. */
import { describe, expect, it } from 'vitest';
import { BackendError, ConfigError, FloatingPointRPUConfig, InferenceRPUConfig, InputError, IOParameters, NotSupportedError } from '@crossbar/core';
import { AnalogLinear, AnalogSequential, AnalogSGD, CrossEntropyLoss, Flatten, LambdaLR, loadModel, ModuleError, ReLU, StepLR } from '../src/index.js';
import { referenceEngine } from './helpers/reference-engine.js';

const engine = referenceEngine;
const fp = () => new FloatingPointRPUConfig();

describe('layer construction', () => {
  it('refuses bad sizes, configs, seeds and engines', async () => {
    expect(() => new AnalogLinear(0, 2, { engine })).toThrow(InputError);
    expect(() => new AnalogLinear(2, 1.5, { engine })).toThrow(/outFeatures must be a positive integer/);
    expect(() => new AnalogLinear(2, 2, { rpuConfig: new IOParameters() as never, engine })).toThrow(ConfigError);
    expect(() => new AnalogLinear(2, 2, { seed: -1, engine })).toThrow(InputError);
    expect(() => new AnalogLinear(2, 2, { bias: 'yes' as never, engine })).toThrow(InputError);
    expect(() => new AnalogLinear(2, 2, { engine: 42 as never })).toThrow(BackendError);
    const bad = fp();
    (bad.mapping as { maxInputSize: number }).maxInputSize = -3;
    expect(() => new AnalogLinear(2, 2, { rpuConfig: bad, engine })).toThrow(ConfigError);
    await expect(new AnalogLinear(2, 2, { engine: 'no-such-engine' }).build()).rejects.toThrow(BackendError);
  });

  it('keeps its own copy of the config', () => {
    const cfg = fp();
    const layer = new AnalogLinear(2, 2, { rpuConfig: cfg, engine });
    cfg.mapping.weightScalingOmega = 0.5;
    expect(layer.rpuConfig.mapping.weightScalingOmega).toBe(0);
  });
});

describe('forward, backward, weights', () => {
  it('refuses wrong lengths and non-finite values', async () => {
    const layer = new AnalogLinear(3, 2, { rpuConfig: fp(), engine });
    await expect(layer.forward(new Float32Array(5), 2)).rejects.toThrow(/6 elements/);
    await expect(layer.forward(Float32Array.of(1, 2, NaN), 1)).rejects.toThrow(/finite/);
    await expect(layer.forward([1, 2, 3] as never, 1)).rejects.toThrow(InputError);
    await expect(layer.forward(new Float32Array(3), 0)).rejects.toThrow(/batch/);
    await expect(layer.backward(new Float32Array(2))).rejects.toThrow(ModuleError);
    await layer.forward(new Float32Array(6), 2);
    await expect(layer.backward(new Float32Array(2))).rejects.toThrow(/4 elements/);
  });

  it('a refused setWeights leaves the weights as they were', async () => {
    const layer = new AnalogLinear(2, 2, { rpuConfig: fp(), engine });
    const before = await layer.getWeights();
    await expect(layer.setWeights(Float32Array.of(1, 2, 3, Infinity))).rejects.toThrow(InputError);
    await expect(layer.setWeights(Float32Array.of(1, 2, 3, 4), Float32Array.of(1))).rejects.toThrow(/bias/);
    await expect(layer.setWeights(Float32Array.of(1, 2, 3, 4), null, { weightScalingOmega: -1 })).rejects.toThrow(/weightScalingOmega/);
    expect(await layer.getWeights()).toEqual(before);
    const analogBias = new AnalogLinear(2, 2, { rpuConfig: new FloatingPointRPUConfig({ mapping: { digitalBias: false } }), engine });
    await expect(analogBias.setWeights(Float32Array.of(1, 2, 3, 4))).rejects.toThrow(/analog bias/);
    const noBias = new AnalogLinear(2, 2, { rpuConfig: fp(), engine, bias: false });
    await expect(noBias.setWeights(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 1))).rejects.toThrow(/no bias/);
  });

  it('activations and Flatten check their input', async () => {
    await expect(new ReLU().forward(new Float32Array(5), 2)).rejects.toThrow(InputError);
    await expect(new ReLU().backward(new Float32Array(2))).rejects.toThrow(ModuleError);
    await expect(new Flatten([2, 3]).forward(new Float32Array(8), 2)).rejects.toThrow(/inputShape/);
    expect(() => new Flatten([0])).toThrow(InputError);
    expect(() => new AnalogSequential(new ReLU(), {} as never)).toThrow(InputError);
    const relu = new ReLU();
    expect(() => new AnalogSequential(relu, relu)).toThrow(/twice/);
  });

  it('cross-entropy checks labels', () => {
    const loss = new CrossEntropyLoss();
    expect(() => loss.forward(new Float32Array(6), [0, 3], 2)).toThrow(/class index/);
    expect(() => loss.forward(new Float32Array(6), [0], 2)).toThrow(/2 class indices/);
    expect(() => loss.backward()).toThrow(ModuleError);
    expect(loss.forward(new Float32Array(6), [0, 2], 2)).toBeCloseTo(Math.log(3), 6);
  });
});

describe('optimizer and workflow', () => {
  it('AnalogSGD checks its options', () => {
    const layer = new AnalogLinear(2, 2, { rpuConfig: fp(), engine });
    expect(() => new AnalogSGD(layer, { lr: -1 })).toThrow(InputError);
    expect(() => new AnalogSGD(layer, { lr: NaN })).toThrow(InputError);
    expect(() => new AnalogSGD(layer, { lr: 0.1, nesterov: true })).toThrow(/nesterov/);
    expect(() => new AnalogSGD(layer, undefined as never)).toThrow(InputError);
  });

  it('momentum with InferenceRPUConfig tiles is refused (aihwkit would apply it to those weights)', async () => {
    const layer = new AnalogLinear(2, 2, { rpuConfig: new InferenceRPUConfig({ forward: { isPerfect: true } }), engine });
    await expect(new AnalogSGD(layer, { lr: 0.1, momentum: 0.9 }).step()).rejects.toThrow(NotSupportedError);
  });

  it('learning rate schedules', () => {
    const layer = new AnalogLinear(2, 2, { rpuConfig: fp(), engine });
    const opt = new AnalogSGD(layer, { lr: 1 });
    const step = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const seen = [];
    for (let e = 0; e < 5; e++) {
      step.step();
      seen.push(opt.learningRate);
    }
    expect(seen).toEqual([1, 0.5, 0.5, 0.25, 0.25]);
    const lambda = new LambdaLR(opt, (e) => 1 / (1 + e));
    expect(opt.learningRate).toBe(0.25);
    lambda.step();
    expect(opt.learningRate).toBe(0.125);
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(InputError);
  });

  it('drift needs a valid time', async () => {
    const layer = new AnalogLinear(2, 2, { rpuConfig: fp(), engine }).eval();
    await expect(layer.drift(-1)).rejects.toThrow(InputError);
  });

  it('loadModel refuses what is not a saved model', async () => {
    await expect(loadModel('{')).rejects.toThrow(InputError);
    await expect(loadModel({ format: 'x' } as never)).rejects.toThrow(ModuleError);
    await expect(loadModel({ format: 'crossbar-model@1', engine: null, architecture: { type: 'Nope' }, state: { type: 'Nope' } })).rejects.toThrow(
      /unknown module type "Nope"/,
    );
  });
});

describe('loading a damaged state', () => {
  it('refuses bad periphery values before changing anything', async () => {
    const layer = new AnalogLinear(2, 2, { rpuConfig: fp(), engine, seed: 1 });
    const state = await layer.stateDict();
    const before = await layer.getWeights();
    const bad = structuredClone(state);
    bad.tiles!['0']!.inputRangeUpdateIdx = -1;
    await expect(layer.loadStateDict(bad)).rejects.toThrow(/inputRangeUpdateIdx/);
    const bad2 = structuredClone(state);
    bad2.tiles!['0']!.outScaling = [1, 2, 3];
    await expect(layer.loadStateDict(bad2)).rejects.toThrow(/outScaling/);
    const bad3 = structuredClone(state);
    bad3.params!.bias = [1];
    await expect(layer.loadStateDict(bad3)).rejects.toThrow(/params.bias/);
    const bad4 = structuredClone(state);
    delete bad4.tiles!['0'];
    await expect(layer.loadStateDict(bad4)).rejects.toThrow(ModuleError);
    expect(await layer.getWeights()).toEqual(before);
  });
});
