/**
 * The parameter classes of `aihwkit.simulator.configs.utils` (aihwkit v.0.7.1,
 * copied in shared/seed/aihwkit-configs-utils.txt), with aihwkit's defaults and
 * camelCase names. Field meanings are aihwkit's; see docs/configuration.md.
 */
import { ConfigError } from '../errors.js';
import { bool, defineConfig, enumOf, int, nested, num, numList } from './field.js';

const nonNeg = { min: 0 } as const;
const positive = { min: 0, minExclusive: true } as const;
const unit = { min: 0, max: 1 } as const;
const signedUnit = { min: -1, max: 1 } as const;

// ------------------------------------------------------------------ IOParameters

export const IOParameters = defineConfig(
  'IOParameters',
  {
    isPerfect: bool(false, 'Short-cut to compute a perfect forward pass (only out_scale applies).'),
    mvType: enumOf('AnalogMVType', 'OnePass', 'Type of the analog mat-vec computation.'),
    inpBound: num(1.0, 'Input bound and range of the DAC.', positive),
    inpNoise: num(0.0, 'Std deviation of Gaussian input noise (after the DAC, before the MVM).', nonNeg),
    inpRes: num(1 / 126, 'DAC resolution (1/steps); a value > 1 is a number of steps, <= 0 means no quantisation.'),
    inpStoRound: bool(false, 'Whether the DAC rounds stochastically.'),
    inpAsymmetry: num(0.0, 'Negative inputs are scaled by (1 - inp_asymmetry).', signedUnit),
    outBound: num(12.0, 'Output bound and range of the ADC (<= 0 means unbounded).', { allowInfinity: true }),
    outNoise: num(0.06, 'Std deviation of Gaussian output noise (before the ADC).', nonNeg),
    outRes: num(1 / 510, 'ADC resolution (1/steps); a value > 1 is a number of steps, <= 0 means no quantisation.'),
    outStoRound: bool(false, 'Whether the ADC rounds stochastically.'),
    outScale: num(1.0, 'Additional fixed scalar factor on the output.'),
    outAsymmetry: num(0.0, 'Output of the negative input pass is scaled by (1 - out_asymmetry).', signedUnit),
    boundManagement: enumOf('BoundManagementType', 'Iterative', 'Type of bound management (forward pass only).'),
    noiseManagement: enumOf('NoiseManagementType', 'AbsMax', 'Type of noise management.'),
    wNoise: num(0.0, 'Scale of output-referred weight noise for the given w_noise_type.', nonNeg),
    wNoiseType: enumOf('WeightNoiseType', 'None', 'Type of the output-referred weight noise.'),
    irDrop: num(0.0, 'Scale of IR drop along the inputs (rows of the weight matrix).', nonNeg),
    irDropGRatio: num(
      1.0 / 0.35 / 5e-6,
      'Ratio of wire conductance from one cell to the next to the max device conductance.',
      positive,
    ),
    outNonlinearity: num(0.0, 'S-shaped non-linearity of the analog output: y / (1 + n_i |y|).', nonNeg),
    outNonlinearityStd: num(0.0, 'Output-to-output variation of the non-linearity.', nonNeg),
    slopeCalibration: num(0.0, 'Relative output value where the calibrated non-linearity has slope 1.', nonNeg),
    vOffsetStd: num(0.0, 'Systematic voltage offset variation per output line.', nonNeg),
    vOffsetWMin: num(-1.0, 'Voltage offset for an implicit reference unit.'),
    rSeries: num(0.0, 'Series resistance in fraction of the total output current.', { min: 0, max: 1, maxExclusive: true }),
    wReadAsymmetryDtod: num(0.0, 'Device-to-device spread of the read polarity dependence (negative inputs see (1 - f_ij) w).', nonNeg),
    maxBmFactor: int(1000, 'Maximal bound management factor.', { min: 1 }),
    maxBmRes: num(0.25, 'Limit of bound management iterations as an effective input resolution.', positive),
    bmTestNegativeBound: bool(true, 'Whether bound management also tests the negative output bound.'),
    nmThres: num(0.0, 'Constant noise management value (Constant), else an upper threshold of the scale.', nonNeg),
    nmAssumedWmax: num(0.6, 'Assumed weight value for AbsMaxNPSum noise management.', {
      ...positive,
      since: 'aihwkit 0.7.1 C++ IOMetaParameter (not in its Python dataclass)',
    }),
    nmDecay: num(1e-3, 'Decay (1 - momentum, per mini-batch) of the AverageAbsMax running value.', {
      ...unit,
      since: 'aihwkit 0.7.1 C++ IOMetaParameter (not in its Python dataclass)',
    }),
  },
  (io, where) => {
    const perfect = io.isPerfect || io.mvType === 'Ideal';
    if (!perfect && io.noiseManagement !== 'None' && io.inpBound !== 1) {
      throw new ConfigError(
        `${where}: noise management ${io.noiseManagement} needs inpBound (inp_bound) = 1, got ${io.inpBound} ` +
          '(aihwkit refuses this: "Forward noise management expects bound==1")',
      );
    }
  },
);
export type IOParameters = InstanceType<typeof IOParameters>;

// ------------------------------------------------------------------ UpdateParameters

export const UpdateParameters = defineConfig('UpdateParameters', {
  desiredBl: int(31, 'Desired length of the pulse trains (the maximum with update BL management).', { min: 1 }),
  fixedBl: bool(true, 'Whether to fix the length of the pulse trains.'),
  pulseType: enumOf('PulseType', 'StochasticCompressed', 'Type of the pulse trains (None: floating-point update).'),
  res: num(0, 'Resolution of the update probability (bin width, or number of steps if > 1; < 0 turns it off).'),
  xResImplicit: num(0, 'Resolution of x quantisation for DeterministicImplicit pulse trains.', nonNeg),
  dResImplicit: num(0, 'Resolution of d quantisation for DeterministicImplicit pulse trains.', nonNeg),
  stoRound: bool(false, 'Whether the update probability is rounded stochastically.'),
  updateBlManagement: bool(true, 'Whether to adjust A, B and BL dynamically to the current x and d.'),
  updateManagement: bool(true, 'Whether to balance the x and d pulse probabilities by their max ratio.'),
  umGradScale: num(1.0, 'Gradient scale alpha of the update management.', positive),
});
export type UpdateParameters = InstanceType<typeof UpdateParameters>;

// ------------------------------------------------------------------ drift

const simpleDriftFields = {
  nu: num(0.0, 'Average drift exponent nu.'),
  t0: num(1.0, 'Time between write and first read (time unit of the drift calls).', { ...positive, py: 't_0' }),
  resetTol: num(1e-7, 'Tolerance above which a weight change resets the drift time.', nonNeg),
};

export const SimpleDriftParameter = defineConfig('SimpleDriftParameter', simpleDriftFields);
export type SimpleDriftParameter = InstanceType<typeof SimpleDriftParameter>;

export const DriftParameter = defineConfig('DriftParameter', {
  ...simpleDriftFields,
  nuDtod: num(0.0, 'Device-to-device variation of nu (relative to nu).', nonNeg),
  nuStd: num(0.0, 'Cycle-to-cycle variation of nu (relative to nu).', nonNeg),
  wgRatio: num(1.0, '(w_max - w_min) / (g_max - g_min), to convert to physical units.', positive),
  gOffset: num(0.0, 'g_min, to convert to physical units.'),
  wOffset: num(0.0, 'w(g_min): the weight value g_min is mapped to.'),
  nuK: num(0.0, 'Conductance dependence of nu: nu(G) = nu0 - nu_k log(G / G0).'),
  logG0: num(0.0, 'log G0 of the conductance dependence.'),
  wNoiseStd: num(0.0, 'Gaussian weight noise (diffusion) added after the drift.', nonNeg),
});
export type DriftParameter = InstanceType<typeof DriftParameter>;

// ------------------------------------------------------------------ hardware-aware training

const laterModifier = 'aihwkit 0.9 (PCMNoise and ProgNoise modifier types)';

export const WeightModifierParameter = defineConfig('WeightModifierParameter', {
  stdDev: num(0.0, 'Std deviation of the noise (AddNormal, MultNormal, DiscretizeAddNormal, Poly).', nonNeg),
  res: num(0.0, 'Resolution of the discretisation (Discretize, DiscretizeAddNormal, DoReFa); > 1 is not inverted.', nonNeg),
  stoRound: bool(false, 'Whether the discretisation rounds stochastically.'),
  dorefaClip: num(0.6, 'Clip parameter of DoReFa.', positive),
  pdrop: num(0.0, 'Drop connect probability (with any modifier type).', unit),
  enableDuringTest: bool(false, 'Whether the modified weights are also used during testing.'),
  relToActualWmax: bool(true, 'Whether noise and resolution are relative to the actual abs max weight.'),
  assumedWmax: num(1.0, 'Weight value mapped to the maximal conductance when not rel_to_actual_wmax.', positive),
  copyLastColumn: bool(false, 'Whether the last column (usually the bias) is left unmodified.'),
  coeffs: numList([0.0105392, 0.0768, -0.046925], 'Coefficients of the Poly modifier.', { minLength: 1 }),
  type: enumOf('WeightModifierType', 'Copy', 'Type of the weight modification.'),
  gMax: num(25.0, 'g_max of the PCM model (PCMNoise and ProgNoise).', { ...positive, since: laterModifier }),
  pcmZeroThres: num(0.0, 'Weights below this relative value are set to zero (PCMNoise).', { ...nonNeg, since: laterModifier }),
  pcmTInference: num(0.0, 'Time of inference (PCMNoise).', { ...nonNeg, since: laterModifier }),
  pcmProbAtReset: num(0.0, 'Probability of a device being at reset (PCMNoise).', { ...unit, since: laterModifier }),
  pcmProbAtGmax: num(0.0, 'Probability of a device being at g_max (PCMNoise).', { ...unit, since: laterModifier }),
  pcmProbAtRandom: num(0.0, 'Probability of a device being at a random value (PCMNoise).', { ...unit, since: laterModifier }),
  pcmT0: num(20.0, 'Programming time t_0 (PCMNoise).', { ...positive, since: laterModifier }),
});
export type WeightModifierParameter = InstanceType<typeof WeightModifierParameter>;

export const WeightClipParameter = defineConfig('WeightClipParameter', {
  fixedValue: num(-1.0, 'Clipping value of FixedValue; if > 0 also applied with the other types.'),
  sigma: num(2.5, 'Sigma of the LayerGaussian type.', positive),
  type: enumOf('WeightClipType', 'None', 'Type of clipping.'),
});
export type WeightClipParameter = InstanceType<typeof WeightClipParameter>;

export const WeightRemapParameter = defineConfig('WeightRemapParameter', {
  remappedWmax: num(1.0, 'Weight value the maximal conductance is mapped to.', positive),
  maxScaleRange: num(0.0, 'Maximal range of scale values (0: no restriction).', nonNeg),
  maxScaleRef: num(0.0, 'Reference scale used as the minimal scale for the scale range.', nonNeg),
  type: enumOf('WeightRemapType', 'None', 'Type of remapping.'),
});
export type WeightRemapParameter = InstanceType<typeof WeightRemapParameter>;

// ------------------------------------------------------------------ mapping and pre/post processing

export const MappingParameter = defineConfig('MappingParameter', {
  digitalBias: bool(true, 'Whether the bias is kept in digital (else an extra analog column).'),
  weightScalingOmega: num(0.0, 'Weights are scaled so that their abs max maps to this value (0: off).', nonNeg),
  weightScalingColumnwise: bool(false, 'Whether weight scaling is done per output column.'),
  learnOutScaling: bool(false, 'Whether additional output scales are learned.'),
  outScalingColumnwise: bool(false, 'Whether the learned output scale is one per output (else a scalar).'),
  maxInputSize: int(512, 'Maximal input size (columns) per tile; 0 means no limit.', nonNeg),
  maxOutputSize: int(512, 'Maximal output size (rows) per tile; 0 means no limit.', nonNeg),
});
export type MappingParameter = InstanceType<typeof MappingParameter>;

export const InputRangeParameter = defineConfig('InputRangeParameter', {
  enable: bool(false, 'Whether to learn the input range (no clip is applied if False).'),
  initValue: num(3.0, 'Initial input range.', positive),
  initFromData: int(100, 'Number of batches used to initialise the range from data (0: off).', nonNeg),
  initStdAlpha: num(3.0, 'Std deviation multiplier of the initialisation from data.', positive),
  decay: num(0.001, 'Decay rate of the input range.', nonNeg),
  inputMinPercentage: num(0.95, 'Decay only applies if this fraction of inputs is not clipped.', unit),
  manageOutputClipping: bool(true, 'Whether to increase the input range when the output clips.'),
  outputMinPercentage: num(0.95, 'The range grows only if the fraction of unclipped outputs is below this.', unit),
  gradientScale: num(1.0, 'Scale of the input range gradient.', nonNeg),
  gradientRelative: bool(true, 'Whether the gradient is relative to the current range.'),
});
export type InputRangeParameter = InstanceType<typeof InputRangeParameter>;

export const PrePostProcessingParameter = defineConfig('PrePostProcessingParameter', {
  inputRange: nested(
    () => [InputRangeParameter],
    () => new InputRangeParameter(),
    'Input range learning parameters.',
  ),
});
export type PrePostProcessingParameter = InstanceType<typeof PrePostProcessingParameter>;
