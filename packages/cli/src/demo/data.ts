/**
 * Digital pre-processing of the digits: standardisation with the training
 * set's pixel mean and std, and random shifts of training digits (data
 * augmentation). Test digits are only standardised.
 */
import { RandomStream, RandomStreamId } from '@crossbar/core';
import { IMAGE_SIZE, type Digits } from './mnist.js';

const SIDE = 28;

/** Mean and std of every pixel value of a set (the training set's, so the test set stays unseen). */
export function pixelStats(d: Digits): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  const n = d.images.length;
  for (let i = 0; i < n; i++) {
    const v = d.images[i]!;
    s += v;
    s2 += v * v;
  }
  const mean = s / n;
  const std = Math.sqrt(Math.max(s2 / n - mean * mean, 0));
  return { mean, std: std > 0 ? std : 1 };
}

/** A copy of the set with pixels (x − mean) / std. */
export function standardize(d: Digits, stats: { mean: number; std: number }): Digits {
  const images = new Float32Array(d.images.length);
  for (let i = 0; i < images.length; i++) images[i] = (d.images[i]! - stats.mean) / stats.std;
  return { images, labels: d.labels, count: d.count };
}

/**
 * The set with each digit shifted by (dx, dy) ∈ [−maxShift, maxShift]²
 * pixels, the uncovered border filled with `background`. The shifts are
 * seeded: stream DemoData, call 1 + epoch, sub 1, elements 2i and 2i + 1 for
 * digit i of the set.
 */
export function shiftedCopy(d: Digits, maxShift: number, background: number, seed: number, epoch: number, out?: Digits): Digits {
  const res: Digits = out ?? { images: new Float32Array(d.images.length), labels: d.labels, count: d.count };
  const span = 2 * maxShift + 1;
  const u = new RandomStream(seed, RandomStreamId.DemoData, 1 + epoch, 1).fillUniform(new Float64Array(2 * d.count));
  for (let k = 0; k < d.count; k++) {
    const dx = Math.min(span - 1, Math.floor(u[2 * k]! * span)) - maxShift;
    const dy = Math.min(span - 1, Math.floor(u[2 * k + 1]! * span)) - maxShift;
    const src = k * IMAGE_SIZE;
    for (let r = 0; r < SIDE; r++) {
      const sr = r - dy;
      for (let c = 0; c < SIDE; c++) {
        const sc = c - dx;
        res.images[src + r * SIDE + c] = sr >= 0 && sr < SIDE && sc >= 0 && sc < SIDE ? d.images[src + sr * SIDE + sc]! : background;
      }
    }
  }
  return res;
}
