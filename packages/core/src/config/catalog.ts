/**
 * Every config class, grouped as the configuration reference presents them
 * (docs/configuration.md is generated from this list and the field tables).
 */
import type { AnyConfigClass } from './field.js';
import {
  DriftParameter,
  InputRangeParameter,
  IOParameters,
  MappingParameter,
  PrePostProcessingParameter,
  SimpleDriftParameter,
  UpdateParameters,
  WeightClipParameter,
  WeightModifierParameter,
  WeightRemapParameter,
} from './parameters.js';
import { ALL_PULSED_DEVICES, FloatingPointDevice, IdealDevice } from './devices.js';
import { COMPOUND_DEVICE_CLASSES } from './compounds.js';
import { GlobalDriftCompensation, PCMLikeNoiseModel } from './inference.js';
import { DigitalRankUpdateRPUConfig, FloatingPointRPUConfig, InferenceRPUConfig, SingleRPUConfig, UnitCellRPUConfig } from './rpu-configs.js';

/** A heading of the configuration reference and the config classes under it. */
export interface ConfigGroup {
  readonly title: string;
  readonly classes: readonly AnyConfigClass[];
}

/** The config classes in the groups of docs/configuration.md. */
export const CONFIG_GROUPS: readonly ConfigGroup[] = [
  { title: 'RPU configs', classes: [FloatingPointRPUConfig, SingleRPUConfig, UnitCellRPUConfig, InferenceRPUConfig, DigitalRankUpdateRPUConfig] },
  {
    title: 'Parameters (aihwkit.simulator.configs.utils)',
    classes: [
      IOParameters,
      UpdateParameters,
      SimpleDriftParameter,
      DriftParameter,
      WeightModifierParameter,
      WeightClipParameter,
      WeightRemapParameter,
      MappingParameter,
      InputRangeParameter,
      PrePostProcessingParameter,
    ],
  },
  {
    title: 'Devices (aihwkit.simulator.configs.devices)',
    classes: [FloatingPointDevice, IdealDevice, ...ALL_PULSED_DEVICES],
  },
  {
    title: 'Compound devices (aihwkit.simulator.configs.compounds)',
    classes: COMPOUND_DEVICE_CLASSES,
  },
  { title: 'Inference (aihwkit.inference)', classes: [PCMLikeNoiseModel, GlobalDriftCompensation] },
];

/** Every config class, once. */
export const CONFIG_CLASSES: readonly AnyConfigClass[] = CONFIG_GROUPS.flatMap((g) => g.classes);
