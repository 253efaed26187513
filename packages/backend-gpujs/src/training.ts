/**
 * Hardware-aware training state of a gpu.js tile: the weight modifier, weight
 * clipping, weight remapping and the digital output scales — aihwkit v.0.7.1
 * weight_modifier.cpp, weight_clipper.cpp, weight_remapper.cpp and the tile's
 * post_forward / pre_backward; the same semantics, streams and elements as the
 * ndarray engine (its training.ts documents aihwkit's behaviour).
 *
 * The element-wise work runs as kernels calling core's formulas
 * (modifyAddNormal, clipSymmetric, ...); the scalars they need (the modifier's
 * amax, the clip value) come from core's reductions over the weights, read
 * back once. Remapping needs row maxima and new scales together: core's
 * remap helper runs on a read-back copy and the weights go back to the device.
 *
 * Random draws (one tile call per applyWeightModifier that draws anything),
 * element = row · inSize + column: WeightModifier sub 0 normal (noise), sub 1
 * uniform (sto_round), subs 2–8 PCMNoise; WeightModifierDrop sub 0 uniform.
 */
import {
  averageChannelMaxClipValue,
  doReFaScale,
  InferenceRPUConfig,
  InputError,
  layerGaussianClipValue,
  modifierAmax,
  NotSupportedError,
  pcmReadNoiseLogFactor,
  powerSeries,
  RandomStreamId,
  remapChannelwiseSymmetric,
  remapLayerwiseSymmetric,
  weightModifierDraws,
  type TileState,
  type WeightModifierParameter,
} from '@crossbar/core';
import type { DeviceArray } from './device.js';
import { mapMatrix, type ElementRandom } from './elementwise.js';
import { formulaName as fn } from './kernels/library.js';
import type { TileContext } from './context.js';

const PCM_T_READ = 250e-9; // aihwkit's PCM_T_READ of the PCMNoise modifier (weight_modifier_cuda.cu)
const KEY_SCALES = 'training.scales';
const KEY_MODIFIED = 'training.modifiedWeights';

export class TrainingState {
  private readonly fields: InferenceRPUConfig | null;
  private readonly scales: Float32Array;
  private unitScales = true;
  private modified: DeviceArray | null = null;
  private gradScratch = new Float32Array(0);

  constructor(private readonly ctx: TileContext) {
    this.fields = ctx.rpuConfig instanceof InferenceRPUConfig ? ctx.rpuConfig : null;
    this.scales = new Float32Array(ctx.outSize).fill(1);
  }

  private refreshUnitScales(): void {
    this.unitScales = this.scales.every((s) => s === 1);
  }

  /** The weights the forward/backward pass reads: the modified ones in training, else the tile's. */
  weightsForForward(isTest: boolean): DeviceArray {
    if (this.modified !== null && this.fields !== null && (!isTest || this.fields.modifier.enableDuringTest)) return this.modified;
    return this.ctx.weights;
  }

  /** Applies the digital output scales to y [batch × out] in place (on the read-back output). */
  scaleOutput(y: Float32Array, batch: number): void {
    if (this.unitScales) return;
    const m = this.ctx.outSize;
    const s = this.scales;
    for (let b = 0; b < batch; b++) {
      const row = b * m;
      for (let i = 0; i < m; i++) y[row + i] = Math.fround(y[row + i]! * s[i]!);
    }
  }

  /** The gradient as the analog backward pass sees it (scales applied); may return d itself. */
  scaleGradient(d: Float32Array, batch: number): Float32Array {
    if (this.unitScales) return d;
    const m = this.ctx.outSize;
    if (this.gradScratch.length < batch * m) this.gradScratch = new Float32Array(batch * m);
    const out = this.gradScratch.subarray(0, batch * m);
    const s = this.scales;
    for (let b = 0; b < batch; b++) {
      const row = b * m;
      for (let i = 0; i < m; i++) out[row + i] = Math.fround(d[row + i]! * s[i]!);
    }
    return out;
  }

  /** The weights were replaced: the modified copy is dropped. */
  onWeightsSet(): void {
    this.ctx.scope.free(this.modified);
    this.modified = null;
  }

  applyWeightModifier(): void {
    if (this.fields === null) return;
    const p = this.fields.modifier;
    if (p.type === 'None' || (p.type === 'Copy' && p.pdrop <= 0)) return;
    this.modified = this.modify(p, this.modified);
  }

  /** aihwkit's WeightModifier::apply on the device; writes into `into` or a new array. */
  private modify(p: WeightModifierParameter, into: DeviceArray | null): DeviceArray {
    const ctx = this.ctx;
    const { outSize, inSize } = ctx;
    const w = ctx.weights;
    const host = w.download();
    const amax = modifierAmax(host, outSize, inSize, p.relToActualWmax, p.assumedWmax, p.copyLastColumn);
    const sto = p.stoRound ? 1 : 0;
    const stdDev = Math.fround(p.stdDev);
    const { rounding: needsRounding, drop: needsDrop, any: needsRandom } = weightModifierDraws(p);
    const call = needsRandom ? ctx.nextRandomCall() : -1;
    const items: ElementRandom[] = [];
    const normal = (name: string, sub: number) => items.push({ name, normal: true, streamId: RandomStreamId.WeightModifier, sub });
    const uniform = (name: string, sub: number, streamId: number = RandomStreamId.WeightModifier) => items.push({ name, normal: false, streamId, sub });
    const scalars: Record<string, number> = { amax, res: Math.fround(p.res), sto };
    const arrays: Record<string, Float32Array> = {};
    let expr = 'w';
    switch (p.type) {
      case 'None':
      case 'Copy':
      case 'DropConnect':
        break;
      case 'Discretize':
        if (p.res <= 0) break;
        if (needsRounding) uniform('u', 1);
        expr = `${fn('modifyDiscretize')}(w, amax, res, sto, ${needsRounding ? 'u' : '0.0'})`;
        break;
      case 'MultNormal':
      case 'AddNormal':
        if (!(stdDev > 0)) break;
        normal('g', 0);
        scalars.std = Math.fround(stdDev * amax);
        expr = `${fn(p.type === 'MultNormal' ? 'modifyMultNormal' : 'modifyAddNormal')}(w, std, g)`;
        break;
      case 'Poly':
      case 'ProgNoise': {
        if (!(stdDev > 0)) break;
        normal('g', 0);
        // core's powerSeries takes the coefficient list (an array: not kernel code), so sig is per element on the host
        const std = p.type === 'Poly' ? stdDev : Math.fround(stdDev / Math.fround(p.gMax));
        const sig = new Float32Array(host.length);
        for (let e = 0; e < host.length; e++) sig[e] = Math.fround(powerSeries(p.coeffs, Math.fround(Math.abs(host[e]!) / amax)) * std);
        arrays.sig = sig;
        expr = `${fn(p.type === 'Poly' ? 'modifyPoly' : 'modifyProgNoise')}(w, amax, sig, g)`;
        break;
      }
      case 'DoReFa':
        if (p.res <= 0) break;
        if (needsRounding) uniform('u', 1);
        scalars.scale = doReFaScale(p.dorefaClip, amax);
        expr = `${fn('modifyDoReFa')}(w, scale, res, sto, ${needsRounding ? 'u' : '0.0'})`;
        break;
      case 'DiscretizeAddNormal': {
        const std = Math.fround(stdDev * amax);
        if (!(p.res > 0 || std > 0)) break;
        normal('g', 0);
        if (needsRounding) uniform('u', 1);
        scalars.std = std;
        expr = `${fn('modifyAddNormal')}(${fn('modifyDiscretize')}(w, amax, res, sto, ${needsRounding ? 'u' : '0.0'}), std, g)`;
        break;
      }
      case 'PCMNoise': {
        normal('n1', 0);
        normal('n2', 2);
        normal('n3', 3);
        ['u4', 'u5', 'u6', 'u7', 'u8'].forEach((name, k) => uniform(name, k + 4));
        Object.assign(scalars, {
          gMax: p.gMax,
          zeroThres: p.pcmZeroThres,
          stdDev,
          tInf: p.pcmTInference,
          t0: p.pcmT0,
          logFactor: Math.fround(pcmReadNoiseLogFactor(Math.fround(p.pcmTInference + p.pcmT0), PCM_T_READ)),
          pReset: p.pcmProbAtReset,
          pGmax: p.pcmProbAtGmax,
          pRand: p.pcmProbAtRandom,
        });
        expr = `${fn('modifyPcmNoise')}(w, amax, gMax, zeroThres, stdDev, tInf, t0, logFactor, pReset, pGmax, pRand, n1, n2, n3, u4, u5, u6, u7, u8)`;
        break;
      }
      default: {
        const never: never = p.type;
        throw new NotSupportedError(`gpujs engine: weight modifier type "${String(never)}" is not implemented`);
      }
    }
    if (needsDrop) {
      uniform('ud', 0, RandomStreamId.WeightModifierDrop);
      scalars.pdrop = p.pdrop;
      expr = `${fn('dropConnect')}(${expr}, pdrop, ud)`;
    }
    if (p.copyLastColumn) expr = `(c === ${inSize - 1} ? w : ${expr})`;
    return mapMatrix(
      ctx.scope,
      outSize,
      inSize,
      { inputs: { w }, scalars, arrays, expr, random: items.length ? { items, call, seed: ctx.seed, source: ctx.rand } : undefined },
      into ?? undefined,
    );
  }

  /** Clips per WeightClipParameter; returns whether a clip type was applied. */
  clipWeights(): boolean {
    if (this.fields === null) return false;
    const p = this.fields.clip;
    const { outSize, inSize, weights } = this.ctx;
    let c: number;
    switch (p.type) {
      case 'None':
        return false;
      case 'FixedValue':
        if (!(p.fixedValue >= 0)) return true;
        c = Math.fround(p.fixedValue);
        break;
      case 'LayerGaussian':
        c = layerGaussianClipValue(weights.download(), p.sigma, p.fixedValue);
        break;
      case 'AverageChannelMax':
        c = averageChannelMaxClipValue(weights.download(), outSize, inSize, p.fixedValue);
        break;
      default: {
        const never: never = p.type;
        throw new NotSupportedError(`gpujs engine: clip type "${String(never)}" is not implemented`);
      }
    }
    if (p.type !== 'FixedValue' && !(c > 0)) return true;
    mapMatrix(this.ctx.scope, outSize, inSize, { inputs: { w: weights }, scalars: { clip: c }, expr: `${fn('clipSymmetric')}(w, clip)` }, weights);
    return true;
  }

  /** Remaps per WeightRemapParameter; returns whether a remap type was applied. */
  remapWeights(): boolean {
    if (this.fields === null) return false;
    const p = this.fields.remap;
    const { outSize, inSize, weights, scope } = this.ctx;
    if (p.type === 'None') return false;
    const w = weights.download();
    if (p.type === 'LayerwiseSymmetric') remapLayerwiseSymmetric(w, this.scales, p.remappedWmax);
    else if (p.type === 'ChannelwiseSymmetric') remapChannelwiseSymmetric(w, outSize, inSize, this.scales, p.remappedWmax, p.maxScaleRange, p.maxScaleRef);
    else {
      const never: never = p.type;
      throw new NotSupportedError(`gpujs engine: remap type "${String(never)}" is not implemented`);
    }
    scope.overwrite(weights, w);
    this.refreshUnitScales();
    return true;
  }

  getScales(): Float32Array {
    return this.scales.slice();
  }

  setScales(s: Float32Array): void {
    this.scales.set(s);
    this.refreshUnitScales();
  }

  checkState(arrays: TileState['arrays']): void {
    const size = this.ctx.outSize * this.ctx.inSize;
    checkArray(arrays, KEY_SCALES, this.ctx.outSize, false);
    checkArray(arrays, KEY_MODIFIED, size, true);
  }

  saveState(arrays: TileState['arrays']): void {
    arrays[KEY_SCALES] = Array.from(this.scales);
    arrays[KEY_MODIFIED] = this.modified ? Array.from(this.modified.download()) : null;
  }

  loadState(arrays: TileState['arrays']): void {
    const s = arrays[KEY_SCALES];
    if (s) this.scales.set(s);
    else this.scales.fill(1);
    this.refreshUnitScales();
    const m = arrays[KEY_MODIFIED];
    this.ctx.scope.free(this.modified);
    this.modified = m ? this.ctx.scope.upload(Float32Array.from(m), this.ctx.outSize, this.ctx.inSize, true) : null;
  }
}

function checkArray(arrays: TileState['arrays'], key: string, length: number, nullable: boolean): void {
  if (arrays === null || typeof arrays !== 'object') throw new InputError('setState: state.arrays must be an object');
  const v = arrays[key];
  if (v === undefined || (v === null && nullable)) return;
  if (!Array.isArray(v) || v.length !== length || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new InputError(`setState: state.arrays["${key}"] must be ${nullable ? 'null or ' : ''}${length} finite numbers`);
  }
}
