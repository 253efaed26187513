/**
 * Device-to-device draws compared with aihwkit's by distribution (oracle kind
 * "d2d"): aihwkit draws with std::default_random_engine from construction_seed,
 * which no other generator reproduces, so per hidden parameter the engine's
 * pooled draws (every element of every seed) are held against aihwkit's:
 *  - mean: two-sample z-test (Welch; n = 8 seeds × 4096 elements per side);
 *  - std: F-test of the variances, degrees of freedom corrected for kurtosis;
 *  - quantiles: the fraction of the engine's draws below aihwkit's quantile at
 *    level p against p, z = (F̂(q) − p)/sqrt(p(1 − p)(1/n₁ + 1/n₂)) (a point mass
 *    counts as the interval [F(q−), F(q)]);
 *  - correlation (parameters that vary, both near normal: |excess kurtosis| <= 1 in the
 *    engine's draws): Fisher z of Pearson's r, se sqrt(1/(n₁−3) + 1/(n₂−3)). Pearson's r of
 *    heavy-tailed draws (a slope −dwmin/max_bound, with max_bound near 0 now and then) is
 *    ruled by a few outliers and has no such standard error; their marginals are still tested;
 *  - a parameter aihwkit draws as a constant (std 0) must be that constant (float32);
 *  - the same construction seed must give the same draws, different seeds different ones.
 * All tests of a case share FALSE_FAILURE_PER_CHECK (Bonferroni); the notes state the
 * smallest mean shift (in stds) each mean test detects with 90 % power.
 * min, max, seed_mean and seed_std are not compared (extremes and per-seed values are
 * too noisy to pin; the pooled tests above include every seed).
 */
import { fUpperTail, normalUpperQuantile, normalUpperTail, summarize, varianceDegreesOfFreedom } from './stats.js';
import type { OracleResult } from './format.js';
import { floatAllowance, FALSE_FAILURE_PER_CHECK, type Tolerance } from './tolerance.js';

/** aihwkit's harness's quantile levels (expected/d2d.json quantile_levels). */
export const D2D_QUANTILE_LEVELS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

/** The statistics of one device-to-device parameter's draws (aihwkit's harness's expected/d2d.json fields). */
export interface D2dParameterStats {
  count: number;
  mean: number;
  std: number;
  excess_kurtosis: number;
  min: number;
  max: number;
  quantiles: number[];
  /** Per reference value (aihwkit's quantiles, when the suite passes them): [F(q−), F(q)] of the engine's draws. */
  cdf_at_reference?: Array<[number, number]>;
}

/** numpy's quantile with linear interpolation of sorted values. */
function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** [fraction < q, fraction <= q] of sorted values. */
function cdfInterval(sorted: Float64Array, q: number): [number, number] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (sorted[m]! < q) lo = m + 1;
    else hi = m;
  }
  const below = lo;
  hi = sorted.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (sorted[m]! <= q) lo = m + 1;
    else hi = m;
  }
  return [below / sorted.length, lo / sorted.length];
}

function pearson(a: Float32Array, b: Float32Array): number {
  const sa = summarize(a, a.length);
  const sb = summarize(b, b.length);
  if (sa.std === 0 || sb.std === 0) return NaN;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - sa.mean) * (b[i]! - sb.mean);
  return s / ((a.length - 1) * sa.std * sb.std);
}

/** The engine's statistics of its pooled draws, in the shape of aihwkit's expected/d2d.json. */
export function d2dStatistics(
  names: readonly string[],
  draws: ReadonlyMap<string, Float32Array>,
  _seeds: number,
  levels: readonly number[] = D2D_QUANTILE_LEVELS,
  reference?: Readonly<Record<string, readonly number[]>>,
): { stats: Record<string, D2dParameterStats>; correlation: { names: string[]; matrix: number[][] }; quantileLevels: number[] } {
  const stats: Record<string, D2dParameterStats> = {};
  const varying: string[] = [];
  for (const name of names) {
    const v = draws.get(name)!;
    const sorted = Float64Array.from(v).sort();
    const s = summarize(v, v.length);
    const st: D2dParameterStats = {
      count: v.length,
      mean: s.mean,
      std: s.std,
      excess_kurtosis: s.excessKurtosis,
      min: sorted[0]!,
      max: sorted[sorted.length - 1]!,
      quantiles: levels.map((p) => quantile(sorted, p)),
    };
    const ref = reference?.[name];
    if (ref) st.cdf_at_reference = ref.map((q) => cdfInterval(sorted, q));
    stats[name] = st;
    if (s.std > 0) varying.push(name);
  }
  const matrix = varying.map((a) => varying.map((b) => (a === b ? 1 : pearson(draws.get(a)!, draws.get(b)!))));
  return { stats, correlation: { names: varying, matrix }, quantileLevels: [...levels] };
}

interface ExpectedStats {
  count: number;
  mean: number;
  std: number;
  quantiles: number[];
}

/** aihwkit's quantiles per parameter, for the runner to locate in the engine's draws. */
export function d2dReference(expected: OracleResult): { levels: number[]; reference: Record<string, number[]> } | undefined {
  const stats = expected.stats as Record<string, ExpectedStats> | undefined;
  const levels = expected.quantile_levels as number[] | undefined;
  if (!stats || !levels) return undefined;
  const reference: Record<string, number[]> = {};
  for (const [name, s] of Object.entries(stats)) reference[name] = s.quantiles;
  return { levels, reference };
}

/** What compareD2d found: failures (the suite fails on any) and notes. */
export interface D2dComparison {
  failures: string[];
  notes: string[];
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(5))) : String(x);
}

/** Compares the engine's d2d result with aihwkit's (see the file comment). */
export function compareD2d(expected: OracleResult, actual: OracleResult, tol: Tolerance, falseFailure = FALSE_FAILURE_PER_CHECK): D2dComparison {
  const failures: string[] = [];
  const notes: string[] = [];
  const expNames = (expected.names as string[] | undefined) ?? [];
  const ourNames = (actual.names as string[] | undefined) ?? [];
  const missing = expNames.filter((n) => !ourNames.includes(n));
  if (missing.length > 0) failures.push(`the engine's tile has no hidden parameter(s) ${missing.join(', ')} (aihwkit's names); it has ${ourNames.join(', ') || 'none'}`);
  if (expected.reproducible === true && actual.reproducible !== true) failures.push('the same construction_seed gave different draws');
  if (expected.seeds_differ === true && actual.seeds_differ !== true) failures.push('different construction seeds gave the same draws');
  const es = (expected.stats ?? {}) as Record<string, ExpectedStats>;
  const os = (actual.stats ?? {}) as Record<string, D2dParameterStats>;
  const levels = (expected.quantile_levels as number[] | undefined) ?? [];
  const expCorr = expected.correlation as { names: string[]; matrix: number[][] } | undefined;
  const ourCorr = actual.correlation as { names: string[]; matrix: number[][] } | undefined;
  const names = expNames.filter((n) => os[n] !== undefined && es[n] !== undefined);
  const varying = names.filter((n) => es[n]!.std > 0);
  const nearNormal = (n: string): boolean => os[n] !== undefined && Math.abs(os[n]!.excess_kurtosis) <= 1;
  const allPairs = expCorr ? expCorr.names.flatMap((a, i) => expCorr.names.slice(i + 1).map((b) => [a, b] as const)) : [];
  const corrPairs = allPairs.filter(([a, b]) => nearNormal(a) && nearNormal(b));
  const tests = varying.length * (2 + levels.length) + corrPairs.length;
  const alpha = tests > 0 ? falseFailure / tests : falseFailure;
  const zCrit = normalUpperQuantile(alpha / 2);
  const zPower = normalUpperQuantile(0.1);
  let minDetect = 0;
  for (const name of names) {
    const e = es[name]!;
    const o = os[name]!;
    if (e.std === 0) {
      // aihwkit draws a constant: the engine must give exactly it.
      const allow = floatAllowance(tol, Math.abs(e.mean));
      if (o.std !== 0 || Math.abs(o.mean - e.mean) > allow)
        failures.push(`${name}: aihwkit gives the constant ${fmt(e.mean)}, the engine mean ${fmt(o.mean)} std ${fmt(o.std)}`);
      continue;
    }
    const se = Math.sqrt((e.std * e.std) / e.count + (o.std * o.std) / o.count);
    const z = (o.mean - e.mean) / se;
    minDetect = Math.max(minDetect, ((zCrit + zPower) * se) / e.std);
    if (2 * normalUpperTail(Math.abs(z)) < alpha)
      failures.push(`${name}: mean ${fmt(o.mean)} vs aihwkit's ${fmt(e.mean)} (z = ${fmt(z)}, ${o.count} vs ${e.count} draws)`);
    const df = varianceDegreesOfFreedom(o.count, o.excess_kurtosis);
    const f = (o.std * o.std) / (e.std * e.std);
    const pF = 2 * Math.min(fUpperTail(f, df, df), fUpperTail(1 / f, df, df));
    if (pF < alpha) failures.push(`${name}: std ${fmt(o.std)} vs aihwkit's ${fmt(e.std)} (F-test p = ${pF.toExponential(2)})`);
    const cdf = o.cdf_at_reference;
    levels.forEach((p, k) => {
      const interval = cdf?.[k];
      if (!interval) {
        failures.push(`${name}: no engine CDF at aihwkit's quantile ${p} (run the case through checkOracleCase)`);
        return;
      }
      const [lo, hi] = interval;
      const dist = p < lo ? lo - p : p > hi ? p - hi : 0;
      const zq = dist / Math.sqrt(p * (1 - p) * (1 / o.count + 1 / e.count));
      if (2 * normalUpperTail(zq) < alpha) {
        failures.push(`${name}: ${fmt(100 * lo)} % of the engine's draws lie below aihwkit's ${p} quantile ${fmt(e.quantiles[k]!)} (z = ${fmt(zq)})`);
      }
    });
  }
  if (expCorr && ourCorr) {
    for (const [a, b] of corrPairs) {
      const ei = expCorr.names.indexOf(a);
      const ej = expCorr.names.indexOf(b);
      const oi = ourCorr.names.indexOf(a);
      const oj = ourCorr.names.indexOf(b);
      const re = expCorr.matrix[ei]![ej]!;
      const ro = oi >= 0 && oj >= 0 ? ourCorr.matrix[oi]![oj]! : NaN;
      if (!Number.isFinite(re)) continue;
      const n1 = es[a]?.count ?? 0;
      const n2 = os[a]?.count ?? 0;
      const clamp = (r: number): number => Math.max(-0.999999, Math.min(0.999999, r));
      const z = (Math.atanh(clamp(ro)) - Math.atanh(clamp(re))) / Math.sqrt(1 / (n1 - 3) + 1 / (n2 - 3));
      if (!Number.isFinite(ro) || 2 * normalUpperTail(Math.abs(z)) < alpha) {
        failures.push(`correlation ${a} ~ ${b}: ${fmt(ro)} vs aihwkit's ${fmt(re)} (z = ${fmt(z)})`);
      }
    }
  }
  notes.push(
    `d2d: ${tests} distribution tests (mean, std, ${levels.length} quantiles per varying parameter, ${corrPairs.length} correlations; ${allPairs.length - corrPairs.length} pairs with heavy tails not tested) ` +
      `each at p >= ${alpha.toExponential(2)} (|z| <= ${fmt(zCrit)}); a mean shift of ${fmt(minDetect)} std is detected with 90 % power`,
  );
  return { failures, notes };
}
