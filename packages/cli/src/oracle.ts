/**
 * Reading reference case files (the format of the oracle's cases/ and
 * expected/, plain or gzipped) for `crossbar case`, and the largest deviation of an engine's
 * result from a reference result.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { ORACLE_KINDS, OracleFormatError, toDense, type OracleCase, type OracleResult } from '@crossbar/conformance/portable';
import { CliError } from './errors.js';

/** Reads and parses a JSON file (gunzipped when its name ends in .gz), with one-line errors for a missing file and bad JSON. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    const bytes = readFileSync(path);
    text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT' ? `${what} ${path}: no such file` : code === 'EISDIR' ? `${what} ${path}: is a folder` : `${what} ${path}: ${(e as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${what} ${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** The cases of a case file `{"cases": [...]}`, each checked for a name, a known kind and a config. */
export function readCaseFile(path: string): { stem: string; json: unknown; cases: OracleCase[] } {
  const json = readJsonFile(path, 'case file');
  const cases = (json as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(cases)) throw new OracleFormatError(`${path}: a case file is {"cases": [...]} (the format of the oracle's cases/)`);
  const names = new Set<string>();
  cases.forEach((c: unknown, i) => {
    const o = c as Partial<OracleCase> | null;
    if (o === null || typeof o !== 'object' || typeof o.name !== 'string' || o.name === '') {
      throw new OracleFormatError(`${path}: case ${i} needs a "name"`);
    }
    if (!ORACLE_KINDS.includes(o.kind as (typeof ORACLE_KINDS)[number])) {
      throw new OracleFormatError(`${path}: case "${o.name}" has kind ${JSON.stringify(o.kind)}; kinds: ${ORACLE_KINDS.join(', ')}`);
    }
    if (o.config === null || typeof o.config !== 'object' || Array.isArray(o.config)) {
      throw new OracleFormatError(`${path}: case "${o.name}" needs a "config" object`);
    }
    if (names.has(o.name)) throw new OracleFormatError(`${path}: two cases are called "${o.name}"`);
    names.add(o.name);
  });
  return { stem: basename(path).replace(/\.json(\.gz)?$/i, ''), json, cases: cases as OracleCase[] };
}

/** The largest difference between an engine's result and the reference's. */
export interface Deviation {
  /** The array key (e.g. "outputs", "weights"). */
  key: string;
  /** "[i][j]..." of the element. */
  path: string;
  ours: number;
  reference: number;
  /** |ours − reference|. */
  abs: number;
  /** What was compared: "value", or "mean" (per-element mean over reps against the reference's <key>_mean). */
  compared: 'value' | 'mean';
}

const SKIP = new Set(['name', 'kind', 'ok', 'error', 'error_type', 'seed', 'reps', 'reps_case', 'seconds', 't_inference', 'delta_t', 'meta', 'source']);

function pathOf(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  return idx.map((i) => `[${i}]`).join('');
}

function tryDense(v: unknown): ReturnType<typeof toDense> | undefined {
  try {
    const d = toDense(v, '');
    return d.shape.length > 0 ? d : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The element with the largest |ours − reference| over every array of the
 * reference result: deterministic arrays element by element; arrays with
 * `<key>_mean` (stochastic) by our per-element mean over reps against it.
 * Undefined when nothing numeric is comparable (e.g. a refused case).
 */
export function largestDeviation(reference: OracleResult, ours: OracleResult): Deviation | undefined {
  let best: Deviation | undefined;
  const consider = (key: string, compared: Deviation['compared'], a: Float64Array, e: Float64Array, shape: readonly number[]) => {
    for (let i = 0; i < e.length; i++) {
      const x = a[i]!;
      const y = e[i]!;
      let abs: number;
      if (Number.isNaN(x) && Number.isNaN(y)) abs = 0;
      else if (x === y) abs = 0;
      else abs = Math.abs(x - y);
      if (Number.isNaN(abs)) abs = Infinity;
      if (!best || abs > best.abs) best = { key, path: pathOf(i, shape), ours: x, reference: y, abs, compared };
    }
  };
  for (const key of Object.keys(reference)) {
    if (SKIP.has(key) || key.endsWith('_shape') || key.endsWith('_std') || key.endsWith('_first')) continue;
    if (key === 'hidden_parameters') {
      const ref = reference.hidden_parameters as Record<string, unknown> | undefined;
      const mine = (ours.hidden_parameters ?? {}) as Record<string, unknown>;
      for (const [name, v] of Object.entries(ref ?? {})) {
        const e = tryDense(v);
        const a = tryDense(mine[name]);
        if (e && a && a.data.length === e.data.length) consider(`hidden_parameters.${name}`, 'value', a.data, e.data, e.shape);
      }
      continue;
    }
    if (key.endsWith('_mean')) {
      const base = key.slice(0, -5);
      const e = tryDense(reference[key]);
      const a = tryDense(ours[base]);
      if (!e || !a || a.shape.length !== e.shape.length + 1) continue;
      const reps = a.shape[0]!;
      const size = e.data.length;
      if (a.data.length !== reps * size) continue;
      const mean = new Float64Array(size);
      for (let r = 0; r < reps; r++) for (let i = 0; i < size; i++) mean[i] += a.data[r * size + i]! / reps;
      consider(base, 'mean', mean, e.data, e.shape);
      continue;
    }
    if (reference[`${key}_mean`] !== undefined) continue; // compared through its mean
    const e = tryDense(reference[key]);
    const a = tryDense(ours[key]);
    if (e && a && a.data.length === e.data.length) consider(key, 'value', a.data, e.data, e.shape);
  }
  return best;
}

/** The expected results of a file `{"results": [...]}`. */
export function readExpectedFile(path: string): unknown {
  const json = readJsonFile(path, 'expected file');
  if (!Array.isArray((json as { results?: unknown } | null)?.results)) {
    throw new CliError(`expected file ${path}: expected {"results": [...]} (the format of the oracle's expected/)`);
  }
  return json;
}
