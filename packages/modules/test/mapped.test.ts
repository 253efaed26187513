/**
 * AnalogLinearMapped: the split of a logical matrix over tiles, and that it
 * computes what AnalogLinear computes on the same weights (perfect IO).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, ConstantStepDevice, FloatingPointRPUConfig, SingleRPUConfig, type AnalogTileBackend, type RPUConfig } from '@crossbar/core';
import { AnalogLinear, AnalogLinearMapped, AnalogSGD, getLinear, splitSizes } from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';
import { maxAbsDiff, uniform } from './helpers/data.js';
import { referenceEngine } from './helpers/reference-engine.js';

describe('tile split and class choice', () => {
  it('splits like aihwkit get_split_sizes', () => {
    expect(splitSizes(5, 2)).toEqual([2, 2, 1]);
    expect(splitSizes(8, 4)).toEqual([4, 4]);
    expect(splitSizes(1000, 512)).toEqual([500, 500]);
    expect(splitSizes(512, 512)).toEqual([512]);
    expect(splitSizes(7, 0)).toEqual([7]);
    expect(splitSizes(10, 3)).toEqual([3, 3, 2, 2]);
  });

  it('getLinear picks the class as aihwkit MapableRPU.get_linear', () => {
    expect(getLinear(new SingleRPUConfig())).toBe(AnalogLinearMapped); // default max sizes 512
    expect(getLinear(new SingleRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 0 } }))).toBe(AnalogLinear);
    expect(getLinear(new FloatingPointRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 16 } }))).toBe(AnalogLinearMapped);
  });

  it('AnalogLinearMapped refuses an analog bias, as aihwkit', () => {
    const rpuConfig = new FloatingPointRPUConfig({ mapping: { digitalBias: false } });
    expect(() => new AnalogLinearMapped(4, 3, { rpuConfig, engine: referenceEngine })).toThrow(ConfigError);
    expect(() => new AnalogLinearMapped(4, 3, { rpuConfig, bias: false, engine: referenceEngine })).not.toThrow();
  });

  it('builds the grid of tiles, named i_j', async () => {
    const layer = new AnalogLinearMapped(7, 5, {
      rpuConfig: new FloatingPointRPUConfig({ mapping: { maxInputSize: 3, maxOutputSize: 2 } }),
      engine: referenceEngine,
    });
    await layer.build();
    expect(layer.gridShape).toEqual([3, 3]);
    const tiles = layer.namedAnalogTiles();
    expect(tiles.map(([n]) => n)).toEqual(['tiles.0_0', 'tiles.0_1', 'tiles.0_2', 'tiles.1_0', 'tiles.1_1', 'tiles.1_2', 'tiles.2_0', 'tiles.2_1', 'tiles.2_2']);
    expect(tiles.map(([, t]) => [t.tile.outSize, t.tile.inSize])).toEqual([
      [2, 3],
      [2, 3],
      [1, 3],
      [2, 2],
      [2, 2],
      [1, 2],
      [2, 2],
      [2, 2],
      [1, 2],
    ]);
  });
});

/** Configs with perfect IO and no device-to-device spread of the bounds (so tiles of any seed clip alike). */
function perfectConfigs(maxIn: number, maxOut: number): Array<[string, RPUConfig, RPUConfig]> {
  const single = (mapping: object) =>
    new SingleRPUConfig({
      forward: { isPerfect: true },
      backward: { isPerfect: true },
      device: new ConstantStepDevice({ wMaxDtod: 0, wMinDtod: 0 }),
      mapping,
    });
  return [
    [
      'FloatingPointRPUConfig',
      new FloatingPointRPUConfig({ mapping: { maxInputSize: maxIn, maxOutputSize: maxOut } }),
      new FloatingPointRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 0 } }),
    ],
    ['SingleRPUConfig (perfect IO)', single({ maxInputSize: maxIn, maxOutputSize: maxOut }), single({ maxInputSize: 0, maxOutputSize: 0 })],
  ];
}

function equivalenceSuite(engine: string | AnalogTileBackend): void {
  const cases: Array<[string, number, number, number, number]> = [
    ['sizes that divide the tile size', 8, 6, 4, 3],
    ['sizes that do not divide the tile size', 7, 5, 3, 2],
  ];
  for (const [what, inF, outF, maxIn, maxOut] of cases) {
    for (const [cfgName, mappedCfg, linearCfg] of perfectConfigs(maxIn, maxOut)) {
      it(`${what}, ${cfgName}: same outputs, input gradients and weights`, async () => {
        const mapped = new AnalogLinearMapped(inF, outF, { rpuConfig: mappedCfg, engine, seed: 1 });
        const linear = new AnalogLinear(inF, outF, { rpuConfig: linearCfg, engine, seed: 2 });
        const w = uniform(inF * outF, 3, -0.3, 0.3);
        const b = uniform(outF, 4, -0.2, 0.2);
        await mapped.setWeights(w, b);
        await linear.setWeights(w, b);
        expect(maxAbsDiff((await mapped.getWeights()).weight, w)).toBe(0);
        expect(maxAbsDiff((await mapped.getWeights()).bias!, b)).toBe(0);

        const batch = 4;
        const x = uniform(batch * inF, 5);
        const ym = await mapped.forward(x, batch);
        const yl = await linear.forward(x, batch);
        expect(maxAbsDiff(ym, yl)).toBeLessThan(1e-5);
        const dy = uniform(batch * outF, 6);
        expect(maxAbsDiff(await mapped.backward(dy), await linear.backward(dy))).toBeLessThan(1e-5);
      });
    }
    it(`${what}: one SGD step changes both alike (floating point)`, async () => {
      const [, mappedCfg, linearCfg] = perfectConfigs(maxIn, maxOut)[0]!;
      const mapped = new AnalogLinearMapped(inF, outF, { rpuConfig: mappedCfg, engine, seed: 1 });
      const linear = new AnalogLinear(inF, outF, { rpuConfig: linearCfg, engine, seed: 2 });
      const w = uniform(inF * outF, 7, -0.3, 0.3);
      const b = uniform(outF, 8, -0.2, 0.2);
      await mapped.setWeights(w, b);
      await linear.setWeights(w, b);
      const batch = 3;
      const x = uniform(batch * inF, 9);
      const dy = uniform(batch * outF, 10);
      for (const layer of [mapped, linear]) {
        const opt = new AnalogSGD(layer, { lr: 0.1 });
        await layer.forward(x, batch);
        await layer.backward(dy);
        await opt.step();
      }
      const after = [await mapped.getWeights(), await linear.getWeights()];
      expect(maxAbsDiff(after[0]!.weight, after[1]!.weight)).toBeLessThan(1e-6);
      expect(maxAbsDiff(after[0]!.bias!, after[1]!.bias!)).toBeLessThan(1e-6);
      expect(maxAbsDiff(after[0]!.weight, w)).toBeGreaterThan(1e-3);
    });
  }
}

describe('AnalogLinearMapped equals AnalogLinear on the test-only reference engine', () => equivalenceSuite(referenceEngine));
describeEachEngine('AnalogLinearMapped equals AnalogLinear', (engine) => equivalenceSuite(engine));
