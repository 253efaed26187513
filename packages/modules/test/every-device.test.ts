/**
 * Every device of aihwkit 0.7.1 — the single devices issue 16 added and each
 * compound (through a preset built on it) — builds a layer's tile and trains
 * it on every engine: one forward, backward and AnalogSGD step change the
 * weights, and the forward stays finite.
 */
import { expect, it } from 'vitest';
import {
  Idealized2Preset,
  MixedPrecisionIdealizedPreset,
  PCMPreset,
  PiecewiseStepDevice,
  PowStepReferenceDevice,
  SingleRPUConfig,
  SoftBoundsPmaxDevice,
  SoftBoundsReferenceDevice,
  TikiTakaReRamSBPreset,
  TTv2IdealizedPreset,
  type RPUConfig,
} from '@crossbar/core';
import { AnalogLinear, AnalogSGD } from '../src/index.js';
import { describeEachEngine } from './helpers/engines.js';

const CONFIGS: [string, () => RPUConfig][] = [
  ['PiecewiseStepDevice', () => new SingleRPUConfig({ device: new PiecewiseStepDevice() })],
  ['SoftBoundsPmaxDevice', () => new SingleRPUConfig({ device: new SoftBoundsPmaxDevice() })],
  ['SoftBoundsReferenceDevice', () => new SingleRPUConfig({ device: new SoftBoundsReferenceDevice() })],
  ['PowStepReferenceDevice', () => new SingleRPUConfig({ device: new PowStepReferenceDevice() })],
  ['VectorUnitCell (Idealized2Preset)', () => Idealized2Preset()],
  ['OneSidedUnitCell (PCMPreset)', () => PCMPreset()],
  ['TransferCompound (TikiTakaReRamSBPreset)', () => TikiTakaReRamSBPreset()],
  ['BufferedTransferCompound (TTv2IdealizedPreset)', () => TTv2IdealizedPreset()],
  ['MixedPrecisionCompound (MixedPrecisionIdealizedPreset)', () => MixedPrecisionIdealizedPreset()],
];

describeEachEngine('every aihwkit 0.7.1 device trains in a layer', (engine) => {
  for (const [device, make] of CONFIGS) {
    it(`${device}: forward, backward and an AnalogSGD step`, async () => {
      const layer = new AnalogLinear(6, 4, { rpuConfig: make(), engine, seed: 3, bias: false });
      const weight = Float32Array.from({ length: 24 }, (_, i) => 0.2 * Math.sin(i + 1));
      await layer.setWeights(weight);
      const before = (await layer.getWeights()).weight;
      const opt = new AnalogSGD(layer, { lr: 0.5 });
      const x = Float32Array.from({ length: 6 * 8 }, (_, i) => Math.cos(0.7 * i));
      // several steps: mixed precision writes its accumulated update one call later
      for (let step = 0; step < 3; step++) {
        const y = await layer.forward(x, 8);
        expect(y.every(Number.isFinite)).toBe(true);
        await layer.backward(Float32Array.from(y, (v, i) => v - (i % 4 === 0 ? 1 : 0)));
        await opt.step();
      }
      const after = (await layer.getWeights()).weight;
      expect(after.every(Number.isFinite)).toBe(true);
      expect(after.some((w, i) => w !== before[i])).toBe(true);
      await layer.dispose();
    });
  }
});
