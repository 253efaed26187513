/**
 * Holds an engine's result of an oracle case against aihwkit's:
 *  - refusals: where aihwkit refused (ok: false) the engine must refuse with a
 *    CrossbarError; where aihwkit ran the case the engine must run it.
 *  - deterministic arrays: element-wise to float32 rounding (Tolerance.ulps of
 *    the array's largest |value|). A quantised MVM output may differ by one ADC
 *    step where it sits on a rounding boundary: such a "flip" is accepted only
 *    when the engine's own unquantised output (the case rerun with out_res off)
 *    lies on the boundary between the two values; flips are counted and reported.
 *  - stochastic arrays (aihwkit gives `<key>_mean` and `<key>_std` over its reps):
 *    per element, Welch's t-test of the means and an F-test of the variances
 *    (degrees of freedom corrected for the kurtosis of the samples), with a
 *    Bonferroni split of FALSE_FAILURE_PER_CHECK over all tests of the case;
 *    elements that are constant on one side use Fisher's exact test on the count
 *    of samples off the constant.
 */
import { configFromDict, IOParameters, rpuConfigFromDict, rpuConfigToDict, type AnalogTileBackend } from '@crossbar/core';
import { indexPath, toDense, type Dense, type OracleCase, type OracleEntry, type OracleResult } from './format.js';
import { runOracleCase, type RunOracleCaseOptions } from './run.js';
import { compareD2d, d2dReference } from './d2d.js';
import { fisherAllInOne, fUpperTail, normalUpperQuantile, studentTUpperTail, summarize, varianceDegreesOfFreedom, welchDegreesOfFreedom } from './stats.js';
import { FALSE_FAILURE_PER_CHECK, floatAllowance, FLOAT32_ULP, type Tolerance } from './tolerance.js';

/** Keys of aihwkit's results that are not compared, with the reason. */
export const NOT_COMPARED_KEYS: Readonly<Record<string, string>> = Object.freeze({});

/** Keys that echo the case or describe the run, not results. */
const META_KEYS = new Set(['name', 'kind', 'ok', 'error', 'error_type', 'seed', 'reps', 'reps_case', 'seconds', 't_inference', 'delta_t']);

/** Error class names that count as a clear, deliberate refusal. */
export const REFUSAL_ERROR_TYPES: readonly string[] = ['CrossbarError', 'ConfigError', 'InputError', 'NotSupportedError', 'BackendError'];

/** An element that differs beyond float rounding but might be a quantisation flip. */
export interface FlipCandidate {
  key: string;
  /** Flat index into the key's array. */
  index: number;
  path: string;
  ours: number;
  aihwkit: number;
  /** The float allowance of the array. */
  allowance: number;
}

/** One compared array. */
export interface ArrayCheck {
  key: string;
  method: 'float32' | 'statistics';
  elements: number;
  failed: number;
  /** For statistics: the smallest p-value seen and the per-test level it was held to. */
  minP?: number;
  alpha?: number;
}

/** How an engine's result of one oracle case compares with aihwkit's. */
export interface CaseComparison {
  /** Whether the engine's result conforms (no failures and no unresolved flip candidates). */
  ok: boolean;
  /** Why not, one line per problem. */
  failures: string[];
  /** Remarks (keys not compared, refusals that matched, statistical levels). */
  notes: string[];
  checks: ArrayCheck[];
  /** Elements that may be quantisation flips; `checkOracleCase` resolves them. */
  flipCandidates: FlipCandidate[];
  /** Flips verified on a rounding boundary (set by `checkOracleCase`). */
  flips: FlipCandidate[];
}

/** Options of `compareOracleResult`. */
export interface CompareOptions {
  /** False-failure probability of this case's statistical tests together (default FALSE_FAILURE_PER_CHECK). */
  falseFailure?: number;
}

const MAX_LISTED = 5;

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? x.toExponential(4) : String(Number(x.toPrecision(7)));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function maxAbsFinite(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const v = Math.abs(data[i]!);
    if (Number.isFinite(v) && v > m) m = v;
  }
  return m;
}

/** Whether a case's MVM quantises its outputs (so a one-step flip on a rounding boundary is possible). */
export function caseQuantisesOutput(c: OracleCase): boolean {
  if (c.kind !== 'forward' && c.kind !== 'backward') return false;
  const io = c.config.io ?? {};
  try {
    const p = configFromDict(IOParameters, io);
    return !p.isPerfect && p.mvType !== 'Ideal' && p.outRes > 0 && p.outBound > 0 && Number.isFinite(p.outBound);
  } catch {
    return false;
  }
}

function decodeOrFail(value: unknown, where: string, failures: string[]): Dense | undefined {
  try {
    return toDense(value, where);
  } catch (e) {
    failures.push(`${where}: ${(e as Error).message}`);
    return undefined;
  }
}

// ---------------------------------------------------------------- deterministic arrays

function compareFloat32(key: string, expected: Dense, ours: Dense, tol: Tolerance, allowFlips: boolean, out: CaseComparison): void {
  if (!sameShape(expected.shape, ours.shape)) {
    out.failures.push(`${key}: shape [${ours.shape.join(', ')}], aihwkit's is [${expected.shape.join(', ')}]`);
    out.checks.push({ key, method: 'float32', elements: expected.data.length, failed: expected.data.length });
    return;
  }
  const scale = maxAbsFinite(expected.data);
  const allowance = floatAllowance(tol, scale);
  const bad: { i: number; a: number; e: number }[] = [];
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i]!;
    const a = ours.data[i]!;
    let ok: boolean;
    if (Number.isNaN(e)) ok = Number.isNaN(a);
    else if (!Number.isFinite(e)) ok = a === e;
    else ok = Number.isFinite(a) && Math.abs(a - e) <= allowance;
    if (ok) continue;
    if (allowFlips && Number.isFinite(a) && Number.isFinite(e)) {
      out.flipCandidates.push({ key, index: i, path: indexPath(i, expected.shape), ours: a, aihwkit: e, allowance });
    } else {
      bad.push({ i, a, e });
    }
  }
  out.checks.push({ key, method: 'float32', elements: expected.data.length, failed: bad.length });
  if (bad.length > 0) {
    bad.sort((p, q) => Math.abs(q.a - q.e) - Math.abs(p.a - p.e) || 0);
    const list = bad
      .slice(0, MAX_LISTED)
      .map((b) => `${indexPath(b.i, expected.shape)} ours ${fmt(b.a)} aihwkit ${fmt(b.e)}`)
      .join('; ');
    out.failures.push(
      `${key}: ${bad.length} of ${expected.data.length} elements differ beyond float32 rounding ` +
        `(allowance ${fmt(allowance)} = ${tol.ulps} × 2^-23 × max|aihwkit| ${fmt(scale)}): ${list}${bad.length > MAX_LISTED ? '; ...' : ''}`,
    );
  }
}

// ---------------------------------------------------------------- stochastic arrays

interface StatSpec {
  key: string;
  mean: Dense;
  std: Dense;
  /** aihwkit's reps. */
  n: number;
  /** aihwkit's raw samples [n × elements], when its file holds all reps. */
  raw?: Dense;
  ours: Dense;
}

function compareStatistics(spec: StatSpec, tol: Tolerance, alpha: number, out: CaseComparison): void {
  const { key, mean, std, n } = spec;
  const elemShape = mean.shape;
  const size = mean.data.length;
  const oursElem = spec.ours.shape.slice(1);
  if (!sameShape(elemShape, oursElem) || !sameShape(std.shape, elemShape)) {
    out.failures.push(`${key}: per-rep shape [${oursElem.join(', ')}], aihwkit's is [${elemShape.join(', ')}]`);
    out.checks.push({ key, method: 'statistics', elements: size, failed: size });
    return;
  }
  const m = spec.ours.shape[0]!;
  if (m < 2 || n < 2) {
    out.failures.push(`${key}: a statistical comparison needs at least 2 reps on each side (ours ${m}, aihwkit's ${n})`);
    return;
  }
  const allowance = floatAllowance(tol, maxAbsFinite(mean.data) + maxAbsFinite(std.data));
  const rawN = spec.raw && spec.raw.shape[0] === n && sameShape(spec.raw.shape.slice(1), elemShape) ? spec.raw : undefined;
  const bad: string[] = [];
  let failed = 0;
  let minP = 1;
  const fail = (i: number, what: string): void => {
    failed++;
    if (bad.length < MAX_LISTED) bad.push(`${indexPath(i, elemShape)} ${what}`);
  };
  for (let i = 0; i < size; i++) {
    const em = mean.data[i]!;
    const es = std.data[i]!;
    const a = summarize(spec.ours.data, m, i, size);
    let nonFinite = false;
    for (let k = 0; k < m; k++) if (!Number.isFinite(spec.ours.data[k * size + i]!)) nonFinite = true;
    if (!Number.isFinite(em) || !Number.isFinite(es)) {
      // aihwkit's samples were non-finite: ours must be the same non-finite value.
      const same = Number.isNaN(em) ? Number.isNaN(a.mean) : a.mean === em;
      if (!same) fail(i, `ours mean ${fmt(a.mean)}, aihwkit's ${fmt(em)}`);
      continue;
    }
    if (nonFinite) {
      fail(i, 'ours has non-finite samples, aihwkit none');
      continue;
    }
    const oursConst = a.std <= allowance;
    const theirsConst = es <= allowance;
    const dMean = Math.max(0, Math.abs(a.mean - em) - allowance);
    if (oursConst && theirsConst) {
      if (dMean > 0) fail(i, `constant on both sides but ours ${fmt(a.mean)}, aihwkit ${fmt(em)}`);
      continue;
    }
    if (oursConst !== theirsConst) {
      // One side constant: Fisher's exact test on the count of samples off the constant value
      // (a t-test would assume the constant side's spread is known, which it is not).
      let k = 0;
      let p: number;
      let what: string;
      if (theirsConst) {
        for (let r = 0; r < m; r++) if (Math.abs(spec.ours.data[r * size + i]! - em) > allowance) k++;
        p = Math.min(1, 2 * fisherAllInOne(k, m, n));
        what = `aihwkit's ${n} samples are all ${fmt(em)}, ${k} of ours (${m}) are not`;
      } else if (rawN) {
        for (let r = 0; r < n; r++) if (Math.abs(rawN.data[r * size + i]! - a.mean) > allowance) k++;
        p = Math.min(1, 2 * fisherAllInOne(k, n, m));
        what = `our ${m} samples are all ${fmt(a.mean)}, ${k} of aihwkit's (${n}) are not`;
      } else {
        // aihwkit's raw samples are not in its file: the fewest samples off our constant that give its
        // mean and std, k >= t²·n / (n − 1 + t²) with t = |mean − constant| / (std / √n) (Cauchy–Schwarz).
        const t = Math.abs(em - a.mean) / (es / Math.sqrt(n));
        k = Math.ceil((t * t * n) / (n - 1 + t * t) - 1e-9);
        p = Math.min(1, 2 * fisherAllInOne(k, n, m));
        what = `our ${m} samples are all ${fmt(a.mean)}, at least ${k} of aihwkit's (${n}) are not (from its mean ${fmt(em)} and std ${fmt(es)})`;
      }
      minP = Math.min(minP, p);
      if (p < alpha) fail(i, `${what}, p = ${fmt(p)}`);
      continue;
    }
    // Means: Welch's t-test.
    const va = a.std * a.std;
    const ve = es * es;
    const se = Math.sqrt(va / m + ve / n);
    const df = welchDegreesOfFreedom(va, m, ve, n);
    const pMean = dMean === 0 ? 1 : Math.min(1, 2 * studentTUpperTail(dMean / se, df));
    minP = Math.min(minP, pMean);
    if (pMean < alpha) {
      fail(i, `mean ${fmt(a.mean)} vs aihwkit ${fmt(em)} (t = ${fmt(dMean / se)}, p = ${fmt(pMean)})`);
      continue;
    }
    // Spreads: F-test, degrees of freedom corrected for the kurtosis.
    let pStd = 1;
    let what = '';
    if (Math.abs(a.std - es) > allowance) {
      const ke = rawN ? summarize(rawN.data, n, i, size).excessKurtosis : a.excessKurtosis;
      const kappa = Math.max(a.excessKurtosis, ke);
      const nuA = varianceDegreesOfFreedom(m, kappa);
      const nuE = varianceDegreesOfFreedom(n, kappa);
      const f = va / ve;
      pStd = Math.min(1, 2 * Math.min(fUpperTail(f, nuA, nuE), fUpperTail(1 / f, nuE, nuA)));
      what = `std ${fmt(a.std)} vs aihwkit ${fmt(es)} (F = ${fmt(f)}, dof ${fmt(nuA)}/${fmt(nuE)})`;
    }
    minP = Math.min(minP, pStd);
    if (pStd < alpha) fail(i, `${what}, p = ${fmt(pStd)}`);
  }
  out.checks.push({ key, method: 'statistics', elements: size, failed, minP, alpha });
  if (failed > 0) {
    out.failures.push(
      `${key}: ${failed} of ${size} elements differ statistically from aihwkit's (${m} reps vs ${n}; ` +
        `each test held to p >= ${fmt(alpha)}): ${bad.join('; ')}${failed > bad.length ? '; ...' : ''}`,
    );
  }
}

// ---------------------------------------------------------------- the comparison

/**
 * Compares an engine's result (`runOracleCase`) with aihwkit's. Pure: flip
 * candidates are returned unresolved (`checkOracleCase` resolves them by a rerun).
 */
export function compareOracleResult(caseObject: OracleCase, expected: OracleResult, actual: OracleResult, tol: Tolerance, options: CompareOptions = {}): CaseComparison {
  const out: CaseComparison = { ok: false, failures: [], notes: [], checks: [], flipCandidates: [], flips: [] };
  if (expected.ok === false) {
    if (actual.ok !== false) {
      out.failures.push(`aihwkit refused this case (${expected.error ?? 'no message'}) but the engine ran it`);
    } else if (!REFUSAL_ERROR_TYPES.includes(actual.error_type ?? '')) {
      out.failures.push(`aihwkit refused this case and so did the engine, but not with a clear CrossbarError: ${actual.error ?? '(no message)'}`);
    } else if (!actual.error || actual.error.length <= (actual.error_type?.length ?? 0) + 2) {
      out.failures.push(`aihwkit refused this case and so did the engine, but with an empty message (${actual.error_type})`);
    } else {
      out.notes.push(`refused as aihwkit did: ours "${actual.error}"; aihwkit "${expected.error}"`);
    }
    out.ok = out.failures.length === 0;
    return out;
  }
  if (actual.ok === false) {
    out.failures.push(`aihwkit ran this case but the engine refused it: ${actual.error ?? '(no message)'}`);
    return out;
  }
  if (caseObject.kind === 'd2d') {
    const d = compareD2d(expected, actual, tol, options.falseFailure);
    out.failures.push(...d.failures);
    out.notes.push(...d.notes);
    out.ok = out.failures.length === 0;
    return out;
  }

  const keys = Object.keys(expected);
  // Stochastic arrays: aihwkit gives <key>_mean and <key>_std (and <key> or <key>_first).
  const statBases = keys.filter((k) => k.endsWith('_mean') && expected[`${k.slice(0, -5)}_std`] !== undefined).map((k) => k.slice(0, -5));
  const baseOf = (key: string): string => {
    for (const suffix of ['_mean', '_std', '_first', '_shape']) if (key.endsWith(suffix)) return key.slice(0, -suffix.length);
    return key;
  };
  const stat: StatSpec[] = [];
  const allowFlips = caseQuantisesOutput(caseObject);
  const stochastic = (expected.reps ?? 1) > 1;
  const noted = new Set<string>();

  for (const base of statBases) {
    if (base in NOT_COMPARED_KEYS) continue;
    if (actual[base] === undefined) {
      out.failures.push(`${base}: missing from the engine's result`);
      continue;
    }
    const mean = decodeOrFail(expected[`${base}_mean`], `aihwkit ${base}_mean`, out.failures);
    const std = decodeOrFail(expected[`${base}_std`], `aihwkit ${base}_std`, out.failures);
    const ours = decodeOrFail(actual[base], `engine ${base}`, out.failures);
    const raw = expected[base] !== undefined ? decodeOrFail(expected[base], `aihwkit ${base}`, out.failures) : undefined;
    if (mean && std && ours) stat.push({ key: base, mean, std, n: expected.reps ?? 1, ours, raw });
  }

  for (const key of keys) {
    if (META_KEYS.has(key) || key.endsWith('_shape') || key.endsWith('_first')) continue;
    const base = baseOf(key);
    if (base in NOT_COMPARED_KEYS) {
      if (!noted.has(base)) out.notes.push(`${base} not compared: ${NOT_COMPARED_KEYS[base]}`);
      noted.add(base);
      continue;
    }
    if (statBases.includes(base)) continue;
    if (key === 'hidden_roundtrip_changed') {
      const e = [...((expected[key] as string[] | undefined) ?? [])].sort();
      const a = [...((actual[key] as string[] | undefined) ?? [])].sort();
      if (e.join(',') !== a.join(',')) out.failures.push(`${key}: aihwkit [${e.join(', ')}], the engine [${a.join(', ')}]`);
      continue;
    }
    if (key === 'hidden_parameters_steps') {
      // compound cases: one dict of hidden parameters per update call
      const exp = (expected[key] ?? []) as Record<string, unknown>[];
      const ours = (actual[key] ?? []) as Record<string, unknown>[];
      if (ours.length !== exp.length) out.failures.push(`${key}: aihwkit recorded ${exp.length} steps, the engine ${ours.length}`);
      else exp.forEach((e, i) => compareHiddenDict(`${key}[${i}]`, e, ours[i] ?? {}, tol, out, stochastic));
      continue;
    }
    if (key === 'hidden_parameters' || key === 'hidden_parameters_final' || key === 'hidden_parameters_initial') {
      const exp = expected[key] as Record<string, unknown> | undefined;
      const ours = (actual[key] ?? {}) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exp ?? {})) {
        const k = `${key}.${name}`;
        if (name === 'persistent_weights' && key !== 'hidden_parameters_initial' && (expected.reps ?? 1) > 1) {
          // rep 0's persistent weights after stochastic updates: one random sample, not comparable element-wise
          out.notes.push(`${k} not compared: one repetition's value after stochastic updates (the weights are compared statistically)`);
          continue;
        }
        if (stochastic && key !== 'hidden_parameters_initial' && isStateParameter(name)) continue; // rep 0's random walk
        if (ours[name] === undefined) {
          out.failures.push(`${k}: the engine's tile has no hidden parameter "${name}" (aihwkit's name); it has: ${Object.keys(ours).join(', ') || 'none'}`);
          continue;
        }
        const e = decodeOrFail(value, `aihwkit ${k}`, out.failures);
        const a = decodeOrFail(ours[name], `engine ${k}`, out.failures);
        if (e && a) compareFloat32(k, e, a, tol, false, out);
      }
      continue;
    }
    if (actual[key] === undefined) {
      out.failures.push(`${key}: missing from the engine's result`);
      continue;
    }
    const e = decodeOrFail(expected[key], `aihwkit ${key}`, out.failures);
    const a = decodeOrFail(actual[key], `engine ${key}`, out.failures);
    if (e && a) compareFloat32(key, e, a, tol, allowFlips && key === 'outputs', out);
  }

  if (stat.length > 0) {
    const tests = stat.reduce((acc, s) => acc + 2 * s.mean.data.length, 0);
    const alpha = (options.falseFailure ?? FALSE_FAILURE_PER_CHECK) / tests;
    const m = stat[0]!.ours.shape[0];
    out.notes.push(
      `statistics: ${tests} tests over ${stat.map((s) => s.key).join(', ')} with ${m} reps vs aihwkit's ${stat[0]!.n}; ` +
        `each at p >= ${fmt(alpha)} (|z| <= ${fmt(normalUpperQuantile(alpha / 2))} for normal data)`,
    );
    for (const s of stat) compareStatistics(s, tol, alpha, out);
  }
  out.ok = out.failures.length === 0 && out.flipCandidates.length === 0;
  return out;
}

/** Hidden parameters that hold a compound's state (weights, buffers), not device draws: random after stochastic updates. */
function isStateParameter(name: string): boolean {
  return /^(hidden_weights|buffered_FP_weight|persistent_weights)/.test(name);
}

function compareHiddenDict(key: string, exp: Record<string, unknown>, ours: Record<string, unknown>, tol: Tolerance, out: CaseComparison, stochastic: boolean): void {
  for (const [name, value] of Object.entries(exp)) {
    const k = `${key}.${name}`;
    if (stochastic && isStateParameter(name)) continue; // rep 0's random walk: compared through the weights' statistics
    if (ours[name] === undefined) {
      out.failures.push(`${k}: the engine's tile has no hidden parameter "${name}" (aihwkit's name)`);
      continue;
    }
    const e = decodeOrFail(value, `aihwkit ${k}`, out.failures);
    const a = decodeOrFail(ours[name], `engine ${k}`, out.failures);
    if (e && a) compareFloat32(k, e, a, tol, false, out);
  }
}

/**
 * The case as the engine runs it, with what aihwkit's result must lend it:
 *  - d2d: aihwkit's quantile levels and values, located in the engine's draws;
 *  - lifecycle: aihwkit's hidden parameters (its construction draws, read before the
 *    ops) injected into the tile, so the ops then match exactly (README: "exact
 *    comparison with injected hidden parameters");
 *  - update with a construction_seed: aihwkit's draws (hidden_parameters_initial, else
 *    hidden_parameters; persistent_weights left to set_weights) injected likewise.
 */
export function caseForEngine(entry: OracleEntry): OracleCase {
  const c = entry.case;
  if (c.kind === 'd2d') {
    const ref = d2dReference(entry.expected);
    if (!ref) return c;
    return { ...c, config: { ...c.config, quantile_levels: ref.levels, reference_quantiles: ref.reference } };
  }
  // compound update cases with device-to-device variation: aihwkit's draws (and cell weights) after set_weights
  const dev = c.config.device as Record<string, unknown> | undefined;
  if ((c.kind === 'update' && dev?.unit_cell_devices !== undefined) || (dev?.type === 'MixedPrecisionCompound' && dev.device !== undefined)) {
    const hp = entry.expected.hidden_parameters_initial as Record<string, unknown> | undefined;
    if (hasConstructionSeed(dev) && hp && entry.expected.ok !== false) return { ...c, hidden_parameters: hp as OracleCase['hidden_parameters'] };
  }
  if (c.kind === 'update' && c.hidden_parameters === undefined && entry.expected.ok !== false && drawsFromConstructionSeed(c)) {
    // device-to-device draws of aihwkit's construction_seed: its own draws, read before the first update
    const hp = (entry.expected.hidden_parameters_initial ?? entry.expected.hidden_parameters) as Record<string, unknown> | undefined;
    if (hp && Object.keys(hp).length > 0) {
      const inject = { ...hp };
      delete inject.persistent_weights; // set_weights writes them
      return { ...c, hidden_parameters: inject as OracleCase['hidden_parameters'] };
    }
  }
  if (c.kind === 'lifecycle' && c.hidden_parameters === undefined && entry.expected.ok !== false) {
    const hp = entry.expected.hidden_parameters as Record<string, unknown> | undefined;
    if (hp && Object.keys(hp).length > 0) {
      const inject = { ...hp };
      // set_hidden is applied by the runner itself (its round trip is part of the case)
      for (const k of Object.keys((c.config.set_hidden as Record<string, unknown> | undefined) ?? {})) delete inject[k];
      return { ...c, hidden_parameters: inject as OracleCase['hidden_parameters'] };
    }
  }
  return c;
}

/**
 * Whether the case's single device draws from aihwkit's construction_seed something our generator
 * cannot reproduce: a construction_seed with device-to-device variation (a `*_dtod` > 0, with
 * aihwkit's defaults for the fields the case omits) or corrupt devices. Without variation the
 * draws are exact and are not injected (injecting would re-estimate dw_min where up_down ≠ 0).
 */
function drawsFromConstructionSeed(c: OracleCase): boolean {
  const given = c.config.device as Record<string, unknown> | undefined;
  if (typeof given?.construction_seed !== 'number' || given.construction_seed === 0) return false;
  let device: Record<string, unknown>;
  try {
    const dict = rpuConfigToDict(rpuConfigFromDict({ type: 'SingleRPUConfig', device: { type: 'ConstantStepDevice', ...given } }));
    device = dict.device as Record<string, unknown>;
  } catch {
    return false; // a refused config: nothing to inject
  }
  return Object.entries(device).some(([k, v]) => (k.endsWith('_dtod') || k === 'corrupt_devices_prob') && typeof v === 'number' && v > 0);
}

function hasConstructionSeed(dev: unknown): boolean {
  if (dev === null || typeof dev !== 'object') return false;
  const d = dev as Record<string, unknown>;
  if (typeof d.construction_seed === 'number' && d.construction_seed !== 0) return true;
  const subs = Array.isArray(d.unit_cell_devices) ? (d.unit_cell_devices as unknown[]) : [];
  return subs.some(hasConstructionSeed) || hasConstructionSeed(d.device);
}

/** Options of `checkOracleCase`: how to run the case and how to compare. */
export interface CheckOracleCaseOptions extends RunOracleCaseOptions, CompareOptions {}

/** One oracle case run on an engine and compared: the comparison, the case id and the engine's result. */
export interface CaseCheck extends CaseComparison {
  id: string;
  /** The engine's result. */
  result: OracleResult;
}

/**
 * Runs one oracle case on the engine and compares it with aihwkit's result,
 * resolving quantisation flips by rerunning the case with output quantisation
 * off: a difference beyond float rounding is a flip only when the engine's
 * unquantised output lies (to float rounding) on the midpoint between ours and
 * aihwkit's value, i.e. on the ADC rounding boundary between them.
 */
export async function checkOracleCase(backend: AnalogTileBackend, entry: OracleEntry, tol: Tolerance, options: CheckOracleCaseOptions = {}): Promise<CaseCheck> {
  const result = await runOracleCase(backend, caseForEngine(entry), options);
  const cmp = compareOracleResult(entry.case, entry.expected, result, tol, options);
  if (cmp.flipCandidates.length > 0) {
    const io = { ...((entry.case.config.io as Record<string, unknown> | undefined) ?? {}), out_res: -1, out_sto_round: false };
    const rerunCase: OracleCase = { ...entry.case, config: { ...entry.case.config, io }, reps: 1 };
    const rerun = await runOracleCase(backend, rerunCase, options);
    const raw = rerun.ok ? toDense(rerun.outputs, 'rerun outputs') : undefined;
    const notFlips: string[] = [];
    for (const c of cmp.flipCandidates) {
      const r = raw?.data[c.index];
      const mid = (c.ours + c.aihwkit) / 2;
      if (r !== undefined && Number.isFinite(r) && Math.abs(r - mid) <= c.allowance + 2 * FLOAT32_ULP * Math.abs(mid)) {
        cmp.flips.push(c);
      } else {
        notFlips.push(
          `${c.path} ours ${fmt(c.ours)} aihwkit ${fmt(c.aihwkit)}` +
            (r === undefined
              ? ` (rerun without output quantisation failed: ${rerun.error ?? 'no output'})`
              : `, our unquantised value ${fmt(r)} is not on the boundary ${fmt(mid)}`),
        );
      }
    }
    if (notFlips.length > 0) {
      cmp.failures.push(
        `outputs: ${notFlips.length} elements differ beyond float32 rounding and are not quantisation flips on a rounding boundary: ` +
          `${notFlips.slice(0, MAX_LISTED).join('; ')}${notFlips.length > MAX_LISTED ? '; ...' : ''}`,
      );
    }
    if (cmp.flips.length > 0) {
      cmp.notes.push(
        `${cmp.flips.length} quantisation flip(s) on a rounding boundary: ${cmp.flips
          .slice(0, MAX_LISTED)
          .map((f) => `${f.path} ours ${fmt(f.ours)} aihwkit ${fmt(f.aihwkit)}`)
          .join('; ')}`,
      );
    }
    cmp.flipCandidates = [];
    cmp.ok = cmp.failures.length === 0;
  }
  return { ...cmp, id: entry.id, result };
}
