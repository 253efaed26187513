/**
 * Device configs of aihwkit v.0.7.1 (`src/aihwkit/simulator/configs/devices.py`)
 * with aihwkit's defaults. The update behaviour of each is in the engines,
 * after aihwkit's `src/rpucuda/rpu_*_device.cpp`; the combinations refused
 * here are those aihwkit refuses when it builds the device
 * (`rpu_pulsed_device.cpp`, `rpu_linearstep_device.cpp`).
 */
import { bool, defineConfig, derived, int, nested, num, numList, type Refuse, type Spec } from './field.js';
import { DriftParameter, SimpleDriftParameter } from './parameters.js';

const nonNeg = { min: 0 } as const;
const positive = { min: 0, minExclusive: true } as const;
const unit = { min: 0, max: 1 } as const;

const diffusion = num(0.0, 'Std deviation of the diffusion process (w += rate * xi at each diffuse call).', nonNeg);
const lifetime = num(0.0, 'One over the decay rate: w <- (w - b)(1 - 1/lifetime) + b at each decay call (0: no decay).', nonNeg);
const constructionSeed = int(0, "If not 0, a seed for the device-to-device draws at construction (aihwkit's own generator; see docs).");

/** Floating-point reference device (FloatingPointRPUConfig). */
export const FloatingPointDevice = defineConfig('FloatingPointDevice', {
  diffusion,
  lifetime,
  drift: nested(
    () => [SimpleDriftParameter],
    () => new SimpleDriftParameter(),
    'Power-law drift parameters.',
  ),
});
export type FloatingPointDevice = InstanceType<typeof FloatingPointDevice>;

/** Ideal (floating-point) update; forward and backward may still be non-ideal. */
export const IdealDevice = defineConfig('IdealDevice', { constructionSeed, diffusion, lifetime });
export type IdealDevice = InstanceType<typeof IdealDevice>;

/**
 * The fields every pulsed device shares (aihwkit's `PulsedDevice`), in
 * aihwkit's order. Device-to-device spreads (`*_dtod`) are relative to their
 * mean unless said otherwise; `xi` is a standard normal draw.
 */
export const PULSED_DEVICE_FIELDS = {
  constructionSeed,
  corruptDevicesProb: num(0.0, 'Probability of a device being corrupt: its weight is fixed to a random value within ±corrupt_devices_range (min = max bound).', unit),
  corruptDevicesRange: num(0.1, 'Range around zero of the values of corrupt devices.', nonNeg),
  diffusion,
  diffusionDtod: num(0.0, 'Device-to-device variation of the diffusion rate (relative).', nonNeg),
  drift: nested(
    () => [DriftParameter],
    () => new DriftParameter(),
    'Power-law drift parameters (applied on drift calls).',
  ),
  dwMin: num(0.001, 'Mean minimal update step size (weight change of one pulse).', positive),
  dwMinDtod: num(0.3, 'Device-to-device std deviation of dw_min (relative to dw_min).', nonNeg),
  dwMinDtodLogNormal: bool(false, 'Whether the dw_min spread is log-normal (gain = exp(dw_min_dtod xi)) instead of normal.'),
  dwMinStd: num(0.3, 'Cycle-to-cycle variation of each update step (relative to dw_min).', nonNeg),
  enforceConsistency: bool(true, 'Whether to enforce at construction that max bounds are not below min bounds and up steps are positive, down steps negative.'),
  lifetime,
  lifetimeDtod: num(0.0, 'Device-to-device variation of the lifetime (relative).', nonNeg),
  perfectBias: bool(false, 'No up-down difference and no device-to-device variation of the bounds in the bias column (the last input).'),
  reset: num(0.0, 'Mean of the reset value (and decay bias) of the devices.'),
  resetDtod: num(0.0, 'Device-to-device variation of the reset value (additive).', nonNeg),
  resetStd: num(0.01, 'Cycle-to-cycle variation of the reset value (additive).', nonNeg),
  upDown: num(0.0, 'Systematic difference between up and down steps: dw_up = dw_min (1 + min(up_down, 0) + ...), dw_down = dw_min (1 - max(up_down, 0) + ...).'),
  upDownDtod: num(0.01, 'Device-to-device variation of up_down (relative to dw_min).', nonNeg),
  wMax: num(0.6, 'Mean upper hard bound of the weights (>= 0).'),
  wMaxDtod: num(0.3, 'Device-to-device variation of the upper bound (relative to w_max).', nonNeg),
  wMin: num(-0.6, 'Mean lower hard bound of the weights (<= 0).'),
  wMinDtod: num(0.3, 'Device-to-device variation of the lower bound (relative to w_min).', nonNeg),
} satisfies Spec;

interface PulsedValues {
  wMin: number;
  wMax: number;
}

/** aihwkit v.0.7.1 src/rpucuda/rpu_pulsed_device.cpp populate(). */
function checkBounds(d: PulsedValues, refuse: Refuse): void {
  if (d.wMin > 0) refuse('wMin', 'expected wMin (w_min) <= 0: the interval [w_min, w_max] must contain 0 (aihwkit refuses it)');
  if (d.wMax < 0) refuse('wMax', 'expected wMax (w_max) >= 0: the interval [w_min, w_max] must contain 0 (aihwkit refuses it)');
}

interface ReverseValues extends PulsedValues {
  multNoise: boolean;
  reverseUp: boolean;
  reverseDown: boolean;
}

/** aihwkit v.0.7.1 src/rpucuda/rpu_linearstep_device.cpp populate(). */
function checkReverse(d: ReverseValues, refuse: Refuse): void {
  checkBounds(d, refuse);
  if ((d.reverseUp || d.reverseDown) && !d.multNoise) {
    refuse(
      d.reverseUp ? 'reverseUp' : 'reverseDown',
      'reverse_up / reverse_down need multNoise (mult_noise) = true (aihwkit: "Only multiplicative noise supported with reverse up/down!")',
    );
  }
}

/** Constant step up to hard bounds. */
export const ConstantStepDevice = defineConfig('ConstantStepDevice', PULSED_DEVICE_FIELDS, checkBounds);
export type ConstantStepDevice = InstanceType<typeof ConstantStepDevice>;

const writeNoiseStd = num(
  0.0,
  'Std deviation of the write noise (in units of dw_min): the update acts on a hidden persistent weight and the visible weight is it plus fresh noise.',
  nonNeg,
);
const multNoise = bool(true, 'Whether the cycle-to-cycle noise is multiplicative (else additive).');
const reverseFields = {
  reverseUp: bool(false, 'Whether the up step grows with the weight instead of shrinking (needs mult_noise).'),
  reverseDown: bool(false, 'Whether the down step grows as the weight decreases (needs mult_noise).'),
  reverseOffset: num(0.01, 'Offset added to the reversed step size, so it is not zero at the bound.', nonNeg),
} satisfies Spec;

/** Step size that depends linearly on the weight. */
export const LinearStepDevice = defineConfig(
  'LinearStepDevice',
  {
    ...PULSED_DEVICE_FIELDS,
    gammaUp: num(0.0, 'gamma+: relative decrease of the up step at the upper bound (0.1: 10 % smaller at the bound than at w = 0).'),
    gammaDown: num(0.0, 'gamma-: relative decrease of the down step at the lower bound.'),
    gammaUpDtod: num(0.05, 'Device-to-device variation of gamma_up (absolute).', nonNeg),
    gammaDownDtod: num(0.05, 'Device-to-device variation of gamma_down (absolute).', nonNeg),
    allowIncreasing: bool(false, 'Whether step sizes may increase towards the bound (else |gamma| is used).'),
    meanBoundReference: bool(true, "Whether the slope is relative to the mean bounds w_max, w_min (else to each device's own bounds)."),
    multNoise,
    writeNoiseStd,
    ...reverseFields,
  },
  checkReverse,
);
export type LinearStepDevice = InstanceType<typeof LinearStepDevice>;

/** Soft bounds: the step size shrinks linearly to zero at each bound. */
export const SoftBoundsDevice = defineConfig(
  'SoftBoundsDevice',
  {
    ...PULSED_DEVICE_FIELDS,
    multNoise,
    writeNoiseStd,
    ...reverseFields,
  },
  checkReverse,
);
export type SoftBoundsDevice = InstanceType<typeof SoftBoundsDevice>;

/** Exponential step size (CMOS-like; fit of Gong et al. 2018). */
export const ExpStepDevice = defineConfig(
  'ExpStepDevice',
  {
    ...PULSED_DEVICE_FIELDS,
    aUp: num(0.00081, 'Factor A of the up direction: y = 1 - A_up exp(gamma_up z).', { py: 'A_up' }),
    aDown: num(0.36833, 'Factor A of the down direction: y = 1 - A_down exp(-gamma_down z).', { py: 'A_down' }),
    gammaUp: num(12.44625, 'Exponent of the up direction.'),
    gammaDown: num(12.78785, 'Exponent of the down direction.'),
    a: num(0.244, 'Global slope: z = 2 a w / (b_max - b_min) + b.'),
    b: num(0.2425, 'Global offset of z.'),
    dwMinStdAdd: num(0.0, 'Additive cycle-to-cycle noise of the step (in units of dw_min_std).', nonNeg),
    dwMinStdSlope: num(0.0, 'Cycle-to-cycle noise of the step proportional to |w| (in units of dw_min_std).', nonNeg),
    writeNoiseStd,
  },
  checkBounds,
);
export type ExpStepDevice = InstanceType<typeof ExpStepDevice>;

const powStepFields = {
  powGamma: num(1.0, 'Exponent gamma: the up step scales with ((b_max - w) / (b_max - b_min))^gamma.', nonNeg),
  powGammaDtod: num(0.1, 'Device-to-device variation of pow_gamma (relative to pow_gamma).', nonNeg),
  powUpDown: num(0.0, 'Up versus down bias of gamma: gamma+ = gamma (1 + pow_up_down), gamma- = gamma (1 - pow_up_down).'),
  powUpDownDtod: num(0.0, 'Device-to-device variation of pow_up_down (in units of pow_gamma).', nonNeg),
} satisfies Spec;

/** Step size that is a power of the distance to the bound (Fusi & Abbott 2007). */
export const PowStepDevice = defineConfig(
  'PowStepDevice',
  {
    ...PULSED_DEVICE_FIELDS,
    ...powStepFields,
    writeNoiseStd,
  },
  checkBounds,
);
export type PowStepDevice = InstanceType<typeof PowStepDevice>;

/**
 * Soft bounds in the parameterisation of a pulse experiment (aihwkit's
 * SoftBoundsPmaxDevice, a SoftBoundsDevice subclass): p_max up pulses take
 * the weight from range_min to range_max with steps proportional to alpha.
 * aihwkit computes w_min, w_max, dw_min and up_down from these when it builds
 * the device (`as_bindings`), overwriting whatever they hold, so here they
 * stay null (see `softBoundsOfPmax`).
 */
export const SoftBoundsPmaxDevice = defineConfig(
  'SoftBoundsPmaxDevice',
  {
    ...PULSED_DEVICE_FIELDS,
    dwMin: derived('Computed by aihwkit: dw_min = B·alpha with B = (range_max − range_min)/(1 − exp(−p_max·alpha)).'),
    upDown: derived('Computed by aihwkit: up_down = 1 + 2·range_min/B.'),
    wMax: derived('Computed by aihwkit: w_max = range_min + B.'),
    wMin: derived('Computed by aihwkit: w_min = range_min.'),
    multNoise,
    writeNoiseStd,
    ...reverseFields,
    pMax: int(1000, 'Number of pulses that drive the weight from range_min to range_max.', { min: 1 }),
    alpha: num(0.001 / 2, 'Slope of the soft bounds model (dw proportional to alpha·w) in both directions.', positive),
    rangeMin: num(-1.0, 'Weight at the start of the p_max up-pulse experiment.'),
    rangeMax: num(1.0, 'Weight after p_max up pulses.'),
  },
  (d, refuse) => {
    if (!(d.rangeMax > d.rangeMin)) refuse('rangeMax', 'expected rangeMax (range_max) > rangeMin (range_min): the pulse experiment must go up');
    const sb = softBoundsValues(d);
    checkReverse({ ...d, wMin: sb.wMin, wMax: sb.wMax }, (field, why) =>
      refuse(field === 'wMin' || field === 'wMax' ? 'rangeMin' : field, `${why} (w_min = range_min = ${sb.wMin}, w_max = range_min + B = ${sb.wMax})`),
    );
  },
);
export type SoftBoundsPmaxDevice = InstanceType<typeof SoftBoundsPmaxDevice>;

/** aihwkit v.0.7.1 src/aihwkit/simulator/configs/devices.py SoftBoundsPmaxDevice.as_bindings(). */
function softBoundsValues(d: { pMax: number; alpha: number; rangeMin: number; rangeMax: number }) {
  const b = (d.rangeMax - d.rangeMin) / (1 - Math.exp(-d.pMax * d.alpha));
  return { wMin: d.rangeMin, wMax: d.rangeMin + b, dwMin: b * d.alpha, upDown: 1 + (2 * d.rangeMin) / b };
}

/**
 * The SoftBoundsDevice that aihwkit builds for a SoftBoundsPmaxDevice: its
 * fields, with w_min, w_max, dw_min and up_down computed from p_max, alpha,
 * range_min and range_max.
 */
export function softBoundsOfPmax(device: SoftBoundsPmaxDevice): SoftBoundsDevice {
  const values = device.fieldValues();
  // The SoftBoundsDevice fields, in its order; w_min, w_max, dw_min and up_down computed.
  const init = Object.fromEntries(Object.keys(SoftBoundsDevice.fields).map((k) => [k, values[k]]));
  return new SoftBoundsDevice({ ...init, ...softBoundsValues(device) });
}

const referenceFields = {
  referenceMean: num(0.0, 'Added to every device of the reference R (the weight read is W − R).'),
  referenceStd: num(0.0, 'Normal device-to-device variation added to the reference R.', nonNeg),
} satisfies Spec;

/** Soft bounds with a fixed reference conductance subtracted from the weight (differential read W − R). */
export const SoftBoundsReferenceDevice = defineConfig(
  'SoftBoundsReferenceDevice',
  {
    ...PULSED_DEVICE_FIELDS,
    multNoise: bool(false, 'Whether the cycle-to-cycle noise is multiplicative (else additive).'),
    writeNoiseStd,
    slopeUpDtod: num(0.0, 'Device-to-device variation of the up-pulse slope.', nonNeg),
    slopeDownDtod: num(0.0, 'Device-to-device variation of the down-pulse slope.', nonNeg),
    ...referenceFields,
    subtractSymmetryPoint: bool(false, "Whether to add each device's symmetry point w* = (a+ − a−)/(a+/b_max − a−/b_min) to the reference R."),
  },
  checkBounds,
);
export type SoftBoundsReferenceDevice = InstanceType<typeof SoftBoundsReferenceDevice>;

/** PowStepDevice without write noise but with a static reference conductance subtracted (W − R). */
export const PowStepReferenceDevice = defineConfig(
  'PowStepReferenceDevice',
  {
    ...PULSED_DEVICE_FIELDS,
    ...powStepFields,
    subtractSymmetryPoint: bool(false, "Whether to store each device's (numerically estimated) symmetry point onto the reference."),
    nEstimationSteps: int(-1, 'Number of noise-free up/down pulse pairs for the symmetry point estimate; <= 0: ten times the expected number of states (at most 10000).'),
    ...referenceFields,
  },
  checkBounds,
);
export type PowStepReferenceDevice = InstanceType<typeof PowStepReferenceDevice>;

/** Step size interpolated piecewise linearly between nodes spread evenly over [w_min, w_max]. */
export const PiecewiseStepDevice = defineConfig(
  'PiecewiseStepDevice',
  {
    ...PULSED_DEVICE_FIELDS,
    piecewiseUp: numList([1], 'Up step sizes (in units of dw_min) at nodes spread evenly from the lower to the upper bound; linearly interpolated.', {
      minLength: 1,
    }),
    piecewiseDown: numList([1], 'Down step sizes (in units of dw_min) at the same nodes.', { minLength: 1 }),
    writeNoiseStd,
  },
  (d, refuse) => {
    checkBounds(d, refuse);
    // aihwkit v.0.7.1 src/rpucuda/rpu_piecewisestep_device.h populate()
    if (d.piecewiseUp.length !== d.piecewiseDown.length) {
      refuse(
        'piecewiseDown',
        `expected as many nodes as piecewiseUp (piecewise_up has ${d.piecewiseUp.length}, piecewise_down ${d.piecewiseDown.length}; ` +
          'aihwkit: "piecewise_up_vec and piecewise_down_vec needs to have some size")',
      );
    }
  },
);
export type PiecewiseStepDevice = InstanceType<typeof PiecewiseStepDevice>;

/**
 * The pulsed device classes the engines implement (SingleRPUConfig.device may be any of these or IdealDevice):
 * all of aihwkit 0.7.1's single pulsed devices. SoftBoundsPmaxDevice is built as the SoftBoundsDevice
 * `softBoundsOfPmax` gives, as aihwkit does.
 */
export const PULSED_DEVICES = [
  ConstantStepDevice,
  LinearStepDevice,
  SoftBoundsDevice,
  ExpStepDevice,
  PowStepDevice,
  SoftBoundsPmaxDevice,
  SoftBoundsReferenceDevice,
  PowStepReferenceDevice,
  PiecewiseStepDevice,
] as const;
/** An instance of a pulsed device model: the classes of PULSED_DEVICES but SoftBoundsPmaxDevice (a SoftBoundsDevice once built, see softBoundsOfPmax). */
export type PulsedDevice =
  ConstantStepDevice | LinearStepDevice | SoftBoundsDevice | ExpStepDevice | PowStepDevice | PiecewiseStepDevice | SoftBoundsReferenceDevice | PowStepReferenceDevice;

/**
 * aihwkit's single pulsed devices the engines refuse with a NotSupportedError (configs only):
 * none since issue 16; kept for the compound devices' checks.
 */
export const UNIMPLEMENTED_PULSED_DEVICES = [] as const;
/** An instance of any class of UNIMPLEMENTED_PULSED_DEVICES (none). */
export type UnimplementedPulsedDevice = never;

/** Every single pulsed device of aihwkit 0.7.1 (what a unit cell may hold). */
export const ALL_PULSED_DEVICES = [...PULSED_DEVICES, ...UNIMPLEMENTED_PULSED_DEVICES] as const;
/** An instance of any single pulsed device class (see ALL_PULSED_DEVICES). */
export type AnyPulsedDevice = PulsedDevice | SoftBoundsPmaxDevice | UnimplementedPulsedDevice;
