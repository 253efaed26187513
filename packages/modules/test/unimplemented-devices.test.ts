/**
 * aihwkit 0.7.1's devices that no engine implements yet (issue 16's physics)
 * are accepted as configs, but a layer asked to build a tile with one fails
 * with a NotSupportedError that names the device, on every engine.
 */
import { expect, it } from 'vitest';
import {
  ConstantStepDevice,
  Idealized2Preset,
  MixedPrecisionIdealizedPreset,
  NotSupportedError,
  PiecewiseStepDevice,
  SingleRPUConfig,
  SoftBoundsPmaxDevice,
  TikiTakaReRamSBPreset,
  TTv2IdealizedPreset,
  PCMPreset,
  type RPUConfig,
} from '@crossbar/core';
import { AnalogLinear } from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';

const CONFIGS: [string, () => RPUConfig][] = [
  ['PiecewiseStepDevice', () => new SingleRPUConfig({ device: new PiecewiseStepDevice() })],
  ['SoftBoundsPmaxDevice', () => new SingleRPUConfig({ device: new SoftBoundsPmaxDevice() })],
  ['VectorUnitCell', () => Idealized2Preset()],
  ['OneSidedUnitCell', () => PCMPreset()],
  ['TransferCompound', () => TikiTakaReRamSBPreset()],
  ['BufferedTransferCompound', () => TTv2IdealizedPreset()],
  ['MixedPrecisionCompound', () => MixedPrecisionIdealizedPreset()],
];

describeEachEngine('devices no engine implements yet', (engine) => {
  for (const [device, make] of CONFIGS) {
    it(`${device}: building the tile throws a NotSupportedError naming it`, async () => {
      const run = async () => {
        const layer = new AnalogLinear(3, 2, { rpuConfig: make(), engine });
        await layer.forward(new Float32Array(3), 1);
      };
      await expect(run()).rejects.toThrow(NotSupportedError);
      await expect(run()).rejects.toThrow(device);
    });
  }

  it('an implemented device still builds', async () => {
    const layer = new AnalogLinear(3, 2, { rpuConfig: new SingleRPUConfig({ device: new ConstantStepDevice() }), engine });
    await expect(layer.forward(new Float32Array(3), 1)).resolves.toBeDefined();
  });
});
