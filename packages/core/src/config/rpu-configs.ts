/**
 * RPU configs of aihwkit v.0.7.1 (`src/aihwkit/simulator/configs/configs.py`):
 * what a tile is built from. Each is a `MapableRPU` and a
 * `PrePostProcessingRPU`; fields are in aihwkit's order (that of
 * `dataclasses.asdict`: pre_post, mapping, then the class's own fields).
 */
import { IdealDevice, FloatingPointDevice, ConstantStepDevice, PULSED_DEVICES, UNIMPLEMENTED_PULSED_DEVICES, type AnyPulsedDevice } from './devices.js';
import { DIGITAL_RANK_UPDATE_CELL_CLASSES, MixedPrecisionCompound, UNIT_CELL_CLASSES, VectorUnitCell, type DigitalRankUpdateCell, type UnitCell } from './compounds.js';
import { defineConfig, nested, type Refuse, type Spec } from './field.js';
import { GlobalDriftCompensation, PCMLikeNoiseModel } from './inference.js';
import {
  IOParameters,
  MappingParameter,
  PrePostProcessingParameter,
  UpdateParameters,
  WeightClipParameter,
  WeightModifierParameter,
  WeightRemapParameter,
} from './parameters.js';

/** Which layer class a config asks for, as aihwkit's `MapableRPU.get_linear()` decides. */
export type LinearKind = 'AnalogLinear' | 'AnalogLinearMapped';

/** aihwkit's `PrePostProcessingRPU` mixin: digital pre- and post-processing. */
export const PRE_POST_PROCESSING_RPU_FIELDS = {
  prePost: nested(
    () => [PrePostProcessingParameter],
    () => new PrePostProcessingParameter(),
    'Digital input and output processing (input range learning).',
  ),
} satisfies Spec;

/** aihwkit's `MapableRPU` mixin: mapping of logical weights onto tiles. */
export const MAPABLE_RPU_FIELDS = {
  mapping: nested(
    () => [MappingParameter],
    () => new MappingParameter(),
    'Mapping of logical weight matrices onto tiles.',
  ),
} satisfies Spec;

/** What aihwkit's `MapableRPU` mixin gives every RPU config. */
export interface MapableRPU {
  mapping: MappingParameter;
  /** AnalogLinearMapped when the mapping limits the tile size (max_input_size or max_output_size > 0), else AnalogLinear. */
  getLinear(): LinearKind;
}

/** What aihwkit's `PrePostProcessingRPU` mixin gives every RPU config. */
export interface PrePostProcessingRPU {
  prePost: PrePostProcessingParameter;
}

const mixinFields = { ...PRE_POST_PROCESSING_RPU_FIELDS, ...MAPABLE_RPU_FIELDS } satisfies Spec;

const io = (doc: string, init: ConstructorParameters<typeof IOParameters>[0] = {}) =>
  nested(
    () => [IOParameters],
    () => new IOParameters(init),
    doc,
  );

interface WithPrePost {
  prePost: PrePostProcessingParameter;
  forward?: IOParameters;
}

/**
 * aihwkit's `InputRangeParameter.supports_manage_output_clipping` check, which
 * aihwkit makes when it builds the tile (`tiles/base.py`).
 */
function checkInputRange(config: WithPrePost, refuse: Refuse): void {
  const ir = config.prePost.inputRange;
  if (!ir.enable || !ir.manageOutputClipping) return;
  const fwd = config.forward;
  if (fwd !== undefined && !fwd.isPerfect && fwd.noiseManagement === 'None' && fwd.boundManagement === 'None') return;
  const why =
    fwd === undefined
      ? 'this config has no forward IOParameters'
      : fwd.isPerfect
        ? 'forward.isPerfect is set'
        : `forward has noiseManagement "${fwd.noiseManagement}" and boundManagement "${fwd.boundManagement}"`;
  refuse(
    'prePost.inputRange.manageOutputClipping',
    `with input range learning enabled, manage_output_clipping needs a non-perfect forward with noiseManagement and ` +
      `boundManagement "None", but ${why} (set manageOutputClipping false; aihwkit: "RPU Config does not support manage_output_clipping")`,
  );
}

/** The periphery of an analog tile (SingleRPUConfig, UnitCellRPUConfig, DigitalRankUpdateRPUConfig), in aihwkit's order. */
const analogTileFields = (updateDoc: string) =>
  ({
    forward: io('IO parameters of the forward pass.'),
    backward: io('IO parameters of the backward pass (bound management is ignored there).'),
    update: nested(
      () => [UpdateParameters],
      () => new UpdateParameters(),
      updateDoc,
    ),
  }) satisfies Spec;

function linearKind(mapping: MappingParameter): LinearKind {
  return mapping.maxInputSize > 0 || mapping.maxOutputSize > 0 ? 'AnalogLinearMapped' : 'AnalogLinear';
}

/** Floating-point tile: ideal forward, backward and update (with optional diffusion, decay, drift). */
export class FloatingPointRPUConfig
  extends defineConfig(
    'FloatingPointRPUConfig',
    {
      ...mixinFields,
      device: nested(
        () => [FloatingPointDevice],
        () => new FloatingPointDevice(),
        'The floating-point device.',
        { typed: true },
      ),
    },
    checkInputRange,
  )
  implements MapableRPU, PrePostProcessingRPU
{
  getLinear(): LinearKind {
    return linearKind(this.mapping);
  }
}

/** Analog tile with one pulsed device per cross-point. */
export class SingleRPUConfig
  extends defineConfig(
    'SingleRPUConfig',
    {
      ...mixinFields,
      device: nested<AnyPulsedDevice | IdealDevice>(
        () => [...PULSED_DEVICES, ...UNIMPLEMENTED_PULSED_DEVICES, IdealDevice],
        () => new ConstantStepDevice(),
        'The pulsed device that the update acts on (or IdealDevice for a floating-point update).',
        { typed: true },
      ),
      ...analogTileFields('Parameters of the pulsed update.'),
    },
    checkInputRange,
  )
  implements MapableRPU, PrePostProcessingRPU
{
  getLinear(): LinearKind {
    return linearKind(this.mapping);
  }
}

/**
 * Inference tile: hardware-aware training with a non-ideal forward pass (and
 * weight modifier, clip, remap), perfect backward and floating-point update;
 * programming noise, drift and read noise from the noise model in inference.
 * aihwkit fixes device, backward and update (`init=False`); they are fields so
 * that the dict form is complete, and may be changed as in aihwkit.
 */
export class InferenceRPUConfig
  extends defineConfig(
    'InferenceRPUConfig',
    {
      ...mixinFields,
      forward: io('IO parameters of the forward pass (in training and inference).'),
      noiseModel: nested(
        () => [PCMLikeNoiseModel],
        () => new PCMLikeNoiseModel(),
        'Statistical noise model of programming, drift and read noise in inference.',
        {
          typed: true,
        },
      ),
      driftCompensation: nested<GlobalDriftCompensation | null>(
        () => [GlobalDriftCompensation],
        () => new GlobalDriftCompensation(),
        'Drift compensation in inference (null: none).',
        { nullable: true },
      ),
      clip: nested(
        () => [WeightClipParameter],
        () => new WeightClipParameter(),
        'Weight clipping after each update (hardware-aware training).',
      ),
      remap: nested(
        () => [WeightRemapParameter],
        () => new WeightRemapParameter(),
        'Weight remapping after each update (hardware-aware training).',
      ),
      modifier: nested(
        () => [WeightModifierParameter],
        () => new WeightModifierParameter(),
        'Weight modifier of the forward pass in training (hardware-aware training).',
      ),
      device: nested(
        () => [IdealDevice],
        () => new IdealDevice(),
        'The ideal device (fixed by aihwkit).',
        { typed: true },
      ),
      backward: io('IO parameters of the backward pass: perfect (fixed by aihwkit).', { isPerfect: true }),
      update: nested(
        () => [UpdateParameters],
        () => new UpdateParameters({ pulseType: 'None' }),
        'Update parameters: floating-point update, pulse_type None (fixed by aihwkit).',
      ),
    },
    checkInputRange,
  )
  implements MapableRPU, PrePostProcessingRPU
{
  getLinear(): LinearKind {
    return linearKind(this.mapping);
  }
}

/**
 * Analog tile whose cross-points are unit cells of several devices (vector,
 * reference, one-sided, Tiki-Taka transfer). aihwkit's default device is the
 * abstract `UnitCell`, which it cannot build; here it is an empty
 * VectorUnitCell: give its unit_cell_devices. Configs only: engines refuse
 * these tiles with a NotSupportedError until the compound physics lands.
 */
export class UnitCellRPUConfig
  extends defineConfig(
    'UnitCellRPUConfig',
    {
      ...mixinFields,
      device: nested<UnitCell>(
        () => UNIT_CELL_CLASSES,
        () => new VectorUnitCell(),
        'The unit cell: several devices per cross-point and the rule that combines and updates them.',
        { typed: true },
      ),
      ...analogTileFields('Parameters of the pulsed update.'),
    },
    checkInputRange,
  )
  implements MapableRPU, PrePostProcessingRPU
{
  getLinear(): LinearKind {
    return linearKind(this.mapping);
  }
}

/**
 * Analog tile whose rank update is computed digitally and transferred to the
 * devices as pulses (mixed precision). `update` is used for the transfer
 * (aihwkit forces its update and BL management on). Configs only: engines
 * refuse these tiles with a NotSupportedError until the physics lands.
 */
export class DigitalRankUpdateRPUConfig
  extends defineConfig(
    'DigitalRankUpdateRPUConfig',
    {
      ...mixinFields,
      device: nested<DigitalRankUpdateCell>(
        () => DIGITAL_RANK_UPDATE_CELL_CLASSES,
        () => new MixedPrecisionCompound(),
        'The digital rank update cell and its analog device.',
        { typed: true },
      ),
      ...analogTileFields('Parameters of the analog part of the update: the transfer from the digital matrix to the devices.'),
    },
    checkInputRange,
  )
  implements MapableRPU, PrePostProcessingRPU
{
  getLinear(): LinearKind {
    return linearKind(this.mapping);
  }
}

/** Any tile config: floating point, pulsed (SingleRPUConfig), unit cells, inference or digital rank update. */
export type RPUConfig = FloatingPointRPUConfig | SingleRPUConfig | UnitCellRPUConfig | InferenceRPUConfig | DigitalRankUpdateRPUConfig;
/** The tile config classes, as `RPUConfig` lists them. */
export const RPU_CONFIG_CLASSES = [FloatingPointRPUConfig, SingleRPUConfig, UnitCellRPUConfig, InferenceRPUConfig, DigitalRankUpdateRPUConfig] as const;
