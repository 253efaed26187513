/**
 * Every tolerance of the suite, stated once, per engine arithmetic mode.
 * docs/conformance.md explains each number.
 */

/** The arithmetic modes an engine runs the suite in. */
export type ToleranceMode = 'cpu' | 'webasm' | 'headlessgl' | 'webgl2';

/** The float32 allowances of the comparisons for an engine's arithmetic mode. */
export interface Tolerance {
  /** Name shown in reports. */
  readonly mode: string;
  /**
   * Float rounding allowance in units of 2^-23 (one float32 ulp at 1) of a
   * scale: for an oracle array, the largest |value| aihwkit gave in that array;
   * for a matrix product, Σ_j |w_ij x_j| of the element. A deterministic value
   * matches when |ours − reference| <= ulps · 2^-23 · scale.
   */
  readonly ulps: number;
  /**
   * Absolute floor added to every float allowance, in units of the smallest
   * normal float32 (2^-126) per summed term: GPUs may flush subnormals to zero.
   */
  readonly subnormalFloor: number;
}

/** 2^-23: one float32 ulp at 1. */
export const FLOAT32_ULP = 2 ** -23;
/** 2^-126: the smallest normal float32. */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

/**
 * Per mode:
 *  - cpu: JS number arithmetic (the ndarray engine, gpu.js's cpu mode). Sums in
 *    float64 and rounds to float32 where aihwkit stores float32, so it differs
 *    from aihwkit's float32 BLAS by aihwkit's own accumulation error (measured
 *    < 1 ulp of the largest output in the oracle's perfect cases); 16 ulps
 *    leaves room for the float32 steps around the MVM (noise-management
 *    division and re-scaling, pow/exp/log of drift) without hiding a physics
 *    difference, which is at least one quantisation step, pulse or 1e-4 relative.
 *  - webasm: float32 arithmetic with IEEE rounding: same allowance as cpu.
 *  - headlessgl, webgl2: float32 GPU shaders: sums accumulate in float32 in
 *    kernel order (error up to n·2^-24 Σ|terms|), and exp/log/pow/sqrt/division
 *    are not correctly rounded (a few ulps in WebGL2's highp). 256 ulps (3e-5
 *    relative to the array's scale) covers n <= 64-term sums and the
 *    transcendental functions; subnormals may flush to zero.
 */
export const TOLERANCES: Readonly<Record<ToleranceMode, Tolerance>> = Object.freeze({
  cpu: Object.freeze({ mode: 'cpu', ulps: 16, subnormalFloor: 0 }),
  webasm: Object.freeze({ mode: 'webasm', ulps: 16, subnormalFloor: 0 }),
  headlessgl: Object.freeze({ mode: 'headlessgl', ulps: 256, subnormalFloor: 4 }),
  webgl2: Object.freeze({ mode: 'webgl2', ulps: 256, subnormalFloor: 4 }),
});

/** A mode name or a Tolerance object (checked) to a Tolerance. */
export function resolveTolerance(tolerance: ToleranceMode | Tolerance | undefined): Tolerance {
  if (tolerance === undefined) return TOLERANCES.cpu;
  if (typeof tolerance === 'string') {
    const t = TOLERANCES[tolerance];
    if (!t) throw new TypeError(`unknown tolerance mode "${tolerance}": one of ${Object.keys(TOLERANCES).join(', ')}`);
    return t;
  }
  if (!(tolerance.ulps > 0) || !(tolerance.subnormalFloor >= 0)) {
    throw new TypeError('a Tolerance needs ulps > 0 and subnormalFloor >= 0');
  }
  return tolerance;
}

/** The absolute float allowance for a value of the given scale, summed over `terms` terms. */
export function floatAllowance(tol: Tolerance, scale: number, terms = 1): number {
  return tol.ulps * FLOAT32_ULP * scale + tol.subnormalFloor * FLOAT32_MIN_NORMAL * terms;
}

/**
 * Statistical bounds. A correct engine fails a statistical comparison with
 * probability below FALSE_FAILURE_PER_RUN for the whole suite: each
 * stochastic case or statistical property gets FALSE_FAILURE_PER_CHECK
 * (= FALSE_FAILURE_PER_RUN / STATISTICAL_CHECK_BUDGET; the suite has fewer
 * than STATISTICAL_CHECK_BUDGET of them), split evenly (Bonferroni) over the
 * element-wise tests inside it.
 */
export const FALSE_FAILURE_PER_RUN = 1e-6;
/** The most stochastic cases and statistical properties the suite may hold. */
export const STATISTICAL_CHECK_BUDGET = 100;
/** False-failure probability of one stochastic case or statistical property. */
export const FALSE_FAILURE_PER_CHECK = FALSE_FAILURE_PER_RUN / STATISTICAL_CHECK_BUDGET;

/**
 * Most repetitions the suite runs of a stochastic oracle case (aihwkit's own
 * count when smaller). With our M and aihwkit's N reps the standard error of a
 * mean difference is σ·sqrt(1/M + 1/N): at M = 1000, N = 2000 a bias of 0.25σ
 * is detected even at the suite's per-test level (|z| ~ 6.5), and a std off by
 * about 20%.
 */
export const DEFAULT_MAX_REPS = 1000;
