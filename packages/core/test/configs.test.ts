/**
 * Behaviour of the config classes beyond their fields: construction from
 * partials, printing like aihwkit's _PrintableMixin, clone/equals/validate,
 * MapableRPU.getLinear, and the InferenceRPUConfig fixed parts.
 */
import { describe, expect, it } from 'vitest';
import {
  ConstantStepDevice,
  DriftParameter,
  FloatingPointRPUConfig,
  IdealDevice,
  InferenceRPUConfig,
  IOParameters,
  LinearStepDevice,
  MappingParameter,
  PCMLikeNoiseModel,
  SingleRPUConfig,
  UpdateParameters,
  WeightModifierParameter,
  configFromDict,
} from '../src/index.js';

describe('construction', () => {
  it('fills aihwkit defaults and applies a camelCase partial', () => {
    const io = new IOParameters({ outNoise: 0, inpRes: -1 });
    expect(io.outNoise).toBe(0);
    expect(io.inpRes).toBe(-1);
    expect(io.outBound).toBe(12);
    expect(io.inpRes).not.toBe(new IOParameters().inpRes);
  });

  it('builds nested configs from plain partials, filling in from the field default', () => {
    const c = new SingleRPUConfig({ forward: { outNoise: 0.1 }, device: new LinearStepDevice({ gammaUp: 0.2 }) });
    expect(c.forward).toBeInstanceOf(IOParameters);
    expect(c.forward.outNoise).toBe(0.1);
    expect(c.device).toBeInstanceOf(LinearStepDevice);
    const inf = new InferenceRPUConfig({ backward: { outNoise: 0 }, update: { desiredBl: 7 } });
    expect(inf.backward.isPerfect).toBe(true); // InferenceRPUConfig's backward default
    expect(inf.update.pulseType).toBe('None');
    expect(inf.update.desiredBl).toBe(7);
  });

  it("InferenceRPUConfig has aihwkit's fixed parts: ideal device, perfect backward, pulse type None", () => {
    const c = new InferenceRPUConfig();
    expect(c.device).toBeInstanceOf(IdealDevice);
    expect(c.backward.isPerfect).toBe(true);
    expect(c.update.pulseType).toBe('None');
    expect(c.noiseModel).toBeInstanceOf(PCMLikeNoiseModel);
    expect(c.driftCompensation?.constructor.name).toBe('GlobalDriftCompensation');
    expect(new InferenceRPUConfig({ driftCompensation: null }).driftCompensation).toBeNull();
  });

  it('an undefined value leaves the default', () => {
    expect(new IOParameters({ outNoise: undefined }).outNoise).toBe(0.06);
  });

  it('does not keep -0 (it would not survive JSON)', () => {
    expect(Object.is(new IOParameters({ outScale: -0 }).outScale, 0)).toBe(true);
  });

  it('copies lists it is given', () => {
    const coeffs = [1, 2, 3];
    const m = new WeightModifierParameter({ coeffs });
    coeffs[0] = 9;
    expect(m.coeffs).toEqual([1, 2, 3]);
  });
});

describe('toString prints the non-default fields, like aihwkit', () => {
  it('prints nothing for defaults', () => {
    expect(String(new IOParameters())).toBe('IOParameters()');
    expect(String(new SingleRPUConfig())).toBe('SingleRPUConfig()');
  });

  it('uses Python float repr, True/False and Enum.Value', () => {
    expect(String(new IOParameters({ inpRes: -1, outNoise: 0 }))).toBe('IOParameters(inpRes=-1.0, outNoise=0.0)');
    expect(String(new IOParameters({ isPerfect: true, noiseManagement: 'None' }))).toBe('IOParameters(isPerfect=True, noiseManagement=NoiseManagementType.None)');
    expect(String(new DriftParameter({ resetTol: 1e-9 }))).toBe('DriftParameter(resetTol=1e-09)');
    expect(String(new IOParameters({ outBound: Infinity }))).toBe('IOParameters(outBound=inf)');
    expect(String(new UpdateParameters({ desiredBl: 10 }))).toBe('UpdateParameters(desiredBl=10)');
    expect(String(new WeightModifierParameter({ coeffs: [1, 0.5] }))).toBe('WeightModifierParameter(coeffs=[1.0, 0.5])');
  });

  it('breaks lines after three fields and indents nested configs', () => {
    const s = String(new SingleRPUConfig({ forward: { outNoise: 0 }, device: { dwMin: 0.01, wMax: 1, wMin: -1, upDown: 0.1 } }));
    expect(s).toBe(
      [
        'SingleRPUConfig(',
        '    device=ConstantStepDevice(',
        '        dwMin=0.01,',
        '        upDown=0.1,',
        '        wMax=1.0,',
        '        wMin=-1.0',
        '    ),',
        '    forward=IOParameters(outNoise=0.0)',
        ')',
      ].join('\n'),
    );
    expect(String(new InferenceRPUConfig({ driftCompensation: null }))).toBe('InferenceRPUConfig(driftCompensation=None)');
  });

  it('shows a device of another class even with default values', () => {
    expect(String(new SingleRPUConfig({ device: new IdealDevice() }))).toBe('SingleRPUConfig(device=IdealDevice())');
  });
});

describe('clone, equals, validate, fieldValues', () => {
  it('clone is deep and equal; a change to the clone leaves the original', () => {
    const a = new SingleRPUConfig({ forward: { outNoise: 0.1 } });
    const b = a.clone();
    expect(b).toBeInstanceOf(SingleRPUConfig);
    expect(b.equals(a)).toBe(true);
    b.forward.outNoise = 0.2;
    expect(a.forward.outNoise).toBe(0.1);
    expect(b.equals(a)).toBe(false);
    expect(b.getLinear()).toBe('AnalogLinearMapped'); // methods survive cloning
  });

  it('equals compares class and every field', () => {
    expect(new SingleRPUConfig().equals(new SingleRPUConfig())).toBe(true);
    expect(new SingleRPUConfig().equals(new FloatingPointRPUConfig())).toBe(false);
    expect(new SingleRPUConfig().equals(new SingleRPUConfig({ device: new IdealDevice() }))).toBe(false);
    expect(new WeightModifierParameter().equals(new WeightModifierParameter({ coeffs: [1] }))).toBe(false);
    expect(new IOParameters().equals({ ...new IOParameters() })).toBe(false);
  });

  it('validate returns the config when it is fine, and re-checks fields changed by hand', () => {
    const c = new SingleRPUConfig();
    expect(c.validate()).toBe(c);
    c.update.desiredBl = 0;
    expect(() => c.validate()).toThrow(/SingleRPUConfig\.update\.desiredBl/);
  });

  it('fieldValues gives a plain object to build a variant', () => {
    const a = new IOParameters({ outNoise: 0.3 });
    const b = new IOParameters({ ...a.fieldValues(), outBound: 5 });
    expect(b.outNoise).toBe(0.3);
    expect(b.outBound).toBe(5);
  });
});

describe('MapableRPU.getLinear', () => {
  it('is AnalogLinearMapped when the mapping limits the tile size, else AnalogLinear', () => {
    expect(new SingleRPUConfig().getLinear()).toBe('AnalogLinearMapped'); // default max sizes 512
    const unlimited = new MappingParameter({ maxInputSize: 0, maxOutputSize: 0 });
    expect(new SingleRPUConfig({ mapping: unlimited }).getLinear()).toBe('AnalogLinear');
    expect(new InferenceRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 0 } }).getLinear()).toBe('AnalogLinear');
    expect(new FloatingPointRPUConfig({ mapping: { maxInputSize: 0, maxOutputSize: 8 } }).getLinear()).toBe('AnalogLinearMapped');
  });
});

describe('configFromDict for one class', () => {
  it('reads a partial aihwkit dict, with aihwkit names such as A_up and t_0', async () => {
    const { ExpStepDevice } = await import('../src/index.js');
    const d = configFromDict(ExpStepDevice, { A_up: -1.2, dw_min: 0.01, drift: { t_0: 5 } });
    expect(d.aUp).toBe(-1.2);
    expect(d.drift.t0).toBe(5);
    expect(d.toDict()).toMatchObject({ A_up: -1.2, dw_min: 0.01 });
  });

  it('accepts a "type" key naming the class', () => {
    expect(configFromDict(ConstantStepDevice, { type: 'ConstantStepDevice', dw_min: 0.1 }).dwMin).toBe(0.1);
  });
});
