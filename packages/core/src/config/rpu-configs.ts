/**
 * RPU configs of aihwkit v.0.7.1 (`src/aihwkit/simulator/configs/configs.py`):
 * what a tile is built from. Each is `MapableRPU` and `PrePostProcessingRPU`.
 */
import { ConfigError } from '../errors.js';
import { IdealDevice, FloatingPointDevice, ConstantStepDevice, PULSED_DEVICES } from './devices.js';
import { defineConfig, nested, type Spec } from './field.js';
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

const mapableFields = {
  mapping: nested(() => [MappingParameter], () => new MappingParameter(), 'Mapping of logical weights onto tiles.'),
  prePost: nested(
    () => [PrePostProcessingParameter],
    () => new PrePostProcessingParameter(),
    'Digital input and output processing (input range learning).',
  ),
} satisfies Spec;

const io = (doc: string, init: ConstructorParameters<typeof IOParameters>[0] = {}) =>
  nested(() => [IOParameters], () => new IOParameters(init), doc);

const trainingFields = {
  clip: nested(() => [WeightClipParameter], () => new WeightClipParameter(), 'Weight clipping after each update.'),
  modifier: nested(
    () => [WeightModifierParameter],
    () => new WeightModifierParameter(),
    'Weight modifier used by the forward pass in training.',
  ),
  remap: nested(() => [WeightRemapParameter], () => new WeightRemapParameter(), 'Weight remapping after each update.'),
} satisfies Spec;

interface WithPrePost {
  prePost: PrePostProcessingParameter;
  forward?: IOParameters;
}

/** aihwkit's `InputRangeParameter.supports_manage_output_clipping` check, done where aihwkit's tile does it. */
function checkInputRange(config: WithPrePost, where: string): void {
  const ir = config.prePost.inputRange;
  if (!ir.enable || !ir.manageOutputClipping) return;
  const fwd = config.forward;
  const ok = fwd !== undefined && !fwd.isPerfect && fwd.noiseManagement === 'None' && fwd.boundManagement === 'None';
  if (!ok) {
    throw new ConfigError(
      `${where}.prePost.inputRange.manageOutputClipping (manage_output_clipping) = true is not allowed with ` +
        `${fwd === undefined ? 'no forward IOParameters' : fwd.isPerfect ? 'forward.isPerfect' : `forward noise management ${fwd.noiseManagement} and bound management ${fwd.boundManagement}`}: ` +
        'it needs a non-perfect forward with noiseManagement and boundManagement "None" (or set manageOutputClipping false)',
    );
  }
}

/** Mixin of aihwkit's `MapableRPU.get_linear`. */
function linearKind(mapping: MappingParameter): LinearKind {
  return mapping.maxInputSize > 0 || mapping.maxOutputSize > 0 ? 'AnalogLinearMapped' : 'AnalogLinear';
}

export class FloatingPointRPUConfig extends defineConfig(
  'FloatingPointRPUConfig',
  {
    ...mapableFields,
    device: nested(() => [FloatingPointDevice], () => new FloatingPointDevice(), 'The floating-point device.', {
      typed: true,
    }),
  },
  checkInputRange,
) {
  /** AnalogLinearMapped when the mapping limits the tile size, else AnalogLinear. */
  getLinear(): LinearKind {
    return linearKind(this.mapping);
  }
}

export class SingleRPUConfig extends defineConfig(
  'SingleRPUConfig',
  {
    ...mapableFields,
    device: nested(
      () => [...PULSED_DEVICES, IdealDevice],
      () => new ConstantStepDevice(),
      'The pulsed device that the update acts on.',
      { typed: true },
    ),
    forward: io('IO parameters of the forward pass.'),
    backward: io('IO parameters of the backward pass.'),
    update: nested(() => [UpdateParameters], () => new UpdateParameters(), 'Parameters of the pulsed update.'),
    ...trainingFields,
  },
  checkInputRange,
) {
  getLinear(): LinearKind {
    return linearKind(this.mapping);
  }
}

export class InferenceRPUConfig extends defineConfig(
  'InferenceRPUConfig',
  {
    ...mapableFields,
    forward: io('IO parameters of the forward pass (used in training and inference).'),
    noiseModel: nested(() => [PCMLikeNoiseModel], () => new PCMLikeNoiseModel(), 'Statistical noise model of inference.', {
      typed: true,
    }),
    driftCompensation: nested<GlobalDriftCompensation | null>(
      () => [GlobalDriftCompensation],
      () => new GlobalDriftCompensation(),
      'Drift compensation during inference (null: none).',
      { nullable: true },
    ),
    ...trainingFields,
    device: nested(() => [IdealDevice], () => new IdealDevice(), 'The ideal device (fixed by aihwkit).', { typed: true }),
    backward: io('IO parameters of the backward pass: perfect (fixed by aihwkit).', { isPerfect: true }),
    update: nested(
      () => [UpdateParameters],
      () => new UpdateParameters({ pulseType: 'None' }),
      'Update parameters: floating-point update (fixed by aihwkit).',
    ),
  },
  checkInputRange,
) {
  getLinear(): LinearKind {
    return linearKind(this.mapping);
  }
}

export type RPUConfig = FloatingPointRPUConfig | SingleRPUConfig | InferenceRPUConfig;
export const RPU_CONFIG_CLASSES = [FloatingPointRPUConfig, SingleRPUConfig, InferenceRPUConfig] as const;
