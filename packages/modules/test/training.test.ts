/**
 * Learning: small networks trained with AnalogSGD on problems made here must
 * reach a stated accuracy, on every registered engine, with
 *   (a) FloatingPointRPUConfig (two spirals),
 *   (b) InferenceRPUConfig hardware-aware training: noisy, quantised forward;
 *       weight modifier in training; clip and remap after each step (3 blobs),
 *   (c) SingleRPUConfig with ConstantStepDevice: pulsed updates (3 blobs).
 * The data and the shuffling are seeded, so each run is the same.
 */
import { expect, it } from 'vitest';
import { ConstantStepDevice, FloatingPointRPUConfig, SingleRPUConfig } from '@crossbar/core';
import { AnalogLinear, AnalogSequential, AnalogSGD, manualSeed, ReLU, StepLR, Tanh } from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';
import { blobs, twoSpirals } from './helpers/data.js';
import { evaluate, hwaConfig, trainEpochs } from './helpers/train.js';

const noSplit = { maxInputSize: 0, maxOutputSize: 0 };

describeEachEngine('learning', (engine) => {
  it('(a) FloatingPointRPUConfig learns two spirals to >= 95% accuracy', { timeout: 300_000 }, async () => {
    manualSeed(1);
    const rpuConfig = new FloatingPointRPUConfig({ mapping: noSplit });
    const model = new AnalogSequential(
      new AnalogLinear(2, 32, { rpuConfig, engine }),
      new ReLU(),
      new AnalogLinear(32, 32, { rpuConfig, engine }),
      new ReLU(),
      new AnalogLinear(32, 2, { rpuConfig, engine }),
    );
    const data = twoSpirals(100, 7);
    const before = await evaluate(model, data);
    const opt = new AnalogSGD(model, { lr: 0.2 });
    const sched = new StepLR(opt, { stepSize: 80, gamma: 0.5 });
    const losses = await trainEpochs(model, opt, data, { epochs: 100, batchSize: 10, seed: 3, onEpoch: () => sched.step() });
    const acc = await evaluate(model, data);
    console.log(`[${engine}] (a) two spirals: accuracy ${before.toFixed(3)} -> ${acc.toFixed(3)}, loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}`);
    expect(before).toBeLessThan(0.7); // it had to learn
    expect(acc).toBeGreaterThanOrEqual(0.95);
  });

  it('(b) InferenceRPUConfig hardware-aware training learns three blobs to >= 90% accuracy', { timeout: 300_000 }, async () => {
    manualSeed(2);
    const rpuConfig = hwaConfig();
    const model = new AnalogSequential(new AnalogLinear(2, 16, { rpuConfig, engine }), new ReLU(), new AnalogLinear(16, 3, { rpuConfig, engine }));
    const data = blobs(60, 11);
    const before = await evaluate(model, data);
    const opt = new AnalogSGD(model, { lr: 0.1 });
    const losses = await trainEpochs(model, opt, data, { epochs: 30, batchSize: 10, seed: 4 });
    const acc = await evaluate(model, data);
    console.log(`[${engine}] (b) HWA blobs: accuracy ${before.toFixed(3)} -> ${acc.toFixed(3)}, loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}`);
    expect(before).toBeLessThan(0.7); // it had to learn
    expect(acc).toBeGreaterThanOrEqual(0.9);
    // Remap after each step: every tile's abs max weight is 1 per row (ChannelwiseSymmetric).
    for (const t of model.analogTiles()) {
      const w = await t.tile.getWeights();
      const cols = t.tile.inSize;
      for (let r = 0; r < t.tile.outSize; r++) {
        const rowMax = Math.max(...Array.from(w.subarray(r * cols, (r + 1) * cols)).map(Math.abs));
        expect(rowMax).toBeCloseTo(1, 5);
      }
    }
  });

  it('(c) SingleRPUConfig with ConstantStepDevice (pulsed updates) learns three blobs to >= 90% accuracy', { timeout: 300_000 }, async () => {
    manualSeed(3);
    const rpuConfig = new SingleRPUConfig({ mapping: noSplit, device: new ConstantStepDevice() });
    const model = new AnalogSequential(new AnalogLinear(2, 16, { rpuConfig, engine }), new Tanh(), new AnalogLinear(16, 3, { rpuConfig, engine }));
    const data = blobs(60, 12);
    const before = await evaluate(model, data);
    const opt = new AnalogSGD(model, { lr: 0.1 });
    const losses = await trainEpochs(model, opt, data, { epochs: 30, batchSize: 10, seed: 5 });
    const acc = await evaluate(model, data);
    console.log(`[${engine}] (c) pulsed blobs: accuracy ${before.toFixed(3)} -> ${acc.toFixed(3)}, loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}`);
    expect(before).toBeLessThan(0.7); // it had to learn
    expect(acc).toBeGreaterThanOrEqual(0.9);
  });
});
