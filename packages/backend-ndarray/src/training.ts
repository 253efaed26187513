/**
 * Hardware-aware training state of an ndarray tile: the weight modifier, weight
 * clipping, weight remapping and the digital output scales.
 *
 * aihwkit v.0.7.1: the C++ tile keeps a second, modified copy of the weights
 * (`RPUSimple::modifyFBWeights`, src/rpucuda/rpu.cpp) that forward and backward
 * read instead of the weights (`getFBWeights`): always in training, in test only with
 * `enable_during_test`. The copy is redrawn by each `applyWeightModifier()` (aihwkit's
 * InferenceTile.post_update_step does it once per mini-batch, after clip and remap) and
 * kept across updates until then. Clip and remap change the weights themselves
 * (`weight_clipper.cpp`, `weight_remapper.cpp`); remap moves the factor into the digital
 * output scales, which forward applies to y and backward to d (tiles/base.py
 * post_forward / pre_backward). The formulas are in @crossbar/core physics/weights.ts.
 *
 * Which configs: only InferenceRPUConfig has clip, modifier and remap fields (as in
 * aihwkit, whose InferenceTile is the only tile that applies them); on FloatingPointRPUConfig
 * and SingleRPUConfig tiles the three calls have nothing to apply and change nothing.
 *
 * Random draws (stream ids in @crossbar/core rng.ts), one tile call per
 * `applyWeightModifier()` that draws anything; element i = row · inSize + column:
 *   WeightModifier      sub 0 normal  the noise of AddNormal, MultNormal, Poly, ProgNoise,
 *                                     DiscretizeAddNormal; PCMNoise programming noise
 *                       sub 1 uniform stochastic rounding (sto_round)
 *                       sub 2 normal  PCMNoise drift exponent; sub 3 normal PCMNoise read noise
 *                       sub 4 uniform PCMNoise at reset; sub 5, 6 at g_max; sub 7, 8 at random
 *   WeightModifierDrop  sub 0 uniform drop connect (pdrop)
 */
import ndarray, { type NdArray } from 'ndarray';
import {
  InferenceRPUConfig,
  InputError,
  NotSupportedError,
  RandomStream,
  RandomStreamId,
  averageChannelMaxClipValue,
  clipWeightsInPlace,
  doReFaScale,
  dropConnect,
  layerGaussianClipValue,
  modifierAmax,
  modifyAddNormal,
  modifyDiscretize,
  modifyDoReFa,
  modifyMultNormal,
  modifyPcmNoise,
  modifyPoly,
  modifyProgNoise,
  pcmReadNoiseLogFactor,
  powerSeries,
  remapChannelwiseSymmetric,
  remapLayerwiseSymmetric,
  weightModifierDraws,
  type TileState,
  type WeightModifierParameter,
} from '@crossbar/core';
import type { TileContext } from './tile.js';

export interface TrainingState {
  /** The weights the forward/backward pass reads: the modified ones in training, else the tile's. */
  weightsForForward(isTest: boolean): NdArray<Float32Array>;
  /** Applies the digital output scales to y [batch × out] in place. */
  scaleOutput(y: Float32Array, batch: number): void;
  /** The gradient d [batch × out] as the analog backward pass sees it (scales applied); may return d itself. */
  scaleGradient(d: Float32Array, batch: number): Float32Array;
  /** The weights were replaced (setWeights, programming, drift): the modified copy is dropped. */
  onWeightsSet(): void;
  /** The weights were updated: the modified copy stays until the next applyWeightModifier (aihwkit). */
  onWeightsChanged(): void;
  applyWeightModifier(): void;
  /** Clips per WeightClipParameter; returns whether a clip type was applied (the weights may have changed). */
  clipWeights(): boolean;
  /** Remaps per WeightRemapParameter; returns whether a remap type was applied. */
  remapWeights(): boolean;
  getScales(): Float32Array;
  setScales(scales: Float32Array): void;
  /** Throws an InputError if the saved state does not fit this tile (called before anything changes). */
  checkState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void;
}

const PCM_T_READ = 250e-9; // aihwkit's PCM_T_READ of the PCMNoise modifier (weight_modifier_cuda.cu)
const KEY_SCALES = 'training.scales';
const KEY_MODIFIED = 'training.modifiedWeights';

export function createTrainingState(ctx: TileContext): TrainingState {
  const cfg = ctx.rpuConfig;
  const fields = cfg instanceof InferenceRPUConfig ? cfg : null;
  const size = ctx.outSize * ctx.inSize;
  const scales = new Float32Array(ctx.outSize).fill(1);
  let unitScales = true;
  let modified: NdArray<Float32Array> | null = null;
  let gradScratch = new Float32Array(0);
  // Scratch for random draws and remap (allocated on first use, reused afterwards).
  const draws: Float32Array[] = [];
  let rowScratch: [Float32Array, Float32Array] | null = null;

  const refreshUnitScales = (): void => {
    unitScales = scales.every((s) => s === 1);
  };

  const drawBuffers = (n: number): Float32Array[] => {
    while (draws.length < n) draws.push(new Float32Array(size));
    return draws;
  };

  /** Writes the modified weights of `p` for weights `w` into `out` (aihwkit's WeightModifier::apply). */
  function modify(out: Float32Array, w: Float32Array, p: WeightModifierParameter): void {
    out.set(w);
    const { outSize, inSize } = ctx;
    const amax = modifierAmax(w, outSize, inSize, p.relToActualWmax, p.assumedWmax, p.copyLastColumn);
    const sto = p.stoRound ? 1 : 0;
    const stdDev = Math.fround(p.stdDev);
    const { rounding: needsRounding, drop: needsDrop, any: needsRandom } = weightModifierDraws(p);
    const call = needsRandom ? ctx.nextRandomCall() : -1;
    const fillNormal = (buf: Float32Array, sub: number): Float32Array =>
      new RandomStream(ctx.seed, RandomStreamId.WeightModifier, call, sub).fillNormal(buf) as Float32Array;
    const fillUniform = (buf: Float32Array, sub: number, stream: number = RandomStreamId.WeightModifier): Float32Array =>
      new RandomStream(ctx.seed, stream, call, sub).fillUniform(buf) as Float32Array;
    const [b0] = drawBuffers(1) as [Float32Array];
    switch (p.type) {
      case 'None':
      case 'Copy':
      case 'DropConnect':
        break;
      case 'Discretize': {
        if (p.res <= 0) break;
        const u = needsRounding ? fillUniform(b0, 1) : b0;
        for (let i = 0; i < size; i++) out[i] = modifyDiscretize(w[i]!, amax, p.res, sto, u[i]!);
        break;
      }
      case 'MultNormal':
      case 'AddNormal': {
        if (!(stdDev > 0)) break;
        const std = Math.fround(stdDev * amax);
        const n = fillNormal(b0, 0);
        if (p.type === 'MultNormal') for (let i = 0; i < size; i++) out[i] = modifyMultNormal(w[i]!, std, n[i]!);
        else for (let i = 0; i < size; i++) out[i] = modifyAddNormal(w[i]!, std, n[i]!);
        break;
      }
      case 'Poly':
      case 'ProgNoise': {
        if (!(stdDev > 0)) break;
        const std = p.type === 'Poly' ? stdDev : Math.fround(stdDev / Math.fround(p.gMax));
        const n = fillNormal(b0, 0);
        const f = p.type === 'Poly' ? modifyPoly : modifyProgNoise;
        for (let i = 0; i < size; i++) {
          const sig = Math.fround(powerSeries(p.coeffs, Math.fround(Math.abs(w[i]!) / amax)) * std);
          out[i] = f(w[i]!, amax, sig, n[i]!);
        }
        break;
      }
      case 'DoReFa': {
        if (p.res <= 0) break;
        const scale = doReFaScale(p.dorefaClip, amax);
        const u = needsRounding ? fillUniform(b0, 1) : b0;
        for (let i = 0; i < size; i++) out[i] = modifyDoReFa(w[i]!, scale, p.res, sto, u[i]!);
        break;
      }
      case 'DiscretizeAddNormal': {
        const std = Math.fround(stdDev * amax);
        if (!(p.res > 0 || std > 0)) break;
        const [, b1] = drawBuffers(2) as [Float32Array, Float32Array];
        const n = fillNormal(b0, 0);
        const u = needsRounding ? fillUniform(b1, 1) : b1;
        for (let i = 0; i < size; i++) out[i] = modifyAddNormal(modifyDiscretize(w[i]!, amax, p.res, sto, u[i]!), std, n[i]!);
        break;
      }
      case 'PCMNoise': {
        const b = drawBuffers(8);
        fillNormal(b[0]!, 0); // programming noise
        fillNormal(b[1]!, 2); // drift exponent
        fillNormal(b[2]!, 3); // read noise
        for (let k = 3; k < 8; k++) fillUniform(b[k]!, k + 1); // subs 4..8: reset, g_max (2), random (2)
        const logFactor = Math.fround(pcmReadNoiseLogFactor(Math.fround(p.pcmTInference + p.pcmT0), PCM_T_READ));
        for (let i = 0; i < size; i++) {
          out[i] = modifyPcmNoise(
            w[i]!,
            amax,
            p.gMax,
            p.pcmZeroThres,
            stdDev,
            p.pcmTInference,
            p.pcmT0,
            logFactor,
            p.pcmProbAtReset,
            p.pcmProbAtGmax,
            p.pcmProbAtRandom,
            b[0]![i]!,
            b[1]![i]!,
            b[2]![i]!,
            b[3]![i]!,
            b[4]![i]!,
            b[5]![i]!,
            b[6]![i]!,
            b[7]![i]!,
          );
        }
        break;
      }
      default: {
        const never: never = p.type;
        throw new NotSupportedError(`ndarray engine: weight modifier type "${String(never)}" is not implemented`);
      }
    }
    if (needsDrop) {
      const u = fillUniform(b0, 0, RandomStreamId.WeightModifierDrop);
      for (let i = 0; i < size; i++) out[i] = dropConnect(out[i]!, p.pdrop, u[i]!);
    }
    if (p.copyLastColumn) {
      for (let r = 0; r < outSize; r++) out[(r + 1) * inSize - 1] = w[(r + 1) * inSize - 1]!;
    }
  }

  function checkArray(where: string, arrays: TileState['arrays'], key: string, length: number, nullable: boolean): void {
    if (arrays === null || typeof arrays !== 'object') throw new InputError(`${where}: state.arrays must be an object`);
    const v = arrays[key];
    if (v === undefined || (v === null && nullable)) return;
    if (!Array.isArray(v) || v.length !== length || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new InputError(`${where}: state.arrays["${key}"] must be ${nullable ? 'null or ' : ''}${length} finite numbers`);
    }
  }

  return {
    weightsForForward(isTest) {
      if (modified !== null && fields !== null && (!isTest || fields.modifier.enableDuringTest)) return modified;
      return ctx.weights;
    },

    scaleOutput(y, batch) {
      if (unitScales) return;
      const m = ctx.outSize;
      for (let b = 0; b < batch; b++) {
        const row = b * m;
        for (let i = 0; i < m; i++) y[row + i] = Math.fround(y[row + i]! * scales[i]!);
      }
    },

    scaleGradient(d, batch) {
      if (unitScales) return d;
      const m = ctx.outSize;
      if (gradScratch.length < batch * m) gradScratch = new Float32Array(batch * m);
      const out = gradScratch.subarray(0, batch * m);
      for (let b = 0; b < batch; b++) {
        const row = b * m;
        for (let i = 0; i < m; i++) out[row + i] = Math.fround(d[row + i]! * scales[i]!);
      }
      return out;
    },

    onWeightsSet() {
      modified = null;
    },

    onWeightsChanged() {},

    applyWeightModifier() {
      if (fields === null) return;
      const p = fields.modifier;
      // aihwkit's post_update_step skips these: nothing to modify (None is later aihwkit's "no modifier", pdrop ignored)
      if (p.type === 'None' || (p.type === 'Copy' && p.pdrop <= 0)) return;
      const out = modified ?? ndarray(new Float32Array(size), [ctx.outSize, ctx.inSize]);
      modify(out.data, ctx.weights.data, p);
      modified = out;
    },

    clipWeights() {
      if (fields === null) return false;
      const p = fields.clip;
      const w = ctx.weights.data;
      switch (p.type) {
        case 'None':
          return false;
        case 'FixedValue':
          // RPUPulsed hands FixedValue to the device, whose clip (SimpleRPUDevice::clipWeights for the
          // IdealDevice) acts for any value >= 0 (WeightClipper's other types need > 0).
          if (p.fixedValue >= 0) clipWeightsInPlace(w, Math.fround(p.fixedValue));
          return true;
        case 'LayerGaussian': {
          const c = layerGaussianClipValue(w, p.sigma, p.fixedValue);
          if (c > 0) clipWeightsInPlace(w, c);
          return true;
        }
        case 'AverageChannelMax': {
          const c = averageChannelMaxClipValue(w, ctx.outSize, ctx.inSize, p.fixedValue);
          if (c > 0) clipWeightsInPlace(w, c);
          return true;
        }
        default: {
          const never: never = p.type;
          throw new NotSupportedError(`ndarray engine: clip type "${String(never)}" is not implemented`);
        }
      }
    },

    remapWeights() {
      if (fields === null) return false;
      const p = fields.remap;
      const w = ctx.weights.data;
      switch (p.type) {
        case 'None':
          return false;
        case 'LayerwiseSymmetric':
          remapLayerwiseSymmetric(w, scales, p.remappedWmax);
          break;
        case 'ChannelwiseSymmetric':
          rowScratch ??= [new Float32Array(ctx.outSize), new Float32Array(ctx.outSize)];
          remapChannelwiseSymmetric(w, ctx.outSize, ctx.inSize, scales, p.remappedWmax, p.maxScaleRange, p.maxScaleRef, ...rowScratch);
          break;
        default: {
          const never: never = p.type;
          throw new NotSupportedError(`ndarray engine: remap type "${String(never)}" is not implemented`);
        }
      }
      refreshUnitScales();
      return true;
    },

    getScales: () => scales.slice(),

    setScales(s) {
      scales.set(s);
      refreshUnitScales();
    },

    checkState(arrays) {
      checkArray('setState', arrays, KEY_SCALES, ctx.outSize, false);
      checkArray('setState', arrays, KEY_MODIFIED, size, true);
    },

    saveState(arrays) {
      arrays[KEY_SCALES] = Array.from(scales);
      arrays[KEY_MODIFIED] = modified ? Array.from(modified.data) : null;
    },

    loadState(arrays) {
      const s = arrays[KEY_SCALES];
      if (s) scales.set(s);
      else scales.fill(1);
      refreshUnitScales();
      const m = arrays[KEY_MODIFIED];
      modified = m ? ndarray(Float32Array.from(m), [ctx.outSize, ctx.inSize]) : null;
    },
  };
}
