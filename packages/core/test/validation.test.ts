/**
 * Bad input is refused at construction, in validate() and in the dict
 * readers, with a ConfigError that names the class, the field, the value and
 * what is allowed; values aihwkit accepts and uses are accepted.
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConstantStepDevice,
  CrossbarError,
  DriftParameter,
  ExpStepDevice,
  FloatingPointRPUConfig,
  InferenceRPUConfig,
  InputRangeParameter,
  IOParameters,
  LinearStepDevice,
  MappingParameter,
  PCMLikeNoiseModel,
  PowStepDevice,
  SimpleDriftParameter,
  SingleRPUConfig,
  SoftBoundsDevice,
  UpdateParameters,
  WeightClipParameter,
  WeightModifierParameter,
  WeightRemapParameter,
  configFromDict,
  rpuConfigFromDict,
  rpuConfigToDict,
} from '../src/index.js';

interface Bad {
  /** What is wrong. */
  name: string;
  run: () => unknown;
  /** Words the message must contain (the field in camelCase or aihwkit's name, the class, ...). */
  mentions: string[];
  /** error.detail.field, when one field is to blame. */
  field?: string;
}

const never = <T>(v: unknown) => v as T;

const BAD: Bad[] = [
  // wrong types
  {
    name: 'a string for a number',
    run: () => new IOParameters({ outNoise: never('0.1') }),
    mentions: ['IOParameters', 'outNoise', 'out_noise', '"0.1"'],
    field: 'outNoise',
  },
  { name: 'a number for a boolean', run: () => new IOParameters({ isPerfect: never(1) }), mentions: ['IOParameters', 'isPerfect', 'true or false'], field: 'isPerfect' },
  {
    name: 'a boolean for an enum',
    run: () => new UpdateParameters({ pulseType: never(true) }),
    mentions: ['UpdateParameters', 'pulseType', 'PulseType'],
    field: 'pulseType',
  },
  {
    name: 'a number list that is not a list',
    run: () => new WeightModifierParameter({ coeffs: never(0.1) }),
    mentions: ['WeightModifierParameter', 'coeffs', 'list'],
    field: 'coeffs',
  },
  {
    name: 'a list with a string',
    run: () => new PCMLikeNoiseModel({ progCoeff: never([1, 'x']) }),
    mentions: ['PCMLikeNoiseModel', 'progCoeff', 'prog_coeff'],
    field: 'progCoeff',
  },
  {
    name: 'an array for a nested config',
    run: () => new SingleRPUConfig({ forward: never([]) }),
    mentions: ['SingleRPUConfig', 'forward', 'IOParameters'],
    field: 'forward',
  },
  {
    name: 'a device of the wrong class',
    run: () => new SingleRPUConfig({ device: never(new IOParameters()) }),
    mentions: ['SingleRPUConfig', 'device', 'ConstantStepDevice'],
    field: 'device',
  },
  {
    name: 'a pulsed device in InferenceRPUConfig (only IdealDevice)',
    run: () => new InferenceRPUConfig({ device: never(new ConstantStepDevice()) }),
    mentions: ['InferenceRPUConfig', 'device', 'IdealDevice'],
    field: 'device',
  },
  { name: 'init that is not an object', run: () => new IOParameters(never(5)), mentions: ['IOParameters', 'object'] },
  // NaN and infinities
  { name: 'NaN', run: () => new IOParameters({ inpNoise: NaN }), mentions: ['IOParameters', 'inpNoise', 'inp_noise', 'NaN'], field: 'inpNoise' },
  { name: 'NaN in a dict ("nan")', run: () => configFromDict(IOParameters, { out_noise: 'nan' }), mentions: ['IOParameters', 'out_noise', 'NaN'], field: 'outNoise' },
  {
    name: 'Infinity where not allowed',
    run: () => new UpdateParameters({ umGradScale: Infinity }),
    mentions: ['UpdateParameters', 'umGradScale', 'um_grad_scale', 'Infinity', 'finite'],
    field: 'umGradScale',
  },
  { name: '"inf" in a dict where not allowed', run: () => configFromDict(DriftParameter, { t_0: 'inf' }), mentions: ['DriftParameter', 't_0', 'Infinity'], field: 't0' },
  { name: 'NaN in a list', run: () => new WeightModifierParameter({ coeffs: [1, NaN] }), mentions: ['coeffs', 'NaN'], field: 'coeffs' },
  // negative sizes and out-of-range numbers
  {
    name: 'a negative tile size',
    run: () => new MappingParameter({ maxInputSize: -1 }),
    mentions: ['MappingParameter', 'maxInputSize', 'max_input_size', '-1', '>= 0'],
    field: 'maxInputSize',
  },
  { name: 'a fractional tile size', run: () => new MappingParameter({ maxOutputSize: 2.5 }), mentions: ['maxOutputSize', 'integer'], field: 'maxOutputSize' },
  { name: 'a zero pulse train length', run: () => new UpdateParameters({ desiredBl: 0 }), mentions: ['desiredBl', 'desired_bl', '>= 1'], field: 'desiredBl' },
  { name: 'a negative noise std', run: () => new IOParameters({ outNoise: -0.1 }), mentions: ['outNoise', '-0.1', '>= 0'], field: 'outNoise' },
  { name: 'a zero dw_min', run: () => new ConstantStepDevice({ dwMin: 0 }), mentions: ['ConstantStepDevice', 'dwMin', 'dw_min', '> 0'], field: 'dwMin' },
  { name: 'a probability above 1', run: () => new WeightModifierParameter({ pdrop: 1.5 }), mentions: ['pdrop', '1.5', '<= 1'], field: 'pdrop' },
  {
    name: 'a negative probability',
    run: () => new ConstantStepDevice({ corruptDevicesProb: -0.1 }),
    mentions: ['corruptDevicesProb', 'corrupt_devices_prob'],
    field: 'corruptDevicesProb',
  },
  { name: 'a zero drift t_0', run: () => new SimpleDriftParameter({ t0: 0 }), mentions: ['SimpleDriftParameter', 't0', 't_0'], field: 't0' },
  { name: 'a negative g_max', run: () => new PCMLikeNoiseModel({ gMax: -25 }), mentions: ['gMax', 'g_max', '-25'], field: 'gMax' },
  {
    name: 'a nested bad value names the path',
    run: () => new SingleRPUConfig({ backward: { inpNoise: -1 } }),
    mentions: ['SingleRPUConfig.backward.inpNoise', 'IOParameters.inp_noise', '-1'],
    field: 'inpNoise',
  },
  {
    name: 'a deeply nested bad value',
    run: () => new InferenceRPUConfig({ prePost: { inputRange: { initValue: 0 } } }),
    mentions: ['InferenceRPUConfig.prePost.inputRange.initValue', 'InputRangeParameter.init_value'],
    field: 'initValue',
  },
  { name: 'an out_asymmetry above 1', run: () => new IOParameters({ outAsymmetry: 2 }), mentions: ['outAsymmetry', 'out_asymmetry', '<= 1'], field: 'outAsymmetry' },
  { name: 'a negative clip sigma', run: () => new WeightClipParameter({ sigma: -1 }), mentions: ['WeightClipParameter', 'sigma'], field: 'sigma' },
  { name: 'an nm_decay above 1', run: () => new IOParameters({ nmDecay: 2 }), mentions: ['nmDecay', 'nm_decay'], field: 'nmDecay' },
  // unknown keys
  {
    name: 'an unknown field',
    run: () => new IOParameters(never({ outNois: 0.1 })),
    mentions: ['IOParameters', '"outNois"', 'outNoise', 'known fields'],
    field: 'outNois',
  },
  {
    name: 'an unknown dict key',
    run: () => rpuConfigFromDict({ type: 'SingleRPUConfig', forward: { out_nois: 0.1 } }),
    mentions: ['SingleRPUConfig.forward', 'IOParameters', '"out_nois"', 'out_noise', 'known keys'],
    field: 'out_nois',
  },
  {
    name: 'a snake_case key in the constructor',
    run: () => new IOParameters(never({ out_noise: 0.1 })),
    mentions: ['IOParameters', '"out_noise"', 'outNoise'],
    field: 'out_noise',
  },
  {
    name: 'a camelCase key in a dict',
    run: () => configFromDict(IOParameters, { outNoise: 0.1 }),
    mentions: ['IOParameters', '"outNoise"', 'out_noise'],
    field: 'outNoise',
  },
  {
    name: 'an unknown top-level dict key',
    run: () => rpuConfigFromDict({ type: 'FloatingPointRPUConfig', forward: {} }),
    mentions: ['FloatingPointRPUConfig', '"forward"', 'known keys'],
    field: 'forward',
  },
  {
    name: 'a field added by hand, caught by validate()',
    run: () => Object.assign(new DriftParameter(), { nuu: 1 }).validate(),
    mentions: ['DriftParameter', '"nuu"', 'nu'],
    field: 'nuu',
  },
  // bad enum strings and class names
  {
    name: 'a bad enum string',
    run: () => new IOParameters({ noiseManagement: never('absmax') }),
    mentions: ['noiseManagement', 'noise_management', '"absmax"', 'NoiseManagementType', '"AbsMax"'],
    field: 'noiseManagement',
  },
  {
    name: 'a Python enum member name',
    run: () => configFromDict(IOParameters, { bound_management: 'ITERATIVE' }),
    mentions: ['bound_management', '"ITERATIVE"', '"Iterative"'],
    field: 'boundManagement',
  },
  {
    name: 'a member of another enum',
    run: () => new WeightClipParameter({ type: never('LayerwiseSymmetric') }),
    mentions: ['WeightClipParameter', 'type', 'WeightClipType'],
    field: 'type',
  },
  {
    name: 'a bad device type',
    run: () => rpuConfigFromDict({ type: 'SingleRPUConfig', device: { type: 'ConstantStep' } }),
    mentions: ['SingleRPUConfig.device.type', '"ConstantStep"', '"ConstantStepDevice"'],
    field: 'device.type',
  },
  {
    name: 'a bad RPU config type',
    run: () => rpuConfigFromDict({ type: 'OneSidedRPUConfig' }),
    mentions: ['"OneSidedRPUConfig"', 'SingleRPUConfig', 'UnitCellRPUConfig'],
    field: 'type',
  },
  {
    name: 'a "type" that is not the class',
    run: () => configFromDict(IOParameters, { type: 'UpdateParameters' }),
    mentions: ['IOParameters.type', '"UpdateParameters"'],
    field: 'type',
  },
  {
    name: 'an ambiguous device dict',
    run: () => rpuConfigFromDict({ type: 'SingleRPUConfig', device: { gamma_up: 0.1 } }),
    mentions: ['SingleRPUConfig.device', '"type"', 'LinearStepDevice', 'ExpStepDevice'],
    field: 'device',
  },
  {
    name: 'a drift compensation of the wrong shape',
    run: () => rpuConfigFromDict({ type: 'InferenceRPUConfig', drift_compensation: 'global' }),
    mentions: ['drift_compensation', '"global"', 'GlobalDriftCompensation or null'],
    field: 'driftCompensation',
  },
  // combinations aihwkit refuses
  {
    name: 'noise management with inp_bound != 1',
    run: () => new IOParameters({ inpBound: 2 }),
    mentions: ['IOParameters.inpBound', 'inp_bound', 'noise management', 'AbsMax'],
    field: 'inpBound',
  },
  {
    name: 'the same in a dict (aihwkit: "Forward noise management expects bound==1")',
    run: () => rpuConfigFromDict({ type: 'SingleRPUConfig', forward: { inp_bound: 2 } }),
    mentions: ['SingleRPUConfig.forward.inp_bound', 'bound==1'],
    field: 'inpBound',
  },
  { name: 'w_min above 0', run: () => new ConstantStepDevice({ wMin: 0.1 }), mentions: ['ConstantStepDevice.wMin', 'w_min', 'contain 0'], field: 'wMin' },
  { name: 'w_max below 0', run: () => new PowStepDevice({ wMax: -0.1 }), mentions: ['PowStepDevice.wMax', 'w_max'], field: 'wMax' },
  {
    name: 'reverse_up without mult_noise',
    run: () => new LinearStepDevice({ reverseUp: true, multNoise: false }),
    mentions: ['LinearStepDevice.reverseUp', 'reverse_up', 'mult_noise'],
    field: 'reverseUp',
  },
  {
    name: 'reverse_down without mult_noise (soft bounds)',
    run: () => new SoftBoundsDevice({ reverseDown: true, multNoise: false }),
    mentions: ['SoftBoundsDevice.reverseDown', 'mult_noise'],
    field: 'reverseDown',
  },
  { name: 'g_min above g_max', run: () => new PCMLikeNoiseModel({ gMin: 30 }), mentions: ['PCMLikeNoiseModel.gMin', 'g_min', 'g_max'], field: 'gMin' },
  {
    name: 'a bounded channelwise remap with remapped_wmax != 1',
    run: () => new WeightRemapParameter({ type: 'ChannelwiseSymmetric', maxScaleRange: 2, remappedWmax: 0.5 }),
    mentions: ['WeightRemapParameter.remappedWmax', 'remapped_wmax', 'max_scale_range'],
    field: 'remappedWmax',
  },
  {
    name: 'input range learning managing output clipping with noise management on',
    run: () => new SingleRPUConfig({ prePost: { inputRange: { enable: true } } }),
    mentions: ['SingleRPUConfig.prePost.inputRange.manageOutputClipping', 'manage_output_clipping', 'noiseManagement'],
    field: 'manageOutputClipping',
  },
  {
    name: 'input range learning managing output clipping without a forward pass',
    run: () => new FloatingPointRPUConfig({ prePost: { inputRange: { enable: true } } }),
    mentions: ['FloatingPointRPUConfig.prePost.inputRange.manageOutputClipping', 'no forward'],
    field: 'manageOutputClipping',
  },
  {
    name: 'a device broken after construction, caught by validate()',
    run: () => {
      const c = new SingleRPUConfig();
      (c.device as ConstantStepDevice).wMin = 1;
      return c.validate();
    },
    mentions: ['SingleRPUConfig.device.wMin', 'ConstantStepDevice.w_min'],
    field: 'wMin',
  },
  {
    name: 'a nested plain object set by hand, caught by validate()',
    run: () => {
      const c = new SingleRPUConfig();
      (c as unknown as Record<string, unknown>).forward = { outNoise: 0 };
      return c.validate();
    },
    mentions: ['SingleRPUConfig.forward', 'IOParameters'],
    field: 'forward',
  },
  {
    name: 'rpuConfigToDict of a broken config',
    run: () => {
      const c = new InferenceRPUConfig();
      c.forward.outNoise = -1;
      return rpuConfigToDict(c);
    },
    mentions: ['InferenceRPUConfig.forward.outNoise', '-1'],
    field: 'outNoise',
  },
  { name: 'a dict that is not an object', run: () => rpuConfigFromDict([]), mentions: ['rpuConfigFromDict', 'array'] },
];

describe('bad input is a ConfigError naming the field', () => {
  it('has at least 30 cases', () => expect(BAD.length).toBeGreaterThanOrEqual(30));

  for (const bad of BAD) {
    it(bad.name, () => {
      let error: unknown;
      try {
        bad.run();
      } catch (e) {
        error = e;
      }
      expect(error, 'it must throw').toBeInstanceOf(ConfigError);
      expect(error).toBeInstanceOf(CrossbarError);
      const message = (error as Error).message;
      for (const m of bad.mentions) expect(message).toContain(m);
      if (bad.field !== undefined) expect((error as ConfigError).detail?.field).toBe(bad.field);
    });
  }
});

describe('values aihwkit accepts and uses are accepted', () => {
  it("takes aihwkit's special values", () => {
    expect(() => new IOParameters({ inpRes: -1, outRes: -1, outBound: 0 })).not.toThrow(); // no quantisation, unbounded
    expect(() => new IOParameters({ outBound: Infinity, outRes: -1 })).not.toThrow();
    expect(() => new IOParameters({ inpBound: 0, noiseManagement: 'None' })).not.toThrow(); // <= 0: unbounded
    expect(() => new IOParameters({ inpRes: 16, outRes: 100 })).not.toThrow(); // step counts
    expect(() => new IOParameters({ inpAsymmetry: -0.5, rSeries: 2, maxBmFactor: 0 })).not.toThrow();
    expect(() => new IOParameters({ isPerfect: true, inpBound: 3 })).not.toThrow(); // perfect: no noise management check
    expect(() => new IOParameters({ mvType: 'Ideal', inpBound: 3 })).not.toThrow();
    expect(() => new UpdateParameters({ res: -1, xResImplicit: 8, dResImplicit: -1 })).not.toThrow(); // <= 0 off, > 1 not inverted
    expect(() => new WeightModifierParameter({ res: 8, type: 'Discretize' })).not.toThrow();
    expect(() => new ConstantStepDevice({ wMin: 0, wMax: 0, upDown: -0.3 })).not.toThrow();
    expect(() => new ExpStepDevice({ aUp: -1.18, a: -0.5, b: -0.5 })).not.toThrow();
    expect(() => new WeightClipParameter({ fixedValue: -5 })).not.toThrow(); // <= 0: off
    expect(() => new InputRangeParameter({ enable: true, manageOutputClipping: false })).not.toThrow();
    expect(() => new SingleRPUConfig({ forward: { noiseManagement: 'None', boundManagement: 'None' }, prePost: { inputRange: { enable: true } } })).not.toThrow();
    expect(() => new IOParameters({ boundManagement: 'Shift' })).not.toThrow(); // an aihwkit 0.7.1 member (engines may refuse it)
  });
});
