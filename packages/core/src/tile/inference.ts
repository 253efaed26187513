/**
 * Inference of an InferenceRPUConfig tile: programming with the PCM-like noise
 * model, drift with 1/f read noise to an absolute time since programming, and the
 * global drift compensation measured with the forward pass. The formulas are in
 * physics/inference.ts.
 *
 * As aihwkit v.0.7.1 `src/aihwkit/simulator/tiles/inference.py` (InferenceTile):
 * - programWeights(): the reference weights (those current at the first programming
 *   since they last changed) are converted to a conductance pair (single-pair
 *   converter, max|W| ↦ g_max), each conductance gets programming noise, and the drift
 *   exponents ν of both devices are drawn from the *target* conductances; the tile's
 *   weights become the programmed weights. With drift compensation the baseline
 *   readout is measured on them.
 * - driftWeights(t): the programmed weights are converted to conductances again (max of
 *   the programmed weights ↦ g_max, as aihwkit does), drifted by (t + t0)/t0 to the −ν
 *   and given 1/f read noise; the tile's weights become the result, and the drift
 *   compensation alpha = baseline / readout is measured with the forward pass on the
 *   one-hot inputs (eye), in test mode, without the digital output scales.
 * - forward in test mode multiplies by alpha (post_forward).
 *
 * Where aihwkit keeps stale state this engine does not (docs/inference.md): setting
 * or updating, clipping or remapping the weights forgets the programming (aihwkit would
 * drift its old programmed weights and overwrite the new ones), and programming resets
 * alpha to 1 (aihwkit keeps the alpha of the previous drift until the next one).
 *
 * Hidden parameters: `nu_drift_0` and `nu_drift_1`, the drift exponents of the g+ and
 * g− device of each weight (aihwkit's `nu_drift_list[0]`, `[1]`), drawn by each
 * programming; setting them replaces the exponents the next drift uses.
 *
 * Random draws (stream ids in rng.ts), element i = row · inSize + column,
 * sub = 0 for the g+ device and 1 for the g− device:
 *   ProgrammingNoise    call of programWeights   normal  programming noise
 *   InferenceDrift      call of programWeights   normal  drift exponent ν
 *   InferenceReadNoise  call of driftWeights     normal  1/f read noise
 * The forward passes of the compensation readout take their own calls (MVM streams).
 */
import { InferenceRPUConfig } from '../config/rpu-configs.js';
import { ConfigError, NotSupportedError } from '../errors.js';
import { RandomStreamId } from '../rng.js';
import {
  PCM_DRIFT_EXPONENTS,
  driftCompensationAlpha,
  driftCompensationReadout,
  pcmConductanceMinus,
  pcmConductancePlus,
  pcmDriftNu,
  pcmDriftedConductance,
  pcmProgrammedConductance,
  pcmScaleRatio,
  pcmWeightFromConductances,
} from '../physics/inference.js';
import { powerSeries, weightsAbsMax } from '../physics/weights.js';
import type { HiddenParameters, TileState } from '../tile.js';
import type { TileContext } from './context.js';
import { streamFillsOf } from './fills.js';
import type { TileMvm } from './mvm.js';
import type { TrainingState } from './training.js';
import { checkStateArray, checkStateScalar } from './state-checks.js';

export interface InferenceState {
  /** Whether the tile's config is an InferenceRPUConfig (drift means PCM drift to absolute time). */
  readonly isInference: boolean;
  /** The drift compensation factor applied in test mode (1 until measured). */
  readonly compensationScale: number;
  program(): void;
  drift(tInference: number): void;
  /** Multiplies y by the drift compensation factor when isTest. */
  compensateOutput(y: Float32Array, isTest: boolean): void;
  /** The weights were set, updated, clipped or remapped: the programming is forgotten. */
  onWeightsSet(): void;
  getHiddenParameters(): HiddenParameters;
  setHiddenParameters(params: Partial<HiddenParameters>): void;
  /** Throws an InputError if the saved state does not fit this tile (called before anything changes). */
  checkState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}
const KEY_REFERENCE = 'inference.referenceWeights';
const KEY_PROGRAMMED = 'inference.programmedWeights';
const KEY_ALPHA = 'inference.alpha';
const KEY_BASELINE = 'inference.baseline';
const KEY_TIME = 'inference.tInference';

function notInference(ctx: TileContext, where: string): never {
  throw new NotSupportedError(
    `${where}: only InferenceRPUConfig tiles are programmed and drifted with a noise model; this tile's config is ` +
      `${ctx.rpuConfig.constructor.name} (aihwkit's pulsed program_weights by update iterations is not implemented)`,
  );
}

export function createInferenceState(ctx: TileContext, mvm: TileMvm, training: TrainingState): InferenceState {
  const cfg = ctx.rpuConfig;
  if (!(cfg instanceof InferenceRPUConfig)) {
    return {
      isInference: false,
      compensationScale: 1,
      program: () => notInference(ctx, 'programWeights'),
      drift: () => notInference(ctx, 'driftWeights'),
      compensateOutput() {},
      onWeightsSet() {},
      getHiddenParameters: () => ({}),
      setHiddenParameters() {},
      checkState() {},
      saveState() {},
      loadState() {},
    };
  }

  const { outSize, inSize } = ctx;
  const size = outSize * inSize;
  const fills = streamFillsOf(ctx.kernels);
  const nm = cfg.noiseModel;
  if (!(nm.gMax > nm.gMin)) {
    throw new ConfigError(
      `InferenceRPUConfig.noiseModel: gMax (g_max) = ${nm.gMax} must be greater than gMin (g_min) = ${nm.gMin}: ` +
        'the weights are mapped onto [g_min, g_max] (an empty range divides by zero)',
    );
  }
  const compensation = cfg.driftCompensation !== null;
  const nu: [Float32Array, Float32Array] = [new Float32Array(size), new Float32Array(size)];
  let reference: Float32Array | null = null;
  let programmed: Float32Array | null = null;
  let baseline: number | null = null;
  let alpha = 1;
  let tInference: number | null = null;
  // Scratch (allocated on first use): conductances of both devices, draws, the eye inputs.
  let g: [Float32Array, Float32Array] | null = null;
  let draws: Float32Array | null = null;
  let eye: Float32Array | null = null;

  const scratch = (): { g: [Float32Array, Float32Array]; draws: Float32Array } => {
    g ??= [new Float32Array(size), new Float32Array(size)];
    draws ??= new Float32Array(size);
    return { g, draws };
  };

  /**
   * mean |y| of the forward pass (forward IO, no digital scales) on the one-hot inputs. aihwkit
   * reads with the test-mode weights; programming and drift have just dropped any modified copy
   * (training.onWeightsSet), so those are the tile's weights.
   */
  function readout(): number {
    if (eye === null) {
      eye = new Float32Array(inSize * inSize);
      for (let j = 0; j < inSize; j++) eye[j * inSize + j] = 1;
    }
    return driftCompensationReadout(mvm.forward(ctx.weights, eye, inSize));
  }

  function program(): void {
    const w = ctx.weights;
    const ref = reference ?? w.slice();
    const s = scratch();
    const call = ctx.nextRandomCall();
    const scale = pcmScaleRatio(weightsAbsMax(ref, outSize, inSize), nm.gMax, nm.gMin);
    for (let k = 0; k < 2; k++) {
      const conductance = k === 0 ? pcmConductancePlus : pcmConductanceMinus;
      const gk = s.g[k]!;
      const noise = fills.normal(s.draws, ctx.seed, RandomStreamId.ProgrammingNoise, call, k);
      for (let i = 0; i < size; i++) {
        const target = conductance(ref[i]!, scale, nm.gMax, nm.gMin);
        const sig = powerSeries(nm.progCoeff, Math.fround(target / nm.gMax));
        gk[i] = pcmProgrammedConductance(target, sig, nm.progNoiseScale, noise[i]!);
      }
      const nuNoise = fills.normal(s.draws, ctx.seed, RandomStreamId.InferenceDrift, call, k);
      const nuk = nu[k]!;
      for (let i = 0; i < size; i++) {
        nuk[i] = pcmDriftNu(conductance(ref[i]!, scale, nm.gMax, nm.gMin), nm.gMax, nm.driftScale, nuNoise[i]!);
      }
    }
    for (let i = 0; i < size; i++) w[i] = pcmWeightFromConductances(s.g[0][i]!, s.g[1][i]!, nm.gMin, scale);
    reference = ref;
    programmed = w.slice();
    training.onWeightsSet();
    alpha = 1;
    tInference = null;
    baseline = compensation ? readout() : null;
  }

  function drift(t: number): void {
    if (programmed === null) program();
    const p = programmed!;
    const w = ctx.weights;
    const s = scratch();
    const call = ctx.nextRandomCall();
    const scale = pcmScaleRatio(weightsAbsMax(p, outSize, inSize), nm.gMax, nm.gMin);
    for (let k = 0; k < 2; k++) {
      const conductance = k === 0 ? pcmConductancePlus : pcmConductanceMinus;
      const gk = s.g[k]!;
      const nuk = nu[k];
      const noise = fills.normal(s.draws, ctx.seed, RandomStreamId.InferenceReadNoise, call, k);
      for (let i = 0; i < size; i++) {
        const gProg = conductance(p[i]!, scale, nm.gMax, nm.gMin);
        gk[i] = pcmDriftedConductance(gProg, nuk[i]!, t, nm.t0, nm.gMax, nm.tRead, nm.readNoiseScale, noise[i]!);
      }
    }
    for (let i = 0; i < size; i++) w[i] = pcmWeightFromConductances(s.g[0][i]!, s.g[1][i]!, nm.gMin, scale);
    training.onWeightsSet();
    tInference = t;
    if (compensation) alpha = driftCompensationAlpha(baseline ?? readout(), readout());
  }

  return {
    isInference: true,
    get compensationScale() {
      return alpha;
    },
    program,
    drift,

    compensateOutput(y, isTest) {
      if (!isTest || !compensation || alpha === 1) return;
      for (let i = 0; i < y.length; i++) y[i] = Math.fround(y[i]! * alpha);
    },

    onWeightsSet() {
      reference = null;
      programmed = null;
      baseline = null;
      alpha = 1;
      tInference = null;
    },

    getHiddenParameters: () => ({ [PCM_DRIFT_EXPONENTS[0]]: nu[0].slice(), [PCM_DRIFT_EXPONENTS[1]]: nu[1].slice() }),

    setHiddenParameters(params) {
      for (let k = 0; k < 2; k++) {
        const v = params[PCM_DRIFT_EXPONENTS[k]!];
        if (v !== undefined) nu[k]!.set(v);
      }
    },

    checkState(arrays, scalars) {
      checkStateArray(arrays, KEY_REFERENCE, size, true);
      checkStateArray(arrays, KEY_PROGRAMMED, size, true);
      for (const key of [KEY_ALPHA, KEY_BASELINE, KEY_TIME]) checkStateScalar(scalars, key);
    },

    saveState(arrays, scalars) {
      arrays[KEY_REFERENCE] = reference ? Array.from(reference) : null;
      arrays[KEY_PROGRAMMED] = programmed ? Array.from(programmed) : null;
      scalars[KEY_ALPHA] = alpha;
      scalars[KEY_BASELINE] = baseline;
      scalars[KEY_TIME] = tInference;
    },

    loadState(arrays, scalars) {
      const ref = arrays[KEY_REFERENCE];
      const prog = arrays[KEY_PROGRAMMED];
      reference = ref ? Float32Array.from(ref) : null;
      programmed = prog ? Float32Array.from(prog) : null;
      alpha = scalars[KEY_ALPHA] ?? 1;
      baseline = scalars[KEY_BASELINE] ?? null;
      tInference = scalars[KEY_TIME] ?? null;
    },
  };
}
