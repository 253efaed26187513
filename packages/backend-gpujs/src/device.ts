/**
 * Device-resident arrays and their layouts.
 *
 * GL modes ("packed4"): a rows × cols array is a float32 RGBA texture of
 * ⌈cols/4⌉ × rowsAlloc texels; texel (k, r) holds columns 4k..4k+3 of row r,
 * zero-padded. A kernel thread then reads four values per texture fetch,
 * which is what makes the MVM fast on GL (see kernels/mvm.ts).
 *
 * cpu/webasm ("flat"): a row-major Float32Array of rowsAlloc × cols — the
 * device is host memory, and kernels index it directly.
 *
 * Matrices (weights, hidden parameters) allocate rows in multiples of 4
 * (zero rows), because the MVM kernels handle four rows per thread.
 */
import type { GpuTexture } from './gpujs.js';
import type { GpuRuntime } from './runtime.js';

export type Layout = 'packed4' | 'flat';

export function roundUp4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

export class DeviceArray {
  private disposed = false;

  constructor(
    readonly runtime: GpuRuntime,
    /** Logical rows. */
    readonly rows: number,
    /** Logical columns. */
    readonly cols: number,
    /** Allocated rows (rows, or rows rounded up to 4 for matrices). */
    readonly rowsAlloc: number,
    /** The texture (packed4) or Float32Array (flat). */
    public data: GpuTexture | Float32Array,
    /** Whether this array owns `data` (an immutable texture or a host buffer it must free). */
    readonly owned: boolean,
  ) {
    if (owned && !runtime.isGl) runtime.trackHostBuffer(1);
  }

  get layout(): Layout {
    return this.runtime.isGl ? 'packed4' : 'flat';
  }

  /** Texels per row (packed4). */
  get cols4(): number {
    return Math.ceil(this.cols / 4);
  }

  /** Floats per row in the flat layout: columns rounded up to 4, zero-padded. */
  get stride(): number {
    return roundUp4(this.cols);
  }

  /** The logical rows × cols, row-major, read back from the device. */
  download(out: Float32Array = new Float32Array(this.rows * this.cols)): Float32Array {
    if (this.runtime.isGl) return unpackTexture(this.texture, this.rows, this.cols, out);
    const stride = this.stride;
    const data = this.host;
    if (stride === this.cols) out.set(data.subarray(0, this.rows * this.cols));
    else for (let r = 0; r < this.rows; r++) out.set(data.subarray(r * stride, r * stride + this.cols), r * this.cols);
    return out;
  }

  get texture(): GpuTexture {
    return this.data as GpuTexture;
  }

  get host(): Float32Array {
    return this.data as Float32Array;
  }

  /** Replaces the data with a new one of the same shape (ping-pong), freeing the old. */
  replace(next: GpuTexture | Float32Array): void {
    if (this.owned && this.data !== next && this.runtime.isGl) (this.data as GpuTexture).delete();
    this.data = next;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.owned) return;
    if (this.runtime.isGl) (this.data as GpuTexture).delete();
    else this.runtime.trackHostBuffer(-1);
  }
}

/**
 * Reads a packed4 texture's logical rows × cols into `out` (row-major). gpu.js
 * lays a 2D output's texels out in index order (x + width · y) over whatever
 * texture size it picked, so the raw read-back is texel-linear.
 */
export function unpackTexture(texture: GpuTexture, rows: number, cols: number, out: Float32Array): Float32Array {
  const raw = texture.renderRawOutput();
  const cols4 = Math.ceil(cols / 4);
  if (texture.output[0] !== cols4) throw new Error(`gpujs: a texture of ${texture.output[0]} texels per row read as ${cols4}`);
  const rawRow = cols4 * 4;
  if (cols === rawRow) {
    out.set(raw.subarray(0, rows * cols));
  } else {
    for (let r = 0; r < rows; r++) out.set(raw.subarray(r * rawRow, r * rawRow + cols), r * cols);
  }
  return out;
}
