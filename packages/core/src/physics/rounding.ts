/**
 * Rounding shared by the IO (DAC/ADC quantisation) and the pulsed update (MeanCount):
 * its own module so that physics/io.ts and physics/update.ts need not import each other.
 */

/**
 * rint(): round half to even, as C's rint in the default rounding mode.
 * Written without a data-dependent branch in the common case (floor(x + 0.5), then a
 * fix for ties and for x + 0.5 rounding up), which makes the IO quantisation loops
 * about 3x faster; Math.round is slow in V8 and the branches on x − floor(x) mispredict.
 */
export function roundHalfEven(x: number): number {
  let r = Math.floor(x + 0.5);
  const d = r - x;
  if (d >= 0.5 && (d > 0.5 || r % 2 !== 0)) r = r - 1;
  return r;
}

/**
 * aihwkit's discretisation `rint(value / step + shift) · step` in float32. `shift` is
 * 0 for deterministic rounding and `uniform − 0.5` for stochastic rounding. A step
 * <= 0 leaves the value alone; a NaN step (see ioResolutionStep) gives NaN.
 * (aihwkit v.0.7.1 src/rpucuda/utility_functions.h, getDiscretizedValue)
 */
export function quantize(value: number, step: number, shift: number): number {
  if (step <= 0) return value;
  return Math.fround(roundHalfEven(Math.fround(Math.fround(value / step) + shift)) * step);
}
