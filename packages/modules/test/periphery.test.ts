/**
 * The digital periphery of a tile (aihwkit's tiles/base.py and inference.py):
 * input range learning, weight scaling, out scaling, the update's pre-processing
 * and the post-update step. The arithmetic is checked on the test-only
 * reference engine (exact MVM, records its calls); the parts that need the
 * engine's physics on each registered engine.
 */
import { describe, expect, it } from 'vitest';
import { ConstantStepDevice, FloatingPointRPUConfig, InferenceRPUConfig, SingleRPUConfig, type AnalogTileBackend } from '@crossbar/core';
import { AnalogLinear, AnalogSGD, type TileWithPeriphery } from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';
import { maxAbsDiff, uniform } from './helpers/data.js';
import { referenceEngine, ReferenceTile } from './helpers/reference-engine.js';

function std(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  m /= x.length;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - m) ** 2;
  return Math.sqrt(s / (x.length - 1));
}

function onlyTile(layer: AnalogLinear): TileWithPeriphery {
  return layer.analogTiles()[0]!;
}

function matVec(w: Float32Array, x: Float32Array, batch: number, n: number, m: number): Float64Array {
  const y = new Float64Array(batch * m);
  for (let b = 0; b < batch; b++) for (let r = 0; r < m; r++) for (let c = 0; c < n; c++) y[b * m + r] += w[r * n + c]! * x[b * n + c]!;
  return y;
}

const irConfig = (ir: object, extra: object = {}) =>
  new FloatingPointRPUConfig({ prePost: { inputRange: { enable: true, manageOutputClipping: false, ...ir } }, ...extra });

describe('input range learning (reference engine)', () => {
  it('initialises from the first init_from_data training batches: ir = mean of init_std_alpha · std(x)', async () => {
    const layer = new AnalogLinear(4, 2, { rpuConfig: irConfig({ initFromData: 2, initStdAlpha: 2.5, initValue: 7 }), engine: referenceEngine });
    await layer.build();
    const t = onlyTile(layer);
    expect(t.inputRange!.value[0]).toBe(7);
    const x1 = uniform(12, 1, -2, 2);
    const x2 = uniform(12, 2, -0.5, 0.5);
    await layer.forward(x1, 3);
    expect(t.inputRange!.value[0]).toBeCloseTo(2.5 * std(x1), 5);
    await layer.forward(x2, 3);
    expect(t.inputRange!.value[0]).toBeCloseTo((2.5 * std(x1) + 2.5 * std(x2)) / 2, 5);
    const after = t.inputRange!.value[0];
    await layer.forward(uniform(12, 3, -9, 9), 3);
    expect(t.inputRange!.value[0]).toBe(after); // only the first two batches count
    expect(t.inputRangeUpdateIdx).toBe(2);
  });

  it('does not initialise in eval mode', async () => {
    const layer = new AnalogLinear(4, 2, { rpuConfig: irConfig({ initFromData: 5, initValue: 3 }), engine: referenceEngine });
    layer.eval();
    await layer.forward(uniform(8, 1), 2);
    expect(onlyTile(layer).inputRange!.value[0]).toBe(3);
  });

  it('clips the input before the tile: y = W · clip(x, ±ir)', async () => {
    const layer = new AnalogLinear(3, 2, { rpuConfig: irConfig({ initFromData: 0, initValue: 0.5 }), bias: false, engine: referenceEngine });
    const w = uniform(6, 4);
    await layer.setWeights(w);
    const x = Float32Array.of(0.2, -1.5, 0.9, -0.3, 0.4, -0.49);
    const y = await layer.forward(x, 2);
    const clipped = x.map((v) => Math.max(-0.5, Math.min(0.5, v)));
    expect(maxAbsDiff(y, matVec(w, clipped, 2, 3, 2))).toBeLessThan(1e-6);
    // The tile saw clip(x)/ir, within [-1, 1].
    const tile = onlyTile(layer).tile as ReferenceTile;
    expect(tile.inSize).toBe(3);
  });

  it("backward passes straight through the clip and gives the range aihwkit's gradient", async () => {
    const p = { initFromData: 0, initValue: 0.5, decay: 0.01, inputMinPercentage: 0.2, gradientScale: 2, gradientRelative: true };
    const layer = new AnalogLinear(3, 2, { rpuConfig: irConfig(p), bias: false, engine: referenceEngine });
    const w = uniform(6, 5);
    await layer.setWeights(w);
    const x = Float32Array.of(0.2, -1.5, 0.9, -0.3, 0.4, -0.6);
    await layer.forward(x, 2);
    const dy = Float32Array.of(1, -2, 0.5, 0.3);
    const dx = await layer.backward(dy);
    // dx = Wᵀ dy for every input, clipped or not (aihwkit 0.7.1 passes the gradient through).
    const expectDx = new Float64Array(6);
    for (let b = 0; b < 2; b++) for (let c = 0; c < 3; c++) for (let r = 0; r < 2; r++) expectDx[b * 3 + c] += w[r * 3 + c]! * dy[b * 2 + r]!;
    expect(maxAbsDiff(dx, expectDx)).toBeLessThan(1e-6);
    // grad = (Σ_{x>=ir} min(dx,0) − Σ_{x<=-ir} max(dx,0)) · ir · scale + decay · ir (if > 20% unclipped)
    let g = 0;
    let inside = 0;
    for (let i = 0; i < 6; i++) {
      if (x[i]! >= 0.5) g += Math.min(dx[i]!, 0);
      if (x[i]! <= -0.5) g -= Math.max(dx[i]!, 0);
      if (Math.abs(x[i]!) < 0.5) inside++;
    }
    g = g * 0.5 * 2;
    if (inside / 6 > 0.2) g += 0.01 * 0.5;
    const ir = onlyTile(layer).inputRange!;
    expect(ir.grad![0]).toBeCloseTo(g, 6);
    // SGD moves the range by −lr · grad.
    await new AnalogSGD(layer, { lr: 0.1 }).step();
    expect(ir.value[0]).toBeCloseTo(0.5 - 0.1 * g, 6);
  });

  it('manage_output_clipping grows the range when too many outputs clip', async () => {
    const rpuConfig = new InferenceRPUConfig({
      forward: { noiseManagement: 'None', boundManagement: 'None', outBound: 1 },
      prePost: { inputRange: { enable: true, initFromData: 0, initValue: 1, decay: 0, manageOutputClipping: true, outputMinPercentage: 0.9 } },
    });
    const layer = new AnalogLinear(2, 2, { rpuConfig, bias: false, engine: referenceEngine });
    await layer.setWeights(Float32Array.of(2, 0, 0, 0.1));
    // Outputs (reference engine: no ADC) 2·x0 and 0.1·x1; with x0 = 0.9 the first output is above 0.999.
    await layer.forward(Float32Array.of(0.9, 0.5), 1);
    await layer.backward(Float32Array.of(0, 0));
    // 1 of 2 outputs below the bound: percentage 0.5 < 0.9, grad = −(1 − 0.5) · ir.
    expect(onlyTile(layer).inputRange!.grad![0]).toBeCloseTo(-0.5, 6);
  });

  it('the update sees clip(x)/ir with the range after the digital step, and d / mapping scales', async () => {
    const rpuConfig = irConfig({ initFromData: 0, initValue: 0.5, decay: 0 }, { mapping: { weightScalingOmega: 1 } });
    const layer = new AnalogLinear(2, 1, { rpuConfig, bias: false, engine: referenceEngine });
    await layer.setWeights(Float32Array.of(0.4, -0.2)); // scale 0.4, tile weights [1, -0.5]
    const t = onlyTile(layer);
    expect(Array.from(await t.tile.getScales())).toEqual([Math.fround(0.4)]);
    const x = Float32Array.of(1, -0.25);
    await layer.forward(x, 1);
    await layer.backward(Float32Array.of(1));
    const g = t.inputRange!.grad![0]!;
    const lr = 0.1;
    await new AnalogSGD(layer, { lr }).step();
    const irNew = Math.fround(0.5 - lr * g);
    expect(t.inputRange!.value[0]).toBeCloseTo(irNew, 6);
    const xn = [Math.min(1, irNew) / irNew, -0.25 / irNew];
    const d = 1 / Math.fround(0.4);
    const w = await t.tile.getWeights();
    expect(w[0]).toBeCloseTo(1 - lr * d * xn[0]!, 5);
    expect(w[1]).toBeCloseTo(-0.5 - lr * d * xn[1]!, 5);
  });
});

describe('weight scaling and out scaling (reference engine)', () => {
  it('weight_scaling_omega maps the abs max to omega with a digital scale; getWeights gives the logical weights back', async () => {
    const rpuConfig = new FloatingPointRPUConfig({ mapping: { weightScalingOmega: 0.5, digitalBias: false } });
    const layer = new AnalogLinear(3, 2, { rpuConfig, engine: referenceEngine });
    const w = Float32Array.of(0.1, -2, 0.5, 1, 0.3, -0.2);
    const b = Float32Array.of(0.25, -0.5);
    await layer.setWeights(w, b);
    const tile = onlyTile(layer).tile;
    const s = Math.fround(2 / 0.5);
    expect(Array.from(await tile.getScales())).toEqual([s, s]);
    const raw = await tile.getWeights(); // bias as the last column
    expect(Math.max(...Array.from(raw).map(Math.abs))).toBeCloseTo(0.5, 6);
    const back = await layer.getWeights();
    expect(maxAbsDiff(back.weight, w)).toBeLessThan(1e-6);
    expect(maxAbsDiff(back.bias!, b)).toBeLessThan(1e-6);
    const tileOnly = await layer.getWeights({ applyWeightScaling: false });
    expect(
      maxAbsDiff(
        tileOnly.weight,
        w.map((v) => v / s),
      ),
    ).toBeLessThan(1e-6);
  });

  it('columnwise weight scaling: one scale per output row', async () => {
    const rpuConfig = new FloatingPointRPUConfig({ mapping: { weightScalingOmega: 1, weightScalingColumnwise: true } });
    const layer = new AnalogLinear(2, 3, { rpuConfig, engine: referenceEngine });
    await layer.setWeights(Float32Array.of(0.5, -0.25, 0, 0, 3, 1));
    expect(Array.from(await onlyTile(layer).tile.getScales())).toEqual([0.5, 1, 3]); // a zero row keeps scale 1
  });

  it('setWeights without weight scaling resets the digital scales, so what is set is what is read', async () => {
    const layer = new AnalogLinear(2, 2, { rpuConfig: new FloatingPointRPUConfig(), engine: referenceEngine });
    await layer.build();
    await onlyTile(layer).tile.setScales(Float32Array.of(2, 3));
    const w = Float32Array.of(1, 2, 3, 4);
    await layer.setWeights(w);
    expect(Array.from((await layer.getWeights()).weight)).toEqual(Array.from(w));
  });

  it('remapWeights(omega) re-sets the logical weights through weight scaling', async () => {
    const layer = new AnalogLinear(2, 2, { rpuConfig: new FloatingPointRPUConfig(), engine: referenceEngine, bias: false });
    await layer.setWeights(Float32Array.of(0.2, -0.8, 0.4, 0.1));
    await layer.remapWeights(1);
    expect(Array.from(await onlyTile(layer).tile.getWeights())).toEqual([0.25, -1, 0.5, 0.125].map(Math.fround));
    expect(maxAbsDiff((await layer.getWeights()).weight, [0.2, -0.8, 0.4, 0.1])).toBeLessThan(1e-6);
  });

  it('learned out scales multiply the output and are part of the logical weights', async () => {
    const rpuConfig = new FloatingPointRPUConfig({ mapping: { learnOutScaling: true, outScalingColumnwise: true } });
    const layer = new AnalogLinear(2, 2, { rpuConfig, engine: referenceEngine, bias: false });
    await layer.setWeights(Float32Array.of(1, 0, 0, 1));
    onlyTile(layer).outScaling!.value.set([2, 0.5]);
    expect(Array.from(await layer.forward(Float32Array.of(1, 1), 1))).toEqual([2, 0.5]);
    expect(Array.from((await layer.getWeights()).weight)).toEqual([2, 0, 0, 0.5]);
    expect(layer.namedParameters().map(([n]) => n)).toEqual(['tiles.0.outScaling']);
  });
});

describe('post-update step (reference engine)', () => {
  it('InferenceRPUConfig: update, then clip, remap (learned out scales folded in), modifier — as aihwkit InferenceTile', async () => {
    const rpuConfig = new InferenceRPUConfig({
      clip: { type: 'FixedValue', fixedValue: 0.9 },
      remap: { type: 'LayerwiseSymmetric' },
      modifier: { type: 'AddNormal', stdDev: 0.02 },
      mapping: { learnOutScaling: true },
      device: { lifetime: 100, diffusion: 0.01 },
    });
    const layer = new AnalogLinear(2, 2, { rpuConfig, engine: referenceEngine });
    await layer.setWeights(Float32Array.of(0.5, -0.25, 0.1, 0.2), Float32Array.of(0, 0));
    const t = onlyTile(layer);
    const tile = t.tile as ReferenceTile;
    t.outScaling!.value[0] = 1.5;
    tile.calls.length = 0;
    const opt = new AnalogSGD(layer, { lr: 0.01 });
    await layer.forward(Float32Array.of(1, 1), 1);
    await layer.backward(Float32Array.of(0.1, 0.1));
    await opt.step();
    expect(tile.calls).toEqual(['update', 'diffuseWeights', 'decayWeights', 'clipWeights', 'setScales', 'remapWeights', 'applyWeightModifier']);
    // Remap folded the learned scale into the mapping scales and made the tile's abs max 1.
    expect(t.outScaling!.value[0]).toBe(1);
    const w = await tile.getWeights();
    expect(Math.max(...Array.from(w).map(Math.abs))).toBeCloseTo(1, 6);
  });

  it('SingleRPUConfig: only decay/diffusion when the device has them (no clip, remap or modifier fields)', async () => {
    const layer = new AnalogLinear(2, 2, {
      rpuConfig: new SingleRPUConfig({ device: new ConstantStepDevice({ lifetime: 10 }) }),
      engine: referenceEngine,
    });
    await layer.build();
    const tile = onlyTile(layer).tile as ReferenceTile;
    tile.calls.length = 0;
    await layer.forward(Float32Array.of(1, 1), 1);
    await layer.backward(Float32Array.of(0.1, 0.1));
    await new AnalogSGD(layer, { lr: 0.01 }).step();
    expect(tile.calls).toEqual(['update', 'decayWeights']);
  });

  it('every (x, d) recorded since the last step goes into one update; zeroGrad drops them', async () => {
    const layer = new AnalogLinear(2, 1, { rpuConfig: new FloatingPointRPUConfig(), engine: referenceEngine, bias: false });
    await layer.setWeights(Float32Array.of(0, 0));
    const opt = new AnalogSGD(layer, { lr: 1 });
    await layer.forward(Float32Array.of(1, 0), 1);
    await layer.backward(Float32Array.of(1));
    await layer.forward(Float32Array.of(0, 1), 1);
    await layer.backward(Float32Array.of(2));
    await opt.step();
    expect(Array.from((await layer.getWeights()).weight)).toEqual([-1, -2]);
    await layer.forward(Float32Array.of(1, 1), 1);
    await layer.backward(Float32Array.of(1));
    opt.zeroGrad();
    await opt.step();
    expect(Array.from((await layer.getWeights()).weight)).toEqual([-1, -2]);
  });
});

function enginePeriphery(engine: string | AnalogTileBackend): void {
  it('weight scaling on a pulsed device keeps the tile weights within the bounds and the logical weights intact', async () => {
    const rpuConfig = new SingleRPUConfig({
      forward: { isPerfect: true },
      mapping: { weightScalingOmega: 0.5, maxInputSize: 0, maxOutputSize: 0 },
      device: new ConstantStepDevice({ wMaxDtod: 0, wMinDtod: 0 }),
    });
    const layer = new AnalogLinear(3, 2, { rpuConfig, engine, seed: 3 });
    const w = Float32Array.of(2, -1, 0.5, 0.3, -4, 1);
    await layer.setWeights(w, Float32Array.of(0, 0));
    const raw = await onlyTile(layer).tile.getWeights();
    expect(Math.max(...Array.from(raw).map(Math.abs))).toBeCloseTo(0.5, 6);
    expect(maxAbsDiff((await layer.getWeights()).weight, w)).toBeLessThan(1e-5);
    const x = uniform(6, 1);
    const y = await layer.forward(x, 2);
    expect(maxAbsDiff(y, matVec(w, x, 2, 3, 2))).toBeLessThan(1e-5);
  });

  it('input range with manage_output_clipping on a bounded ADC', async () => {
    const rpuConfig = new InferenceRPUConfig({
      forward: { noiseManagement: 'None', boundManagement: 'None', outBound: 1, outNoise: 0, inpRes: -1, outRes: -1 },
      prePost: { inputRange: { enable: true, initFromData: 0, initValue: 1, decay: 0, outputMinPercentage: 0.9 } },
    });
    const layer = new AnalogLinear(2, 2, { rpuConfig, bias: false, engine, seed: 4 });
    await layer.setWeights(Float32Array.of(2, 0, 0, 0.1));
    const y = await layer.forward(Float32Array.of(0.9, 0.5), 1);
    expect(y[0]).toBeCloseTo(1, 5); // the ADC clips 1.8 to out_bound 1
    await layer.backward(Float32Array.of(0, 0));
    expect(onlyTile(layer).inputRange!.grad![0]).toBeCloseTo(-0.5, 6);
  });
}

describeEachEngine('periphery', (engine) => enginePeriphery(engine));
