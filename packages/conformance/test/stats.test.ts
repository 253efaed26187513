import { describe, expect, it } from 'vitest';
import {
  chiSquareLowerQuantile,
  chiSquareUpperQuantile,
  fisherAllInOne,
  fUpperQuantile,
  fUpperTail,
  logGamma,
  normalUpperQuantile,
  normalUpperTail,
  studentTUpperQuantile,
  studentTUpperTail,
  summarize,
  varianceDegreesOfFreedom,
  welchDegreesOfFreedom,
} from '../src/stats.js';

// Reference values from scipy.stats (norm, t, f, chi2).
describe('distribution functions', () => {
  it('log-gamma', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5723649429247001, 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 12);
  });

  it('normal tails and quantiles, far into the tail', () => {
    expect(normalUpperQuantile(0.025)).toBeCloseTo(1.959963984540054, 10);
    expect(normalUpperQuantile(1e-9)).toBeCloseTo(5.997807015007686, 8);
    expect(normalUpperTail(8) / 6.22096057427178e-16).toBeCloseTo(1, 8);
    expect(normalUpperTail(-1)).toBeCloseTo(0.8413447460685429, 12);
  });

  it('Student t', () => {
    expect(studentTUpperQuantile(0.025, 10)).toBeCloseTo(2.228138851986274, 9);
    expect(studentTUpperQuantile(0.005, 4)).toBeCloseTo(4.604094871349993, 9);
    expect(studentTUpperTail(3, 2.5)).toBeCloseTo(0.036288047774515914, 12); // scipy t.sf(3, 2.5)
    expect(studentTUpperQuantile(1e-9, 1e9)).toBeCloseTo(normalUpperQuantile(1e-9), 6);
  });

  it('F and chi-square', () => {
    expect(fUpperQuantile(0.05, 5, 10)).toBeCloseTo(3.325834530413013, 8);
    expect(fUpperTail(1, 7, 7)).toBeCloseTo(0.5, 12);
    expect(chiSquareUpperQuantile(0.025, 10)).toBeCloseTo(20.48317735080739, 8);
    expect(chiSquareLowerQuantile(0.025, 10)).toBeCloseTo(3.246972780236841, 8);
  });
});

describe('sample statistics', () => {
  it('mean, std (ddof 1) and excess kurtosis, with a stride', () => {
    const s = summarize([1, 9, 2, 9, 3, 9, 4, 9], 4, 0, 2);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(s.excessKurtosis).toBeCloseTo((4 * (0.0625 * 2 + 2.25 ** 2 * 2)) / 25 - 3, 12);
  });

  it('degrees of freedom of a variance shrink with heavy tails and stay at n - 1 for light ones', () => {
    expect(varianceDegreesOfFreedom(100, 0)).toBeCloseTo(99, 10);
    expect(varianceDegreesOfFreedom(100, -1.2)).toBe(99);
    expect(varianceDegreesOfFreedom(1000, 100)).toBeCloseTo(2 / (2 / 999 + 0.1), 10);
  });

  it('Welch–Satterthwaite and Fisher', () => {
    expect(welchDegreesOfFreedom(1, 10, 1, 10)).toBeCloseTo(18, 10);
    expect(fisherAllInOne(0, 10, 10)).toBe(1);
    expect(fisherAllInOne(2, 3, 1)).toBeCloseTo((3 / 4) * (2 / 3), 14);
  });
});
