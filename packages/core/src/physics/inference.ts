/**
 * Inference physics of InferenceRPUConfig: the single-pair conductance converter,
 * the PCM-like statistical model (programming noise, conductance-dependent drift
 * exponent ν, drift, 1/f read noise) and the global drift compensation readout.
 *
 * Sources: aihwkit v.0.7.1 `src/aihwkit/inference/converter/conductance.py`
 * (SinglePairConductanceConverter), `inference/noise/pcm.py` (PCMLikeNoiseModel, after
 * Nandakumar et al. 2019), `inference/compensation/drift.py` (GlobalDriftCompensation).
 *
 * aihwkit computes these with float32 torch tensors and Python/numpy float scalars;
 * every tensor step rounds with Math.fround here, scalar-only steps stay in double.
 * Scalar functions are in the subset gpu.js compiles.
 */

// ------------------------------------------------------------------ conductance converter

/** Weight-to-conductance scale (gMax − gMin) / max(max|W|, 1e-7) µS per weight unit. */
export function pcmScaleRatio(absMax: number, gMax: number, gMin: number): number {
  return Math.fround(Math.fround(gMax - gMin) / Math.max(absMax, Math.fround(1e-7)));
}

/** Conductance of the device for the positive part: clamp(w·scale, 0, gMax) + gMin. */
export function pcmConductancePlus(w: number, scale: number, gMax: number, gMin: number): number {
  return Math.fround(Math.min(Math.max(Math.fround(w * scale), 0), Math.fround(gMax)) + Math.fround(gMin));
}

/** Conductance of the device for the negative part: clamp(−w·scale, 0, gMax) + gMin. */
export function pcmConductanceMinus(w: number, scale: number, gMax: number, gMin: number): number {
  return Math.fround(Math.min(Math.max(Math.fround(-w * scale), 0), Math.fround(gMax)) + Math.fround(gMin));
}

/** Back to the weight: ((g+ − gMin) − (g− − gMin)) / scale. */
export function pcmWeightFromConductances(gPlus: number, gMinus: number, gMin: number, scale: number): number {
  const gm = Math.fround(gMin);
  return Math.fround(Math.fround(Math.fround(gPlus - gm) - Math.fround(gMinus - gm)) / scale);
}

// ------------------------------------------------------------------ PCM-like noise model

/**
 * Programming: g + progNoiseScale · σ_prog · ξ, clamped at 0 (no negative conductance).
 * σ_prog = Σ_k prog_coeff_k (g/gMax)^k µS (powerSeries in weights.ts).
 */
export function pcmProgrammedConductance(gTarget: number, sigProg: number, progNoiseScale: number, normal: number): number {
  const g = Math.fround(gTarget + Math.fround(Math.fround(Math.fround(progNoiseScale) * sigProg) * normal));
  return Math.max(g, 0);
}

/** Mean of the drift exponent for g/gMax = gRel: clamp(−0.0155 ln gRel + 0.0244, 0.049, 0.1). */
export function pcmDriftNuMean(logGRel: number): number {
  const v = Math.fround(Math.fround(Math.fround(-0.0155) * logGRel) + Math.fround(0.0244));
  return Math.min(Math.max(v, Math.fround(0.049)), Math.fround(0.1));
}

/** Std of the drift exponent: clamp(−0.0125 ln gRel − 0.0059, 0.008, 0.045). */
export function pcmDriftNuStd(logGRel: number): number {
  const v = Math.fround(Math.fround(Math.fround(-0.0125) * logGRel) - Math.fround(0.0059));
  return Math.min(Math.max(v, Math.fround(0.008)), Math.fround(0.045));
}

/**
 * Drift exponent of a device with target conductance g: |μ(g) + σ(g)·ξ| · driftScale,
 * with gRel = max(|g / gMax|, 1e-7).
 */
export function pcmDriftNu(gTarget: number, gMax: number, driftScale: number, normal: number): number {
  const gRel = Math.max(Math.abs(Math.fround(gTarget / gMax)), Math.fround(1e-7));
  const logG = Math.fround(Math.log(gRel));
  const nu = Math.abs(Math.fround(pcmDriftNuMean(logG) + Math.fround(pcmDriftNuStd(logG) * normal)));
  return Math.fround(nu * Math.fround(driftScale));
}

/**
 * 1/f read-noise amplitude Q_s of a programmed conductance: min(0.0088 / max((|g|/gMax)^0.65, 1e-3), 0.2).
 */
export function pcmReadNoiseQs(gProg: number, gMax: number): number {
  const p = Math.fround(Math.pow(Math.fround(Math.abs(gProg) / gMax), 0.65));
  return Math.min(Math.fround(Math.fround(0.0088) / Math.max(p, Math.fround(1e-3))), Math.fround(0.2));
}

/** sqrt(ln((t + tRead) / (2 tRead))): the time factor of the 1/f read noise at t seconds (double, as numpy). */
export function pcmReadNoiseLogFactor(t: number, tRead: number): number {
  return Math.sqrt(Math.log((t + tRead) / (2 * tRead)));
}

/**
 * The conductance at tInference seconds after programming (t = tInference + t0):
 * drift g·(t/t0)^(−ν) when t > t0, then 1/f read noise with std
 * |g_drift| · readNoiseScale · Q_s(g_prog) · sqrt(ln((t + tRead) / (2 tRead))); clamped at 0.
 */
export function pcmDriftedConductance(
  gProg: number,
  nu: number,
  tInference: number,
  t0: number,
  gMax: number,
  tRead: number,
  readNoiseScale: number,
  normal: number,
): number {
  const t = tInference + t0;
  let g = gProg;
  if (t > t0) {
    g = Math.fround(gProg * Math.fround(Math.pow(Math.fround(t / t0), -nu)));
  }
  if (t > 0) {
    const sig = Math.fround(pcmReadNoiseQs(gProg, gMax) * Math.fround(pcmReadNoiseLogFactor(t, tRead)));
    g = Math.fround(g + Math.fround(Math.fround(Math.fround(Math.abs(g) * Math.fround(readNoiseScale)) * sig) * normal));
  }
  return Math.max(g, 0);
}

// ------------------------------------------------------------------ drift compensation

/**
 * GlobalDriftCompensation readout: max(mean |y|, 1e-4) over the outputs of the
 * one-hot (eye) inputs through the forward pass.
 */
export function driftCompensationReadout(y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += Math.abs(y[i]!);
  return Math.max(Math.fround(sum / y.length), Math.fround(1e-4));
}

/** The compensation factor applied to test outputs: baseline readout / current readout. */
export function driftCompensationAlpha(baseline: number, current: number): number {
  return Math.fround(baseline / current);
}

/**
 * Hidden-parameter names under which an InferenceRPUConfig tile exposes the PCM drift
 * exponents ν of the g+ and g− device of each weight (aihwkit's `nu_drift_list[0]`, `[1]`),
 * drawn at programming; setting them replays aihwkit's draws.
 */
export const PCM_DRIFT_EXPONENTS = ['nu_drift_0', 'nu_drift_1'] as const;
