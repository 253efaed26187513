/**
 * Model files (crossbar-model@2): model.json plus a little-endian float32
 * sidecar. Encoding loses nothing (decode gives back exactly the saved model,
 * and the loaded model computes and trains on as the original), a model of the
 * demo's size is about the raw float32 size of its arrays, old single-file JSON
 * models (crossbar-model@1, a committed fixture) still load, and damaged files
 * are refused.
 */
import '@crossbar/backend-ndarray';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConstantStepDevice, InferenceRPUConfig, InputError, SingleRPUConfig, type RPUConfig } from '@crossbar/core';
import {
  AnalogLinear,
  AnalogLinearMapped,
  AnalogSequential,
  AnalogSGD,
  CrossEntropyLoss,
  decodeModel,
  encodeModel,
  loadModel,
  manualSeed,
  MODEL_FILE_FORMAT,
  ModuleError,
  ReLU,
  saveModel,
  type Module,
  type SavedModel,
} from '../src/index.js';

const engine = 'ndarray';
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function pulsed(): RPUConfig {
  return new SingleRPUConfig({ mapping: { maxInputSize: 5, maxOutputSize: 4 }, device: new ConstantStepDevice() });
}

function hwa(): RPUConfig {
  return new InferenceRPUConfig({
    mapping: { maxInputSize: 5, maxOutputSize: 4, learnOutScaling: true, outScalingColumnwise: true, weightScalingOmega: 1 },
    modifier: { type: 'AddNormal', stdDev: 0.1 },
    clip: { type: 'LayerGaussian', sigma: 2.5 },
    remap: { type: 'ChannelwiseSymmetric' },
  });
}

// Momentum applies to digital parameters and pulsed tiles (AnalogSGD refuses it for inference tiles).
const momentumFor = (rpuConfig: RPUConfig): number => (rpuConfig instanceof SingleRPUConfig ? 0.5 : 0);

async function trained(rpuConfig: RPUConfig): Promise<{ model: Module; opt: AnalogSGD }> {
  manualSeed(11);
  const model = new AnalogSequential(new AnalogLinearMapped(12, 9, { rpuConfig, engine }), new ReLU(), new AnalogLinear(9, 3, { rpuConfig, engine }));
  const opt = new AnalogSGD(model, { lr: 0.1, momentum: momentumFor(rpuConfig) });
  await trainSteps(model, opt, 3);
  return { model, opt };
}

const x = Float32Array.from({ length: 4 * 12 }, (_, i) => Math.sin(0.7 * i));
const labels = [0, 1, 2, 1];

async function trainSteps(model: Module, opt: AnalogSGD, steps: number): Promise<number[]> {
  const loss = new CrossEntropyLoss();
  const out: number[] = [];
  model.train();
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    out.push(loss.forward(await model.forward(x, 4), labels, 4));
    await model.backward(loss.backward());
    await opt.step();
  }
  return out;
}

/** Bytes of every number of every array of the state and optimizer, as float32. */
function rawFloat32Bytes(saved: SavedModel): number {
  let n = 0;
  const walk = (v: unknown, key = ''): void => {
    if (key === 'rpuConfig') return;
    if (Array.isArray(v) && v.every((e) => typeof e === 'number')) n += v.length;
    else if (Array.isArray(v)) v.forEach((e) => walk(e));
    else if (v !== null && typeof v === 'object') for (const [k, e] of Object.entries(v)) walk(e, k);
  };
  walk(saved.state);
  walk(saved.optimizer);
  return 4 * n;
}

describe.each([
  ['SingleRPUConfig, ConstantStepDevice (device-to-device draws)', pulsed],
  ['InferenceRPUConfig (learned out scales, modifier, clip, remap)', hwa],
])('model files: %s', (_name, config) => {
  it('decode(encode(saved)) is the saved model, exactly', async () => {
    const { model, opt } = await trained(config());
    const saved = await saveModel(model, { optimizer: opt });
    const files = encodeModel(saved);
    expect(JSON.parse(files.json).format).toBe(MODEL_FILE_FORMAT);
    expect(JSON.parse(files.json).weights).toEqual({ path: 'model.weights.bin', byteLength: files.weights.byteLength, byteOrder: 'little-endian' });
    expect(decodeModel(files.json, files.weights)).toEqual(JSON.parse(JSON.stringify(saved)));
    // The 27 weights of the last tile (3 × 9) are in the sidecar, not in the text; the 3 × 4 tiles' stay inline.
    const w = await model.analogTiles().at(-1)!.tile.getWeights();
    expect(w.length).toBe(27);
    expect(files.json.includes(String(w[5]))).toBe(false);
    expect(files.json.includes(String((await model.analogTiles()[0]!.tile.getWeights())[5]))).toBe(true);
  });

  it('a loaded model computes the same outputs and trains on the same trajectory', async () => {
    const a = await trained(config());
    const files = encodeModel(await saveModel(a.model, { optimizer: a.opt }));
    const b = await loadModel({ json: files.json, weights: files.weights.slice() });
    const optB = new AnalogSGD(b, { lr: 0.1, momentum: momentumFor(a.model.analogTiles()[0]!.rpuConfig) });
    optB.loadStateDict(decodeModel(files.json, files.weights).optimizer!);
    expect(await trainSteps(b, optB, 2)).toEqual(await trainSteps(a.model, a.opt, 2));
    a.model.eval();
    b.eval();
    expect(await b.forward(x, 4)).toEqual(await a.model.forward(x, 4));
  });
});

describe('model file size', () => {
  it("a model of the demo's size (784-256-128-10, 235 k weights) is at most 1.3x the raw float32 size", async () => {
    for (const rpuConfig of [
      new InferenceRPUConfig({ mapping: { learnOutScaling: true, outScalingColumnwise: true } }),
      new SingleRPUConfig({ device: new ConstantStepDevice() }),
    ]) {
      manualSeed(1);
      const model = new AnalogSequential(
        new AnalogLinearMapped(784, 256, { rpuConfig, engine }),
        new ReLU(),
        new AnalogLinearMapped(256, 128, { rpuConfig, engine }),
        new ReLU(),
        new AnalogLinearMapped(128, 10, { rpuConfig, engine }),
      );
      const saved = await saveModel(model);
      const files = encodeModel(saved);
      const raw = rawFloat32Bytes(saved);
      expect(raw).toBeGreaterThanOrEqual(4 * 234_752);
      expect(files.json.length + files.weights.byteLength).toBeLessThanOrEqual(1.3 * raw);
      // Every array of this model is float32: the sidecar is exactly their raw bytes.
      expect(files.weights.byteLength).toBeLessThanOrEqual(raw);
      await model.dispose();
    }
  });

  it('an array that is not float32 keeps its float64 values', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 0.1);
    const saved: SavedModel = { format: 'crossbar-model@1', engine: null, architecture: { type: 'X' }, state: { type: 'X', params: { p: values } } };
    const files = encodeModel(saved);
    expect(files.weights.byteLength).toBe(8 * 20);
    expect(decodeModel(files.json, files.weights).state.params!.p).toEqual(values);
  });
});

describe('old single-file JSON models (crossbar-model@1)', () => {
  const expected = JSON.parse(fixture('model-v1.expected.json')) as { input: number[]; batch: number; output: number[] };

  it('a committed crossbar-model@1 file still loads and computes what it computed when saved', async () => {
    const model = (await loadModel(fixture('model-v1.json'))).eval();
    expect(Array.from(await model.forward(Float32Array.from(expected.input), expected.batch))).toEqual(expected.output);
  });

  it('re-saved as model files, it computes the same', async () => {
    const files = encodeModel(JSON.parse(fixture('model-v1.json')) as SavedModel);
    const model = (await loadModel(files)).eval();
    expect(Array.from(await model.forward(Float32Array.from(expected.input), expected.batch))).toEqual(expected.output);
  });

  it('decodeModel passes a crossbar-model@1 JSON through', () => {
    expect(decodeModel(fixture('model-v1.json'))).toEqual(JSON.parse(fixture('model-v1.json')));
  });
});

describe('damaged model files are refused', () => {
  const small = (): SavedModel => ({
    format: 'crossbar-model@1',
    engine: null,
    architecture: { type: 'X' },
    state: { type: 'X', params: { p: Array.from({ length: 16 }, (_, i) => i / 4) } },
  });

  it('a model.json without its weights, or with weights of another size', () => {
    const files = encodeModel(small());
    expect(() => decodeModel(files.json)).toThrow(InputError);
    expect(() => decodeModel(files.json)).toThrow(/model\.weights\.bin/);
    expect(() => decodeModel(files.json, files.weights.subarray(4))).toThrow(ModuleError);
    expect(() => decodeModel(files.json, files.weights.subarray(4))).toThrow(/60 bytes, model.json expects 64/);
    return expect(loadModel(files.json)).rejects.toThrow(InputError);
  });

  it('a non-finite value in the sidecar, or an array outside it', () => {
    const files = encodeModel(small());
    const bad = files.weights.slice();
    new DataView(bad.buffer).setFloat32(8, Number.NaN, true);
    expect(() => decodeModel(files.json, bad)).toThrow(/state\.params\.p\[2\] is NaN/);
    new DataView(bad.buffer).setFloat32(8, Number.POSITIVE_INFINITY, true);
    expect(() => decodeModel(files.json, bad)).toThrow(ModuleError);
    const json = JSON.parse(files.json);
    json.state.params.p.length = 17;
    expect(() => decodeModel(json, files.weights)).toThrow(/not within the 64-byte weights/);
    json.state.params.p = { dtype: 'int8', byteOffset: 0, length: 2 };
    expect(() => decodeModel(json, files.weights)).toThrow(/dtype must be/);
  });

  it('non-finite values are refused when saving, not written', () => {
    const saved = small();
    saved.state.params!.p![3] = Number.POSITIVE_INFINITY;
    expect(() => encodeModel(saved)).toThrow(/state\.params\.p\[3\] is Infinity/);
  });

  it('not a model', () => {
    expect(() => decodeModel('{"format": "x"}')).toThrow(ModuleError);
    expect(() => decodeModel('{')).toThrow(InputError);
    expect(() => encodeModel({ format: 'x' } as never)).toThrow(InputError);
  });
});
