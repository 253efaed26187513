/**
 * Hardware-aware training state of core's tile: the weight modifier, weight
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
 * post_forward / pre_backward). The formulas are in physics/weights.ts; the modifier
 * itself is the engine's `modifyWeights` kernel.
 *
 * Which configs: only InferenceRPUConfig has clip, modifier and remap fields (as in
 * aihwkit, whose InferenceTile is the only tile that applies them); on FloatingPointRPUConfig
 * and SingleRPUConfig tiles the three calls have nothing to apply and change nothing.
 *
 * Random draws: one tile call per `applyWeightModifier()` that draws anything (the
 * streams: modifyWeightsHost).
 */
import { InferenceRPUConfig } from '../config/rpu-configs.js';
import { NotSupportedError } from '../errors.js';
import {
  averageChannelMaxClipValue,
  clipWeightsInPlace,
  layerGaussianClipValue,
  remapChannelwiseSymmetric,
  remapLayerwiseSymmetric,
  weightModifierDraws,
} from '../physics/weights.js';
import type { TileState } from '../tile.js';
import type { TileContext } from './context.js';
import { missingKernel } from './kernels.js';
import { checkStateArray } from './state-checks.js';

const KEY_SCALES = 'training.scales';
const KEY_MODIFIED = 'training.modifiedWeights';

export class TrainingState {
  private readonly fields: InferenceRPUConfig | null;
  private readonly scales: Float32Array;
  private unitScales = true;
  private modified: Float32Array | null = null;
  private gradScratch = new Float32Array(0);
  private rowScratch: [Float32Array, Float32Array] | null = null;

  constructor(private readonly ctx: TileContext) {
    this.fields = ctx.rpuConfig instanceof InferenceRPUConfig ? ctx.rpuConfig : null;
    this.scales = new Float32Array(ctx.outSize).fill(1);
  }

  private refreshUnitScales(): void {
    this.unitScales = this.scales.every((s) => s === 1);
  }

  /** The weights the forward/backward pass reads: the modified ones in training, else the tile's. */
  weightsForForward(isTest: boolean): Float32Array {
    const { modified, fields } = this;
    if (modified !== null && fields !== null && (!isTest || fields.modifier.enableDuringTest)) return modified;
    return this.ctx.weights;
  }

  /** Applies the digital output scales to y [batch × out] in place. */
  scaleOutput(y: Float32Array, batch: number): void {
    if (this.unitScales) return;
    const m = this.ctx.outSize;
    const scales = this.scales;
    for (let b = 0; b < batch; b++) {
      const row = b * m;
      for (let i = 0; i < m; i++) y[row + i] = Math.fround(y[row + i]! * scales[i]!);
    }
  }

  /** The gradient d [batch × out] as the analog backward pass sees it (scales applied); may return d itself. */
  scaleGradient(d: Float32Array, batch: number): Float32Array {
    if (this.unitScales) return d;
    const m = this.ctx.outSize;
    if (this.gradScratch.length < batch * m) this.gradScratch = new Float32Array(batch * m);
    const out = this.gradScratch.subarray(0, batch * m);
    const scales = this.scales;
    for (let b = 0; b < batch; b++) {
      const row = b * m;
      for (let i = 0; i < m; i++) out[row + i] = Math.fround(d[row + i]! * scales[i]!);
    }
    return out;
  }

  /** The weights were replaced (setWeights, programming, drift): the modified copy is dropped. */
  onWeightsSet(): void {
    this.modified = null;
  }

  applyWeightModifier(): void {
    if (this.fields === null) return;
    const p = this.fields.modifier;
    // aihwkit's post_update_step skips these: nothing to modify (None is later aihwkit's "no modifier", pdrop ignored)
    if (p.type === 'None' || (p.type === 'Copy' && p.pdrop <= 0)) return;
    const ctx = this.ctx;
    const kernel = ctx.kernels.modifyWeights;
    if (kernel === undefined) {
      const field = p.type === 'Copy' ? 'rpuConfig.modifier.pdrop' : `rpuConfig.modifier.type = ${p.type}`;
      throw missingKernel(ctx.engine, `the weight modifier ${p.type}${p.pdrop > 0 ? ' with pdrop' : ''}`, 'modifyWeights', field);
    }
    const out = this.modified ?? new Float32Array(ctx.size);
    const call = weightModifierDraws(p).any ? ctx.nextRandomCall() : -1;
    kernel.call(ctx.kernels, { seed: ctx.seed, call, modifier: p, outSize: ctx.outSize, inSize: ctx.inSize, weights: ctx.weights, out });
    this.modified = out;
  }

  /** Clips per WeightClipParameter; returns whether a clip type was applied (the weights may have changed). */
  clipWeights(): boolean {
    if (this.fields === null) return false;
    const p = this.fields.clip;
    const w = this.ctx.weights;
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
        const c = averageChannelMaxClipValue(w, this.ctx.outSize, this.ctx.inSize, p.fixedValue);
        if (c > 0) clipWeightsInPlace(w, c);
        return true;
      }
      default: {
        const never: never = p.type;
        throw new NotSupportedError(`${this.ctx.engine} engine: clip type "${String(never)}" is not implemented`);
      }
    }
  }

  /** Remaps per WeightRemapParameter; returns whether a remap type was applied. */
  remapWeights(): boolean {
    if (this.fields === null) return false;
    const p = this.fields.remap;
    const { outSize, inSize, weights: w } = this.ctx;
    switch (p.type) {
      case 'None':
        return false;
      case 'LayerwiseSymmetric':
        remapLayerwiseSymmetric(w, this.scales, p.remappedWmax);
        break;
      case 'ChannelwiseSymmetric':
        this.rowScratch ??= [new Float32Array(outSize), new Float32Array(outSize)];
        remapChannelwiseSymmetric(w, outSize, inSize, this.scales, p.remappedWmax, p.maxScaleRange, p.maxScaleRef, ...this.rowScratch);
        break;
      default: {
        const never: never = p.type;
        throw new NotSupportedError(`${this.ctx.engine} engine: remap type "${String(never)}" is not implemented`);
      }
    }
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

  /** Throws an InputError if the saved state does not fit this tile (called before anything changes). */
  checkState(arrays: TileState['arrays']): void {
    checkStateArray(arrays, KEY_SCALES, this.ctx.outSize, false);
    checkStateArray(arrays, KEY_MODIFIED, this.ctx.size, true);
  }

  saveState(arrays: TileState['arrays']): void {
    arrays[KEY_SCALES] = Array.from(this.scales);
    arrays[KEY_MODIFIED] = this.modified ? Array.from(this.modified) : null;
  }

  loadState(arrays: TileState['arrays']): void {
    const s = arrays[KEY_SCALES];
    if (s) this.scales.set(s);
    else this.scales.fill(1);
    this.refreshUnitScales();
    const m = arrays[KEY_MODIFIED];
    this.modified = m ? Float32Array.from(m) : null;
  }
}
