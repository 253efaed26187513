/**
 * A test-only engine: perfect float64 MVM stored in float32 and the exact
 * SGD update W ← W − lr·dᵀx, with digital output scales applied to forward
 * outputs and backward's d, as the engine contract says. It checks the
 * layer math independently of the physics engines; it is never registered.
 * Its calls are checked at the boundary as every engine's are (core's tile-calls.ts).
 */
import {
  checkBackwardArgs,
  checkCreateTileOptions,
  checkForwardArgs,
  checkSetScalesArgs,
  checkSetWeightsArgs,
  checkTileState,
  checkUpdateArgs,
  NotSupportedError,
  tileStateOf,
  type AnalogTile,
  type AnalogTileBackend,
  type CreateTileOptions,
  type RPUConfig,
  type TileState,
} from '@crossbar/core';

export class ReferenceTile implements AnalogTile {
  readonly backendName = 'reference';
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  readonly rpuConfig: RPUConfig;
  private w: Float32Array;
  private scales: Float32Array;
  /** Every call, for tests that check what the layer asked of the tile. */
  readonly calls: string[] = [];

  constructor(o: CreateTileOptions) {
    ({ outSize: this.outSize, inSize: this.inSize, seed: this.seed, rpuConfig: this.rpuConfig } = checkCreateTileOptions(o));
    this.w = new Float32Array(this.outSize * this.inSize);
    this.scales = new Float32Array(this.outSize).fill(1);
  }

  setWeights(w: Float32Array): void {
    checkSetWeightsArgs(this, w);
    this.calls.push('setWeights');
    this.w.set(w);
  }
  getWeights(): Float32Array {
    return this.w.slice();
  }
  forward(x: Float32Array, batch: number): Float32Array {
    checkForwardArgs(this, x, batch);
    const { inSize: n, outSize: m } = this;
    const y = new Float32Array(batch * m);
    for (let b = 0; b < batch; b++) {
      for (let r = 0; r < m; r++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += this.w[r * n + c]! * x[b * n + c]!;
        y[b * m + r] = s * this.scales[r]!;
      }
    }
    return y;
  }
  backward(d: Float32Array, batch: number): Float32Array {
    checkBackwardArgs(this, d, batch);
    const { inSize: n, outSize: m } = this;
    const z = new Float32Array(batch * n);
    for (let b = 0; b < batch; b++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += this.w[r * n + c]! * d[b * m + r]! * this.scales[r]!;
        z[b * n + c] = s;
      }
    }
    return z;
  }
  update(x: Float32Array, d: Float32Array, batch: number, lr: number): void {
    checkUpdateArgs(this, x, d, batch, lr);
    this.calls.push('update');
    const { inSize: n, outSize: m } = this;
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let b = 0; b < batch; b++) s += d[b * m + r]! * x[b * n + c]!;
        this.w[r * n + c] = this.w[r * n + c]! - lr * s;
      }
    }
  }
  driftWeights(): void {
    throw new NotSupportedError('reference engine: no drift');
  }
  decayWeights(): void {
    this.calls.push('decayWeights');
  }
  diffuseWeights(): void {
    this.calls.push('diffuseWeights');
  }
  resetColumns(): void {
    throw new NotSupportedError('reference engine: no reset');
  }
  applyWeightModifier(): void {
    this.calls.push('applyWeightModifier');
  }
  clipWeights(): void {
    this.calls.push('clipWeights');
    const cfg = this.rpuConfig;
    if (!('clip' in cfg) || cfg.clip.type !== 'FixedValue') throw new NotSupportedError('reference engine: FixedValue clip only');
    const v = cfg.clip.fixedValue;
    for (let i = 0; i < this.w.length; i++) this.w[i] = Math.max(-v, Math.min(v, this.w[i]!));
  }
  remapWeights(): void {
    this.calls.push('remapWeights');
    const cfg = this.rpuConfig;
    if (!('remap' in cfg) || cfg.remap.type !== 'LayerwiseSymmetric') throw new NotSupportedError('reference engine: LayerwiseSymmetric only');
    let amax = 0;
    for (const v of this.w) amax = Math.max(amax, Math.abs(v));
    amax /= cfg.remap.remappedWmax;
    if (amax > 0) {
      for (let i = 0; i < this.scales.length; i++) this.scales[i] = this.scales[i]! * amax;
      for (let i = 0; i < this.w.length; i++) this.w[i] = this.w[i]! / amax;
    }
  }
  programWeights(): void {
    throw new NotSupportedError('reference engine: no programming');
  }
  getScales(): Float32Array {
    return this.scales.slice();
  }
  setScales(s: Float32Array): void {
    checkSetScalesArgs(this, s);
    this.calls.push('setScales');
    this.scales.set(s);
  }
  getDriftCompensationScale(): number {
    return 1;
  }
  getHiddenParameters(): Record<string, Float32Array> {
    return {};
  }
  setHiddenParameters(): void {}
  getState(): TileState {
    return tileStateOf(this, { rngCall: 1, weights: this.w, hiddenParameters: {}, arrays: { scales: Array.from(this.scales) }, scalars: {} });
  }
  setState(s: TileState): void {
    const { weights } = checkTileState(this, s);
    this.w.set(weights);
    this.scales.set(s.arrays.scales ?? []);
  }
  dispose(): void {}
}

export const referenceEngine: AnalogTileBackend & { tiles: ReferenceTile[] } = {
  name: 'reference',
  tiles: [],
  createTile(o: CreateTileOptions): ReferenceTile {
    const t = new ReferenceTile(o);
    this.tiles.push(t);
    return t;
  },
};
