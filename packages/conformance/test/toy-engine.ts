/**
 * A deliberately small engine for the suite's own tests, as a kernel set on
 * core's tile: perfect MVMs (float64 sums rounded to float32) and floating-point
 * updates; everything that needs another kernel (the managed MVM, the pulsed
 * update, the weight modifier) is refused by core with a NotSupportedError naming
 * the kernel. `faults` breaks it in one way at a time, to show that the suite
 * catches each fault; the two boundary faults (no validation, updating before
 * validating) go around core's tile on purpose.
 */
import {
  checkCreateTileOptions,
  checkUpdateArgs,
  KernelTile,
  type AnalogTile,
  type AnalogTileBackend,
  type CreateTileOptions,
  type PulsedUpdateArgs,
  type TileKernels,
  type TileSpec,
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

function toyKernels(spec: TileSpec, faults: ToyFaults, options: ToyOptions): TileKernels {
  const { outSize, inSize } = spec;
  const sign = faults.wrongUpdateSign ? 1 : -1;
  /** w += sign · lr · dᵀx (float64 sums), each element clipped to [lo, hi] when given. */
  const sgd = (w: Float32Array, x: Float32Array, d: Float32Array, batch: number, lr: number, lo?: Float32Array, hi?: Float32Array): void => {
    for (let i = 0; i < outSize; i++) {
      for (let j = 0; j < inSize; j++) {
        let g = 0;
        for (let b = 0; b < batch; b++) g += d[b * outSize + i]! * x[b * inSize + j]!;
        const e = i * inSize + j;
        const v = w[e]! + sign * lr * g;
        w[e] = lo && hi ? Math.min(hi[e]!, Math.max(lo[e]!, v)) : v;
      }
    }
  };
  const kernels: TileKernels = {
    perfectMvm(direction, w, v, batch, outScale) {
      const transposed = direction === 'backward';
      const n = transposed ? inSize : outSize;
      const k = transposed ? outSize : inSize;
      const y = new Float32Array(batch * n);
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < k; j++) s += (transposed ? w[j * inSize + i]! : w[i * inSize + j]!) * v[b * k + j]!;
          y[b * n + i] = s * outScale + (transposed ? 0 : (faults.forwardBias ?? 0));
        }
      }
      return y;
    },
    floatingPointUpdate: (w, x, d, batch, lr) => sgd(w, x, d, batch, lr),
  };
  if (options.pulsedAsFloat) {
    kernels.pulsedUpdate = (a: PulsedUpdateArgs) => {
      const clip = !faults.noBoundClip;
      sgd(a.target, a.x, a.d, a.batch, a.learningRate, clip ? a.device.minBound : undefined, clip ? a.device.maxBound : undefined);
      a.touched.fill(1);
    };
  }
  return kernels;
}

class ToyTile extends KernelTile {
  constructor(
    options: CreateTileOptions,
    private readonly faults: ToyFaults,
    toyOptions: ToyOptions,
  ) {
    super('toy', options, toyKernels({ engine: 'toy', ...checkCreateTileOptions(options) }, faults, toyOptions));
  }

  override forward(x: Float32Array, batch: number): Float32Array {
    if (!this.faults.noForwardValidation) return super.forward(x, batch);
    return this.kernels.perfectMvm!('forward', this.weights, x, batch, 1); // the fault: no checks at all
  }

  override update(x: Float32Array, d: Float32Array, batch: number, lr: number): void {
    if (!this.faults.updateBeforeValidation) {
      super.update(x, d, batch, lr);
      return;
    }
    this.kernels.floatingPointUpdate!(this.weights, x, d, batch, lr); // the fault: the weights change first
    checkUpdateArgs(this, x, d, batch, lr);
  }
}

export class ToyBackend implements AnalogTileBackend {
  readonly name = 'toy';
  constructor(
    private readonly faults: ToyFaults = {},
    private readonly options: ToyOptions = {},
  ) {}
  createTile(o: CreateTileOptions): AnalogTile {
    return new ToyTile(o, this.faults, this.options);
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
