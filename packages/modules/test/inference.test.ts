/**
 * The inference workflow on a model (aihwkit's program_analog_weights /
 * drift_analog_weights): hardware-aware training, then programming, drift to
 * t_inference and evaluation with global drift compensation.
 */
import { expect, it } from 'vitest';
import { FloatingPointRPUConfig } from '@crossbar/core';
import { AnalogLinear, AnalogSequential, AnalogSGD, loadModel, manualSeed, ModuleError, ReLU, saveModel, type Module } from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';
import { blobs } from './helpers/data.js';
import { evaluate, hwaConfig, trainEpochs } from './helpers/train.js';

function meanAbs(y: Float32Array): number {
  let s = 0;
  for (const v of y) s += Math.abs(v);
  return s / y.length;
}

describeEachEngine('inference workflow', (engine) => {
  it('program, drift and evaluate with drift compensation after hardware-aware training', { timeout: 300_000 }, async () => {
    manualSeed(7);
    const rpuConfig = hwaConfig();
    const model = new AnalogSequential(new AnalogLinear(2, 16, { rpuConfig, engine }), new ReLU(), new AnalogLinear(16, 3, { rpuConfig, engine }));
    const data = blobs(60, 13);
    await trainEpochs(model, new AnalogSGD(model, { lr: 0.1 }), data, { epochs: 20, batchSize: 10, seed: 6 });
    const trainedAcc = await evaluate(model, data);
    expect(trainedAcc).toBeGreaterThanOrEqual(0.9);
    const saved = await saveModel(model);

    // program() and drift() are for evaluation mode, as in aihwkit.
    model.train();
    await expect(model.program()).rejects.toThrow(ModuleError);
    await expect(model.drift(10)).rejects.toThrow(ModuleError);

    model.eval();
    await model.program();
    const programmedAcc = await evaluate(model, data);
    const yProgrammed = await model.forward(data.x, data.n);
    const tDay = 24 * 3600;
    await model.drift(tDay);
    const driftedAcc = await evaluate(model, data);
    const yDrifted = await model.forward(data.x, data.n);
    const scales = [];
    for (const t of model.analogTiles()) scales.push(await t.tile.getDriftCompensationScale());
    console.log(
      `[${engine}] accuracy trained ${trainedAcc.toFixed(3)}, programmed ${programmedAcc.toFixed(3)}, ` +
        `drifted 1 day (compensated) ${driftedAcc.toFixed(3)}; compensation ${scales.map((s) => s.toFixed(3)).join(', ')}`,
    );
    expect(driftedAcc).toBeGreaterThanOrEqual(0.85);
    // PCM drift lowers the conductances; the compensation (> 1) brings the outputs back to the programmed scale.
    for (const s of scales) expect(s).toBeGreaterThan(1);
    expect(meanAbs(yDrifted) / meanAbs(yProgrammed)).toBeGreaterThan(0.8);
    expect(meanAbs(yDrifted) / meanAbs(yProgrammed)).toBeLessThan(1.25);

    // The same model without drift compensation: its outputs shrink with the drift.
    const plain = hwaConfig();
    plain.driftCompensation = null;
    const uncompensated: Module = await loadModel(saved, { rpuConfig: plain });
    uncompensated.eval();
    await uncompensated.program();
    const yu0 = await uncompensated.forward(data.x, data.n);
    await uncompensated.drift(tDay);
    const yu1 = await uncompensated.forward(data.x, data.n);
    expect(meanAbs(yu1) / meanAbs(yu0)).toBeLessThan(0.9);
  });

  it('drift() leaves tiles of other configs alone', async () => {
    const layer = new AnalogLinear(3, 2, { rpuConfig: new FloatingPointRPUConfig(), engine, seed: 1 });
    const before = await layer.getWeights();
    layer.eval();
    await layer.program();
    await layer.drift(1000);
    expect(await layer.getWeights()).toEqual(before);
  });
});
