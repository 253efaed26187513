/**
 * The kernels and device arrays one tile holds. Kernels come from the
 * runtime's shared cache (tiles of the same shape and config share them);
 * `dispose()` deletes the tile's textures first, then gives the kernels back,
 * so the last tile to let go of a kernel destroys it with every texture it
 * recycles.
 */
import type { GpuKernel, GpuTexture } from './gpujs.js';
import { DeviceArray, roundUp4 } from './device.js';
import type { GpuRuntime, KernelSettings } from './runtime.js';
import { uploadPacked4 } from './kernels/mvm.js';

export class KernelScope {
  private readonly kernels = new Map<string, GpuKernel>();
  private readonly arrays = new Set<DeviceArray>();
  private disposed = false;

  constructor(readonly runtime: GpuRuntime) {}

  /** The kernel for (source, settings), acquired once per scope. */
  kernel(source: string, settings: KernelSettings): GpuKernel {
    const key = `${source}\u0000${JSON.stringify(settings)}`;
    let k = this.kernels.get(key);
    if (!k) {
      k = this.runtime.acquire(source, settings);
      this.kernels.set(key, k);
    }
    return k;
  }

  /** Registers an array the scope frees on dispose. */
  track(a: DeviceArray): DeviceArray {
    this.arrays.add(a);
    return a;
  }

  /** Frees one array now. */
  free(a: DeviceArray | null | undefined): void {
    if (!a) return;
    this.arrays.delete(a);
    a.dispose();
  }

  /**
   * A device-resident rows × cols array holding `host` (row-major), owned by
   * this scope. Matrices (the MVM's weights and anything laid out like them)
   * allocate rows in multiples of 4.
   */
  upload(host: Float32Array, rows: number, cols: number, matrix: boolean): DeviceArray {
    const rt = this.runtime;
    const rowsAlloc = matrix ? roundUp4(rows) : rows;
    if (rt.isGl) {
      const k = this.kernel(uploadPacked4, {
        output: [Math.ceil(cols / 4), rowsAlloc],
        constants: { rows, cols },
        pipeline: true,
        immutable: true,
        returnType: 'Array(4)',
      });
      const tex = k(host) as GpuTexture;
      rt.assertMode(k, 'upload');
      return this.track(new DeviceArray(rt, rows, cols, rowsAlloc, tex, true));
    }
    const stride = roundUp4(cols);
    const data = new Float32Array(rowsAlloc * stride);
    for (let r = 0; r < rows; r++) data.set(host.subarray(r * cols, r * cols + cols), r * stride);
    return this.track(new DeviceArray(rt, rows, cols, rowsAlloc, data, true));
  }

  /** Replaces an owned array's contents with `host` (same shape): a new texture on GL, the old one freed. */
  overwrite(a: DeviceArray, host: Float32Array): void {
    const rt = this.runtime;
    if (rt.isGl) {
      const k = this.kernel(uploadPacked4, {
        output: [a.cols4, a.rowsAlloc],
        constants: { rows: a.rows, cols: a.cols },
        pipeline: true,
        immutable: true,
        returnType: 'Array(4)',
      });
      a.replace(k(host) as GpuTexture);
      return;
    }
    const stride = roundUp4(a.cols);
    const data = a.host;
    for (let r = 0; r < a.rows; r++) data.set(host.subarray(r * a.cols, r * a.cols + a.cols), r * stride);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const a of this.arrays) a.dispose();
    this.arrays.clear();
    for (const k of this.kernels.values()) this.runtime.release(k);
    this.kernels.clear();
  }
}
