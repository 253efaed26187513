/**
 * Inference noise model and drift compensation of aihwkit v.0.7.1
 * (`src/aihwkit/inference/noise/pcm.py`, `converter/conductance.py`,
 * `compensation/drift.py`), as plain configs.
 */
import { defineConfig, num, numList } from './field.js';

const positive = { min: 0, minExclusive: true } as const;
const nonNeg = { min: 0 } as const;

/**
 * PCM-like statistical model of programming noise, drift and 1/f read noise
 * (Nandakumar et al. 2019), on a single-pair conductance converter with
 * conductances in [g_min, g_max] µS.
 */
export const PCMLikeNoiseModel = defineConfig('PCMLikeNoiseModel', {
  progCoeff: numList([0.26348, 1.965, -1.1731], 'Polynomial coefficients of the programming noise std (in µS, of g/g_max).', {
    minLength: 1,
  }),
  gMax: num(25.0, 'Maximal conductance (µS) that the largest weight maps to.', positive),
  gMin: num(0.0, 'Minimal conductance (µS) of the single-pair converter.', nonNeg),
  tRead: num(250.0e-9, 'Duration of a read (s), for the 1/f read noise.', positive),
  t0: num(20.0, 'Time (s) between programming and the first read: drift reference.', { ...positive, py: 't_0' }),
  progNoiseScale: num(1.0, 'Scale of the programming noise.', nonNeg),
  readNoiseScale: num(1.0, 'Scale of the read noise.', nonNeg),
  driftScale: num(1.0, 'Scale of the drift exponent nu.', nonNeg),
});
export type PCMLikeNoiseModel = InstanceType<typeof PCMLikeNoiseModel>;

/** Global drift compensation: one factor from the mean |output| of the one-hot (eye) inputs. */
export const GlobalDriftCompensation = defineConfig('GlobalDriftCompensation', {});
export type GlobalDriftCompensation = InstanceType<typeof GlobalDriftCompensation>;
