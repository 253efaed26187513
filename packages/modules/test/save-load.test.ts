/**
 * Save → JSON → load: the same outputs, the same device-to-device draws and
 * the same subsequent training trajectory (random-call positions restored),
 * and loading keeps the saved config unless the caller overrides it.
 */
import { describe, expect, it } from 'vitest';
import { ConstantStepDevice, FloatingPointRPUConfig, InferenceRPUConfig, rpuConfigToDict, SingleRPUConfig, type AnalogTileBackend, type RPUConfig } from '@crossbar/core';
import {
  AnalogLinear,
  AnalogLinearMapped,
  AnalogSequential,
  AnalogSGD,
  CrossEntropyLoss,
  loadModel,
  manualSeed,
  ModuleError,
  ReLU,
  saveModel,
  Tanh,
  type LoadModelOptions,
  type Module,
} from '../src/index.js';
import { referenceEngine } from './helpers/reference-engine.js';

type Engine = string | AnalogTileBackend;
import { describeEachEngine, ENGINES } from './helpers/engines.js';
import { batchOf, blobs, maxAbsDiff, permutation } from './helpers/data.js';

const data = blobs(20, 21);

function buildModel(rpuConfig: RPUConfig, engine: Engine): Module {
  return new AnalogSequential(new AnalogLinearMapped(2, 7, { rpuConfig, engine }), new Tanh(), new AnalogLinear(7, 3, { rpuConfig, engine }), new ReLU());
}

/** `steps` training steps on batches of 6 from a fixed order; returns the losses. */
async function trainSteps(model: Module, opt: AnalogSGD, steps: number, offset: number): Promise<number[]> {
  const loss = new CrossEntropyLoss();
  const order = permutation(data.n, 5, 0);
  const out: number[] = [];
  model.train();
  for (let s = 0; s < steps; s++) {
    const b = batchOf(data, (offset + s) * 6, 6, order);
    opt.zeroGrad();
    out.push(loss.forward(await model.forward(b.x, 6), b.labels, 6));
    await model.backward(loss.backward());
    await opt.step();
  }
  return out;
}

async function allWeights(model: Module): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const t of model.analogTiles()) out.push(Float32Array.from(await t.tile.getWeights()));
  return out;
}

async function roundTrip(model: Module, opt?: AnalogSGD): Promise<ReturnType<typeof JSON.parse>> {
  return JSON.parse(JSON.stringify(await saveModel(model, { optimizer: opt })));
}

const configs = (): Array<[string, RPUConfig]> => [
  [
    'SingleRPUConfig, ConstantStepDevice (pulsed, noisy IO, device-to-device draws)',
    new SingleRPUConfig({ mapping: { maxInputSize: 1, maxOutputSize: 4 }, device: new ConstantStepDevice() }),
  ],
  [
    'InferenceRPUConfig with input range, learned out scales, modifier, clip, remap',
    new InferenceRPUConfig({
      mapping: { maxInputSize: 1, maxOutputSize: 4, learnOutScaling: true, outScalingColumnwise: true },
      forward: { noiseManagement: 'None', boundManagement: 'None' },
      prePost: { inputRange: { enable: true, initFromData: 3 } },
      modifier: { type: 'AddNormal', stdDev: 0.05 },
      clip: { type: 'FixedValue', fixedValue: 1 },
      remap: { type: 'LayerwiseSymmetric' },
    }),
  ],
];

function saveLoadSuite(engine: Engine): void {
  // loadModel picks the saved engine when it is registered; the test-only engine is not, so it is passed.
  const load = (saved: Parameters<typeof loadModel>[0], options: LoadModelOptions = {}) =>
    loadModel(saved, typeof engine === 'string' ? options : { engine, ...options });

  it('same outputs after save -> JSON -> load (perfect IO)', async () => {
    manualSeed(4);
    const rpuConfig = new FloatingPointRPUConfig({ mapping: { maxInputSize: 1, maxOutputSize: 4, learnOutScaling: true } });
    const model = buildModel(rpuConfig, engine);
    await trainSteps(model, new AnalogSGD(model, { lr: 0.1 }), 3, 0);
    const loaded = await load(JSON.stringify(await saveModel(model)));
    model.eval();
    loaded.eval();
    const x = data.x;
    expect(Array.from(await loaded.forward(x, data.n))).toEqual(Array.from(await model.forward(x, data.n)));
    expect(loaded.getConfig()).toEqual(model.getConfig());
  });

  for (const [name, rpuConfig] of configs()) {
    it(`same training trajectory after loading: ${name}`, { timeout: 120_000 }, async () => {
      manualSeed(5);
      const model = buildModel(rpuConfig, engine);
      const opt = new AnalogSGD(model, { lr: 0.05, momentum: rpuConfig instanceof InferenceRPUConfig ? 0 : 0.5 });
      await trainSteps(model, opt, 4, 0);
      const saved = await roundTrip(model, opt);

      const loaded = await load(saved);
      const opt2 = new AnalogSGD(loaded, { lr: 1, momentum: opt.momentum });
      opt2.loadStateDict(saved.optimizer);
      expect(opt2.learningRate).toBe(0.05);

      // The same state: weights, device-to-device draws, digital parameters.
      const [w1, w2] = [await allWeights(model), await allWeights(loaded)];
      w1.forEach((w, k) => expect(Array.from(w2[k]!)).toEqual(Array.from(w)));
      const tiles1 = model.analogTiles();
      const tiles2 = loaded.analogTiles();
      for (let k = 0; k < tiles1.length; k++) {
        const h1 = await tiles1[k]!.tile.getHiddenParameters();
        const h2 = await tiles2[k]!.tile.getHiddenParameters();
        expect(Object.keys(h2)).toEqual(Object.keys(h1));
        for (const key of Object.keys(h1)) expect(Array.from(h2[key]!)).toEqual(Array.from(h1[key]!));
        expect(tiles2[k]!.tile.seed).toBe(tiles1[k]!.tile.seed);
        expect((await tiles2[k]!.tile.getState()).rngCall).toBe((await tiles1[k]!.tile.getState()).rngCall);
      }
      expect(loaded.namedParameters().map(([n, p]) => [n, Array.from(p.value)])).toEqual(model.namedParameters().map(([n, p]) => [n, Array.from(p.value)]));

      // The same trajectory: losses and weights of the next steps agree exactly.
      const l1 = await trainSteps(model, opt, 5, 4);
      const l2 = await trainSteps(loaded, opt2, 5, 4);
      expect(l2).toEqual(l1);
      const [a1, a2] = [await allWeights(model), await allWeights(loaded)];
      a1.forEach((w, k) => expect(Array.from(a2[k]!)).toEqual(Array.from(w)));
      // ... and training did change the weights.
      expect(maxAbsDiff(a1[0]!, w1[0]!)).toBeGreaterThan(0);
    });
  }

  it('loading keeps the saved config; an override replaces it and keeps the learned state', async () => {
    manualSeed(6);
    const trained = new InferenceRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 0 }, modifier: { type: 'AddNormal', stdDev: 0.1 } });
    const layer = new AnalogLinear(2, 3, { rpuConfig: trained, engine });
    await trainSteps(new AnalogSequential(layer), new AnalogSGD(layer, { lr: 0.1 }), 2, 0);
    const saved = await roundTrip(layer);

    const kept = (await load(saved)) as AnalogLinear;
    expect(kept.rpuConfig.equals(trained)).toBe(true);

    const other = new InferenceRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 0 }, forward: { outNoise: 0.2 } });
    const overridden = (await load(saved, { rpuConfig: other })) as AnalogLinear;
    expect(overridden.rpuConfig.equals(other)).toBe(true);
    expect(rpuConfigToDict(overridden.analogTiles()[0]!.rpuConfig)).toEqual(rpuConfigToDict(other));
    expect(Array.from((await overridden.getWeights()).weight)).toEqual(Array.from((await layer.getWeights()).weight));

    // aihwkit refuses another config class or another tile structure.
    await expect(load(saved, { rpuConfig: new FloatingPointRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 0 } }) })).rejects.toThrow(ModuleError);
    await expect(load(saved, { rpuConfig: new InferenceRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 0, digitalBias: false } }) })).rejects.toThrow(
      /digitalBias/,
    );
  });

  it('loadStateDict into an existing model of the same architecture', async () => {
    const rpuConfig = new FloatingPointRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 0 } });
    const a = new AnalogLinear(3, 2, { rpuConfig, engine, seed: 1 });
    const b = new AnalogLinear(3, 2, { rpuConfig, engine, seed: 2 });
    await b.loadStateDict(await a.stateDict());
    expect(await b.getWeights()).toEqual(await a.getWeights());
    expect(b.analogTiles()[0]!.tile.seed).toBe(a.analogTiles()[0]!.tile.seed);
    await expect(new AnalogLinear(3, 3, { rpuConfig, engine }).loadStateDict(await a.stateDict())).rejects.toThrow(ModuleError);
  });
}

describe('save and load on the test-only reference engine', () => saveLoadSuite(referenceEngine));
describeEachEngine('save and load', (engine) => saveLoadSuite(engine));

describe('save on one engine, load on another', () => {
  const working = ENGINES.filter((e) => e.status === 'ok').map((e) => e.name);
  for (const from of working) {
    for (const to of working) {
      if (from === to) continue;
      it(`${from} -> ${to}: same outputs (perfect IO)`, async () => {
        const rpuConfig = new FloatingPointRPUConfig({ mapping: { maxInputSize: 1, maxOutputSize: 4 } });
        const model = buildModel(rpuConfig, from);
        const saved = await saveModel(model);
        const loaded = await loadModel(saved, { engine: to });
        expect(loaded.analogTiles()[0]!.tile.backendName).toBe(to);
        model.eval();
        loaded.eval();
        expect(maxAbsDiff(await loaded.forward(data.x, data.n), await model.forward(data.x, data.n))).toBeLessThan(1e-5);
      });
    }
  }
});
