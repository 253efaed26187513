/**
 * Device configs of aihwkit v.0.7.1 (`src/aihwkit/simulator/configs/devices.py`)
 * with aihwkit's defaults. The update behaviour of each is in the engines,
 * after aihwkit's `src/rpucuda/rpu_*_device.cpp`.
 */
import { bool, defineConfig, int, nested, num, type Spec } from './field.js';
import { DriftParameter, SimpleDriftParameter } from './parameters.js';

const nonNeg = { min: 0 } as const;
const positive = { min: 0, minExclusive: true } as const;
const unit = { min: 0, max: 1 } as const;

/** Floating-point reference device (FloatingPointRPUConfig). */
export const FloatingPointDevice = defineConfig('FloatingPointDevice', {
  diffusion: num(0.0, 'Std deviation of the diffusion process.', nonNeg),
  lifetime: num(0.0, 'One over the decay rate (0: no decay).', nonNeg),
  drift: nested(() => [SimpleDriftParameter], () => new SimpleDriftParameter(), 'Power-law drift parameters.'),
});
export type FloatingPointDevice = InstanceType<typeof FloatingPointDevice>;

/** Ideal (floating-point) update; forward and backward may still be non-ideal. */
export const IdealDevice = defineConfig('IdealDevice', {
  constructionSeed: int(0, 'If not 0, a unique seed for the hidden parameters drawn at construction.'),
  diffusion: num(0.0, 'Std deviation of the diffusion process.', nonNeg),
  lifetime: num(0.0, 'One over the decay rate (0: no decay).', nonNeg),
});
export type IdealDevice = InstanceType<typeof IdealDevice>;

/** Fields every pulsed device shares (aihwkit's `PulsedDevice`). */
const pulsedDeviceFields = {
  constructionSeed: int(0, 'If not 0, a unique seed for the hidden parameters drawn at construction.'),
  corruptDevicesProb: num(0.0, 'Probability of a device being corrupt (weight fixed to a random value).', unit),
  corruptDevicesRange: num(0.1, 'Range around zero of the corrupt devices\' values.', nonNeg),
  diffusion: num(0.0, 'Std deviation of the diffusion process.', nonNeg),
  diffusionDtod: num(0.0, 'Device-to-device variation of the diffusion rate (relative).', nonNeg),
  drift: nested(() => [DriftParameter], () => new DriftParameter(), 'Power-law drift parameters.'),
  dwMin: num(0.001, 'Mean minimal update step size.', positive),
  dwMinDtod: num(0.3, 'Device-to-device std deviation of dw_min (relative).', nonNeg),
  dwMinDtodLogNormal: bool(false, 'Whether dw_min_dtod is drawn log-normal.'),
  dwMinStd: num(0.3, 'Cycle-to-cycle variation of the update step (relative to dw_min).', nonNeg),
  enforceConsistency: bool(true, 'Whether to enforce w_min < 0 < w_max for every device at construction.'),
  lifetime: num(0.0, 'One over the decay rate (0: no decay).', nonNeg),
  lifetimeDtod: num(0.0, 'Device-to-device variation of the decay rate (relative).', nonNeg),
  perfectBias: bool(false, 'No up-down difference and device-to-device variability in the bias column.'),
  reset: num(0.0, 'Mean of the reset value per device.'),
  resetDtod: num(0.0, 'Device-to-device variation of the reset value.', nonNeg),
  resetStd: num(0.01, 'Cycle-to-cycle variation of the reset value.', nonNeg),
  upDown: num(0.0, 'Systematic difference between up and down step sizes.'),
  upDownDtod: num(0.01, 'Device-to-device variation of up_down.', nonNeg),
  wMax: num(0.6, 'Mean upper hard bound.'),
  wMaxDtod: num(0.3, 'Device-to-device variation of the upper bound (relative).', nonNeg),
  wMin: num(-0.6, 'Mean lower hard bound.'),
  wMinDtod: num(0.3, 'Device-to-device variation of the lower bound (relative).', nonNeg),
} satisfies Spec;

/** Constant step up to hard bounds. */
export const ConstantStepDevice = defineConfig('ConstantStepDevice', pulsedDeviceFields);
export type ConstantStepDevice = InstanceType<typeof ConstantStepDevice>;

const writeNoiseStd = num(0.0, 'Std deviation of the write noise (applied to the visible weight).', nonNeg);
const multNoise = bool(true, 'Whether the cycle-to-cycle noise is multiplicative (else additive).');
const reverseFields = {
  reverseUp: bool(false, 'Whether the up step grows with the weight (reversed soft bound).'),
  reverseDown: bool(false, 'Whether the down step grows as the weight decreases.'),
  reverseOffset: num(0.01, 'Offset of the reversed step size.', nonNeg),
} satisfies Spec;

/** Step size that depends linearly on the weight. */
export const LinearStepDevice = defineConfig('LinearStepDevice', {
  ...pulsedDeviceFields,
  gammaUp: num(0.0, 'Slope gamma+ of the up step.'),
  gammaDown: num(0.0, 'Slope gamma- of the down step.'),
  gammaUpDtod: num(0.05, 'Device-to-device variation of gamma_up.', nonNeg),
  gammaDownDtod: num(0.05, 'Device-to-device variation of gamma_down.', nonNeg),
  allowIncreasing: bool(false, 'Whether step sizes may increase with the weight.'),
  meanBoundReference: bool(true, 'Whether the slope is relative to the mean bounds (else each device\'s bounds).'),
  multNoise,
  writeNoiseStd,
  ...reverseFields,
});
export type LinearStepDevice = InstanceType<typeof LinearStepDevice>;

/** Soft bounds: step size shrinks linearly towards each bound. */
export const SoftBoundsDevice = defineConfig('SoftBoundsDevice', {
  ...pulsedDeviceFields,
  multNoise,
  writeNoiseStd,
  ...reverseFields,
});
export type SoftBoundsDevice = InstanceType<typeof SoftBoundsDevice>;

/** Exponential step size (Gong et al.). */
export const ExpStepDevice = defineConfig('ExpStepDevice', {
  ...pulsedDeviceFields,
  aUp: num(0.00081, 'Factor a_up of the exponential step.', { py: 'A_up' }),
  aDown: num(0.36833, 'Factor a_down of the exponential step.', { py: 'A_down' }),
  gammaUp: num(12.44625, 'Exponent of the up direction.'),
  gammaDown: num(12.78785, 'Exponent of the down direction.'),
  a: num(0.244, 'Global slope parameter.'),
  b: num(0.2425, 'Global offset parameter.'),
  dwMinStdAdd: num(0.0, 'Additive cycle-to-cycle noise of the step (in units of dw_min).', nonNeg),
  dwMinStdSlope: num(0.0, 'Weight-dependent cycle-to-cycle noise of the step (in units of dw_min_std).', nonNeg),
  writeNoiseStd,
});
export type ExpStepDevice = InstanceType<typeof ExpStepDevice>;

/** Step size that is a power of the distance to the bound. */
export const PowStepDevice = defineConfig('PowStepDevice', {
  ...pulsedDeviceFields,
  powGamma: num(1.0, 'Exponent gamma of the power step.', positive),
  powGammaDtod: num(0.1, 'Device-to-device variation of pow_gamma.', nonNeg),
  powUpDown: num(0.0, 'Up versus down bias of gamma.'),
  powUpDownDtod: num(0.0, 'Device-to-device variation of pow_up_down.', nonNeg),
  writeNoiseStd,
});
export type PowStepDevice = InstanceType<typeof PowStepDevice>;

/** Every pulsed device class (SingleRPUConfig.device may be any of these or IdealDevice). */
export const PULSED_DEVICES = [ConstantStepDevice, LinearStepDevice, SoftBoundsDevice, ExpStepDevice, PowStepDevice] as const;
export type PulsedDevice =
  | ConstantStepDevice
  | LinearStepDevice
  | SoftBoundsDevice
  | ExpStepDevice
  | PowStepDevice;
