/**
 * Nothing lost on bad input (issue 15): a refused call changes nothing, on every engine.
 */
import { describe, expect, it } from 'vitest';
import { InputError, SingleRPUConfig, ConstantStepDevice, MappingParameter } from '@crossbar/core';
import {
  AnalogLinear,
  AnalogLinearMapped,
  AnalogSequential,
  AnalogSGD,
  loadModel,
  ModuleError,
  ReLU,
  saveModel,
  type ModuleState,
  type SavedModel,
} from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';

const cfg = (): SingleRPUConfig => new SingleRPUConfig({ device: new ConstantStepDevice({ dwMinDtod: 0, wMaxDtod: 0, wMinDtod: 0, upDownDtod: 0, dwMinStd: 0 }) });

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('size limits, before any allocation', () => {
  it('AnalogLinear(1e6, 1e6) and AnalogLinearMapped(1e6, 1e6) are InputErrors with the bytes and how to raise the limit', () => {
    expect(() => new AnalogLinear(1e6, 1e6)).toThrow(InputError);
    expect(() => new AnalogLinear(1e6, 1e6)).toThrow(/AnalogLinear: a 1000000 × 1000000 layer on 1 tile would need about .* GiB.*CROSSBAR_MAX_TILE_BYTES/);
    expect(() => new AnalogLinearMapped(1e6, 1e6)).toThrow(/AnalogLinearMapped: a 1000000 × 1000000 layer on \d+ tiles would need about .* GiB.*maxBytes/);
    expect(() => new AnalogLinear(40000, 40000)).toThrow(InputError);
  });

  it('the limit is an option', () => {
    expect(() => new AnalogLinear(64, 64, { maxBytes: 1000 })).toThrow(/over the limit of 1000 bytes/);
    expect(() => new AnalogLinear(64, 64, { maxBytes: 1e9 })).not.toThrow();
  });
});

describe('AnalogSGD arguments', () => {
  it("refuses aihwkit's AnalogSGD(model.parameters(), lr) form and says how to write it", () => {
    const model = new AnalogLinear(3, 2);
    expect(() => new AnalogSGD(model.parameters() as never, { lr: 0.1 })).toThrow(
      /AnalogSGD: the first argument must be the model \(a Module\), got an array \(model.parameters\(\)\?\). aihwkit's AnalogSGD\(model.parameters\(\), lr=0.1\) is written new AnalogSGD\(model, \{ lr: 0.1 \}\)/,
    );
    expect(() => new AnalogSGD({} as never, { lr: 0.1 })).toThrow(/first argument must be the model/);
    expect(() => new AnalogSGD(model, 0.1 as never)).toThrow(/new AnalogSGD\(model, \{ lr: 0.1 \}\)/);
  });
});

describeEachEngine('a refused call changes nothing', (engine) => {
  async function trainedModel(): Promise<{ model: AnalogSequential; opt: AnalogSGD }> {
    const model = new AnalogSequential(
      new AnalogLinear(4, 3, { rpuConfig: cfg(), engine, seed: 1 }),
      new ReLU(),
      new AnalogLinear(3, 2, { rpuConfig: cfg(), engine, seed: 2 }),
    );
    const opt = new AnalogSGD(model, { lr: 0.1, momentum: 0.9 });
    const x = Float32Array.from({ length: 8 }, (_, i) => Math.sin(i));
    await model.forward(x, 2);
    await model.backward(Float32Array.from({ length: 4 }, (_, i) => 0.1 * (i - 2)));
    await opt.step();
    return { model, opt };
  }

  it('model.loadStateDict with only the last layer corrupted leaves the first layer as it was', async () => {
    const { model } = await trainedModel();
    const before = JSON.stringify(await model.stateDict());
    const other = await trainedModel();
    await other.model.get(0).forward(new Float32Array(8).fill(0.3), 2);
    const state = clone(await other.model.stateDict()) as ModuleState;
    type Layer = { tiles: Record<string, { tile: { weights: unknown[] } }> };
    for (const bad of [null, '0.5', true]) {
      const s = clone(state);
      (s.children![2] as unknown as Layer).tiles['0']!.tile.weights[1] = bad;
      await expect(model.loadStateDict(s)).rejects.toThrow(InputError);
      expect(JSON.stringify(await model.stateDict())).toBe(before);
    }
  });

  it('AnalogLinearMapped.loadStateDict with only the last tile corrupted changes no tile', async () => {
    const mapping = new MappingParameter({ maxInputSize: 2, maxOutputSize: 2 });
    const make = (seed: number) => new AnalogLinearMapped(4, 4, { rpuConfig: new SingleRPUConfig({ ...cfg().fieldValues(), mapping }), engine, seed });
    const layer = make(3);
    const before = JSON.stringify(await layer.stateDict());
    const state = clone(await make(4).stateDict()) as unknown as { tiles: Record<string, { tile: { hiddenParameters: Record<string, unknown[]>; arrays: Json } }> };
    const s1 = clone(state);
    s1.tiles['1_1']!.tile.hiddenParameters.max_bound![0] = null;
    await expect(layer.loadStateDict(s1 as unknown as ModuleState)).rejects.toThrow(/tile 1_1: setState: hiddenParameters.max_bound\[0\] is null/);
    const s2 = clone(state);
    s2.tiles['1_1']!.tile.hiddenParameters.max_bound![0] = -5;
    await expect(layer.loadStateDict(s2 as unknown as ModuleState)).rejects.toThrow(/max_bound\[0\] = -5 is below min_bound/);
    expect(JSON.stringify(await layer.stateDict())).toBe(before);
  });

  it('tile.setState with a short drift.previous or a null hidden parameter changes nothing', async () => {
    const layer = new AnalogLinear(3, 2, { rpuConfig: cfg(), engine, seed: 5 });
    await layer.build();
    const tile = layer.analogTiles()[0]!.tile;
    const before = await tile.getState();
    const good = clone(before);
    good.weights = good.weights.map((w) => w * 0.5);
    const bad = clone(good);
    bad.arrays['drift.previous'] = [1, 2];
    bad.scalars['drift.active'] = 1;
    await expect(Promise.resolve().then(() => tile.setState(bad))).rejects.toThrow(/arrays\["drift.previous"\] must have 6 elements, got 2/);
    expect(await tile.getState()).toEqual(before);
    const bad2 = clone(good);
    (bad2.hiddenParameters.dwmin_up as unknown[])[0] = null;
    await expect(Promise.resolve().then(() => tile.setState(bad2))).rejects.toThrow(/is null/);
    expect(await tile.getState()).toEqual(before);
  });

  it('loadModel refuses nulls, strings and booleans in any loaded array', async () => {
    const { model, opt } = await trainedModel();
    const saved = clone(await saveModel(model, { optimizer: opt })) as SavedModel;
    for (const bad of [null, '0.5', false]) {
      const s = clone(saved) as unknown as { state: { children: Array<{ params?: Record<string, unknown[]> }> } };
      s.state.children[0]!.params!.bias![0] = bad;
      await expect(loadModel(s as unknown as SavedModel, { engine })).rejects.toThrow(/params.bias\[0\] is/);
    }
  });

  it('AnalogSGD.loadStateDict refuses a truncated momentum, nulls, unknown names and a bad stepCount, and keeps its state', async () => {
    const { model, opt } = await trainedModel();
    const good = opt.stateDict();
    const name = Object.keys(good.buffers)[0]!;
    const cases: Array<[string, (s: Json & { buffers: Record<string, unknown[]> }) => void, RegExp]> = [
      ['truncated', (s) => void (s.buffers[name] = s.buffers[name]!.slice(1)), /must have \d+ elements/],
      ['null', (s) => void (s.buffers[name]![0] = null), /is null/],
      ['unknown name', (s) => void (s.buffers['9.bias'] = [1]), /buffer "9.bias" names no parameter/],
      ['stepCount "abc"', (s) => void (s.stepCount = 'abc'), /stepCount must be a non-negative integer, got "abc"/],
    ];
    for (const [, spoil, message] of cases) {
      const s = clone(good) as unknown as Json & { buffers: Record<string, unknown[]> };
      spoil(s);
      expect(() => opt.loadStateDict(s as never)).toThrow(message);
      expect(opt.stateDict()).toEqual(good);
    }
    const bias = model.get(2).parameters()[0]!.value.slice();
    await model.forward(new Float32Array(8).fill(0.2), 2);
    await model.backward(new Float32Array(4).fill(0.1));
    await opt.step();
    expect(Array.from(model.get(2).parameters()[0]!.value).every(Number.isFinite)).toBe(true);
    expect(model.get(2).parameters()[0]!.value).not.toEqual(bias);
  });

  it('a disposed module refuses every call instead of rebuilding with fresh weights', async () => {
    const { model } = await trainedModel();
    await model.dispose();
    const x = new Float32Array(8);
    await expect(model.forward(x, 2)).rejects.toThrow(/AnalogSequential.forward: the module was disposed/);
    const layer = model.get(0) as AnalogLinear;
    await expect(layer.forward(x, 2)).rejects.toThrow(/AnalogLinear.forward: the module was disposed/);
    await expect(layer.getWeights()).rejects.toThrow(ModuleError);
    await expect(layer.stateDict()).rejects.toThrow(/disposed/);
    await expect(layer.setWeights(new Float32Array(12))).rejects.toThrow(/disposed/);
    await expect(layer.build()).rejects.toThrow(/disposed/);
    expect(() => model.zeroGrad()).toThrow(/disposed/);
  });
});
