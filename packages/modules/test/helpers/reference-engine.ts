/**
 * A test-only engine, as a kernel set on core's tile: a perfect float64 MVM
 * stored in float32 for every IOParameters (no noise, no clipping) and the exact SGD update W ← W − lr·dᵀx (also standing in
 * for the pulsed update, so that a layer's math is checked independently of
 * the device physics); the weight modifier is core's plain-JS kernel. Core's
 * tile does everything else (checks, output scales, clip, remap, state), as it
 * does for every engine. It is never registered; its tiles log the calls a
 * layer makes (`calls`).
 */
import { checkCreateTileOptions, KernelTile, modifyWeightsHost, type AnalogTileBackend, type CreateTileOptions, type TileKernels, type TileSpec } from '@crossbar/core';

function referenceKernels({ outSize: m, inSize: n }: TileSpec): TileKernels {
  const sgd = (w: Float32Array, x: Float32Array, d: Float32Array, batch: number, lr: number): void => {
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let b = 0; b < batch; b++) s += d[b * m + r]! * x[b * n + c]!;
        w[r * n + c] = w[r * n + c]! - lr * s;
      }
    }
  };
  return {
    perfectMvm(direction, w, v, batch, outScale) {
      const forward = direction === 'forward';
      const nOut = forward ? m : n;
      const nIn = forward ? n : m;
      const y = new Float32Array(batch * nOut);
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < nOut; i++) {
          let s = 0;
          for (let j = 0; j < nIn; j++) s += (forward ? w[i * n + j]! : w[j * n + i]!) * v[b * nIn + j]!;
          y[b * nOut + i] = s * outScale;
        }
      }
      return y;
    },
    // any IO: the exact product of the scaled input, never clipped (core's noise management
    // scales x by 1/α and y back by α; bound management never re-runs)
    analogPass(a) {
      const forward = a.direction === 'forward';
      const w = a.weights;
      for (let k = 0; k < a.nActive; k++) {
        const xo = a.active[k]! * a.nIn;
        for (let i = 0; i < a.nOut; i++) {
          let s = 0;
          for (let j = 0; j < a.nIn; j++) s += (forward ? w[i * n + j]! : w[j * n + i]!) * a.x[xo + j]! * a.rowScale[k]!;
          a.out[k * a.nOut + i] = s;
        }
      }
      a.passed.fill(1, 0, a.nActive);
    },
    floatingPointUpdate: sgd,
    pulsedUpdate(a) {
      sgd(a.target, a.x, a.d, a.batch, a.learningRate);
      a.touched.fill(1);
    },
    modifyWeights: modifyWeightsHost,
  };
}

export class ReferenceTile extends KernelTile {
  /** Every call that changes the tile, for tests that check what the layer asked of it. */
  readonly calls: string[] = [];

  constructor(o: CreateTileOptions) {
    super('reference', o, referenceKernels({ engine: 'reference', ...checkCreateTileOptions(o) }));
  }

  override setWeights(w: Float32Array): void {
    super.setWeights(w);
    this.calls.push('setWeights');
  }
  override update(x: Float32Array, d: Float32Array, batch: number, lr: number): void {
    super.update(x, d, batch, lr);
    this.calls.push('update');
  }
  override decayWeights(alpha?: number): void {
    this.calls.push('decayWeights');
    super.decayWeights(alpha);
  }
  override diffuseWeights(): void {
    this.calls.push('diffuseWeights');
    super.diffuseWeights();
  }
  override applyWeightModifier(): void {
    this.calls.push('applyWeightModifier');
    super.applyWeightModifier();
  }
  override clipWeights(): void {
    this.calls.push('clipWeights');
    super.clipWeights();
  }
  override remapWeights(): void {
    this.calls.push('remapWeights');
    super.remapWeights();
  }
  override setScales(s: Float32Array): void {
    super.setScales(s);
    this.calls.push('setScales');
  }
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
