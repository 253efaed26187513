/**
 * aihwkit's enums, with aihwkit's string values (what `enum.value` gives in
 * Python and what dicts carry), with all of aihwkit 0.7.1's members. Members
 * marked "later aihwkit" are not in aihwkit 0.7.1 but were added in later
 * versions (listed in `ENUMS[name].later`); engines that do not implement a
 * member say so with a NotSupportedError.
 *
 * Source: aihwkit v.0.7.1 `src/aihwkit/simulator/configs/enums.py` and, for
 * the later members, `src/aihwkit/simulator/parameters/enums.py`.
 */

function enumValues<T extends Record<string, string>>(e: T): readonly T[keyof T][] {
  return Object.freeze(Object.values(e)) as readonly T[keyof T][];
}

/** Type of the analog matrix-vector product. */
export const AnalogMVType = {
  /** Floating-point MVM without non-idealities; same as `isPerfect`. */
  Ideal: 'Ideal',
  /** One pass through the array for positive and negative inputs. */
  OnePass: 'OnePass',
  /** Separate passes for positive and negative inputs, summed in analog before one ADC. */
  PosNegSeparate: 'PosNegSeparate',
  /** Separate passes, each through the ADC, summed digitally. */
  PosNegSeparateDigitalSum: 'PosNegSeparateDigitalSum',
  /** Later aihwkit: inputs split into high and low bit halves. */
  SplitMode: 'SplitMode',
  /** Later aihwkit: one pass per input bit. */
  BitWise: 'BitWise',
} as const;
export type AnalogMVType = (typeof AnalogMVType)[keyof typeof AnalogMVType];

/** Bound management: how the input is reduced when the output bound is hit. */
export const BoundManagementType = {
  None: 'None',
  /** Halve the input scale until no output clips (per input vector). */
  Iterative: 'Iterative',
  /** AbsMax first; on clipping one more pass with the AbsMaxNPSum scale. */
  IterativeWorstCase: 'IterativeWorstCase',
  /** Shift the output by out_bound − max(output) (CUDA only: aihwkit 0.7.1's CPU tiles refuse it). */
  Shift: 'Shift',
} as const;
export type BoundManagementType = (typeof BoundManagementType)[keyof typeof BoundManagementType];

/** Noise management: the factor α by which the input is divided before the DAC. */
export const NoiseManagementType = {
  None: 'None',
  AbsMax: 'AbsMax',
  AbsMaxNPSum: 'AbsMaxNPSum',
  Max: 'Max',
  Constant: 'Constant',
  /** Running average of the abs max over calls (decay nm_decay), shared by forward and backward. */
  AverageAbsMax: 'AverageAbsMax',
  /**
   * Later aihwkit (C++/CUDA noise manager, not in its Python enum): one running value for
   * the whole batch — the mean abs max of the batch's non-zero vectors, decayed by nm_decay
   * once per call — used as the scale of every vector.
   */
  AverageAbsMaxSingleValue: 'AverageAbsMaxSingleValue',
} as const;
export type NoiseManagementType = (typeof NoiseManagementType)[keyof typeof NoiseManagementType];

/** Output-referred weight noise type. */
export const WeightNoiseType = {
  None: 'None',
  AdditiveConstant: 'AdditiveConstant',
  PCMRead: 'PCMRead',
} as const;
export type WeightNoiseType = (typeof WeightNoiseType)[keyof typeof WeightNoiseType];

/** Pulse type of the update. */
export const PulseType = {
  /** Floating-point update instead of pulses. */
  None: 'None',
  /** Floating-point update, but through the device (bounds, clipping). */
  NoneWithDevice: 'NoneWithDevice',
  /** Stochastic bit lines, plus and minus pulses in two passes. */
  Stochastic: 'Stochastic',
  /** Stochastic bit lines, plus and minus pulses in one pass. */
  StochasticCompressed: 'StochasticCompressed',
  /** Coincidences as the product of probabilities (p_a p_b BL), rounded. */
  MeanCount: 'MeanCount',
  /** Coincidences computed deterministically from quantised x and d. */
  DeterministicImplicit: 'DeterministicImplicit',
} as const;
export type PulseType = (typeof PulseType)[keyof typeof PulseType];

/** Weight clipping type (hardware-aware training). */
export const WeightClipType = {
  None: 'None',
  FixedValue: 'FixedValue',
  LayerGaussian: 'LayerGaussian',
  AverageChannelMax: 'AverageChannelMax',
} as const;
export type WeightClipType = (typeof WeightClipType)[keyof typeof WeightClipType];

/** Weight modifier type (hardware-aware training). */
export const WeightModifierType = {
  /** Later aihwkit: no modification (not even a copy). */
  None: 'None',
  Copy: 'Copy',
  Discretize: 'Discretize',
  MultNormal: 'MultNormal',
  AddNormal: 'AddNormal',
  DiscretizeAddNormal: 'DiscretizeAddNormal',
  DoReFa: 'DoReFa',
  Poly: 'Poly',
  /** Later aihwkit: PCM programming noise and drift as a modifier. */
  PCMNoise: 'PCMNoise',
  /** Later aihwkit: drop connect only. */
  DropConnect: 'DropConnect',
  /** Later aihwkit: programming noise only. */
  ProgNoise: 'ProgNoise',
} as const;
export type WeightModifierType = (typeof WeightModifierType)[keyof typeof WeightModifierType];

/** Weight remapping type. */
export const WeightRemapType = {
  None: 'None',
  LayerwiseSymmetric: 'LayerwiseSymmetric',
  ChannelwiseSymmetric: 'ChannelwiseSymmetric',
} as const;
export type WeightRemapType = (typeof WeightRemapType)[keyof typeof WeightRemapType];

/** Which devices of a VectorUnitCell receive the pulses of a batch row. */
export const VectorUnitCellUpdatePolicy = {
  /** Every device gets the same pulses. */
  All: 'All',
  /** Only the device of the hidden update index (first_update_idx at first). */
  SingleFixed: 'SingleFixed',
  /** The next device in turn (the index advances before every batch row). */
  SingleSequential: 'SingleSequential',
  /** A device drawn at random for every batch row. */
  SingleRandom: 'SingleRandom',
} as const;
export type VectorUnitCellUpdatePolicy = (typeof VectorUnitCellUpdatePolicy)[keyof typeof VectorUnitCellUpdatePolicy];

/** Every enum by its aihwkit class name, with the members later aihwkit versions added (value → version). */
export const ENUMS = {
  AnalogMVType: { values: enumValues(AnalogMVType), later: { SplitMode: 'after aihwkit 0.7.1', BitWise: 'after aihwkit 0.7.1' } },
  BoundManagementType: { values: enumValues(BoundManagementType), later: {} },
  NoiseManagementType: {
    values: enumValues(NoiseManagementType),
    later: { AverageAbsMaxSingleValue: 'after aihwkit 0.7.1 (C++/CUDA NoiseManagementType only)' },
  },
  WeightNoiseType: { values: enumValues(WeightNoiseType), later: {} },
  PulseType: { values: enumValues(PulseType), later: {} },
  WeightClipType: { values: enumValues(WeightClipType), later: {} },
  WeightModifierType: {
    values: enumValues(WeightModifierType),
    later: { None: 'after aihwkit 0.7.1', PCMNoise: 'aihwkit 0.9.0', DropConnect: 'after aihwkit 0.7.1', ProgNoise: 'after aihwkit 0.7.1' },
  },
  WeightRemapType: { values: enumValues(WeightRemapType), later: {} },
  VectorUnitCellUpdatePolicy: { values: enumValues(VectorUnitCellUpdatePolicy), later: {} },
} as const satisfies Record<string, { values: readonly string[]; later: Readonly<Record<string, string>> }>;
/** The name of one of aihwkit's enums (a key of ENUMS). */
export type EnumName = keyof typeof ENUMS;
