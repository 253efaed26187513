/**
 * The plain matrix products of a tile on the device (the perfect forward and
 * backward, and the core of every IO-managed pass): y = s · W x and z = s · Wᵀ d
 * with W resident (a DeviceArray matrix), the inputs uploaded per call and the
 * result read back once.
 */
import type { GpuTexture } from './gpujs.js';
import { DeviceArray, roundUp4 } from './device.js';
import { backwardFlat, backwardPacked4, forwardFlat, forwardPacked4, padRows, scatterGroups, uploadPacked4 } from './kernels/mvm.js';
import type { KernelScope } from './scope.js';

/** Most rows one kernel launch computes (the IO pass uses the same). */
export const MAX_ROWS = 4096;

export class Gemm {
  private xPad = new Float32Array(0);

  constructor(
    private readonly scope: KernelScope,
    private readonly outSize: number,
    private readonly inSize: number,
  ) {}

  private get gl(): boolean {
    return this.scope.runtime.isGl;
  }

  /** A per-call input (rows × cols) on the device: a texture the upload kernel reuses (GL), or a padded copy. */
  private input(host: Float32Array, rows: number, cols: number): GpuTexture | Float32Array {
    if (this.gl) {
      const k = this.scope.kernel(uploadPacked4, {
        output: [Math.ceil(cols / 4), rows],
        constants: { rows, cols },
        pipeline: true,
        returnType: 'Array(4)',
      });
      return k(host) as GpuTexture;
    }
    const s = roundUp4(cols);
    if (this.xPad.length < rows * s) this.xPad = new Float32Array(rows * s);
    const buf = this.xPad.length === rows * s ? this.xPad : this.xPad.subarray(0, rows * s);
    return padRows(host, rows, cols, s, buf);
  }

  forward(w: DeviceArray, x: Float32Array, batch: number, scale: number): Float32Array {
    return this.chunked(batch, this.inSize, this.outSize, x, (xs, n) => this.forwardChunk(w, xs, n, scale));
  }

  backward(w: DeviceArray, d: Float32Array, batch: number, scale: number): Float32Array {
    return this.chunked(batch, this.outSize, this.inSize, d, (ds, n) => this.backwardChunk(w, ds, n, scale));
  }

  /** Runs `run` on slices of at most MAX_ROWS rows (texture height, short draw calls). */
  private chunked(batch: number, width: number, outWidth: number, input: Float32Array, run: (slice: Float32Array, rows: number) => Float32Array): Float32Array {
    if (batch <= MAX_ROWS) return run(input, batch);
    const out = new Float32Array(batch * outWidth);
    for (let b0 = 0; b0 < batch; b0 += MAX_ROWS) {
      const n = Math.min(MAX_ROWS, batch - b0);
      out.set(run(input.subarray(b0 * width, (b0 + n) * width), n), b0 * outWidth);
    }
    return out;
  }

  private forwardChunk(w: DeviceArray, x: Float32Array, batch: number, scale: number): Float32Array {
    const { outSize, inSize } = this;
    const y = new Float32Array(batch * outSize);
    const epilogue = scale === 1 ? undefined : (v: string) => `${v} * this.constants.scale`;
    if (this.gl) {
      const k = this.scope.kernel(forwardPacked4(epilogue), {
        output: [Math.ceil(outSize / 4), batch],
        constants: { k4: Math.ceil(inSize / 4), scale },
        pipeline: true,
        returnType: 'Array(4)',
      });
      const tex = k(w.texture, this.input(x, batch, inSize)) as GpuTexture;
      this.scope.runtime.assertMode(k, 'forward');
      return new DeviceArray(this.scope.runtime, batch, outSize, batch, tex, false).download(y);
    }
    const k = this.scope.kernel(forwardFlat(epilogue), {
      output: [batch, roundUp4(outSize) / 4],
      constants: { s: roundUp4(inSize), scale },
      returnType: 'Array(4)',
    });
    const result = k(w.host, this.input(x, batch, inSize));
    this.scope.runtime.assertMode(k, 'forward');
    return scatterGroups(result as Float32Array[][], batch, outSize, y);
  }

  private backwardChunk(w: DeviceArray, d: Float32Array, batch: number, scale: number): Float32Array {
    const { outSize, inSize } = this;
    const z = new Float32Array(batch * inSize);
    const epilogue = scale === 1 ? undefined : (v: string) => `${v} * this.constants.scale`;
    if (this.gl) {
      const k = this.scope.kernel(backwardPacked4(epilogue), {
        output: [Math.ceil(inSize / 4), batch],
        constants: { o4: Math.ceil(outSize / 4), scale },
        pipeline: true,
        returnType: 'Array(4)',
      });
      const tex = k(w.texture, this.input(d, batch, outSize)) as GpuTexture;
      this.scope.runtime.assertMode(k, 'backward');
      return new DeviceArray(this.scope.runtime, batch, inSize, batch, tex, false).download(z);
    }
    const k = this.scope.kernel(backwardFlat(epilogue), {
      output: [batch, roundUp4(inSize) / 4],
      constants: { s: roundUp4(inSize), t: roundUp4(outSize), scale },
      returnType: 'Array(4)',
    });
    const result = k(w.host, this.input(d, batch, outSize));
    this.scope.runtime.assertMode(k, 'backward');
    return scatterGroups(result as Float32Array[][], batch, inSize, z);
  }
}
