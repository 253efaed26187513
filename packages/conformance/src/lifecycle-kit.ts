/**
 * What the device-lifecycle properties (draw-properties.ts, edge-properties.ts) share:
 * the small tile they run on, its pulsed config without noise, and the element-wise
 * comparison within a float tolerance that lists the first differences.
 */
import { ConstantStepDevice, LinearStepDevice, SingleRPUConfig } from '@crossbar/core';
import { fmt } from './property-kit.js';
import { floatAllowance, type Tolerance } from './tolerance.js';

/** Rows of the properties' tile. */
export const OUT = 6;
/** Columns of the properties' tile. */
export const IN = 5;
/** Devices of the properties' tile. */
export const SIZE = OUT * IN;
/** How many differing elements a failure lists. */
export const MAX_LISTED = 4;

/** Adds a failure to `failures` when `got` and `want` differ by more than `tol` allows at an element (scale: the smallest magnitude the allowance assumes). */
export function compare(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance, failures: string[], scale = 1): void {
  const bad: string[] = [];
  let n = 0;
  for (let e = 0; e < want.length; e++) {
    if (!(Math.abs(got[e]! - want[e]!) <= floatAllowance(tol, 4 * Math.max(scale, Math.abs(want[e]!))))) {
      n++;
      if (bad.length < MAX_LISTED) bad.push(`[${e}] ${fmt(got[e]!)}, expected ${fmt(want[e]!)}`);
    }
  }
  if (n > 0) failures.push(`${what}: ${n} of ${want.length} elements differ: ${bad.join('; ')}`);
}

/** A ConstantStep tile config without noise or device-to-device variation (bounds ±0.6, dw_min 0.01), `init` overriding. */
export function pulsed(init: ConstructorParameters<typeof ConstantStepDevice>[0] = {}): SingleRPUConfig {
  return new SingleRPUConfig({
    device: new ConstantStepDevice({ dwMin: 0.01, dwMinStd: 0, resetStd: 0, wMax: 0.6, wMin: -0.6, wMaxDtod: 0, wMinDtod: 0, constructionSeed: 4321, ...init }),
  });
}

/** LinearStep without nonlinearity and with write noise: the physics acts on the persistent weights, the visible ones are those plus noise. */
export function writeNoisy(init: ConstructorParameters<typeof LinearStepDevice>[0] = {}): SingleRPUConfig {
  return new SingleRPUConfig({
    device: new LinearStepDevice({
      dwMin: 0.01,
      dwMinStd: 0,
      dwMinDtod: 0,
      upDown: 0,
      upDownDtod: 0,
      gammaUp: 0,
      gammaDown: 0,
      wMax: 0.6,
      wMin: -0.6,
      wMaxDtod: 0,
      wMinDtod: 0,
      resetStd: 0,
      writeNoiseStd: 2,
      constructionSeed: 4321,
      ...init,
    }),
  });
}
