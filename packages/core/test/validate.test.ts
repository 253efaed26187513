/** The boundary checks every engine and layer share (validate.ts): InputErrors that say what was wrong. */
import { describe, expect, it } from 'vitest';
import { CrossbarError, InputError, checkFiniteNumber, checkFloat32Array, checkPositiveInteger } from '../src/index.js';

describe('checkPositiveInteger', () => {
  it('passes positive integers through', () => expect(checkPositiveInteger('createTile', 'outSize', 3)).toBe(3));
  for (const bad of [0, -1, 1.5, NaN, Infinity, '3', null, undefined]) {
    it(`refuses ${String(bad)}`, () => {
      expect(() => checkPositiveInteger('createTile', 'outSize', bad)).toThrow(InputError);
      expect(() => checkPositiveInteger('createTile', 'outSize', bad)).toThrow(/createTile: outSize must be a positive integer/);
    });
  }
});

describe('checkFiniteNumber', () => {
  it('passes finite numbers and applies the minimum', () => {
    expect(checkFiniteNumber('update', 'learningRate', 0.1, { min: 0 })).toBe(0.1);
    expect(checkFiniteNumber('update', 'learningRate', 0, { min: 0 })).toBe(0);
    expect(() => checkFiniteNumber('update', 'learningRate', 0, { min: 0, minExclusive: true })).toThrow(/learningRate must be > 0, got 0/);
    expect(() => checkFiniteNumber('update', 'learningRate', -1, { min: 0 })).toThrow(/learningRate must be >= 0, got -1/);
  });
  for (const bad of [NaN, Infinity, -Infinity, '1', null]) {
    it(`refuses ${String(bad)}`, () => expect(() => checkFiniteNumber('drift', 'time', bad)).toThrow(/drift: time must be a finite number/));
  }
});

describe('checkFloat32Array', () => {
  it('passes a Float32Array of the right length (the array itself)', () => {
    const a = new Float32Array(6);
    expect(checkFloat32Array('forward', 'x', a, 6)).toBe(a);
  });
  it('refuses other types, naming what it got', () => {
    expect(() => checkFloat32Array('forward', 'x', [1, 2], 2)).toThrow(/forward: x must be a Float32Array, got an Array/);
    expect(() => checkFloat32Array('forward', 'x', new Float64Array(2), 2)).toThrow(/got Float64Array/);
    expect(() => checkFloat32Array('forward', 'x', null, 2)).toThrow(/got null/);
  });
  it('refuses the wrong length, with the shape', () => {
    expect(() => checkFloat32Array('forward', 'x', new Float32Array(5), 6, { shape: 'batch 2 × inSize 3' })).toThrow(
      /x must have 6 elements \(batch 2 × inSize 3\), got 5/,
    );
  });
  it('refuses non-finite elements unless allowed, naming the index', () => {
    const a = new Float32Array([0, 1, NaN]);
    const e = (() => {
      try {
        checkFloat32Array('setWeights', 'weights', a, 3);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(InputError);
    expect(e).toBeInstanceOf(CrossbarError);
    expect((e as Error).message).toBe('setWeights: weights[2] is NaN; every element must be finite');
    expect(checkFloat32Array('setWeights', 'weights', a, 3, { allowNonFinite: true })).toBe(a);
  });
  it('finds a non-finite element anywhere (in the four-wide scan and in its tail), naming the first', () => {
    for (const n of [1, 4, 5, 9]) {
      for (let i = 0; i < n; i++) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const a = new Float32Array(n).fill(-0.5);
          a[i] = bad;
          if (i + 1 < n) a[n - 1] = NaN;
          expect(() => checkFloat32Array('forward', 'x', a, n)).toThrow(`forward: x[${i}] is ${bad}; every element must be finite`);
        }
      }
      expect(checkFloat32Array('forward', 'x', new Float32Array(n).fill(-3e38), n)).toHaveLength(n);
    }
  });
});
