/**
 * Range checks of hidden parameters (setHiddenParameters, and so setState):
 * what aihwkit's devices guarantee of their own draws (rpu_pulsed_device.cpp
 * populate, v.0.7.1), so a hand-set value cannot make a device that aihwkit
 * could never build. Every check runs on the merged view (current values with
 * the given ones over them) before the tile changes.
 */
import { InputError } from './errors.js';
import type { HiddenParameters } from './tile.js';

/**
 * The largest magnitude a hidden parameter may have: products of two of them
 * (a slope times a weight bound, a step times a pulse count) must stay finite
 * in float32 (max ≈ 3.4e38).
 */
export const MAX_HIDDEN_MAGNITUDE = 1e15;

/** The base name and device suffix of a hidden parameter ("dwmin_up_1" → ["dwmin_up", "_1"]). */
function splitName(name: string): [string, string] {
  const m = /^(.*?)(_\d+)?$/.exec(name)!;
  return [m[1]!, m[2] ?? ''];
}

/**
 * Checks the values of hidden parameters: finite, within ±MAX_HIDDEN_MAGNITUDE,
 * max_bound >= min_bound element-wise, and, as aihwkit's draws are:
 * dwmin_up/dwmin_down >= 0 (unless the device has enforce_consistency false),
 * diffusion_rates >= 0, decay_scales in [0, 1], gamma_up/gamma_down >= 0.
 * `merged`: every hidden parameter after the call; `given`: the names the call sets
 * (only those, and the pairs they belong to, are checked).
 */
export function checkHiddenParameterRanges(where: string, merged: HiddenParameters, given: readonly string[], opts: { enforceConsistency?: boolean } = {}): void {
  const enforce = opts.enforceConsistency ?? true;
  const bad = (name: string, i: number, v: number, rule: string): never => {
    throw new InputError(`${where}: ${name}[${i}] is ${v}; ${rule}`);
  };
  for (const name of given) {
    const a = merged[name];
    if (a === undefined) continue;
    const [base, suffix] = splitName(name);
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (!Number.isFinite(v)) bad(name, i, v, 'every element must be finite');
      if (Math.abs(v) > MAX_HIDDEN_MAGNITUDE) bad(name, i, v, `hidden parameters must lie within ±${MAX_HIDDEN_MAGNITUDE} (float32 arithmetic overflows beyond)`);
      if ((base === 'dwmin_up' || base === 'dwmin_down') && enforce && v < 0) {
        bad(name, i, v, 'step sizes must be >= 0 (aihwkit makes them positive with enforce_consistency, the default)');
      }
      if (base === 'diffusion_rates' && v < 0) bad(name, i, v, 'diffusion rates must be >= 0 (aihwkit draws |diffusion·(1 + dtod·ξ)|)');
      if (base === 'decay_scales' && (v < 0 || v > 1)) bad(name, i, v, 'decay scales must be in [0, 1] (aihwkit: 1 − 1/lifetime)');
      if ((base === 'gamma_up' || base === 'gamma_down') && v < 0) bad(name, i, v, 'PowStep exponents must be >= 0 (aihwkit draws them as absolute values)');
    }
    if (base === 'max_bound' || base === 'min_bound') {
      const hi = merged[`max_bound${suffix}`];
      const lo = merged[`min_bound${suffix}`];
      if (hi === undefined || lo === undefined) continue;
      for (let i = 0; i < hi.length; i++) {
        if (!(hi[i]! >= lo[i]!)) {
          throw new InputError(
            `${where}: max_bound${suffix}[${i}] = ${hi[i]} is below min_bound${suffix}[${i}] = ${lo[i]}; a device needs max_bound >= min_bound (aihwkit swaps or merges them at construction)`,
          );
        }
      }
    }
  }
}
