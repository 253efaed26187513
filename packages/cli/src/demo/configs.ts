/**
 * The RPU configs of the demo.
 *
 * Hardware-aware training (`--training hwa`, the default) uses an
 * InferenceRPUConfig close to aihwkit's inference examples (v.0.7.1
 * `examples/06_lenet5_hardware_aware.py`, `notebooks/.../analog_training_LeNet5_hwa`):
 * PCM-like noise model (g_max 25 µS), global drift compensation, additive
 * Gaussian weight noise in training, channel-wise symmetric remapping and
 * weight clipping after each step, digital bias, learned column-wise output
 * scaling, weight scaling to omega 1. The forward pass keeps aihwkit's default
 * IOParameters (7 bit DAC, 9 bit ADC, out_noise 0.06, noise and bound
 * management), so training and inference see the same periphery.
 *
 * In-situ training (`--training analog-sgd`) uses a SingleRPUConfig with a
 * pulsed device (`--device`), aihwkit's default IO and update parameters: the
 * weights change only through stochastic pulse coincidences on the device.
 * Its inference phase deploys the trained weights onto the same PCM inference
 * hardware as the hardware-aware path (programming noise, drift, compensation).
 */
import { readFileSync } from 'node:fs';
import {
  CapacitorPresetDevice,
  ConstantStepDevice,
  EcRamMOPresetDevice,
  EcRamPresetDevice,
  ExpStepDevice,
  GokmenVlasovPresetDevice,
  IdealizedPresetDevice,
  InferenceRPUConfig,
  LinearStepDevice,
  PowStepDevice,
  ReRamESPresetDevice,
  ReRamSBPresetDevice,
  SingleRPUConfig,
  SoftBoundsDevice,
  rpuConfigFromDict,
  type PulsedDevice,
  type RPUConfig,
} from '@crossbar/core';
import { CliError } from '../errors.js';

/** A pulsed device the demo can train on. */
export interface DemoDevice {
  /** Makes the device config. */
  make: () => PulsedDevice;
  /** Its aihwkit class name. */
  aihwkit: string;
}

/** `--device` names: aihwkit's device classes and device presets in kebab case. */
export const DEVICES: Readonly<Record<string, DemoDevice>> = Object.freeze({
  'constant-step': { make: () => new ConstantStepDevice(), aihwkit: 'ConstantStepDevice' },
  'linear-step': { make: () => new LinearStepDevice(), aihwkit: 'LinearStepDevice' },
  'soft-bounds': { make: () => new SoftBoundsDevice(), aihwkit: 'SoftBoundsDevice' },
  'exp-step': { make: () => new ExpStepDevice(), aihwkit: 'ExpStepDevice' },
  'pow-step': { make: () => new PowStepDevice(), aihwkit: 'PowStepDevice' },
  'reram-es': { make: () => ReRamESPresetDevice(), aihwkit: 'ReRamESPresetDevice' },
  'reram-sb': { make: () => ReRamSBPresetDevice(), aihwkit: 'ReRamSBPresetDevice' },
  capacitor: { make: () => CapacitorPresetDevice(), aihwkit: 'CapacitorPresetDevice' },
  ecram: { make: () => EcRamPresetDevice(), aihwkit: 'EcRamPresetDevice' },
  'ecram-mo': { make: () => EcRamMOPresetDevice(), aihwkit: 'EcRamMOPresetDevice' },
  idealized: { make: () => IdealizedPresetDevice(), aihwkit: 'IdealizedPresetDevice' },
  'gokmen-vlasov': { make: () => GokmenVlasovPresetDevice(), aihwkit: 'GokmenVlasovPresetDevice' },
});

/** The demo's training modes: hardware-aware training (hwa) or in-situ pulsed training on a device (analog-sgd). */
export const TRAINING_MODES = ['hwa', 'analog-sgd'] as const;
/** One of TRAINING_MODES. */
export type TrainingMode = (typeof TRAINING_MODES)[number];

/** The hardware-aware training config (see the file comment); `modifierStd` is the training weight noise. */
export function hwaConfig(modifierStd: number): InferenceRPUConfig {
  return new InferenceRPUConfig({
    mapping: {
      digitalBias: true,
      learnOutScaling: true,
      outScalingColumnwise: true,
      weightScalingOmega: 1.0,
      weightScalingColumnwise: false,
    },
    noiseModel: { gMax: 25.0 },
    remap: { type: 'ChannelwiseSymmetric' },
    clip: { type: 'LayerGaussian', sigma: 2.5 },
    modifier: modifierStd > 0 ? { type: 'AddNormal', stdDev: modifierStd } : { type: 'Copy' },
  });
}

/** In-situ pulsed training on a device. */
export function analogSgdConfig(device: string): SingleRPUConfig {
  const d = DEVICES[device];
  if (!d) throw new Error(`unknown device ${device}`);
  return new SingleRPUConfig({ device: d.make() });
}

/** The inference hardware the weights of in-situ training are deployed on. */
export function deployConfig(): InferenceRPUConfig {
  return new InferenceRPUConfig({ noiseModel: { gMax: 25.0 } });
}

/** An RPU config from an aihwkit-style dict in a JSON file (`--rpu-config FILE`). */
export function readRpuConfigFile(file: string): RPUConfig {
  let dict: unknown;
  try {
    dict = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(err.code === 'ENOENT' ? `--rpu-config ${file}: no such file` : `--rpu-config ${file}: not JSON (${err.message})`);
  }
  return rpuConfigFromDict(dict as Record<string, unknown>);
}
