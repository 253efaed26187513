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
 *
 * Tiki-Taka (`--training tiki-taka`, Gokmen & Haensch 2020) trains in situ on the
 * same kind of device with aihwkit's TransferCompound (UnitCellRPUConfig): the SGD
 * pulses go to a fast device A, and after every mini-batch one column of A is read
 * (through the transfer IO) and written as pulses onto the slow device C, whose weights
 * the network uses (gamma 0; tikiTakaConfig has the schedule). Default device: the
 * soft-bounds model of ReRAM-like devices (SoftBoundsDevice, aihwkit's defaults: steps
 * that shrink towards each bound, device-to-device and cycle-to-cycle variation), whose
 * state-dependent steps are what plain analog SGD suffers from.
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
  PRESETS,
  TransferCompound,
  UnitCellRPUConfig,
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

/**
 * `--device` may also name any device preset of aihwkit 0.7.1 by its class name
 * (`ReRamSBPresetDevice`, `PCMPresetDevice`, ...; core's PRESETS of kind "device").
 */
export function demoDevice(name: string): DemoDevice | undefined {
  const own = DEVICES[name];
  if (own) return own;
  const p = PRESETS.find((x) => x.kind === 'device' && x.name === name);
  return p ? { make: () => p.create() as PulsedDevice, aihwkit: p.name } : undefined;
}

/** Every `--device` name: the kebab-case ones, then aihwkit's device preset names. */
export function demoDeviceNames(): string[] {
  return [...Object.keys(DEVICES), ...PRESETS.filter((x) => x.kind === 'device').map((x) => x.name)];
}

/**
 * The demo's training modes: hardware-aware training (hwa), in-situ pulsed training on a
 * device (analog-sgd), or in-situ Tiki-Taka training on two such devices (tiki-taka).
 */
export const TRAINING_MODES = ['hwa', 'analog-sgd', 'tiki-taka'] as const;
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
  const d = demoDevice(device);
  if (!d) throw new Error(`unknown device ${device}`);
  return new SingleRPUConfig({ device: d.make() });
}

/** Columns of A transferred onto C after every mini-batch (--training tiki-taka). */
export const TIKI_TAKA_READS = 32;

/**
 * Fixed SGD learning rate of the fast device A of --training tiki-taka (aihwkit's
 * fast_lr; the SGD rate of the optimizer then only scales the transfers).
 */
export const TIKI_TAKA_FAST_LR = 0.5;

/**
 * Transfer learning rate of --training tiki-taka, relative to the SGD learning rate
 * (scale_transfer_lr true): 2 × the demo's lr 0.1 writes A onto C at rate 0.2 in the first
 * epoch, and the rate decays with the SGD schedule.
 */
export const TIKI_TAKA_TRANSFER_LR = 2;

/**
 * In-situ Tiki-Taka training on two devices of `device` (fast A, slow visible C, gamma 0):
 * aihwkit's TransferCompound, after every mini-batch (transfer_every 1, units_in_mbatch)
 * TIKI_TAKA_READS columns of A read through the transfer IO and written onto C;
 * aihwkit's default IO and update parameters otherwise. As in aihwkit's
 * examples/08_simple_layer_with_tiki_taka.py, A learns at a fixed rate (fast_lr
 * TIKI_TAKA_FAST_LR) and the transfer rate is relative to the SGD rate
 * (scale_transfer_lr true, transfer_lr TIKI_TAKA_TRANSFER_LR). Each read of A carries the
 * transfer IO's output noise (out_noise 0.06, an ADC step of 0.047 over ±12) into C: a large
 * fast rate makes A's signal stand out of that noise (and its soft bounds pull it back to its
 * symmetric point sooner, the forgetting Tiki-Taka needs), a small transfer rate that decays
 * with the schedule anneals what noise C still takes (a fixed fast rate 0.1 and transfer rate
 * 1 reached 89.70 % instead of 93.95 %, see docs/training.md). aihwkit's TikiTaka*Preset
 * transfers one column per mini-batch: a 784-column layer then sees each column once every
 * 784 mini-batches, too slow for the demo's few epochs.
 */
export function tikiTakaConfig(device: string): UnitCellRPUConfig {
  const d = demoDevice(device);
  if (!d) throw new Error(`unknown device ${device}`);
  return new UnitCellRPUConfig({
    device: new TransferCompound({
      unitCellDevices: [d.make(), d.make()],
      gamma: 0,
      transferEvery: 1,
      unitsInMbatch: true,
      nReadsPerTransfer: TIKI_TAKA_READS,
      fastLr: TIKI_TAKA_FAST_LR,
      transferLr: TIKI_TAKA_TRANSFER_LR,
      scaleTransferLr: true,
    }),
  });
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
