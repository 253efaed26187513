/**
 * A deliberately small engine for the suite's own tests: perfect MVMs (float64
 * sums rounded to float32), floating-point (pulse_type None) updates, FixedValue
 * clipping, Copy modifiers and output scales. Everything else is refused with a
 * NotSupportedError. `faults` breaks it in one way at a time, to show that the
 * suite catches each fault.
 */
import {
  checkFiniteNumber,
  checkFloat32Array,
  checkPositiveInteger,
  InferenceRPUConfig,
  NotSupportedError,
  SingleRPUConfig,
  type AnalogTile,
  type AnalogTileBackend,
  type CreateTileOptions,
  type HiddenParameters,
  type IOParameters,
  type RPUConfig,
  type TileState,
} from '@crossbar/core';

export interface ToyFaults {
  /** Added to every forward output. */
  forwardBias?: number;
  /** Skip validation of forward inputs (NaN passes through). */
  noForwardValidation?: boolean;
  /** Apply the update before validating the learning rate. */
  updateBeforeValidation?: boolean;
  /** Ignore the learning rate's sign convention (W += lr dᵀx). */
  wrongUpdateSign?: boolean;
  /** Do not clip pulsed updates to the device bounds. */
  noBoundClip?: boolean;
}

export interface ToyOptions {
  /** Run pulsed pulse types as a floating-point update clipped to the bounds (a stand-in for tests). */
  pulsedAsFloat?: boolean;
}

function refuse(what: string): never {
  throw new NotSupportedError(`toy engine: ${what} is not supported`);
}

function perfect(io: IOParameters | undefined): boolean {
  return io !== undefined && (io.isPerfect || io.mvType === 'Ideal');
}

class ToyTile implements AnalogTile {
  readonly backendName = 'toy';
  readonly rpuConfig: RPUConfig;
  private readonly weights: Float32Array;
  private readonly scales: Float32Array;

  constructor(
    readonly outSize: number,
    readonly inSize: number,
    readonly seed: number,
    rpuConfig: RPUConfig,
    private readonly faults: ToyFaults,
    private readonly options: ToyOptions,
  ) {
    this.rpuConfig = rpuConfig.clone().validate();
    this.weights = new Float32Array(outSize * inSize);
    this.scales = new Float32Array(outSize).fill(1);
    if (this.rpuConfig instanceof InferenceRPUConfig && this.rpuConfig.modifier.type !== 'Copy') refuse(`modifier ${this.rpuConfig.modifier.type}`);
    if (this.rpuConfig instanceof InferenceRPUConfig && this.rpuConfig.modifier.pdrop > 0) refuse('pdrop');
  }

  private get io(): { forward?: IOParameters; backward?: IOParameters } {
    const c = this.rpuConfig;
    if (c instanceof SingleRPUConfig || c instanceof InferenceRPUConfig) return { forward: c.forward, backward: c.backward };
    return {};
  }

  private get bounds(): [number, number] | undefined {
    const c = this.rpuConfig;
    if (c instanceof SingleRPUConfig && c.device.constructor.name === 'ConstantStepDevice') {
      // The toy uses the mean bounds for every device (no device-to-device draws).
      const d = c.device as unknown as { wMin: number; wMax: number };
      return [d.wMin, d.wMax];
    }
    return undefined;
  }

  private get pulseType(): string {
    const c = this.rpuConfig;
    return c instanceof SingleRPUConfig || c instanceof InferenceRPUConfig ? c.update.pulseType : 'None';
  }

  setWeights(w: Float32Array): void {
    checkFloat32Array('setWeights', 'weights', w, this.weights.length);
    const b = this.pulseType === 'None' ? undefined : this.bounds;
    for (let i = 0; i < w.length; i++) this.weights[i] = b ? Math.min(b[1], Math.max(b[0], w[i]!)) : w[i]!;
  }

  getWeights(): Float32Array {
    return this.weights.slice();
  }

  private mvm(v: Float32Array, batch: number, transposed: boolean, io: IOParameters | undefined): Float32Array {
    if (!perfect(io)) refuse('a non-perfect MVM');
    const n = transposed ? this.inSize : this.outSize;
    const k = transposed ? this.outSize : this.inSize;
    const y = new Float32Array(batch * n);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += (transposed ? this.weights[j * this.inSize + i]! : this.weights[i * this.inSize + j]!) * v[b * k + j]!;
        y[b * n + i] = s * io!.outScale * (transposed ? 1 : this.scales[i]!) + (transposed ? 0 : this.faults.forwardBias ?? 0);
      }
    }
    return y;
  }

  forward(x: Float32Array, batch: number): Float32Array {
    if (!this.faults.noForwardValidation) {
      checkPositiveInteger('forward', 'batch', batch);
      checkFloat32Array('forward', 'x', x, batch * this.inSize);
    }
    return this.mvm(x, batch, false, this.io.forward);
  }

  backward(d: Float32Array, batch: number): Float32Array {
    checkPositiveInteger('backward', 'batch', batch);
    checkFloat32Array('backward', 'd', d, batch * this.outSize);
    return this.mvm(d, batch, true, this.io.backward);
  }

  update(x: Float32Array, d: Float32Array, batch: number, lr: number): void {
    const apply = (): void => {
      const pulsed = this.pulseType !== 'None';
      if (pulsed && !this.options.pulsedAsFloat) refuse(`pulse_type ${this.pulseType}`);
      const b = pulsed && !this.faults.noBoundClip ? this.bounds : undefined;
      const sign = this.faults.wrongUpdateSign ? 1 : -1;
      for (let i = 0; i < this.outSize; i++) {
        for (let j = 0; j < this.inSize; j++) {
          let g = 0;
          for (let b = 0; b < batch; b++) g += d[b * this.outSize + i]! * x[b * this.inSize + j]!;
          const w = this.weights[i * this.inSize + j]! + sign * lr * g;
          this.weights[i * this.inSize + j] = b ? Math.min(b[1], Math.max(b[0], w)) : w;
        }
      }
    };
    if (this.faults.updateBeforeValidation) apply();
    checkPositiveInteger('update', 'batch', batch);
    checkFloat32Array('update', 'x', x, batch * this.inSize);
    checkFloat32Array('update', 'd', d, batch * this.outSize);
    checkFiniteNumber('update', 'learningRate', lr, { min: 0 });
    if (!this.faults.updateBeforeValidation) apply();
  }

  clipWeights(): void {
    const c = this.rpuConfig;
    if (!(c instanceof InferenceRPUConfig)) refuse('clipping outside InferenceRPUConfig');
    const clip = c.clip;
    if (clip.type === 'None') return;
    if (clip.type !== 'FixedValue') refuse(`clip type ${clip.type}`);
    for (let i = 0; i < this.weights.length; i++) this.weights[i] = Math.min(clip.fixedValue, Math.max(-clip.fixedValue, this.weights[i]!));
  }

  applyWeightModifier(): void {}

  getScales(): Float32Array {
    return this.scales.slice();
  }

  setScales(s: Float32Array): void {
    checkFloat32Array('setScales', 'scales', s, this.outSize);
    this.scales.set(s);
  }

  getHiddenParameters(): HiddenParameters {
    const b = this.bounds;
    if (!b) return {};
    return {
      max_bound: new Float32Array(this.weights.length).fill(b[1]),
      min_bound: new Float32Array(this.weights.length).fill(b[0]),
    };
  }

  setHiddenParameters(): void {
    refuse('setting hidden parameters');
  }

  getDriftCompensationScale(): number {
    return 1;
  }

  driftWeights(): void {
    refuse('drift');
  }
  decayWeights(): void {
    refuse('decay');
  }
  diffuseWeights(): void {
    refuse('diffusion');
  }
  resetColumns(): void {
    refuse('reset');
  }
  remapWeights(): void {
    refuse('remap');
  }
  programWeights(): void {
    refuse('programming');
  }
  getState(): TileState {
    return refuse('state');
  }
  setState(): void {
    refuse('state');
  }
  dispose(): void {}
}

export class ToyBackend implements AnalogTileBackend {
  readonly name = 'toy';
  constructor(
    private readonly faults: ToyFaults = {},
    private readonly options: ToyOptions = {},
  ) {}
  createTile(o: CreateTileOptions): AnalogTile {
    return new ToyTile(o.outSize, o.inSize, o.seed ?? 0, o.rpuConfig, this.faults, this.options);
  }
}

/** The oracle cases the toy engine implements (the rest it refuses). */
export const TOY_ORACLE_CASES: readonly string[] = [
  'forward_det/perfect_8x5',
  'forward_det/perfect_out_scale_2.5',
  'forward_det/mv_ideal_8x5',
  'backward_det/bwd_perfect',
  'backward_det/bwd_perfect_out_scale2',
  'update_det/pulse_none_fp',
  'clip_remap/clip_none',
  'clip_remap/clip_fixed0.3',
  'modifier/mod_copy',
];
