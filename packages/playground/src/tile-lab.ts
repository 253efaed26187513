/**
 * The tile view's computation, without the page: one analog tile with the
 * chosen RPU config and engine, its forward pass on the inputs against the
 * exact product W·x, the error statistics and the bound-management passes per
 * input vector, and the time per call. The page shows what this returns; the
 * Node test recomputes it with the same seed and compares.
 */
import type { AnalogTileBackend, RPUConfig } from '@crossbar/core';

export interface TileStats {
  /** Output values compared (batch · outSize). */
  outputs: number;
  /** Root mean square of the ideal outputs W·x. */
  rmsIdeal: number;
  /** Root mean square of analog − ideal. */
  rmsError: number;
  /** rmsError / rmsIdeal (NaN when the ideal outputs are all 0). */
  relativeError: number;
  /** Largest |analog − ideal|. */
  maxAbsError: number;
  /** Pearson correlation of analog and ideal outputs (NaN when either is constant). */
  correlation: number;
  /** Mean analog passes per input vector (null: the engine does not report them). */
  meanPasses: number | null;
  maxPasses: number | null;
  /** passHistogram[k] = input vectors that took k passes (null: not reported). */
  passHistogram: number[] | null;
}

export interface TileRun {
  analog: Float32Array;
  ideal: Float64Array;
  passes: Int32Array | null;
  stats: TileStats;
  /** Milliseconds of the first forward call (on gpu.js: with compiling the kernels). */
  firstCallMs: number;
  /** Median milliseconds of the further calls (NaN when none were timed). */
  medianCallMs: number;
  timedCalls: number;
}

/** y[b·out + i] = Σ_j W[i·in + j] · x[b·in + j] in float64: the exact digital product. */
export function idealProduct(w: Float32Array, x: Float32Array, outSize: number, inSize: number, batch: number): Float64Array {
  const y = new Float64Array(batch * outSize);
  for (let b = 0; b < batch; b++) {
    const xo = b * inSize;
    for (let i = 0; i < outSize; i++) {
      const wo = i * inSize;
      let s = 0;
      for (let j = 0; j < inSize; j++) s += w[wo + j]! * x[xo + j]!;
      y[b * outSize + i] = s;
    }
  }
  return y;
}

export function tileStats(analog: ArrayLike<number>, ideal: ArrayLike<number>, passes: ArrayLike<number> | null): TileStats {
  const n = ideal.length;
  let se = 0;
  let si = 0;
  let maxAbs = 0;
  let ma = 0;
  let mi = 0;
  for (let k = 0; k < n; k++) {
    const a = analog[k]!;
    const i = ideal[k]!;
    const e = a - i;
    se += e * e;
    si += i * i;
    if (Math.abs(e) > maxAbs) maxAbs = Math.abs(e);
    ma += a;
    mi += i;
  }
  ma /= n;
  mi /= n;
  let cov = 0;
  let va = 0;
  let vi = 0;
  for (let k = 0; k < n; k++) {
    const da = analog[k]! - ma;
    const di = ideal[k]! - mi;
    cov += da * di;
    va += da * da;
    vi += di * di;
  }
  const rmsIdeal = Math.sqrt(si / n);
  const rmsError = Math.sqrt(se / n);
  let meanPasses: number | null = null;
  let maxPasses: number | null = null;
  let passHistogram: number[] | null = null;
  if (passes !== null) {
    passHistogram = [];
    let sum = 0;
    let max = 0;
    for (let b = 0; b < passes.length; b++) {
      const p = passes[b]!;
      sum += p;
      if (p > max) max = p;
      while (passHistogram.length <= p) passHistogram.push(0);
      passHistogram[p]!++;
    }
    meanPasses = passes.length ? sum / passes.length : 0;
    maxPasses = max;
  }
  return {
    outputs: n,
    rmsIdeal,
    rmsError,
    relativeError: rmsIdeal > 0 ? rmsError / rmsIdeal : NaN,
    maxAbsError: maxAbs,
    correlation: va > 0 && vi > 0 ? cov / Math.sqrt(va * vi) : NaN,
    meanPasses,
    maxPasses,
    passHistogram,
  };
}

export interface RunTileOptions {
  outSize: number;
  inSize: number;
  batch: number;
  seed: number;
  /** Stop timing further calls once this many milliseconds are spent (default 600). */
  timingBudgetMs?: number;
  /** At most this many further calls are timed (default 7). */
  maxTimedCalls?: number;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * A fresh tile (seed `seed`) with weights `w` on `backend`, one forward call in
 * inference mode on `x`: its outputs, passes and statistics. Then further calls
 * (other noise draws, results unused) time the engine. The tile is disposed.
 */
export async function runTile(backend: AnalogTileBackend, rpuConfig: RPUConfig, w: Float32Array, x: Float32Array, o: RunTileOptions): Promise<TileRun> {
  const ideal = idealProduct(w, x, o.outSize, o.inSize, o.batch);
  const tile = await backend.createTile({ outSize: o.outSize, inSize: o.inSize, rpuConfig, seed: o.seed });
  try {
    await tile.setWeights(w);
    let t = performance.now();
    const analog = await tile.forward(x, o.batch, { isTest: true });
    const firstCallMs = performance.now() - t;
    const passes = tile.getForwardPassCounts ? await tile.getForwardPassCounts() : null;
    const budget = o.timingBudgetMs ?? 600;
    const maxCalls = o.maxTimedCalls ?? 7;
    const times: number[] = [];
    const start = performance.now();
    while (times.length < maxCalls && performance.now() - start < budget) {
      t = performance.now();
      await tile.forward(x, o.batch, { isTest: true });
      times.push(performance.now() - t);
    }
    return {
      analog,
      ideal,
      passes,
      stats: tileStats(analog, ideal, passes),
      firstCallMs,
      medianCallMs: median(times),
      timedCalls: times.length,
    };
  } finally {
    await tile.dispose();
  }
}
