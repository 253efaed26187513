// The drift view's computation (src/drift-lab.ts) on the ndarray engine.
import { describe, expect, it } from 'vitest';
import { NdarrayBackend } from '@crossbar/backend-ndarray';
import { rpuConfigFromDict, rpuConfigToDict, SingleRPUConfig } from '@crossbar/core';
import { checkModelShape, driftCurves, inferenceConfigOf, trainModel } from '../src/drift-lab.js';
import { DRIFT_DEFAULTS, SettingError } from '../src/settings.js';
import { defaultRpuConfig } from '../src/state.js';

const engine = new NdarrayBackend();

describe('drift view computation', () => {
  it('trains the glyph MLP well, the same way twice, and drift lowers the uncompensated accuracy most', async () => {
    const s = { ...DRIFT_DEFAULTS, repeats: 2, times: [1, 86400, 3650 * 86400] };
    const config = defaultRpuConfig();
    const a = await trainModel(engine, config, s);
    expect(a.history).toHaveLength(s.epochs);
    expect(a.beforeProgramming).toBeGreaterThan(0.9);
    expect(a.history[0]!.loss).toBeGreaterThan(a.history.at(-1)!.loss);
    const b = await trainModel(engine, config, s);
    expect(b.saved).toEqual(a.saved);
    const curves = await driftCurves(engine, a, config, s);
    const [first, , last] = curves.points;
    expect(first!.compensated.values).toHaveLength(2);
    expect(first!.uncompensated.mean).toBeGreaterThan(0.85);
    expect(last!.uncompensated.mean).toBeLessThan(first!.uncompensated.mean - 0.05);
    expect(last!.compensated.mean).toBeGreaterThan(last!.uncompensated.mean + 0.03);
    expect(last!.compensationScale).toBeGreaterThan(1.5);
    // a stronger drift lowers it further (the PCM parameters reach the curves without retraining)
    const dict = rpuConfigToDict(config) as { noise_model: Record<string, unknown> };
    const stronger = rpuConfigFromDict({ ...dict, noise_model: { ...dict.noise_model, drift_scale: 3 } });
    const worse = await driftCurves(engine, a, stronger, s);
    expect(worse.points[2]!.uncompensated.mean).toBeLessThan(last!.uncompensated.mean);
  }, 120_000);

  it('refuses a config without PCM inference and a model of the wrong shape, saying why', () => {
    expect(() => inferenceConfigOf(new SingleRPUConfig())).toThrow(SettingError);
    expect(() => inferenceConfigOf(new SingleRPUConfig())).toThrow('needs an InferenceRPUConfig');
    const model = (inF: number, outF: number) => ({
      format: 'crossbar-model@1' as const,
      engine: null,
      architecture: {
        type: 'AnalogSequential',
        children: [{ type: 'AnalogLinear', inFeatures: inF, outFeatures: 256 }, { type: 'ReLU' }, { type: 'AnalogLinear', inFeatures: 256, outFeatures: outF }],
      },
      state: { type: 'AnalogSequential' },
    });
    expect(() => checkModelShape(model(64, 10))).not.toThrow();
    expect(() => checkModelShape(model(784, 10))).toThrow("crossbar demo's MNIST MLP");
    expect(() => checkModelShape(model(64, 3))).toThrow('64 → 10');
    expect(() => checkModelShape({ ...model(64, 10), architecture: { type: 'ReLU' } })).toThrow('no analog linear layers');
  });
});
