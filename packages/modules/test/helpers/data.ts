/** Test data made in the tests, from core's counter-based generator (reproducible). */
import { RandomStream } from '@crossbar/core';

/** n uniform numbers in [lo, hi) from (seed, sub). */
export function uniform(n: number, seed: number, lo = -1, hi = 1, sub = 0): Float32Array {
  const u = new RandomStream(seed, 999, 0, sub).fillUniform(new Float64Array(n));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * u[i]!;
  return out;
}

/** n standard normal numbers from (seed, sub). */
export function normal(n: number, seed: number, sub = 0): Float64Array {
  return new RandomStream(seed, 998, 0, sub).fillNormal(new Float64Array(n)) as Float64Array;
}

export interface Dataset {
  x: Float32Array;
  labels: Int32Array;
  n: number;
  features: number;
  classes: number;
}

/** Three Gaussian blobs in 2-D (centres on a circle of radius `radius`, std `std`), `perClass` points each. */
export function blobs(perClass: number, seed: number, radius = 1, std = 0.3): Dataset {
  const classes = 3;
  const n = perClass * classes;
  const z = normal(2 * n, seed);
  const x = new Float32Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    const a = (2 * Math.PI * c) / classes;
    x[2 * i] = radius * Math.cos(a) + std * z[2 * i]!;
    x[2 * i + 1] = radius * Math.sin(a) + std * z[2 * i + 1]!;
    labels[i] = c;
  }
  return { x, labels, n, features: 2, classes };
}

/** Two interleaved spirals (labels 0/1), `perClass` points each, with a little noise. */
export function twoSpirals(perClass: number, seed: number, turns = 1.25, noise = 0.03): Dataset {
  const n = 2 * perClass;
  const z = normal(2 * n, seed);
  const x = new Float32Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = (Math.floor(i / 2) + 0.5) / perClass; // (0, 1)
    const r = 0.15 + 0.85 * t;
    const a = 2 * Math.PI * turns * t + c * Math.PI;
    x[2 * i] = r * Math.cos(a) + noise * z[2 * i]!;
    x[2 * i + 1] = r * Math.sin(a) + noise * z[2 * i + 1]!;
    labels[i] = c;
  }
  return { x, labels, n, features: 2, classes: 2 };
}

/** Rows [start, start + count) of a dataset (wrapping around), as a batch. */
export function batchOf(d: Dataset, start: number, count: number, order?: Int32Array): { x: Float32Array; labels: Int32Array } {
  const x = new Float32Array(count * d.features);
  const labels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const i0 = (start + k) % d.n;
    const i = order ? order[i0]! : i0;
    x.set(d.x.subarray(i * d.features, (i + 1) * d.features), k * d.features);
    labels[k] = d.labels[i]!;
  }
  return { x, labels };
}

/** A permutation of [0, n) from (seed, epoch). */
export function permutation(n: number, seed: number, epoch: number): Int32Array {
  const u = new RandomStream(seed, 997, 0, epoch).fillUniform(new Float64Array(n));
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => u[a]! - u[b]!);
  return Int32Array.from(idx);
}

export function argmaxRows(y: Float32Array, batch: number): Int32Array {
  const k = y.length / batch;
  const out = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (y[b * k + c]! > y[b * k + best]!) best = c;
    out[b] = best;
  }
  return out;
}

export function accuracy(pred: Int32Array, labels: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) ok++;
  return ok / pred.length;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
