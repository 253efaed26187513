/**
 * aihwkit's presets (v.0.7.1 `src/aihwkit/simulator/presets/devices.py`,
 * `configs.py`, `utils.py`) for the device classes Crossbar has: published
 * device fits and the SingleRPUConfig presets built on them.
 *
 * In aihwkit a preset is a subclass that only changes defaults. Here a preset
 * is a function that returns an instance of the base class with the preset's
 * values, with your overrides on top (nested partials merge into the preset's
 * nested values): `ReRamESPreset({ forward: { outNoise: 0 } })`. The result is
 * an ordinary `ExpStepDevice` / `SingleRPUConfig`, so engines, dicts and
 * printing treat it like any other config (its printout shows the preset's
 * values as the fields that differ from the class defaults).
 *
 * Not here: presets whose RPU config needs compound devices (unit cells,
 * transfer compounds, mixed precision: PCMPreset, ReRamES2Preset,
 * TikiTaka*, TTv2*, MixedPrecision*), which Crossbar does not implement.
 */
import { BoundManagementType, NoiseManagementType, PulseType, WeightNoiseType } from '../enums.js';
import { ConfigBase, type ConfigInitOf } from './field.js';
import { ConstantStepDevice, ExpStepDevice, LinearStepDevice, SoftBoundsDevice } from './devices.js';
import { IOParameters, UpdateParameters } from './parameters.js';
import { SingleRPUConfig } from './rpu-configs.js';

type Ctor<C> = new (init?: ConfigInitOf<C>) => C;

/** `values` with `overrides` on top; a plain-object override of a nested config merges into the preset's nested value. */
function mergeInit(values: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    const base = out[k];
    if (base instanceof ConfigBase && v !== null && typeof v === 'object' && !(v instanceof ConfigBase) && !Array.isArray(v)) {
      const Cls = base.constructor as new (init: object) => ConfigBase;
      out[k] = new Cls(mergeInit(base.fieldValues(), v as Record<string, unknown>));
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** A preset: a function returning `Cls` with the preset's values and the caller's overrides. */
export type Preset<C> = (overrides?: ConfigInitOf<C>) => C;

function preset<C>(Cls: Ctor<C>, values: () => NoInfer<ConfigInitOf<C>>): Preset<C> {
  return (overrides = {} as ConfigInitOf<C>) =>
    new Cls(mergeInit(values() as Record<string, unknown>, overrides as Record<string, unknown>) as ConfigInitOf<C>);
}

// ------------------------------------------------------------------ devices (presets/devices.py)

/** ReRAM on the exponential step model: fit of ExpStepDevice to Gong et al., Nat. Commun. 2018. */
export const ReRamESPresetDevice = preset(ExpStepDevice, () => ({
  dwMin: 0.00135,
  upDown: 0.259359,
  wMax: 1.0,
  wMin: -1.0,
  a: -0.5,
  b: -0.5,
  gammaUp: 5.0,
  gammaDown: 5.0,
  aUp: -1.18445,
  aDown: -0.081404,
  dwMinDtod: 0.2,
  upDownDtod: 0.05,
  wMaxDtod: 0.3,
  wMinDtod: 0.3,
  dwMinStd: 5.0,
  writeNoiseStd: 75.0,
}));

/** ReRAM on the soft bounds model: loose fit to Gong et al. 2018, calibrated to the symmetry point. */
export const ReRamSBPresetDevice = preset(SoftBoundsDevice, () => ({
  dwMin: 0.002,
  upDown: 0.0,
  wMax: 1.25,
  wMin: -0.75,
  multNoise: false,
  dwMinDtod: 0.3,
  upDownDtod: 0.01,
  wMaxDtod: 0.3 / 1.25,
  wMinDtod: 0.3 / 0.75,
  dwMinStd: 3.75,
  writeNoiseStd: 56,
}));

/** Capacitor cell on the linear step model: fit to Li et al., VLSI 2018, with some leakage (lifetime). */
export const CapacitorPresetDevice = preset(LinearStepDevice, () => ({
  dwMin: 0.005,
  upDown: 0.0,
  wMax: 1.0,
  wMin: -1.0,
  multNoise: false,
  gammaUp: 0.05,
  gammaDown: 0.05,
  dwMinDtod: 0.1,
  upDownDtod: 0.06,
  wMaxDtod: 0.07,
  wMinDtod: 0.07,
  gammaUpDtod: 0.01,
  gammaDownDtod: 0.01,
  dwMinStd: 0.3,
  writeNoiseStd: 0.0,
  meanBoundReference: true,
  lifetime: 1.0e6,
  lifetimeDtod: 0.3,
}));

/** Lithium-based ECRAM on the linear step model: fit to Tang et al., IEDM 2018 (range shifted to the symmetry point). */
export const EcRamPresetDevice = preset(LinearStepDevice, () => ({
  dwMin: 0.002,
  upDown: 0.0,
  wMax: 1.1724,
  wMin: -0.8276,
  multNoise: true,
  gammaUp: 0.1153,
  gammaDown: 0.5085,
  dwMinDtod: 0.1,
  upDownDtod: 0.01,
  wMaxDtod: 0.05,
  wMinDtod: 0.05,
  gammaUpDtod: 0.05,
  gammaDownDtod: 0.05,
  dwMinStd: 0.3,
  writeNoiseStd: 0.0,
  meanBoundReference: true,
}));

/** Metal-oxide ECRAM on the linear step model: data of Kim et al., IEDM 2019. */
export const EcRamMOPresetDevice = preset(LinearStepDevice, () => ({
  dwMin: 2.8214e-4,
  upDown: 0.0,
  wMax: 1.1714,
  wMin: -0.8286,
  multNoise: true,
  gammaUp: 0.4152,
  gammaDown: 0.7342,
  dwMinDtod: 0.1,
  upDownDtod: 0.01,
  wMaxDtod: 0.05,
  wMinDtod: 0.05,
  gammaUpDtod: 0.05,
  gammaDownDtod: 0.05,
  dwMinStd: 2.0,
  writeNoiseStd: 0.0,
  meanBoundReference: true,
}));

/** Idealized constant step device: (on average) symmetric, 10000 states (Rasch, Gokmen & Haensch 2019). */
export const IdealizedPresetDevice = preset(ConstantStepDevice, () => ({
  dwMin: 0.0002,
  dwMinDtod: 0.3,
  dwMinStd: 0.3,
  upDown: 0.0,
  upDownDtod: 0.0,
  wMax: 1.0,
  wMin: -1.0,
  wMaxDtod: 0.3,
  wMinDtod: 0.3,
}));

/** Constant step device of Gokmen & Vlasov, Front. Neurosci. 2016, scaled to the weight range -1..1 (1200 states). */
export const GokmenVlasovPresetDevice = preset(ConstantStepDevice, () => ({
  dwMin: 0.0016,
  dwMinDtod: 0.3,
  dwMinStd: 0.3,
  upDown: 0.0,
  upDownDtod: 0.01,
  wMax: 1.0,
  wMin: -1.0,
  wMaxDtod: 0.3,
  wMinDtod: 0.3,
}));

/**
 * PCM (Ge2Sb2Te5) on the exponential step model: Nandakumar et al., Front.
 * Neurosci. 2020. Uni-directional (w in [0, 2]); aihwkit uses it in pairs with
 * refresh (PCMPresetUnitCell, not in Crossbar), but it is a valid ExpStepDevice.
 */
export const PCMPresetDevice = preset(ExpStepDevice, () => ({
  dwMin: 0.01,
  upDown: 0.0,
  wMax: 2.0,
  wMin: 0.0,
  a: -1.0,
  b: 0.0,
  gammaUp: 2.5,
  gammaDown: 2.5,
  aUp: -27.235,
  aDown: -2.235,
  dwMinDtod: 0.2,
  upDownDtod: 0.05,
  wMaxDtod: 0.1,
  wMinDtod: 0.0,
  dwMinStd: 0.6,
  dwMinStdAdd: 0.042,
  dwMinStdSlope: 0.108,
  writeNoiseStd: 0.0,
  reset: 0.01,
  resetDtod: 0.02,
}));

// ------------------------------------------------------------------ peripheral and update presets (presets/utils.py)

/** The peripheral (IO) preset of most aihwkit presets: 7 bit DAC, 9 bit ADC, out_bound 20, out_noise 0.1, both managements on. */
export const PresetIOParameters = preset(IOParameters, () => ({
  boundManagement: BoundManagementType.Iterative,
  noiseManagement: NoiseManagementType.AbsMax,
  inpRes: 1.0 / (2 ** 7 - 2),
  inpStoRound: false,
  outBound: 20.0,
  outNoise: 0.1,
  outRes: 1.0 / (2 ** 9 - 2),
  wNoise: 0.0,
  wNoiseType: WeightNoiseType.None,
}));

/** The update preset of most aihwkit presets: stochastic compressed pulses, BL at most 31, update and BL management on. */
export const PresetUpdateParameters = preset(UpdateParameters, () => ({
  desiredBl: 31,
  pulseType: PulseType.StochasticCompressed,
  updateBlManagement: true,
  updateManagement: true,
}));

// ------------------------------------------------------------------ RPU configs (presets/configs.py)

function singlePreset(device: () => SingleRPUConfig['device']): Preset<SingleRPUConfig> {
  return preset(SingleRPUConfig, () => ({
    device: device(),
    forward: PresetIOParameters(),
    backward: PresetIOParameters(),
    update: PresetUpdateParameters(),
  }));
}

/** SingleRPUConfig with ReRamESPresetDevice and the preset IO and update. */
export const ReRamESPreset = singlePreset(() => ReRamESPresetDevice());
/** SingleRPUConfig with ReRamSBPresetDevice and the preset IO and update. */
export const ReRamSBPreset = singlePreset(() => ReRamSBPresetDevice());
/** SingleRPUConfig with CapacitorPresetDevice and the preset IO and update. */
export const CapacitorPreset = singlePreset(() => CapacitorPresetDevice());
/** SingleRPUConfig with EcRamPresetDevice and the preset IO and update. */
export const EcRamPreset = singlePreset(() => EcRamPresetDevice());
/** SingleRPUConfig with EcRamMOPresetDevice and the preset IO and update. */
export const EcRamMOPreset = singlePreset(() => EcRamMOPresetDevice());
/** SingleRPUConfig with IdealizedPresetDevice and the preset IO and update. */
export const IdealizedPreset = singlePreset(() => IdealizedPresetDevice());
/** SingleRPUConfig with GokmenVlasovPresetDevice and the preset IO and update. */
export const GokmenVlasovPreset = singlePreset(() => GokmenVlasovPresetDevice());

/** One of aihwkit's preset configs: its name, kind and base class. */
export interface PresetInfo {
  /** aihwkit's class name of the preset. */
  readonly name: string;
  readonly kind: 'device' | 'io' | 'update' | 'rpuConfig';
  /** The Crossbar class the preset returns. */
  readonly base: string;
  /** Makes a fresh instance of the preset. */
  readonly create: () => ConfigBase;
}

const info = (name: string, kind: PresetInfo['kind'], create: () => ConfigBase): PresetInfo => ({
  name,
  kind,
  base: create().constructor.name,
  create,
});

/** Every preset, by aihwkit's name (for docs, the CLI and tests). */
export const PRESETS: readonly PresetInfo[] = [
  info('ReRamESPresetDevice', 'device', () => ReRamESPresetDevice()),
  info('ReRamSBPresetDevice', 'device', () => ReRamSBPresetDevice()),
  info('CapacitorPresetDevice', 'device', () => CapacitorPresetDevice()),
  info('EcRamPresetDevice', 'device', () => EcRamPresetDevice()),
  info('EcRamMOPresetDevice', 'device', () => EcRamMOPresetDevice()),
  info('IdealizedPresetDevice', 'device', () => IdealizedPresetDevice()),
  info('GokmenVlasovPresetDevice', 'device', () => GokmenVlasovPresetDevice()),
  info('PCMPresetDevice', 'device', () => PCMPresetDevice()),
  info('PresetIOParameters', 'io', () => PresetIOParameters()),
  info('PresetUpdateParameters', 'update', () => PresetUpdateParameters()),
  info('ReRamESPreset', 'rpuConfig', () => ReRamESPreset()),
  info('ReRamSBPreset', 'rpuConfig', () => ReRamSBPreset()),
  info('CapacitorPreset', 'rpuConfig', () => CapacitorPreset()),
  info('EcRamPreset', 'rpuConfig', () => EcRamPreset()),
  info('EcRamMOPreset', 'rpuConfig', () => EcRamMOPreset()),
  info('IdealizedPreset', 'rpuConfig', () => IdealizedPreset()),
  info('GokmenVlasovPreset', 'rpuConfig', () => GokmenVlasovPreset()),
];
