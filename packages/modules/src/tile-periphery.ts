/**
 * One engine tile with aihwkit's digital periphery around it
 * (aihwkit v.0.7.1 src/aihwkit/simulator/tiles/base.py, inference.py):
 *
 *   forward   x ─ input range (init from data, clip, ÷ir) ─ [x̂, 1 if analog bias] ─ tile.forward
 *             ─ ×ir ─ ×learned out scales ─→ y
 *   backward  dy ─ ×learned out scales = d ─ tile.backward ─ drop bias column ─→ dx
 *             (straight through the clip, as aihwkit; the input range gets aihwkit's
 *             heuristic gradient, not the true one)
 *   update    tile.update(clip(x)/ir, d / mapping scales, lr) with the ir and scales current
 *             at the optimizer step (aihwkit's pre_update)
 *
 * The mapping scales (weight_scaling_omega, remap) are the tile's own digital
 * output scales (`tile.getScales()`), which the engine applies to forward
 * outputs and to backward's d.
 */
import { InferenceRPUConfig, type AnalogTile, type RPUConfig, type TileState, requiresDecay, requiresDiffusion } from '@crossbar/core';
import { concat, toNumbers } from './arrays.js';
import { ModuleError } from './errors.js';
import { Parameter } from './parameter.js';

interface ForwardCache {
  /** The tile's logical input [batch × inSize] as given (unclipped). */
  x: Float32Array;
  batch: number;
  /** Output before the learned out scales (only with learn_out_scaling). */
  yBeforeOutScaling: Float32Array | null;
  /** Fraction of unclipped analog outputs (manage_output_clipping), else 1. */
  outputPercentage: number;
}

interface UpdateRecord {
  x: Float32Array;
  d: Float32Array;
  batch: number;
}

/** What a tile's periphery saves besides the engine's TileState. */
export interface SavedTile {
  tile: TileState;
  /** Learned input range (InputRangeParameter.enable), else null. */
  inputRange: number | null;
  /** How many batches have initialised the input range from data so far. */
  inputRangeUpdateIdx: number;
  /** Learned output scales (MappingParameter.learn_out_scaling), else null. */
  outScaling: number[] | null;
}

function allOnes(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 1) return false;
  return true;
}

/** One analog tile with aihwkit's digital periphery around it: bias, output scales, input range, weight modifier, clip and remap, and the update records of training. */
export class TileWithPeriphery {
  /** Learned input range [1] (InputRangeParameter.enable), a digital parameter. */
  readonly inputRange: Parameter | null;
  /** Learned output scales [1] or [outSize] (MappingParameter.learn_out_scaling), a digital parameter. */
  readonly outScaling: Parameter | null;
  /** Number of batches that have initialised the input range from data (init_from_data). */
  inputRangeUpdateIdx = 0;

  private cache: ForwardCache | null = null;
  private records: UpdateRecord[] = [];

  constructor(
    /** The engine tile: [outSize × (inSize + 1 if analog bias)]. */
    public tile: AnalogTile,
    /** Logical inputs of this tile (without the analog bias column). */
    readonly inSize: number,
    readonly outSize: number,
    readonly analogBias: boolean,
  ) {
    const cfg = tile.rpuConfig;
    const ir = cfg.prePost.inputRange;
    this.inputRange = ir.enable ? new Parameter(Float32Array.of(ir.initValue)) : null;
    const mapping = cfg.mapping;
    this.outScaling = mapping.learnOutScaling ? new Parameter(new Float32Array(mapping.outScalingColumnwise ? outSize : 1).fill(1)) : null;
  }

  get rpuConfig(): RPUConfig {
    return this.tile.rpuConfig;
  }

  private get tileInSize(): number {
    return this.inSize + (this.analogBias ? 1 : 0);
  }

  /** Whether a forward pass is cached for backward. */
  get hasForwardCache(): boolean {
    return this.cache !== null;
  }

  /** Whether backward passes have left (x, d) records for the next update. */
  get hasUpdateRecords(): boolean {
    return this.records.length > 0;
  }

  // ------------------------------------------------------------------ input range

  /** aihwkit's apply_input_range(update_from_data=True): the first init_from_data batches set the range from their std. */
  private initInputRangeFromData(x: Float32Array): void {
    const p = this.rpuConfig.prePost.inputRange;
    const idx = this.inputRangeUpdateIdx;
    if (idx >= p.initFromData || x.length < 2) return;
    let mean = 0;
    for (let i = 0; i < x.length; i++) mean += x[i]!;
    mean /= x.length;
    let ss = 0;
    for (let i = 0; i < x.length; i++) ss += (x[i]! - mean) ** 2;
    const std = Math.sqrt(ss / (x.length - 1)); // torch's std is unbiased
    // A batch without spread says nothing about the range (and would set it to 0): it does not count.
    if (!(std > 0)) return;
    const v = this.inputRange!.value;
    v[0] = (v[0]! * idx + p.initStdAlpha * std) / (idx + 1);
    this.inputRangeUpdateIdx = idx + 1;
  }

  /** The current range |ir| (aihwkit takes abs before each use). */
  private currentInputRange(): number {
    const v = this.inputRange!.value;
    v[0] = Math.abs(v[0]!);
    const ir = v[0]!;
    if (!(ir > 0) || !Number.isFinite(ir)) {
      throw new ModuleError(`the learned input range is ${ir}; it must be a positive finite number (lower the learning rate or gradient_scale)`);
    }
    return ir;
  }

  /** The tile's input [batch × tileInSize]: clip(x)/ir (or x) and the analog bias column of ones. */
  private tileInput(x: Float32Array, batch: number): Float32Array {
    const n = this.inSize;
    const cols = this.tileInSize;
    const out = new Float32Array(batch * cols);
    const ir = this.inputRange ? this.currentInputRange() : 0;
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) {
        const v = x[b * n + i]!;
        out[b * cols + i] = ir > 0 ? (v > ir ? ir : v < -ir ? -ir : v) / ir : v;
      }
      if (this.analogBias) out[b * cols + n] = 1;
    }
    return out;
  }

  // ------------------------------------------------------------------ forward / backward

  /** The tile's outputs for inputs [batch × inSize], with the periphery applied; isTest selects inference mode. */
  async forward(x: Float32Array, batch: number, isTest: boolean): Promise<Float32Array> {
    const m = this.outSize;
    const irBefore = this.inputRange ? this.inputRange.value[0]! : 0;
    const idxBefore = this.inputRangeUpdateIdx;
    let y: Float32Array;
    try {
      if (this.inputRange && !isTest) this.initInputRangeFromData(x);
      // A copy the periphery may scale in place (the typed-array constructor copies at memcpy speed; Float32Array.from iterates).
      y = new Float32Array(await this.tile.forward(this.tileInput(x, batch), batch, { isTest }));
    } catch (e) {
      // A failed forward leaves the input range as it was.
      if (this.inputRange) this.inputRange.value[0] = irBefore;
      this.inputRangeUpdateIdx = idxBefore;
      throw e;
    }
    let outputPercentage = 1;
    if (this.inputRange) {
      const ir = this.inputRange.value[0]!;
      if (this.rpuConfig.prePost.inputRange.manageOutputClipping) outputPercentage = await this.outputPercentage(y, batch, isTest);
      for (let i = 0; i < y.length; i++) y[i] = y[i]! * ir;
    }
    let yBefore: Float32Array | null = null;
    if (this.outScaling) {
      yBefore = y.slice();
      const a = this.outScaling.value;
      const perColumn = a.length > 1;
      for (let i = 0; i < y.length; i++) y[i] = y[i]! * a[perColumn ? i % m : 0]!;
    }
    this.cache = { x: x.slice(), batch, yBeforeOutScaling: yBefore, outputPercentage };
    return y;
  }

  /**
   * aihwkit's post_forward with manage_output_clipping: the fraction of analog
   * outputs (before the digital scales) below 0.999 · out_bound. An unbounded
   * ADC (out_bound <= 0 or inf) never clips.
   */
  private async outputPercentage(y: Float32Array, batch: number, isTest: boolean): Promise<number> {
    const cfg = this.rpuConfig;
    if (!('forward' in cfg)) return 1;
    const outBound = cfg.forward.outBound;
    if (!(outBound > 0) || !Number.isFinite(outBound)) return 1;
    const bound = outBound * 0.999;
    const scales = await this.tile.getScales();
    let comp = 1;
    if (isTest && cfg instanceof InferenceRPUConfig && cfg.driftCompensation !== null) {
      comp = await this.tile.getDriftCompensationScale();
    }
    const m = this.outSize;
    let inside = 0;
    for (let i = 0; i < y.length; i++) {
      const s = scales[i % m]! * comp;
      const raw = s !== 0 ? y[i]! / s : 0;
      if (Math.abs(raw) < bound) inside++;
    }
    return inside / (batch * m);
  }

  /** dy [batch × outSize] → dx [batch × inSize]; accumulates the periphery's gradients and records (x, d) for the update. */
  async backward(dy: Float32Array, batch: number): Promise<Float32Array> {
    const cache = this.cache;
    if (!cache) throw new ModuleError('backward needs a forward pass first');
    if (cache.batch !== batch) {
      throw new ModuleError(`backward got a batch of ${batch} but the last forward pass had ${cache.batch}`);
    }
    const m = this.outSize;
    let d = dy;
    if (this.outScaling) {
      const a = this.outScaling.value;
      const yb = cache.yBeforeOutScaling!;
      const grad = new Float64Array(a.length);
      d = new Float32Array(dy.length);
      const perColumn = a.length > 1;
      for (let i = 0; i < dy.length; i++) {
        const j = perColumn ? i % m : 0;
        grad[j] = grad[j]! + dy[i]! * yb[i]!;
        d[i] = dy[i]! * a[j]!;
      }
      this.outScaling.addGrad(grad);
    }
    const zt = await this.tile.backward(d, batch);
    const n = this.inSize;
    const cols = this.tileInSize;
    const dx = new Float32Array(batch * n);
    for (let b = 0; b < batch; b++) dx.set(zt.subarray(b * cols, b * cols + n), b * n);
    if (this.inputRange) this.inputRangeGradient(cache, dx);
    this.records.push({ x: cache.x, d: d === dy ? dy.slice() : d, batch });
    return dx;
  }

  /** aihwkit v.0.7.1 tiles/base.py post_backward: the input range's gradient. */
  private inputRangeGradient(cache: ForwardCache, dx: Float32Array): void {
    const p = this.rpuConfig.prePost.inputRange;
    const ir = this.inputRange!.value[0]!;
    const x = cache.x;
    let g = 0;
    let inside = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const dv = dx[i]!;
      // Clipped above and the loss wants the input larger (dv < 0): grow the range; below: likewise.
      if (v >= ir && dv < 0) g += dv;
      if (v <= -ir && dv > 0) g -= dv;
      if (Math.abs(v) < ir) inside++;
    }
    if (p.gradientRelative) g *= ir;
    g *= p.gradientScale;
    if (p.manageOutputClipping && cache.outputPercentage < p.outputMinPercentage) {
      g -= (1 - cache.outputPercentage) * ir;
    }
    if (p.decay > 0 && inside / x.length > p.inputMinPercentage) g += p.decay * ir;
    this.inputRange!.addGrad([g]);
  }

  // ------------------------------------------------------------------ update and post-update step

  /** The analog update of aihwkit's AnalogSGD: every recorded (x, d) since the last step in one tile.update. */
  async update(learningRate: number): Promise<void> {
    if (this.records.length === 0) return;
    const batch = this.records.reduce((s, r) => s + r.batch, 0);
    const x = concat(this.records.map((r) => r.x));
    const d = concat(this.records.map((r) => r.d));
    const xt = this.tileInput(x, batch);
    const scales = await this.tile.getScales();
    const dt = allOnes(scales) ? d : new Float32Array(d.length);
    if (dt !== d) {
      const m = this.outSize;
      for (let i = 0; i < d.length; i++) {
        const s = scales[i % m]!;
        if (s === 0) throw new ModuleError('a digital output scale of the tile is 0: the update cannot be mapped to conductances');
        dt[i] = d[i]! / s;
      }
    }
    await this.tile.update(xt, dt, batch, learningRate);
    this.records = [];
  }

  /**
   * aihwkit's post_update_step, once per optimizer step: diffusion and decay
   * when the device has them; then clip, remap (learned out scales folded into
   * the mapping scales first, as aihwkit's set_scales) and a new weight
   * modifier draw, when the config asks for them.
   */
  async postUpdateStep(): Promise<void> {
    const cfg = this.rpuConfig;
    const device = cfg.device;
    if (requiresDiffusion(device)) await this.tile.diffuseWeights();
    if (requiresDecay(device)) await this.tile.decayWeights();
    if (!('clip' in cfg)) return;
    if (cfg.clip.type !== 'None') await this.tile.clipWeights();
    if (cfg.remap.type !== 'None') {
      await this.foldOutScalingIntoScales();
      await this.tile.remapWeights();
    }
    if (cfg.modifier.type !== 'Copy' || cfg.modifier.pdrop > 0) await this.tile.applyWeightModifier();
  }

  /** Mapping scales ← mapping scales × learned out scales; learned out scales ← 1 (aihwkit's set_scales(get_scales())). */
  private async foldOutScalingIntoScales(): Promise<void> {
    if (!this.outScaling || allOnes(this.outScaling.value)) return;
    const s = Float32Array.from(await this.tile.getScales());
    const a = this.outScaling.value;
    for (let i = 0; i < s.length; i++) s[i] = s[i]! * a[a.length > 1 ? i : 0]!;
    await this.tile.setScales(s);
    a.fill(1);
  }

  /** Forgets the forward cache and the update records (zero_grad of the analog context). */
  clearRecords(): void {
    this.records = [];
  }

  // ------------------------------------------------------------------ weights

  /**
   * Sets the logical weights [outSize × inSize] (and the analog bias [outSize]).
   * With weight_scaling_omega > 0 (or `omega` given) they are divided by
   * max|w|/omega (per row if weight_scaling_columnwise) and that factor becomes
   * the tile's digital output scale (aihwkit's apply_weight_scaling); otherwise
   * the scales are reset to 1 so that getWeights returns what was set. The
   * learned out scales are reset to 1 either way.
   */
  async setWeights(weight: Float32Array, bias: Float32Array | null, omega?: number): Promise<void> {
    const n = this.inSize;
    const m = this.outSize;
    const cols = this.tileInSize;
    const combined = new Float32Array(m * cols);
    for (let r = 0; r < m; r++) {
      combined.set(weight.subarray(r * n, r * n + n), r * cols);
      if (this.analogBias) combined[r * cols + n] = bias ? bias[r]! : 0;
    }
    const mapping = this.rpuConfig.mapping;
    const w = omega ?? mapping.weightScalingOmega;
    let scales: Float32Array | null = null;
    if (w > 0) {
      scales = new Float32Array(m);
      let globalMax = 0;
      for (let r = 0; r < m; r++) {
        let rowMax = 0;
        for (let c = 0; c < cols; c++) rowMax = Math.max(rowMax, Math.abs(combined[r * cols + c]!));
        scales[r] = rowMax;
        globalMax = Math.max(globalMax, rowMax);
      }
      if (!mapping.weightScalingColumnwise) scales.fill(globalMax);
      for (let r = 0; r < m; r++) {
        const alpha = Math.fround(scales[r]! / w);
        scales[r] = alpha === 0 ? 1 : alpha;
      }
      for (let i = 0; i < combined.length; i++) combined[i] = combined[i]! / scales[Math.floor(i / cols)]!;
    } else if (!allOnes(await this.tile.getScales())) {
      scales = new Float32Array(m).fill(1);
    }
    await this.tile.setWeights(combined);
    if (scales) await this.tile.setScales(scales);
    this.outScaling?.value.fill(1);
  }

  /** The tile's weights [outSize × inSize] and analog bias, times the digital scales (mapping × learned) when applyScales. */
  async getWeights(applyScales: boolean): Promise<{ weight: Float32Array; bias: Float32Array | null }> {
    const n = this.inSize;
    const m = this.outSize;
    const cols = this.tileInSize;
    const combined = await this.tile.getWeights();
    const weight = new Float32Array(m * n);
    const bias = this.analogBias ? new Float32Array(m) : null;
    const scales = applyScales ? Float32Array.from(await this.tile.getScales()) : null;
    if (scales && this.outScaling) {
      const a = this.outScaling.value;
      for (let r = 0; r < m; r++) scales[r] = scales[r]! * a[a.length > 1 ? r : 0]!;
    }
    for (let r = 0; r < m; r++) {
      const s = scales ? scales[r]! : 1;
      for (let c = 0; c < n; c++) weight[r * n + c] = combined[r * cols + c]! * s;
      if (bias) bias[r] = combined[r * cols + n]! * s;
    }
    return { weight, bias };
  }

  // ------------------------------------------------------------------ state

  /** The tile's state and periphery for a saved model. */
  async save(): Promise<SavedTile> {
    return {
      tile: await this.tile.getState(),
      inputRange: this.inputRange ? this.inputRange.value[0]! : null,
      inputRangeUpdateIdx: this.inputRangeUpdateIdx,
      outScaling: this.outScaling ? toNumbers(this.outScaling.value) : null,
    };
  }

  /**
   * Restores the periphery from a saved tile (the engine tile is restored by
   * the caller). Saved learned out scales that this config does not learn are
   * folded into the mapping scales, as aihwkit's __setstate__ does.
   */
  async loadPeriphery(saved: SavedTile): Promise<void> {
    if (this.inputRange) {
      if (saved.inputRange !== null) {
        this.inputRange.value[0] = saved.inputRange;
        this.inputRangeUpdateIdx = saved.inputRangeUpdateIdx;
      } else {
        this.inputRange.value[0] = this.rpuConfig.prePost.inputRange.initValue;
        this.inputRangeUpdateIdx = 0;
      }
    }
    const savedOut = saved.outScaling;
    if (this.outScaling) {
      const a = this.outScaling.value;
      if (savedOut === null) a.fill(1);
      else if (savedOut.length === a.length) a.set(savedOut);
      else if (savedOut.length === 1) a.fill(savedOut[0]!);
      else {
        // Columnwise saved, scalar wanted: fold the columns into the mapping scales.
        await this.foldScales(savedOut);
        a.fill(1);
      }
    } else if (savedOut !== null && savedOut.some((v) => v !== 1)) {
      await this.foldScales(savedOut);
    }
    this.cache = null;
    this.records = [];
  }

  private async foldScales(out: number[]): Promise<void> {
    const s = Float32Array.from(await this.tile.getScales());
    for (let i = 0; i < s.length; i++) s[i] = s[i]! * out[out.length > 1 ? i : 0]!;
    await this.tile.setScales(s);
  }
}
