/**
 * aihwkit's presets, all 58 classes of v.0.7.1's `src/aihwkit/simulator/presets`
 * (`devices.py`, `compounds.py`, `utils.py`, `configs.py`, `web.py`):
 * published device fits, the peripheral and update presets, and the RPU
 * configs built on them (single device, 2- and 4-device vector cells, PCM
 * pairs with refresh, Tiki-Taka, TTv2 and mixed precision), and the web
 * composer's inference presets.
 *
 * In aihwkit a preset is a subclass that only changes defaults. Here a preset
 * is a function that returns an instance of the base class with the preset's
 * values, with your overrides on top (nested partials merge into the preset's
 * nested values): `ReRamESPreset({ forward: { outNoise: 0 } })`. The result is
 * an ordinary `ExpStepDevice` / `SingleRPUConfig`, so engines, dicts and
 * printing treat it like any other config (its printout shows the preset's
 * values as the fields that differ from the class defaults).
 *
 * The presets on compound devices (UnitCellRPUConfig,
 * DigitalRankUpdateRPUConfig) are configs only for now: engines refuse them
 * with a NotSupportedError until the compound physics lands (issue 16).
 */
import { BoundManagementType, NoiseManagementType, PulseType, WeightClipType, WeightModifierType, WeightNoiseType } from '../enums.js';
import { ConfigBase, type ConfigInitOf } from './field.js';
import { ConstantStepDevice, ExpStepDevice, LinearStepDevice, SoftBoundsDevice, type AnyPulsedDevice } from './devices.js';
import { BufferedTransferCompound, MixedPrecisionCompound, OneSidedUnitCell, TransferCompound, VectorUnitCell, type MixedPrecisionDevice } from './compounds.js';
import { GlobalDriftCompensation, PCMLikeNoiseModel } from './inference.js';
import { IOParameters, MappingParameter, UpdateParameters, WeightClipParameter, WeightModifierParameter } from './parameters.js';
import { DigitalRankUpdateRPUConfig, InferenceRPUConfig, SingleRPUConfig, UnitCellRPUConfig } from './rpu-configs.js';

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
  return (overrides = {} as ConfigInitOf<C>) => new Cls(mergeInit(values() as Record<string, unknown>, overrides as Record<string, unknown>) as ConfigInitOf<C>);
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
 * refresh (PCMPresetUnitCell), but it is a valid ExpStepDevice on its own.
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

// ------------------------------------------------------------------ unit cells (presets/compounds.py)

/** A pair of PCM devices with refresh (one-sided update): Nandakumar et al., Front. Neurosci. 2020. */
export const PCMPresetUnitCell = preset(OneSidedUnitCell, () => ({
  unitCellDevices: [PCMPresetDevice(), PCMPresetDevice()],
  refreshEvery: 1,
  unitsInMbatch: true,
  refreshForward: PresetIOParameters(),
  refreshUpdate: PresetUpdateParameters({ desiredBl: 31 }),
}));

// ------------------------------------------------------------------ RPU configs on compound devices (presets/configs.py)

const withPresetPeripherals = () => ({ forward: PresetIOParameters(), backward: PresetIOParameters(), update: PresetUpdateParameters() });

function unitCellPreset(device: () => UnitCellRPUConfig['device']): Preset<UnitCellRPUConfig> {
  return preset(UnitCellRPUConfig, () => ({ device: device(), ...withPresetPeripherals() }));
}

/** n copies of a device in a VectorUnitCell updated one at a time, at random (the 2- and 4-device presets). */
const vectorOf = (n: number, device: () => AnyPulsedDevice) => () =>
  new VectorUnitCell({ unitCellDevices: Array.from({ length: n }, device), updatePolicy: 'SingleRandom' });

/** Tiki-Taka on two copies of a device, transfers every batch through the preset peripherals. */
const transferOf = (Compound: typeof TransferCompound | typeof BufferedTransferCompound, device: () => AnyPulsedDevice) => () =>
  new Compound({
    unitCellDevices: [device(), device()],
    transferForward: PresetIOParameters(),
    transferUpdate: PresetUpdateParameters(),
    transferEvery: 1.0,
    unitsInMbatch: true,
  });

function mixedPrecisionPreset(device: () => MixedPrecisionDevice): Preset<DigitalRankUpdateRPUConfig> {
  return preset(DigitalRankUpdateRPUConfig, () => ({ device: new MixedPrecisionCompound({ device: device() }), ...withPresetPeripherals() }));
}

/** UnitCellRPUConfig with PCMPresetUnitCell and the preset IO and update. */
export const PCMPreset = unitCellPreset(() => PCMPresetUnitCell());

/** Two ReRamESPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const ReRamES2Preset = unitCellPreset(vectorOf(2, () => ReRamESPresetDevice()));
/** Two ReRamSBPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const ReRamSB2Preset = unitCellPreset(vectorOf(2, () => ReRamSBPresetDevice()));
/** Two CapacitorPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const Capacitor2Preset = unitCellPreset(vectorOf(2, () => CapacitorPresetDevice()));
/** Two EcRamPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const EcRam2Preset = unitCellPreset(vectorOf(2, () => EcRamPresetDevice()));
/** Two EcRamMOPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const EcRamMO2Preset = unitCellPreset(vectorOf(2, () => EcRamMOPresetDevice()));
/** Two IdealizedPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const Idealized2Preset = unitCellPreset(vectorOf(2, () => IdealizedPresetDevice()));

/** Four ReRamESPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const ReRamES4Preset = unitCellPreset(vectorOf(4, () => ReRamESPresetDevice()));
/** Four ReRamSBPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const ReRamSB4Preset = unitCellPreset(vectorOf(4, () => ReRamSBPresetDevice()));
/** Four CapacitorPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const Capacitor4Preset = unitCellPreset(vectorOf(4, () => CapacitorPresetDevice()));
/** Four EcRamPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const EcRam4Preset = unitCellPreset(vectorOf(4, () => EcRamPresetDevice()));
/** Four EcRamMOPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const EcRamMO4Preset = unitCellPreset(vectorOf(4, () => EcRamMOPresetDevice()));
/** Four IdealizedPresetDevice per cross-point (VectorUnitCell, SingleRandom). */
export const Idealized4Preset = unitCellPreset(vectorOf(4, () => IdealizedPresetDevice()));

/** Tiki-Taka (TransferCompound) on two ReRamESPresetDevice. */
export const TikiTakaReRamESPreset = unitCellPreset(transferOf(TransferCompound, () => ReRamESPresetDevice()));
/** Tiki-Taka (TransferCompound) on two ReRamSBPresetDevice. */
export const TikiTakaReRamSBPreset = unitCellPreset(transferOf(TransferCompound, () => ReRamSBPresetDevice()));
/** Tiki-Taka (TransferCompound) on two CapacitorPresetDevice. */
export const TikiTakaCapacitorPreset = unitCellPreset(transferOf(TransferCompound, () => CapacitorPresetDevice()));
/** Tiki-Taka (TransferCompound) on two EcRamPresetDevice. */
export const TikiTakaEcRamPreset = unitCellPreset(transferOf(TransferCompound, () => EcRamPresetDevice()));
/** Tiki-Taka (TransferCompound) on two EcRamMOPresetDevice. */
export const TikiTakaEcRamMOPreset = unitCellPreset(transferOf(TransferCompound, () => EcRamMOPresetDevice()));
/** Tiki-Taka (TransferCompound) on two IdealizedPresetDevice. */
export const TikiTakaIdealizedPreset = unitCellPreset(transferOf(TransferCompound, () => IdealizedPresetDevice()));

/** Tiki-Taka v2 (BufferedTransferCompound) on two ReRamESPresetDevice. */
export const TTv2ReRamESPreset = unitCellPreset(transferOf(BufferedTransferCompound, () => ReRamESPresetDevice()));
/** Tiki-Taka v2 (BufferedTransferCompound) on two ReRamSBPresetDevice. */
export const TTv2ReRamSBPreset = unitCellPreset(transferOf(BufferedTransferCompound, () => ReRamSBPresetDevice()));
/** Tiki-Taka v2 (BufferedTransferCompound) on two CapacitorPresetDevice. */
export const TTv2CapacitorPreset = unitCellPreset(transferOf(BufferedTransferCompound, () => CapacitorPresetDevice()));
/** Tiki-Taka v2 (BufferedTransferCompound) on two EcRamPresetDevice. */
export const TTv2EcRamPreset = unitCellPreset(transferOf(BufferedTransferCompound, () => EcRamPresetDevice()));
/** Tiki-Taka v2 (BufferedTransferCompound) on two EcRamMOPresetDevice. */
export const TTv2EcRamMOPreset = unitCellPreset(transferOf(BufferedTransferCompound, () => EcRamMOPresetDevice()));
/** Tiki-Taka v2 (BufferedTransferCompound) on two IdealizedPresetDevice. */
export const TTv2IdealizedPreset = unitCellPreset(transferOf(BufferedTransferCompound, () => IdealizedPresetDevice()));

/** Mixed precision (MixedPrecisionCompound) on ReRamESPresetDevice. */
export const MixedPrecisionReRamESPreset = mixedPrecisionPreset(() => ReRamESPresetDevice());
/** Mixed precision (MixedPrecisionCompound) on ReRamSBPresetDevice. */
export const MixedPrecisionReRamSBPreset = mixedPrecisionPreset(() => ReRamSBPresetDevice());
/** Mixed precision (MixedPrecisionCompound) on CapacitorPresetDevice. */
export const MixedPrecisionCapacitorPreset = mixedPrecisionPreset(() => CapacitorPresetDevice());
/** Mixed precision (MixedPrecisionCompound) on EcRamPresetDevice. */
export const MixedPrecisionEcRamPreset = mixedPrecisionPreset(() => EcRamPresetDevice());
/** Mixed precision (MixedPrecisionCompound) on EcRamMOPresetDevice. */
export const MixedPrecisionEcRamMOPreset = mixedPrecisionPreset(() => EcRamMOPresetDevice());
/** Mixed precision (MixedPrecisionCompound) on IdealizedPresetDevice. */
export const MixedPrecisionIdealizedPreset = mixedPrecisionPreset(() => IdealizedPresetDevice());
/** Mixed precision (MixedPrecisionCompound) on GokmenVlasovPresetDevice. */
export const MixedPrecisionGokmenVlasovPreset = mixedPrecisionPreset(() => GokmenVlasovPresetDevice());
/** Mixed precision (MixedPrecisionCompound) on PCMPresetUnitCell. */
export const MixedPrecisionPCMPreset = mixedPrecisionPreset(() => PCMPresetUnitCell());

// ------------------------------------------------------------------ the web composer's inference presets (presets/web.py)

/** The web composer's IO parameters (aihwkit repeats PresetIOParameters' values in web.py). */
export const WebComposerIOParameters = preset(IOParameters, () => PresetIOParameters().fieldValues());

/** The web composer's weight modifier: additive Gaussian noise, std 0.1. */
export const WebComposerWeightModifierParameter = preset(WeightModifierParameter, () => ({ type: WeightModifierType.AddNormal, stdDev: 0.1 }));

/** The web composer's weight clip: fixed value 1. */
export const WebComposerWeightClipParameter = preset(WeightClipParameter, () => ({ fixedValue: 1.0, type: WeightClipType.FixedValue }));

/** The web composer's mapping: digital bias, column-wise weight scaling to 1, learned scalar output scale, 512 × 512 tiles. */
export const WebComposerMappingParameter = preset(MappingParameter, () => ({
  digitalBias: true,
  weightScalingOmega: 1.0,
  weightScalingColumnwise: true,
  learnOutScaling: true,
  outScalingColumnwise: false,
  maxInputSize: 512,
  maxOutputSize: 512,
}));

/** The web composer's InferenceRPUConfig. */
export const WebComposerInferenceRPUConfig = preset(InferenceRPUConfig, () => ({
  forward: WebComposerIOParameters(),
  noiseModel: new PCMLikeNoiseModel(),
  driftCompensation: new GlobalDriftCompensation(),
  clip: WebComposerWeightClipParameter(),
  modifier: WebComposerWeightModifierParameter(),
  mapping: WebComposerMappingParameter(),
}));

/** The old web composer's mapping: analog bias, no learned output scale (512 × 512 tiles from WebComposerMappingParameter). */
export const OldWebComposerMappingParameter = preset(MappingParameter, () => ({
  ...WebComposerMappingParameter().fieldValues(),
  digitalBias: false,
  weightScalingOmega: 1.0,
  weightScalingColumnwise: true,
  learnOutScaling: false,
  outScalingColumnwise: false,
}));

/** The old web composer's InferenceRPUConfig (WebComposerInferenceRPUConfig with OldWebComposerMappingParameter). */
export const OldWebComposerInferenceRPUConfig = preset(InferenceRPUConfig, () => ({
  ...WebComposerInferenceRPUConfig().fieldValues(),
  mapping: OldWebComposerMappingParameter(),
}));

/** One of aihwkit's preset configs: its name, kind and base class. */
export interface PresetInfo {
  /** aihwkit's class name of the preset. */
  readonly name: string;
  readonly kind: 'device' | 'unitCell' | 'io' | 'update' | 'modifier' | 'clip' | 'mapping' | 'rpuConfig';
  /** aihwkit's file (under src/aihwkit/simulator/). */
  readonly module: string;
  /** The Crossbar class the preset returns (the preset's aihwkit base class). */
  readonly base: string;
  /** Makes a fresh instance of the preset. */
  readonly create: () => ConfigBase;
}

const MODULE_OF_KIND: Record<PresetInfo['kind'], string> = {
  device: 'presets/devices.py',
  unitCell: 'presets/compounds.py',
  io: 'presets/utils.py',
  update: 'presets/utils.py',
  modifier: 'presets/web.py',
  clip: 'presets/web.py',
  mapping: 'presets/web.py',
  rpuConfig: 'presets/configs.py',
};

const info = (name: string, kind: PresetInfo['kind'], create: () => ConfigBase): PresetInfo => ({
  name,
  kind,
  module: name.includes('WebComposer') ? 'presets/web.py' : MODULE_OF_KIND[kind],
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
  info('PCMPresetUnitCell', 'unitCell', () => PCMPresetUnitCell()),
  info('PCMPreset', 'rpuConfig', () => PCMPreset()),
  info('ReRamES2Preset', 'rpuConfig', () => ReRamES2Preset()),
  info('ReRamSB2Preset', 'rpuConfig', () => ReRamSB2Preset()),
  info('Capacitor2Preset', 'rpuConfig', () => Capacitor2Preset()),
  info('EcRam2Preset', 'rpuConfig', () => EcRam2Preset()),
  info('EcRamMO2Preset', 'rpuConfig', () => EcRamMO2Preset()),
  info('Idealized2Preset', 'rpuConfig', () => Idealized2Preset()),
  info('ReRamES4Preset', 'rpuConfig', () => ReRamES4Preset()),
  info('ReRamSB4Preset', 'rpuConfig', () => ReRamSB4Preset()),
  info('Capacitor4Preset', 'rpuConfig', () => Capacitor4Preset()),
  info('EcRam4Preset', 'rpuConfig', () => EcRam4Preset()),
  info('EcRamMO4Preset', 'rpuConfig', () => EcRamMO4Preset()),
  info('Idealized4Preset', 'rpuConfig', () => Idealized4Preset()),
  info('TikiTakaReRamESPreset', 'rpuConfig', () => TikiTakaReRamESPreset()),
  info('TikiTakaReRamSBPreset', 'rpuConfig', () => TikiTakaReRamSBPreset()),
  info('TikiTakaCapacitorPreset', 'rpuConfig', () => TikiTakaCapacitorPreset()),
  info('TikiTakaEcRamPreset', 'rpuConfig', () => TikiTakaEcRamPreset()),
  info('TikiTakaEcRamMOPreset', 'rpuConfig', () => TikiTakaEcRamMOPreset()),
  info('TikiTakaIdealizedPreset', 'rpuConfig', () => TikiTakaIdealizedPreset()),
  info('TTv2ReRamESPreset', 'rpuConfig', () => TTv2ReRamESPreset()),
  info('TTv2ReRamSBPreset', 'rpuConfig', () => TTv2ReRamSBPreset()),
  info('TTv2CapacitorPreset', 'rpuConfig', () => TTv2CapacitorPreset()),
  info('TTv2EcRamPreset', 'rpuConfig', () => TTv2EcRamPreset()),
  info('TTv2EcRamMOPreset', 'rpuConfig', () => TTv2EcRamMOPreset()),
  info('TTv2IdealizedPreset', 'rpuConfig', () => TTv2IdealizedPreset()),
  info('MixedPrecisionReRamESPreset', 'rpuConfig', () => MixedPrecisionReRamESPreset()),
  info('MixedPrecisionReRamSBPreset', 'rpuConfig', () => MixedPrecisionReRamSBPreset()),
  info('MixedPrecisionCapacitorPreset', 'rpuConfig', () => MixedPrecisionCapacitorPreset()),
  info('MixedPrecisionEcRamPreset', 'rpuConfig', () => MixedPrecisionEcRamPreset()),
  info('MixedPrecisionEcRamMOPreset', 'rpuConfig', () => MixedPrecisionEcRamMOPreset()),
  info('MixedPrecisionIdealizedPreset', 'rpuConfig', () => MixedPrecisionIdealizedPreset()),
  info('MixedPrecisionGokmenVlasovPreset', 'rpuConfig', () => MixedPrecisionGokmenVlasovPreset()),
  info('MixedPrecisionPCMPreset', 'rpuConfig', () => MixedPrecisionPCMPreset()),
  info('WebComposerIOParameters', 'io', () => WebComposerIOParameters()),
  info('WebComposerWeightModifierParameter', 'modifier', () => WebComposerWeightModifierParameter()),
  info('WebComposerWeightClipParameter', 'clip', () => WebComposerWeightClipParameter()),
  info('WebComposerMappingParameter', 'mapping', () => WebComposerMappingParameter()),
  info('WebComposerInferenceRPUConfig', 'rpuConfig', () => WebComposerInferenceRPUConfig()),
  info('OldWebComposerMappingParameter', 'mapping', () => OldWebComposerMappingParameter()),
  info('OldWebComposerInferenceRPUConfig', 'rpuConfig', () => OldWebComposerInferenceRPUConfig()),
];
