/**
 * Shared by training*.test.ts and inference*.test.ts: the aihwkit oracle
 * (read through @crossbar/conformance's packaged copy), a perfect float32 MVM that stands in for the
 * MVM module (these tests check the weights' physics, not the IO), and
 * statistics for comparing noisy results with aihwkit's.
 */
import { loadOracle as loadPackagedOracle } from '@crossbar/conformance/node';
import type { MvDirection, TileSpec } from '@crossbar/core';
import type { MvmKernels } from '../src/mvm.js';

export type Nested = number | string | Nested[];

/** One file of the aihwkit oracle packaged with @crossbar/conformance: its cases and aihwkit's results. */
export function readOracleFile(file: string): { cases: unknown[]; results: unknown[] } {
  const { oracle, reason } = loadPackagedOracle();
  if (!oracle) throw new Error(`the aihwkit oracle did not load: ${reason}`);
  const found = oracle.files.find((f) => f.file === file);
  if (!found) throw new Error(`the aihwkit oracle has no file ${file}`);
  return { cases: found.cases, results: found.expected };
}

export interface OracleCase {
  name: string;
  kind: string;
  seed?: number;
  reps?: number;
  weights?: Nested;
  inputs?: Nested;
  config: Record<string, unknown>;
}

export type OracleResult = Record<string, unknown> & { name: string; ok: boolean };

function num(v: Nested): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return Math.fround(v as number);
}

/** A nested list flattened into a Float32Array (row-major), with the oracle's non-finite strings. */
export function flat(v: unknown): Float32Array {
  const out: number[] = [];
  const walk = (x: Nested): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else out.push(num(x));
  };
  walk(v as Nested);
  return Float32Array.from(out);
}

/** Cases and aihwkit's results of one oracle file, paired by name. */
export function loadOracle(file: string): { c: OracleCase; e: OracleResult }[] {
  const { cases, results } = readOracleFile(file) as { cases: OracleCase[]; results: OracleResult[] };
  const byName = new Map(results.map((r) => [r.name, r]));
  return cases.map((c) => ({ c, e: byName.get(c.name)! }));
}

/** y = W x in float32 (what aihwkit's is_perfect forward gives), z = Wᵀ d for backward: the mock of the MVM kernels. */
export function createPerfectMvm(spec: TileSpec): MvmKernels {
  const { outSize, inSize } = spec;
  return {
    perfectMvm(direction: MvDirection, w: Float32Array, x: Float32Array, batch: number, outScale: number): Float32Array {
      const forward = direction === 'forward';
      const nOut = forward ? outSize : inSize;
      const nIn = forward ? inSize : outSize;
      const y = new Float32Array(batch * nOut);
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < nOut; i++) {
          let s = 0;
          for (let j = 0; j < nIn; j++) s += (forward ? w[i * inSize + j]! : w[j * inSize + i]!) * x[b * nIn + j]!;
          y[b * nOut + i] = outScale === 1 ? s : outScale * Math.fround(s);
        }
      }
      return y;
    },
  };
}

/** The one-hot inputs [n × n]. */
export function eye(n: number): Float32Array {
  const e = new Float32Array(n * n);
  for (let i = 0; i < n; i++) e[i * n + i] = 1;
  return e;
}

/** [out × in] from forward outputs on eye(in) ([in × out]): the weights the forward pass used. */
export function transpose(y: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = y[r * cols + c]!;
  return t;
}

/** Largest |a − b| / (atol + rtol·|b|) — at most 1 when a ≈ b. */
export function closeness(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol = 0): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Infinity;
    worst = Math.max(worst, d / (atol + rtol * Math.abs(b[i]!)));
  }
  return worst;
}

/** Per-element mean and std (ddof 1) of samples [n][size]. */
export function meanStd(samples: Float32Array[]): { mean: Float64Array; std: Float64Array } {
  const n = samples.length;
  const size = samples[0]!.length;
  const mean = new Float64Array(size);
  const std = new Float64Array(size);
  for (const s of samples) for (let i = 0; i < size; i++) mean[i]! += s[i]! / n;
  for (const s of samples) for (let i = 0; i < size; i++) std[i]! += (s[i]! - mean[i]!) ** 2 / (n - 1);
  for (let i = 0; i < size; i++) std[i] = Math.sqrt(std[i]!);
  return { mean, std };
}

/**
 * Compares our per-element statistics (n samples) with aihwkit's (m samples):
 * the worst z-score of the mean difference and of the std difference (the std's
 * standard error is about std / sqrt(2 (n − 1))); `floor` absorbs float32 noise
 * where a std is (nearly) zero.
 */
export function statZ(
  ours: { mean: ArrayLike<number>; std: ArrayLike<number> },
  n: number,
  ref: { mean: ArrayLike<number>; std: ArrayLike<number> },
  m: number,
  floor = 1e-6,
): { mean: number; std: number } {
  let zm = 0;
  let zs = 0;
  for (let i = 0; i < ref.mean.length; i++) {
    const so = ours.std[i]!;
    const sr = ref.std[i]!;
    const seMean = Math.sqrt((so * so) / n + (sr * sr) / m) + floor;
    zm = Math.max(zm, Math.abs(ours.mean[i]! - ref.mean[i]!) / seMean);
    const seStd = Math.sqrt((so * so) / (2 * (n - 1)) + (sr * sr) / (2 * (m - 1))) + floor;
    zs = Math.max(zs, Math.abs(so - sr) / seStd);
  }
  return { mean: zm, std: zs };
}
