/**
 * The configs cannot drift from aihwkit: every class's fields, their order and
 * their defaults are compared with aihwkit 0.7.1's own signatures — the
 * utility parameters with the seed (shared/seed/aihwkit-configs-utils.txt),
 * devices, RPU configs, the noise model and the presets with the signatures
 * extracted from aihwkit's source (test/fixtures/aihwkit-0.7.1-classes.txt, and
 * aihwkit-0.7.1-compounds.txt for the devices, compounds and RPU configs of
 * issue 16, written by test/fixtures/extract-aihwkit.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ALL_PULSED_DEVICES,
  CONFIG_CLASSES,
  ConfigBase,
  ConstantStepDevice,
  DriftParameter,
  ENUMS,
  ExpStepDevice,
  InputRangeParameter,
  IOParameters,
  MAPABLE_RPU_FIELDS,
  MappingParameter,
  PRE_POST_PROCESSING_RPU_FIELDS,
  PrePostProcessingParameter,
  PRESETS,
  PULSED_DEVICE_FIELDS,
  RPU_CONFIG_CLASSES,
  SimpleDriftParameter,
  SingleRPUConfig,
  UpdateParameters,
  WeightClipParameter,
  WeightModifierParameter,
  WeightRemapParameter,
  pyName,
  type AnyConfigClass,
} from '../src/index.js';
import { compareValues, normEnum, parseSignatures, type PyValue, type Signature } from './helpers/signatures.js';
import { upstreamSeedFile } from './helpers/paths.js';

const seedFile = upstreamSeedFile();
const seed = parseSignatures(seedFile ? readFileSync(seedFile, 'utf8') : '');
const fixture = parseSignatures(
  ['aihwkit-0.7.1-classes.txt', 'aihwkit-0.7.1-compounds.txt'].map((f) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8')).join('\n'),
);

const cls = (C: unknown) => C as AnyConfigClass;
const fresh = (C: AnyConfigClass): ConfigBase => new (C as unknown as new () => ConfigBase)();

/**
 * The fields we have beyond aihwkit 0.7.1's Python dataclasses — exactly these,
 * each marked with `since` in its field spec.
 */
const EXTRAS: Record<string, readonly string[]> = {
  IOParameters: ['nm_assumed_wmax', 'nm_decay'],
  WeightModifierParameter: ['g_max', 'pcm_zero_thres', 'pcm_t_inference', 'pcm_prob_at_reset', 'pcm_prob_at_gmax', 'pcm_prob_at_random', 'pcm_t0'],
};

const SEED_CLASSES: Record<string, AnyConfigClass> = {
  IOParameters: cls(IOParameters),
  UpdateParameters: cls(UpdateParameters),
  SimpleDriftParameter: cls(SimpleDriftParameter),
  DriftParameter: cls(DriftParameter),
  WeightModifierParameter: cls(WeightModifierParameter),
  WeightClipParameter: cls(WeightClipParameter),
  WeightRemapParameter: cls(WeightRemapParameter),
  MappingParameter: cls(MappingParameter),
  InputRangeParameter: cls(InputRangeParameter),
  PrePostProcessingParameter: cls(PrePostProcessingParameter),
};

function checkClass(C: AnyConfigClass, sig: Signature, extras: readonly string[] = []): void {
  const problems = compareValues(C, fresh(C), sig.args, { extras });
  expect(problems, `${C.configName} differs from aihwkit`).toEqual([]);
  const marked = Object.entries(C.fields)
    .filter(([, f]) => f.since !== undefined)
    .map(([k, f]) => pyName(k, f));
  expect(marked, `${C.configName}: fields marked "since"`).toEqual([...extras]);
}

describe.skipIf(!seedFile)('the seed (aihwkit 0.7.1 configs.utils, read from the upstream copy beside the checkout)', () => {
  it('has the classes we expect', () => {
    expect([...seed.keys()].sort()).toEqual([...Object.keys(SEED_CLASSES), 'MapableRPU', 'PrePostProcessingRPU'].sort());
  });

  for (const [name, C] of Object.entries(SEED_CLASSES)) {
    it(`${name} has exactly the seed's fields, order and defaults`, () => {
      checkClass(C, seed.get(name)!, EXTRAS[name]);
    });
  }

  it('MapableRPU and PrePostProcessingRPU: every RPU config has their fields, first, in aihwkit order', () => {
    const mixins = [...seed.get('PrePostProcessingRPU')!.args, ...seed.get('MapableRPU')!.args].map(([py]) => py);
    const ours = Object.entries({ ...PRE_POST_PROCESSING_RPU_FIELDS, ...MAPABLE_RPU_FIELDS }).map(([k, f]) => pyName(k, f));
    expect(ours).toEqual(mixins);
    for (const C of RPU_CONFIG_CLASSES) {
      const keys = Object.entries(C.fields).map(([k, f]) => pyName(k, f));
      expect(keys.slice(0, 2)).toEqual(mixins);
      const c = new C();
      expect(c.mapping).toBeInstanceOf(MappingParameter);
      expect(c.prePost).toBeInstanceOf(PrePostProcessingParameter);
    }
  });

  it('the extras are exactly the listed ones, and nothing else in core is marked "since"', () => {
    for (const C of CONFIG_CLASSES) {
      const marked = Object.entries(C.fields).filter(([, f]) => f.since !== undefined);
      expect(
        marked.map(([k, f]) => pyName(k, f)),
        C.configName,
      ).toEqual([...(EXTRAS[C.configName] ?? [])]);
    }
  });
});

/**
 * aihwkit's UnitCellRPUConfig and DigitalRankUpdateRPUConfig default to the
 * abstract UnitCell / DigitalRankUpdateCell, which aihwkit cannot build: ours
 * default to an empty VectorUnitCell and a MixedPrecisionCompound (documented
 * in docs/configuration.md). Every other field is checked against aihwkit.
 */
const ABSTRACT_DEFAULT_DEVICE: Record<string, Signature> = Object.fromEntries(
  (
    [
      ['UnitCellRPUConfig', 'UnitCell', 'VectorUnitCell'],
      ['DigitalRankUpdateRPUConfig', 'DigitalRankUpdateCell', 'MixedPrecisionCompound'],
    ] as const
  ).map(([name, abstract, ours]) => {
    const sig = fixture.get(name)!;
    const args = sig.args.map(([py, v]): [string, PyValue] =>
      py === 'device' && v.kind === 'factory' && v.cls === abstract ? [py, { kind: 'factory', cls: ours }] : [py, v],
    );
    return [name, { name, args }];
  }),
);

describe('aihwkit 0.7.1 devices, RPU configs and noise model', () => {
  // Every other class of the catalogue: devices, noise model, drift compensation.
  const rpuNames: readonly string[] = RPU_CONFIG_CLASSES.map((C) => C.configName);
  const classes = CONFIG_CLASSES.filter((C) => !(C.configName in SEED_CLASSES) && !rpuNames.includes(C.configName));
  it('covers the devices, the noise model and the drift compensation', () => {
    expect(classes.map((C) => C.configName).sort()).toEqual([
      'BufferedTransferCompound',
      'ConstantStepDevice',
      'DifferenceUnitCell',
      'ExpStepDevice',
      'FloatingPointDevice',
      'GlobalDriftCompensation',
      'IdealDevice',
      'LinearStepDevice',
      'MixedPrecisionCompound',
      'OneSidedUnitCell',
      'PCMLikeNoiseModel',
      'PiecewiseStepDevice',
      'PowStepDevice',
      'PowStepReferenceDevice',
      'ReferenceUnitCell',
      'SoftBoundsDevice',
      'SoftBoundsPmaxDevice',
      'SoftBoundsReferenceDevice',
      'TransferCompound',
      'VectorUnitCell',
    ]);
  });
  for (const C of classes) {
    it(`${C.configName} has exactly aihwkit's fields, order and defaults`, () => checkClass(C, fixture.get(C.configName)!));
  }

  it("the shared PulsedDevice fields are ConstantStepDevice's, and the other pulsed devices start with them", () => {
    const shared = Object.keys(PULSED_DEVICE_FIELDS);
    expect(Object.keys(ConstantStepDevice.fields)).toEqual(shared);
    for (const C of [...ALL_PULSED_DEVICES].map(cls)) {
      expect(Object.keys(C.fields).slice(0, shared.length)).toEqual(shared);
    }
  });

  for (const C of RPU_CONFIG_CLASSES) {
    it(`${C.configName} has aihwkit's fields after the mixins, with aihwkit's defaults`, () => {
      const sig = ABSTRACT_DEFAULT_DEVICE[C.configName] ?? fixture.get(C.configName)!;
      const mixinArgs: Signature['args'] = [
        ['pre_post', { kind: 'factory', cls: 'PrePostProcessingParameter' }],
        ['mapping', { kind: 'factory', cls: 'MappingParameter' }],
      ];
      const problems = compareValues(cls(C), new C(), [...mixinArgs, ...sig.args]);
      expect(problems).toEqual([]);
    });
  }
});

describe('aihwkit 0.7.1 presets (those with a signature line; every preset is checked field by field in presets.test.ts)', () => {
  for (const p of PRESETS.filter((q) => fixture.has(q.name))) {
    it(`${p.name} has aihwkit's values`, () => {
      const sig = fixture.get(p.name)!;
      expect(sig, `fixture line of ${p.name}`).toBeDefined();
      const made = p.create();
      const C = made.constructor as unknown as AnyConfigClass;
      if (p.kind === 'rpuConfig') {
        // device=<factory:XPresetDevice>, forward=<factory:PresetIOParameters>, ...
        for (const [py, v] of sig.args) {
          const key = Object.entries(C.fields).find(([k, f]) => pyName(k, f) === py)![0];
          const preset = PRESETS.find((q) => v.kind === 'factory' && q.name === v.cls)!;
          expect((made as unknown as Record<string, ConfigBase>)[key]!.equals(preset.create()), `${p.name}.${key}`).toBe(true);
        }
        return;
      }
      // Devices list every field; presets/utils.py lists only the overridden ones.
      const partial = p.kind !== 'device';
      expect(compareValues(C, made, sig.args, { partial })).toEqual([]);
      if (partial) {
        const listed = new Set(sig.args.map(([py]) => py));
        const base = fresh(C) as unknown as Record<string, unknown>;
        for (const [k, f] of Object.entries(C.fields)) {
          if (!listed.has(pyName(k, f))) expect((made as unknown as Record<string, unknown>)[k], k).toEqual(base[k]);
        }
      }
    });
  }

  it("preset overrides go on top, nested partials merge into the preset's values", async () => {
    const { ReRamESPreset, ReRamSBPresetDevice } = await import('../src/index.js');
    const c = ReRamESPreset({ forward: { outNoise: 0 }, update: { desiredBl: 15 } });
    expect(c).toBeInstanceOf(SingleRPUConfig);
    expect(c.forward.outNoise).toBe(0);
    expect(c.forward.outBound).toBe(20); // from PresetIOParameters
    expect(c.backward.outNoise).toBe(0.1);
    expect(c.update.desiredBl).toBe(15);
    expect(c.device).toBeInstanceOf(ExpStepDevice);
    const d = ReRamSBPresetDevice({ dwMin: 0.01 });
    expect(d.dwMin).toBe(0.01);
    expect(d.wMax).toBe(1.25);
  });
});

describe('enums', () => {
  // aihwkit v.0.7.1 src/aihwkit/simulator/configs/enums.py, member name → value.
  const AIHWKIT_071: Record<string, Record<string, string>> = {
    AnalogMVType: { IDEAL: 'Ideal', ONE_PASS: 'OnePass', POS_NEG_SEPARATE: 'PosNegSeparate', POS_NEG_SEPARATE_DIGITAL_SUM: 'PosNegSeparateDigitalSum' },
    BoundManagementType: { NONE: 'None', ITERATIVE: 'Iterative', ITERATIVE_WORST_CASE: 'IterativeWorstCase', SHIFT: 'Shift' },
    NoiseManagementType: { NONE: 'None', ABS_MAX: 'AbsMax', ABS_MAX_NP_SUM: 'AbsMaxNPSum', MAX: 'Max', CONSTANT: 'Constant', AVERAGE_ABS_MAX: 'AverageAbsMax' },
    WeightNoiseType: { NONE: 'None', ADDITIVE_CONSTANT: 'AdditiveConstant', PCM_READ: 'PCMRead' },
    PulseType: {
      NONE: 'None',
      STOCHASTIC_COMPRESSED: 'StochasticCompressed',
      STOCHASTIC: 'Stochastic',
      NONE_WITH_DEVICE: 'NoneWithDevice',
      MEAN_COUNT: 'MeanCount',
      DETERMINISTIC_IMPLICIT: 'DeterministicImplicit',
    },
    WeightModifierType: {
      COPY: 'Copy',
      DISCRETIZE: 'Discretize',
      MULT_NORMAL: 'MultNormal',
      ADD_NORMAL: 'AddNormal',
      DISCRETIZE_ADD_NORMAL: 'DiscretizeAddNormal',
      DOREFA: 'DoReFa',
      POLY: 'Poly',
    },
    WeightClipType: { NONE: 'None', FIXED_VALUE: 'FixedValue', LAYER_GAUSSIAN: 'LayerGaussian', AVERAGE_CHANNEL_MAX: 'AverageChannelMax' },
    WeightRemapType: { NONE: 'None', LAYERWISE_SYMMETRIC: 'LayerwiseSymmetric', CHANNELWISE_SYMMETRIC: 'ChannelwiseSymmetric' },
    VectorUnitCellUpdatePolicy: { ALL: 'All', SINGLE_FIXED: 'SingleFixed', SINGLE_SEQUENTIAL: 'SingleSequential', SINGLE_RANDOM: 'SingleRandom' },
  };

  it('have every aihwkit 0.7.1 member with its string value, and mark exactly the later ones', () => {
    expect(Object.keys(ENUMS).sort()).toEqual(Object.keys(AIHWKIT_071).sort());
    for (const [name, members] of Object.entries(AIHWKIT_071)) {
      const e = ENUMS[name as keyof typeof ENUMS];
      const old = Object.values(members);
      for (const [member, value] of Object.entries(members)) {
        expect(e.values, `${name}.${member}`).toContain(value);
        expect(normEnum(member)).toBe(normEnum(value));
      }
      const later = e.values.filter((v) => !old.includes(v));
      expect(later.sort(), `${name}: members after 0.7.1`).toEqual(Object.keys(e.later).sort());
    }
  });
});
