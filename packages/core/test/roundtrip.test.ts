/**
 * rpuConfigToDict / rpuConfigFromDict are lossless: property tests over
 * configs generated from the field tables (every class, every field, every
 * enum value, the special values ±inf, 0 and the range ends), directly, through
 * JSON, and without any "type" key (what Python's dataclasses.asdict gives).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_CLASSES,
  ConfigBase,
  ConfigError,
  ENUMS,
  FloatingPointRPUConfig,
  InferenceRPUConfig,
  PRESETS,
  ALL_PULSED_DEVICES,
  IdealDevice,
  RPU_CONFIG_CLASSES,
  SingleRPUConfig,
  UnitCellRPUConfig,
  VectorUnitCell,
  configFromDict,
  pyName,
  rpuConfigFromDict,
  rpuConfigToDict,
  type AnyConfigClass,
  type Field,
  type NumberField,
  type RPUConfig,
} from '../src/index.js';

const cls = (C: unknown) => C as AnyConfigClass;
const make = (C: AnyConfigClass, init: object): ConfigBase => new (C as unknown as new (i: object) => ConfigBase)(init);

function numberArb(f: NumberField): fc.Arbitrary<number> {
  const lo = f.min ?? -1e6;
  const hi = f.max ?? 1e6;
  if (f.integer) {
    const min = Math.ceil(f.minExclusive ? lo + 1 : lo);
    const max = Math.floor(f.maxExclusive ? hi - 1 : Math.min(hi, min + 100000));
    return fc.integer({ min, max });
  }
  const specials = [f.default, f.min, f.max, 0, 1, -1, 1e-300, 1e300, f.allowInfinity ? Infinity : undefined, f.allowInfinity ? -Infinity : undefined]
    .filter((v): v is number => v !== undefined)
    .filter((v) => (f.min === undefined || (f.minExclusive ? v > f.min : v >= f.min)) && (f.max === undefined || (f.maxExclusive ? v < f.max : v <= f.max)));
  const dbl = fc.double({ min: lo, max: hi, minExcluded: f.minExclusive === true, maxExcluded: f.maxExclusive === true, noNaN: true, noDefaultInfinity: true });
  return fc.oneof({ arbitrary: fc.constantFrom(...specials), weight: 1 }, { arbitrary: dbl, weight: 3 });
}

function fieldArb(f: Field): fc.Arbitrary<unknown> {
  switch (f.kind) {
    case 'number':
      return numberArb(f);
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...f.values);
    case 'numberList':
      return fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: f.minLength ?? 0, maxLength: 5 });
    case 'nested': {
      const options: fc.Arbitrary<unknown>[] = f.classes().map((C) => configArb(C));
      if (f.nullable) options.push(fc.constant(null));
      return fc.oneof(...options);
    }
    case 'nestedList': {
      // Single devices only (a unit cell inside a unit cell is covered by the compound tests), 0 to 3 of them.
      const singles = f.classes().filter((C) => (ALL_PULSED_DEVICES as readonly unknown[]).includes(C));
      return fc.array(fc.oneof(...singles.map((C) => configArb(C))), { maxLength: 3 });
    }
    case 'derived':
      return fc.constant(null);
  }
}

const fitLength = (list: unknown, n: number): number[] => {
  const l = list as number[];
  return l.length === 0 ? l : Array.from({ length: n }, (_, i) => l[i % l.length] ?? 1);
};

/** Makes a generated init respect the combinations aihwkit refuses (each is tested on its own in validation.test.ts). */
function fixup(C: AnyConfigClass, v: Record<string, unknown>): Record<string, unknown> {
  switch (C.configName) {
    case 'IOParameters':
      if (!v.isPerfect && v.mvType !== 'Ideal' && v.noiseManagement !== 'None') v.inpBound = 1;
      break;
    case 'WeightRemapParameter':
      if (v.type === 'ChannelwiseSymmetric' && (v.maxScaleRange as number) > 0) v.remappedWmax = 1;
      break;
    case 'PCMLikeNoiseModel':
      if ((v.gMin as number) > (v.gMax as number)) [v.gMin, v.gMax] = [v.gMax, v.gMin];
      break;
    case 'SoftBoundsPmaxDevice': {
      const [a, b] = [v.rangeMin as number, v.rangeMax as number].sort((x, y) => x - y);
      v.rangeMin = -Math.abs(a!) - 1;
      v.rangeMax = Math.abs(b!) + 1;
      if (v.reverseUp || v.reverseDown) v.multNoise = true;
      break;
    }
    case 'PiecewiseStepDevice':
      v.piecewiseDown = fitLength(v.piecewiseDown, (v.piecewiseUp as number[]).length);
      if ((v.piecewiseDown as number[]).length === 0) v.piecewiseDown = [...(v.piecewiseUp as number[])];
      break;
    case 'VectorUnitCell':
    case 'ReferenceUnitCell': {
      let devs = v.unitCellDevices as ConfigBase[];
      if (C.configName === 'ReferenceUnitCell') devs = v.unitCellDevices = devs.slice(0, 2);
      const n = C.configName === 'ReferenceUnitCell' ? 2 : devs.length;
      v.gammaVec = fitLength(v.gammaVec, n);
      const m = C.configName === 'ReferenceUnitCell' ? 2 : n;
      v.firstUpdateIdx = m === 0 ? v.firstUpdateIdx : (v.firstUpdateIdx as number) % m;
      break;
    }
    case 'OneSidedUnitCell':
    case 'DifferenceUnitCell':
      v.unitCellDevices = (v.unitCellDevices as ConfigBase[]).slice(0, 1);
      break;
    case 'TransferCompound':
    case 'BufferedTransferCompound': {
      let devs = v.unitCellDevices as ConfigBase[];
      if (devs.length === 1) devs = [devs[0]!, devs[0]!.clone()];
      devs = devs.map((d, i) => (i >= 2 ? devs[1]!.clone() : d));
      v.unitCellDevices = devs;
      const n = devs.length;
      v.gammaVec = fitLength(v.gammaVec, n);
      const g = v.gammaVec as number[];
      if (g.length > 0 && g[g.length - 1] === 0) g[g.length - 1] = 1;
      v.transferLrVec = fitLength(v.transferLrVec, n).map(Math.abs);
      v.transferEveryVec = fitLength(v.transferEveryVec, n).map((x) => Math.abs(x) + 1);
      if ((v.withResetProb as number) > 0) v.transferColumns = true;
      if (!v.unitsInMbatch && (v.transferEvery as number) > 0 && Math.round(v.transferEvery as number) === 0) v.transferEvery = 1;
      break;
    }
    case 'MixedPrecisionCompound':
      if ((v.nXBins as number) > 0 !== (v.nDBins as number) > 0) v.nDBins = v.nXBins;
      break;
    case 'FloatingPointRPUConfig':
    case 'SingleRPUConfig':
    case 'UnitCellRPUConfig':
    case 'DigitalRankUpdateRPUConfig':
    case 'InferenceRPUConfig': {
      const pp = v.prePost as { inputRange: { enable: boolean; manageOutputClipping: boolean } };
      const fwd = v.forward as { isPerfect: boolean; noiseManagement: string; boundManagement: string } | undefined;
      const ok = fwd && !fwd.isPerfect && fwd.noiseManagement === 'None' && fwd.boundManagement === 'None';
      if (pp.inputRange.enable && !ok) pp.inputRange.manageOutputClipping = false;
      break;
    }
  }
  if ('wMin' in v && v.wMin !== null) v.wMin = -Math.abs(v.wMin as number);
  if ('wMax' in v && v.wMax !== null) v.wMax = Math.abs(v.wMax as number);
  if ('reverseUp' in v && (v.reverseUp || v.reverseDown)) v.multNoise = true;
  return v;
}

const arbCache = new Map<AnyConfigClass, fc.Arbitrary<ConfigBase>>();
function configArb(C: AnyConfigClass): fc.Arbitrary<ConfigBase> {
  let a = arbCache.get(C);
  if (!a) {
    const rec = Object.fromEntries(Object.entries(C.fields).map(([k, f]) => [k, fieldArb(f)]));
    a = fc.record(rec).map((v) => make(C, fixup(C, v as Record<string, unknown>)));
    arbCache.set(C, a);
  }
  return a;
}

// Vector and Reference unit cells have the same keys (as do OneSided and Difference): their dicts need a "type", as in aihwkit.
const AMBIGUOUS = new Set(['VectorUnitCell', 'ReferenceUnitCell', 'OneSidedUnitCell', 'DifferenceUnitCell']);
const CLASS_NAMES = new Set(CONFIG_CLASSES.map((C) => C.configName).filter((n) => !AMBIGUOUS.has(n)));

/** Removes the "type" keys that name a config class (not the `type` fields of clip, modifier and remap). */
function stripTypes(v: unknown): unknown {
  if (Array.isArray(v) || v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k, x]) => !(k === 'type' && typeof x === 'string' && CLASS_NAMES.has(x)))
      .map(([k, x]) => [k, stripTypes(x)]),
  );
}

const runs = { numRuns: 150 };

describe('rpuConfigToDict / rpuConfigFromDict round trip', () => {
  for (const C of RPU_CONFIG_CLASSES) {
    it(`${C.configName}: from(to(c)) equals c, directly and through JSON`, () => {
      fc.assert(
        fc.property(configArb(cls(C)), (c) => {
          const config = c as RPUConfig;
          const dict = rpuConfigToDict(config);
          const back = rpuConfigFromDict(dict);
          expect(back.equals(config)).toBe(true);
          expect(back).toBeInstanceOf(C);
          const json = JSON.parse(JSON.stringify(dict)) as unknown;
          const viaJson = rpuConfigFromDict(json);
          expect(viaJson.equals(config)).toBe(true);
          expect(rpuConfigToDict(viaJson)).toEqual(dict);
        }),
        runs,
      );
    });

    it(`${C.configName}: a dict without "type" keys (dataclasses.asdict) reads back the same`, () => {
      fc.assert(
        fc.property(configArb(cls(C)), (c) => {
          const asdict = stripTypes(JSON.parse(JSON.stringify(rpuConfigToDict(c as RPUConfig))));
          expect(rpuConfigFromDict(asdict).equals(c)).toBe(true);
        }),
        { numRuns: 50 },
      );
    });
  }

  it('every device class round-trips inside a SingleRPUConfig', () => {
    for (const D of [...ALL_PULSED_DEVICES, IdealDevice].map(cls)) {
      fc.assert(
        fc.property(configArb(D), configArb(cls(SingleRPUConfig)), (device, base) => {
          const c = new SingleRPUConfig({ ...base.fieldValues(), device: device as SingleRPUConfig['device'] });
          const back = rpuConfigFromDict(JSON.parse(JSON.stringify(rpuConfigToDict(c))));
          expect(back.equals(c)).toBe(true);
          expect(back.device.constructor).toBe(D);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('every enum value of every enum field round-trips', () => {
    const seen = new Map<string, Set<string>>();
    const visit = (C: AnyConfigClass, wrap: (inner: ConfigBase) => RPUConfig) => {
      for (const [k, f] of Object.entries(C.fields)) {
        if (f.kind !== 'enum') continue;
        for (const value of f.values) {
          const init: Record<string, unknown> = { [k]: value };
          if (C.configName === 'IOParameters') init.inpBound = 1;
          const inner = make(C, init);
          const config = wrap(inner);
          const dict = JSON.parse(JSON.stringify(rpuConfigToDict(config))) as unknown;
          const back = rpuConfigFromDict(dict);
          expect(back.equals(config), `${C.configName}.${k} = ${value}`).toBe(true);
          const s = seen.get(f.enumName) ?? new Set<string>();
          s.add(value);
          seen.set(f.enumName, s);
        }
      }
    };
    visit(cls(InferenceRPUConfig.fields.forward.create().constructor), (io) => new InferenceRPUConfig({ forward: io as InferenceRPUConfig['forward'] }));
    visit(cls(SingleRPUConfig.fields.update.create().constructor), (u) => new SingleRPUConfig({ update: u as SingleRPUConfig['update'] }));
    visit(cls(InferenceRPUConfig.fields.modifier.create().constructor), (m) => new InferenceRPUConfig({ modifier: m as InferenceRPUConfig['modifier'] }));
    visit(cls(InferenceRPUConfig.fields.clip.create().constructor), (m) => new InferenceRPUConfig({ clip: m as InferenceRPUConfig['clip'] }));
    visit(cls(InferenceRPUConfig.fields.remap.create().constructor), (m) => new InferenceRPUConfig({ remap: m as InferenceRPUConfig['remap'] }));
    visit(cls(VectorUnitCell), (v) => new UnitCellRPUConfig({ device: v as VectorUnitCell }));
    for (const [name, e] of Object.entries(ENUMS)) {
      expect([...(seen.get(name) ?? [])].sort(), name).toEqual([...e.values].sort());
    }
  });

  it('every preset round-trips', () => {
    for (const p of PRESETS) {
      const made = p.create();
      const C = made.constructor as unknown as AnyConfigClass;
      const back = p.kind === 'rpuConfig' ? rpuConfigFromDict(rpuConfigToDict(made as RPUConfig)) : configFromDict(C, made.toDict());
      expect(back.equals(made), p.name).toBe(true);
    }
  });

  it('±inf survive as "inf"/"-inf" strings', () => {
    const c = new InferenceRPUConfig({ forward: { outBound: Infinity, inpBound: -Infinity, noiseManagement: 'None' } });
    const dict = rpuConfigToDict(c) as { forward: Record<string, unknown> };
    expect(dict.forward.out_bound).toBe('inf');
    expect(dict.forward.inp_bound).toBe('-inf');
    const back = rpuConfigFromDict(JSON.parse(JSON.stringify(dict)));
    expect(back.equals(c)).toBe(true);
  });

  it('the dict has aihwkit\'s keys in asdict order, enums as strings, and "type" keys where the class varies', () => {
    const dict = rpuConfigToDict(new SingleRPUConfig()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(dict)).toEqual(['type', 'pre_post', 'mapping', 'device', 'forward', 'backward', 'update']);
    expect(dict.type).toBe('SingleRPUConfig');
    expect(dict.device!.type).toBe('ConstantStepDevice');
    expect(dict.forward!.type).toBeUndefined();
    expect(dict.forward!.bound_management).toBe('Iterative');
    expect(dict.update!.pulse_type).toBe('StochasticCompressed');
    const inf = rpuConfigToDict(new InferenceRPUConfig()) as Record<string, unknown>;
    expect(Object.keys(inf)).toEqual([
      'type',
      'pre_post',
      'mapping',
      'forward',
      'noise_model',
      'drift_compensation',
      'clip',
      'remap',
      'modifier',
      'device',
      'backward',
      'update',
    ]);
    expect(rpuConfigToDict(new InferenceRPUConfig({ driftCompensation: null })).drift_compensation).toBeNull();
    expect(Object.keys(rpuConfigToDict(new FloatingPointRPUConfig()))).toEqual(['type', 'pre_post', 'mapping', 'device']);
  });

  it("a partial dict fills in from the field's default (InferenceRPUConfig.backward stays perfect)", () => {
    const c = rpuConfigFromDict({ type: 'InferenceRPUConfig', backward: { out_noise: 0.1 }, update: { desired_bl: 5 } }) as InferenceRPUConfig;
    expect(c.backward.isPerfect).toBe(true);
    expect(c.backward.outNoise).toBe(0.1);
    expect(c.update.pulseType).toBe('None');
    expect(c.update.desiredBl).toBe(5);
  });

  it('every field key of every class is read (no key of the dict is silently dropped)', () => {
    for (const C of RPU_CONFIG_CLASSES) {
      const dict = rpuConfigToDict(new C());
      for (const [k, f] of Object.entries(C.fields)) expect(dict, `${C.configName}.${k}`).toHaveProperty(pyName(k, f));
    }
    expect(() => rpuConfigFromDict({ type: 'SingleRPUConfig', extra: 1 })).toThrow(ConfigError);
  });
});
