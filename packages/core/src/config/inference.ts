/**
 * Inference noise model and drift compensation of aihwkit v.0.7.1
 * (`src/aihwkit/inference/noise/pcm.py`, `converter/conductance.py`,
 * `compensation/drift.py`), as plain configs. aihwkit's noise model is not a
 * dataclass: its constructor arguments are the fields here, and the
 * `SinglePairConductanceConverter`'s `g_min` is folded in (aihwkit takes
 * `g_max` from the converter too).
 */
import { defineConfig, num, numList } from './field.js';

const positive = { min: 0, minExclusive: true } as const;
const nonNeg = { min: 0 } as const;

/**
 * PCM-like statistical model of programming noise, drift and 1/f read noise
 * (Nandakumar et al. 2019), on a single-pair conductance converter with
 * conductances in [g_min, g_max] µS.
 */
export const PCMLikeNoiseModel = defineConfig(
  'PCMLikeNoiseModel',
  {
    progCoeff: numList([0.26348, 1.965, -1.1731], 'Polynomial coefficients (µS) of the programming noise std in g/g_max: c0 + c1 (g/g_max) + c2 (g/g_max)^2.', {
      minLength: 1,
    }),
    gMax: num(25.0, 'Maximal conductance (µS): the abs max of the weights maps to it.', positive),
    gMin: num(0.0, 'Minimal conductance (µS): a zero weight maps to it (SinglePairConductanceConverter).', nonNeg),
    tRead: num(250.0e-9, 'Duration of a read (s), parameter of the 1/f read noise.', positive),
    t0: num(20.0, 'Time (s) between programming and the first read: the reference of the drift; t_inference counts from it.', {
      ...positive,
      py: 't_0',
    }),
    progNoiseScale: num(1.0, 'Scale of the programming noise.', nonNeg),
    readNoiseScale: num(1.0, 'Scale of the read (and accumulated 1/f) noise.', nonNeg),
    driftScale: num(1.0, 'Scale of the drift coefficient nu.', nonNeg),
  },
  (m, refuse) => {
    // aihwkit v.0.7.1 src/aihwkit/inference/converter/conductance.py
    if (m.gMin > m.gMax) refuse('gMin', `expected gMin (g_min) <= gMax (g_max) = ${m.gMax} (aihwkit: "g_min should be smaller than g_max")`);
  },
);
export type PCMLikeNoiseModel = InstanceType<typeof PCMLikeNoiseModel>;

/** Global drift compensation: one factor from the mean |output| of the one-hot (eye) inputs. */
export const GlobalDriftCompensation = defineConfig('GlobalDriftCompensation', {});
export type GlobalDriftCompensation = InstanceType<typeof GlobalDriftCompensation>;
