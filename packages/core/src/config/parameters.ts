/**
 * The parameter classes of `aihwkit.simulator.configs.utils` (aihwkit v.0.7.1,
 * copied in shared/seed/aihwkit-configs-utils.txt), with aihwkit's defaults and
 * camelCase names. Field meanings are aihwkit's; see docs/configuration.md.
 *
 * Ranges: a value is refused only where aihwkit refuses it or cannot use it
 * meaningfully (a negative standard deviation, a zero divisor, a probability
 * above 1). Values aihwkit gives a special meaning (e.g. `inp_res <= 0`: no
 * quantisation, `out_bound <= 0`: unbounded) are accepted and documented.
 * Sources: aihwkit v.0.7.1 src/rpucuda/rpu_pulsed_meta_parameter.{h,cpp},
 * rpu_forward_backward_pass.cpp, weight_modifier.cpp, weight_clipper.cpp,
 * weight_remapper.cpp, weight_drifter.cpp.
 */
import { bool, defineConfig, enumOf, int, nested, num, numList } from './field.js';

const nonNeg = { min: 0 } as const;
const positive = { min: 0, minExclusive: true } as const;
const unit = { min: 0, max: 1 } as const;

const cppOnly = 'aihwkit 0.7.1 C++ IOMetaParameter (set through the bindings; not in the Python dataclass)';

// ------------------------------------------------------------------ IOParameters

/** aihwkit's IOParameters: the peripheral circuits of one direction's analog pass (DAC/ADC, noise, bounds, noise and bound management, IR drop, non-linearity). */
export const IOParameters = defineConfig(
  'IOParameters',
  {
    isPerfect: bool(false, 'Short-cut to compute a perfect forward pass: no bounds, ADC/DAC, noise or management; only out_scale applies.'),
    mvType: enumOf('AnalogMVType', 'OnePass', 'Type of the analog mat-vec computation (Ideal is the same as is_perfect).'),
    inpBound: num(1.0, 'Input bound and range of the DAC; <= 0 means unbounded. Noise management needs it to be 1.', {
      allowInfinity: true,
    }),
    inpNoise: num(0.0, 'Std deviation of Gaussian input noise, after the DAC and before the multiplication.', nonNeg),
    inpRes: num(1 / 126, 'DAC resolution: the step as a fraction of the input range (1/steps); a value > 1 is a number of steps (1/r); <= 0 means no quantisation.'),
    inpStoRound: bool(false, 'Whether the DAC rounds stochastically.'),
    inpAsymmetry: num(0.0, 'Input asymmetry: negative inputs are scaled by (1 - inp_asymmetry).', { max: 1 }),
    outBound: num(12.0, 'Output bound and range of the ADC; <= 0 means unbounded (then no output quantisation).', {
      allowInfinity: true,
    }),
    outNoise: num(0.06, 'Std deviation of Gaussian output noise, added before the ADC (in units of the output bound scale).', nonNeg),
    outRes: num(1 / 510, 'ADC resolution: the step as a fraction of the output range (1/steps); a value > 1 is a number of steps (1/r); <= 0 means no quantisation.'),
    outStoRound: bool(false, 'Whether the ADC rounds stochastically.'),
    outScale: num(1.0, 'Additional fixed scalar factor on the output (applied digitally, also when is_perfect).'),
    outAsymmetry: num(0.0, 'Output asymmetry: the output of the negative input pass is scaled by (1 - out_asymmetry); aihwkit applies only values > 0.', unit),
    boundManagement: enumOf('BoundManagementType', 'Iterative', 'Type of bound management (forward pass only; ignored for the backward pass).'),
    noiseManagement: enumOf('NoiseManagementType', 'AbsMax', 'Type of noise management: the scale the input is divided by before the DAC.'),
    wNoise: num(0.0, 'Scale of the output-referred weight noise (sigma_w) of the given w_noise_type; drawn anew for each MVM.', nonNeg),
    wNoiseType: enumOf('WeightNoiseType', 'None', 'Type of the output-referred weight noise.'),
    irDrop: num(0.0, 'Scale of IR drop along the inputs (rows of the weight matrix); the first input is farthest from the output.', nonNeg),
    irDropGRatio: num(
      1.0 / 0.35 / 5e-6,
      'Ratio of the wire conductance from one cell to the next to the maximal device conductance (default: 5 mS set state, 0.35 Ohm wire).',
      positive,
    ),
    outNonlinearity: num(
      0.0,
      'S-shaped non-linearity of the analog output, y / (1 + n_i |y|) with n_i = out_nonlinearity / out_bound * (1 + out_nonlinearity_std * xi) drawn once per output.',
      nonNeg,
    ),
    outNonlinearityStd: num(0.0, 'Output-to-output variation of the output non-linearity.', nonNeg),
    slopeCalibration: num(
      0.0,
      'Calibration of the output non-linearity and r_series: the relative output value (of out_bound) where the slope is 1 (0: no calibration).',
      nonNeg,
    ),
    vOffsetStd: num(
      0.0,
      'Voltage offset variation: each output line is multiplied by (1 - v_i) for the coding and (1 + v_i) for the reference device, v_i drawn once.',
      nonNeg,
    ),
    vOffsetWMin: num(-1.0, 'Voltage offset for an implicit reference unit (the weight the reference device represents; 0: none).'),
    rSeries: num(0.0, 'Series resistance in fraction of the total output current: y / (1 + r_series |y|).', nonNeg),
    wReadAsymmetryDtod: num(
      0.0,
      'Device polarity read dependence: for negative inputs a weight is scaled by (1 - f_ij), f_ij ~ N(0, w_read_asymmetry_dtod) drawn once per device.',
      nonNeg,
    ),
    maxBmFactor: int(1000, 'Maximal bound management factor: iterations stop once the input reduction exceeds it.', nonNeg),
    maxBmRes: num(
      0.25,
      'Limit of the bound management iterations as an effective input resolution: stop once the reduction exceeds max_bm_res / inp_res (e.g. 1/4 for 2 bits).',
      nonNeg,
    ),
    bmTestNegativeBound: bool(true, 'Whether bound management also tests the negative output bound (else only outputs > out_bound fail).'),
    nmThres: num(0.0, 'Constant noise management value for Constant; otherwise an upper threshold at which the noise management scale saturates (0: none).', nonNeg),
    nmAssumedWmax: num(0.6, 'Assumed maximal weight of the AbsMaxNPSum noise management (scale = max(|x|max, sum * nm_assumed_wmax / out_bound)).', {
      ...nonNeg,
      since: cppOnly,
    }),
    nmDecay: num(1e-3, 'Decay of the AverageAbsMax running value per call: a <- a (1 - nm_decay) + nm_decay |x|max.', {
      ...unit,
      since: cppOnly,
    }),
  },
  (io, refuse) => {
    const perfect = io.isPerfect || io.mvType === 'Ideal';
    if (!perfect && io.noiseManagement !== 'None' && io.inpBound !== 1) {
      refuse(
        'inpBound',
        `noise management "${io.noiseManagement}" needs inpBound (inp_bound) = 1; set noiseManagement "None" for other input bounds ` +
          '(aihwkit: "Forward noise management expects bound==1")',
      );
    }
  },
);
/** An IOParameters instance. */
export type IOParameters = InstanceType<typeof IOParameters>;

// ------------------------------------------------------------------ UpdateParameters

/** aihwkit's UpdateParameters: how a pulsed update turns x and d into pulse trains. */
export const UpdateParameters = defineConfig('UpdateParameters', {
  desiredBl: int(31, 'Desired length of the pulse trains; with update BL management, the maximal length.', { min: 1 }),
  fixedBl: bool(true, 'Whether to fix the length of the pulse trains (else BL grows to ceil(lr / dw_min) when lr > dw_min * desired_bl).'),
  pulseType: enumOf('PulseType', 'StochasticCompressed', 'Type of the pulse trains; None: floating-point update ignoring the device.'),
  res: num(
    0,
    'Resolution (bin width in 0..1) of the update probability of the stochastic bit lines; <= 0 turns the discretisation off. aihwkit 0.7.1 does not invert values > 1.',
  ),
  xResImplicit: num(0, 'Resolution (bin width) of the x quantisation for DeterministicImplicit pulse trains; <= 0: off.'),
  dResImplicit: num(0, 'Resolution (bin width) of the d quantisation for DeterministicImplicit pulse trains; <= 0: off.'),
  stoRound: bool(false, 'Whether the update probability discretisation rounds stochastically.'),
  updateBlManagement: bool(
    true,
    'Whether to adjust BL dynamically: BL = min(ceil(lr |x|max |d|max / dw_min), desired_bl), A = B = sqrt(lr / (dw_min BL)); implies update_management.',
  ),
  updateManagement: bool(
    true,
    'Whether to balance the x and d pulse probabilities by their maxima: A is scaled by sqrt(|x|max / (um_grad_scale |d|max)), B by the inverse.',
  ),
  umGradScale: num(1.0, 'Gradient scale alpha of the update management (< 1 clips the gradient earlier).', positive),
});
/** An UpdateParameters instance. */
export type UpdateParameters = InstanceType<typeof UpdateParameters>;

// ------------------------------------------------------------------ drift

const simpleDriftFields = {
  nu: num(0.0, 'Average drift exponent nu (needs to be non-zero to drift).'),
  t0: num(1.0, 'Time between write and first read; sets the time unit of the drift calls.', { ...positive, py: 't_0' }),
  resetTol: num(1e-7, 'Reset tolerance: a weight change above it since the last drift call restarts the drift time.', nonNeg),
};

/** aihwkit's SimpleDriftParameter: power-law drift of a pulsed device's weights. */
export const SimpleDriftParameter = defineConfig('SimpleDriftParameter', simpleDriftFields);
/** A SimpleDriftParameter instance. */
export type SimpleDriftParameter = InstanceType<typeof SimpleDriftParameter>;

/** aihwkit's DriftParameter: drift with device-to-device and cycle-to-cycle variation of the exponent. */
export const DriftParameter = defineConfig('DriftParameter', {
  ...simpleDriftFields,
  nuDtod: num(0.0, 'Device-to-device variation of nu (relative to nu), drawn once at construction.', nonNeg),
  nuStd: num(0.0, 'Cycle-to-cycle variation of nu (relative to nu), drawn at each drift call.', nonNeg),
  wgRatio: num(1.0, '(w_max - w_min) / (g_max - g_min), to convert weights to physical units.', positive),
  gOffset: num(0.0, 'g_min, to convert weights to physical units.'),
  wOffset: num(0.0, 'w(g_min): the weight value g_min is mapped to.'),
  nuK: num(0.0, 'Variation of nu with the conductance: nu(G) = nu0 - nu_k log(G / G0) (Oh et al. 2019).'),
  logG0: num(0.0, 'log G0 of the conductance dependence.'),
  wNoiseStd: num(0.0, 'Additional Gaussian weight noise (diffusion) added after the drift.', nonNeg),
});
/** A DriftParameter instance. */
export type DriftParameter = InstanceType<typeof DriftParameter>;

// ------------------------------------------------------------------ hardware-aware training

const laterModifier = 'later aihwkit (0.9.0+; parameters of the PCMNoise and ProgNoise modifier types)';

/** aihwkit's WeightModifierParameter: the weight noise or quantisation applied in hardware-aware training. */
export const WeightModifierParameter = defineConfig('WeightModifierParameter', {
  stdDev: num(0.0, 'Std deviation of the added noise (AddNormal, MultNormal, DiscretizeAddNormal, Poly), relative to the abs max weight or assumed_wmax.', nonNeg),
  res: num(0.0, 'Resolution of the discretisation (Discretize, DiscretizeAddNormal, DoReFa): step res * a_max; aihwkit 0.7.1 does not invert values > 1.', nonNeg),
  stoRound: bool(false, 'Whether the discretisation rounds stochastically.'),
  dorefaClip: num(0.6, 'Clip parameter of DoReFa.', positive),
  pdrop: num(0.0, 'Drop connect probability: weights set to zero with this probability (combines with any modifier type).', unit),
  enableDuringTest: bool(false, 'Whether the last modified weights are also used in testing (keeps drop connect and noise in evaluation).'),
  relToActualWmax: bool(true, 'Whether noise and resolution are relative to the actual abs max weight (else to assumed_wmax).'),
  assumedWmax: num(1.0, 'Weight value mapped to the maximal conductance when rel_to_actual_wmax is false.', positive),
  copyLastColumn: bool(false, 'Whether the last column (usually the bias) is left unmodified.'),
  coeffs: numList([0.0105392, 0.0768, -0.046925], 'Coefficients of the Poly modifier type.', { minLength: 1 }),
  type: enumOf('WeightModifierType', 'Copy', 'Type of the weight modification.'),
  gMax: num(25.0, 'g_max of the PCM model (PCMNoise, ProgNoise).', { ...positive, since: laterModifier }),
  pcmZeroThres: num(0.0, 'Relative weights below this are set to zero (PCMNoise).', { ...nonNeg, since: laterModifier }),
  pcmTInference: num(0.0, 'Time of inference (PCMNoise).', { ...nonNeg, since: laterModifier }),
  pcmProbAtReset: num(0.0, 'Probability of a device being stuck at reset (PCMNoise).', { ...unit, since: laterModifier }),
  pcmProbAtGmax: num(0.0, 'Probability of a device being stuck at g_max (PCMNoise).', { ...unit, since: laterModifier }),
  pcmProbAtRandom: num(0.0, 'Probability of a device being stuck at a random value (PCMNoise).', { ...unit, since: laterModifier }),
  pcmT0: num(20.0, 'Programming time t_0 (PCMNoise).', { ...positive, since: laterModifier }),
});
/** A WeightModifierParameter instance. */
export type WeightModifierParameter = InstanceType<typeof WeightModifierParameter>;

/** aihwkit's WeightClipParameter: clipping of the weights after each training step. */
export const WeightClipParameter = defineConfig('WeightClipParameter', {
  fixedValue: num(-1.0, 'Clipping value of FixedValue; a value > 0 is also applied with the other types (<= 0: off).'),
  sigma: num(2.5, 'Sigma of the LayerGaussian type: clip at sigma times the std deviation of the weights.', positive),
  type: enumOf('WeightClipType', 'None', 'Type of clipping.'),
});
/** A WeightClipParameter instance. */
export type WeightClipParameter = InstanceType<typeof WeightClipParameter>;

/** aihwkit's WeightRemapParameter: remapping the weights to the full conductance range, with digital output scales. */
export const WeightRemapParameter = defineConfig(
  'WeightRemapParameter',
  {
    remappedWmax: num(1.0, 'Weight value the maximal conductance is mapped to (typically 1).', positive),
    maxScaleRange: num(0.0, 'Maximal range of the scale values (0: no restriction).', nonNeg),
    maxScaleRef: num(0.0, 'Reference scale used as the minimal scale when determining the scale range.', nonNeg),
    type: enumOf('WeightRemapType', 'None', 'Type of remapping.'),
  },
  (p, refuse) => {
    // aihwkit v.0.7.1 src/rpucuda/weight_remapper.cpp
    if (p.type === 'ChannelwiseSymmetric' && p.maxScaleRange > 0 && p.remappedWmax !== 1) {
      refuse(
        'remappedWmax',
        'with maxScaleRange (max_scale_range) > 0 the channelwise remap needs remappedWmax = 1 ' +
          '(aihwkit: "For max_scales set, expect wrmpar.remapped_wmax to be 1.")',
      );
    }
  },
);
/** A WeightRemapParameter instance. */
export type WeightRemapParameter = InstanceType<typeof WeightRemapParameter>;

// ------------------------------------------------------------------ mapping and pre/post processing

/** aihwkit's MappingParameter: how a layer maps onto tiles (maximum tile size, digital bias, weight scaling). */
export const MappingParameter = defineConfig('MappingParameter', {
  digitalBias: bool(true, 'Whether the bias is kept in digital (else it is an extra analog column on the crossbar).'),
  weightScalingOmega: num(0.0, 'Weights are scaled so that their abs max (per column if columnwise) maps to this value (0: off).', nonNeg),
  weightScalingColumnwise: bool(false, 'Whether the weight scaling is done per output column.'),
  learnOutScaling: bool(false, 'Whether additional output scales are learned.'),
  outScalingColumnwise: bool(false, 'Whether the learned output scale is one per output (else one scalar).'),
  maxInputSize: int(512, 'Maximal input size (columns) of one tile; larger layers are split over tiles (0: no limit).', nonNeg),
  maxOutputSize: int(512, 'Maximal output size (rows) of one tile; larger layers are split over tiles (0: no limit).', nonNeg),
});
/** A MappingParameter instance. */
export type MappingParameter = InstanceType<typeof MappingParameter>;

/** aihwkit's InputRangeParameter: a learned input range before the DAC. */
export const InputRangeParameter = defineConfig('InputRangeParameter', {
  enable: bool(false, 'Whether to learn the input range (if false, no input clip is applied).'),
  initValue: num(3.0, 'Initial input range.', positive),
  initFromData: int(100, 'Number of batches used to initialise the range from data (0: off).', nonNeg),
  initStdAlpha: num(3.0, 'Std deviation multiplier of the initialisation from data.', positive),
  decay: num(0.001, 'Decay rate of the input range: grad += decay * input_range if enough inputs are unclipped.', nonNeg),
  inputMinPercentage: num(0.95, 'The decay applies only if this fraction of the inputs is not clipped.', unit),
  manageOutputClipping: bool(true, 'Whether to increase the input range when the output clips (needs forward noise and bound management "None").'),
  outputMinPercentage: num(0.95, 'The range grows only if the fraction of unclipped outputs is below this.', unit),
  gradientScale: num(1.0, 'Scale of the gradient (learning rate) of the input range.', nonNeg),
  gradientRelative: bool(true, 'Whether the gradient is relative to the current range.'),
});
/** An InputRangeParameter instance. */
export type InputRangeParameter = InstanceType<typeof InputRangeParameter>;

/** aihwkit's PrePostProcessingParameter: digital pre- and post-processing around the tile (the input range). */
export const PrePostProcessingParameter = defineConfig('PrePostProcessingParameter', {
  inputRange: nested(
    () => [InputRangeParameter],
    () => new InputRangeParameter(),
    'Input range learning parameters.',
  ),
});
/** A PrePostProcessingParameter instance. */
export type PrePostProcessingParameter = InstanceType<typeof PrePostProcessingParameter>;
