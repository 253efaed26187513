/**
 * The classifier loops of classification.ts: they do exactly what the loop an
 * aihwkit example writes by hand does (same tile calls in the same order, so
 * the same numbers with the same seeds), report what they measured, and refuse
 * bad input before touching the model.
 */
import { describe, expect, it } from 'vitest';
import { FloatingPointRPUConfig, InputError, type RPUConfig } from '@crossbar/core';
import {
  AnalogLinear,
  AnalogSequential,
  AnalogSGD,
  CrossEntropyLoss,
  ReLU,
  accuracyStats,
  argmax,
  classificationAccuracy,
  countCorrect,
  driftAccuracy,
  loadModel,
  manualSeed,
  meanCompensationScale,
  saveModel,
  trainClassifierEpoch,
  type LabelledSet,
  type Module,
} from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';
import { blobs, permutation } from './helpers/data.js';
import { hwaConfig, trainEpochs } from './helpers/train.js';

const blobSet = (perClass: number, seed: number): LabelledSet => {
  const d = blobs(perClass, seed);
  return { x: d.x, labels: d.labels, count: d.n };
};

function mlp(engine: string, rpuConfig: RPUConfig = hwaConfig(), seed = 3): AnalogSequential {
  manualSeed(seed);
  return new AnalogSequential(new AnalogLinear(2, 8, { rpuConfig, engine }), new ReLU(), new AnalogLinear(8, 3, { rpuConfig, engine }));
}

describe('argmax, countCorrect, accuracyStats', () => {
  it('argmax takes the first of equal maxima and never a NaN', () => {
    expect(argmax([0.1, 0.9, 0.9, 0.2], 0, 4)).toBe(1);
    expect(argmax([5, NaN, 0.3, 0.7], 1, 3)).toBe(2);
    expect(argmax([NaN, -2, -1], 0, 3)).toBe(2);
    expect(countCorrect(Float32Array.of(0.1, 0.9, 0, 0.5, 0.2, 0.3), [1, 2], 2, 3)).toBe(1);
  });

  it('accuracyStats: mean and sample std (0 with one value); empty refused', () => {
    expect(accuracyStats([0.5])).toEqual({ mean: 0.5, std: 0, values: [0.5] });
    const s = accuracyStats([1, 2, 4]);
    expect(s.mean).toBeCloseTo(7 / 3, 14);
    expect(s.std).toBeCloseTo(Math.sqrt(((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2) / 2), 14);
    expect(() => accuracyStats([])).toThrow(InputError);
  });
});

describeEachEngine('classifier loops', (engine) => {
  it('classificationAccuracy counts argmax hits in batches (a last partial one too)', async () => {
    const data = blobSet(7, 2);
    const model = mlp(engine, new FloatingPointRPUConfig()).eval();
    const y = await model.forward(data.x, data.count);
    let ok = 0;
    for (let b = 0; b < data.count; b++) if (argmax(y, 3 * b, 3) === data.labels[b]) ok++;
    // a deterministic model: the batch size does not change the answer
    for (const batch of [1, 4, 21, 500]) expect(await classificationAccuracy(model, data, batch)).toBe(ok / data.count);
    await expect(classificationAccuracy(model, { ...data, count: 5 })).rejects.toThrow(InputError);
    await expect(classificationAccuracy(model, data, 0)).rejects.toThrow(InputError);
    await model.dispose();
  });

  it('trainClassifierEpoch is the hand-written epoch: same weights, loss and accuracy', async () => {
    const data = blobSet(10, 4);
    const order = permutation(data.count, 9, 0);
    const batchSize = 7; // 30 samples: 4 full batches and one of 2
    const a = mlp(engine);
    const b = mlp(engine);
    const optA = new AnalogSGD(a, { lr: 0.1 });
    const optB = new AnalogSGD(b, { lr: 0.1 });
    const seen: number[] = [];
    const result = await trainClassifierEpoch(a, optA, data, {
      order,
      batchSize,
      onBatch: (p) => {
        seen.push(p.samples);
        expect(p.batches).toBe(seen.length);
      },
    });
    expect(seen).toEqual([7, 14, 21, 28, 30]);
    expect(result.samples).toBe(30);

    // the loop written out
    const loss = new CrossEntropyLoss();
    let lossSum = 0;
    let correct = 0;
    b.train();
    for (let s = 0; s < data.count; s += batchSize) {
      const n = Math.min(batchSize, data.count - s);
      const x = new Float32Array(n * 2);
      const labels: number[] = [];
      for (let k = 0; k < n; k++) {
        const i = order[s + k]!;
        x.set(data.x.subarray(2 * i, 2 * i + 2), 2 * k);
        labels.push(data.labels[i]!);
      }
      optB.zeroGrad();
      const y = await b.forward(x, n);
      lossSum += loss.forward(y, labels, n) * n;
      correct += countCorrect(y, labels, n, 3);
      await b.backward(loss.backward());
      await optB.step();
    }
    expect(result.loss).toBe(lossSum / data.count);
    expect(result.accuracy).toBe(correct / data.count);
    expect(a.training).toBe(true);
    expect((await saveModel(a)).state).toEqual((await saveModel(b)).state);
    await a.dispose();
    await b.dispose();
  });

  it('trainClassifierEpoch refuses a bad order or batch size and leaves the model as it was', async () => {
    const data = blobSet(4, 1);
    const model = mlp(engine).eval();
    const opt = new AnalogSGD(model, { lr: 0.1 });
    const before = await saveModel(model);
    const order = Array.from({ length: data.count }, (_, i) => i);
    await expect(trainClassifierEpoch(model, opt, data, { order: order.slice(1), batchSize: 4 })).rejects.toThrow(/order has 11 entries/);
    await expect(trainClassifierEpoch(model, opt, data, { order: order.map((i) => (i === 3 ? 12 : i)), batchSize: 4 })).rejects.toThrow(/order\[3\] = 12/);
    await expect(trainClassifierEpoch(model, opt, data, { order, batchSize: 0 })).rejects.toThrow(InputError);
    await expect(trainClassifierEpoch(model, opt, { ...data, x: data.x.subarray(1) }, { order, batchSize: 4 })).rejects.toThrow(InputError);
    expect(model.training).toBe(false);
    expect(await saveModel(model)).toEqual(before);
    await model.dispose();
  });

  it('driftAccuracy: program, drift, evaluate both models, read the compensation, per repeat and time', { timeout: 300_000 }, async () => {
    const data = blobSet(20, 13);
    const trained = mlp(engine);
    await trainEpochs(trained, new AnalogSGD(trained, { lr: 0.1 }), { ...blobs(20, 13) }, { epochs: 10, batchSize: 10, seed: 6 });
    const saved = await saveModel(trained);
    await trained.dispose();
    const plain = hwaConfig();
    plain.driftCompensation = null;
    const load = async (): Promise<[Module, Module]> => [
      (await loadModel(saved, { rpuConfig: hwaConfig(), engine })).eval(),
      (await loadModel(saved, { rpuConfig: plain, engine })).eval(),
    ];
    const times = [1, 3600, 365 * 86400];
    const accuracy = (m: Module) => classificationAccuracy(m, data, 16);

    const [comp, twin] = await load();
    const steps: string[] = [];
    const points = await driftAccuracy({ compensated: comp, uncompensated: twin }, times, {
      repeats: 2,
      accuracy,
      onStep: (p) => {
        steps.push(`${p.repeat}:${p.index}:${p.t}:${p.done}/${p.total}`);
      },
    });
    expect(steps).toEqual(['0:0:1:1/6', '0:1:3600:2/6', '0:2:31536000:3/6', '1:0:1:4/6', '1:1:3600:5/6', '1:2:31536000:6/6']);

    // the same calls written out, on fresh copies (the tiles' seeds come from the saved model)
    const [comp2, twin2] = await load();
    const c: number[][] = times.map(() => []);
    const u: number[][] = times.map(() => []);
    const scales: number[][] = times.map(() => []);
    for (let r = 0; r < 2; r++) {
      await comp2.program();
      await twin2.program();
      for (let i = 0; i < times.length; i++) {
        await comp2.drift(times[i]!);
        await twin2.drift(times[i]!);
        c[i]!.push(await accuracy(comp2));
        u[i]!.push(await accuracy(twin2));
        scales[i]!.push(await meanCompensationScale(comp2));
      }
    }
    expect(points.map((p) => p.t)).toEqual(times);
    for (let i = 0; i < times.length; i++) {
      expect(points[i]!.compensated).toEqual(accuracyStats(c[i]!));
      expect(points[i]!.uncompensated).toEqual(accuracyStats(u[i]!));
      expect(points[i]!.compensationScale).toBe((scales[i]![0]! + scales[i]![1]!) / 2);
    }
    // PCM drift: the compensation grows with time; the model without it reads 1
    expect(points[2]!.compensationScale).toBeGreaterThan(points[0]!.compensationScale);
    expect(points[2]!.compensationScale).toBeGreaterThan(1);
    expect(await meanCompensationScale(twin)).toBe(1);

    await expect(driftAccuracy({ compensated: comp, uncompensated: twin }, [], { accuracy })).rejects.toThrow(InputError);
    await expect(driftAccuracy({ compensated: comp, uncompensated: twin }, times, { accuracy, repeats: 0 })).rejects.toThrow(InputError);
    for (const m of [comp, twin, comp2, twin2]) await m.dispose();
  });
});
