/**
 * A tile's weights kept in the kernels' WebAssembly memory between calls (resident
 * weights), so that an MVM copies the 4 · outSize · inSize bytes only when core's
 * weights changed: core hands every MVM the weights array it reads and a version
 * (kernels.ts AnalogPassArgs.weightsVersion) that changes whenever core may have
 * written them; the copy is redone when (array, version) differ from the resident
 * copy's, or when the version is absent. With threads the engine has two instances
 * (plain memory for the calls on the calling thread, shared memory for the split
 * ones): each keeps its own copy, made on its first call. The copies are long-lived
 * heap blocks (WasmHeap.allocBlock), freed when the tile is disposed.
 */
import type { Kernels } from './loader.js';

interface Copy {
  readonly ptr: number;
  /** The array the copy was made from (null: none yet). */
  weights: Float32Array | null;
  /** Its version then (undefined: unknown, copied again at the next call). */
  version: number | undefined;
}

/** One tile's resident weights [outSize × inSize] float32, one copy per kernels instance. */
export class ResidentWeights {
  private readonly copies = new Map<Kernels, Copy>();

  /** A tile's weights of `size` elements. */
  constructor(readonly size: number) {}

  /**
   * The byte offset of `weights` in `kernels`' memory, copied there when (weights,
   * version) differ from the copy's. Called between calls (outside a heap mark): the
   * first call of an instance takes its block.
   */
  ptr(kernels: Kernels, weights: Float32Array, version: number | undefined): number {
    let copy = this.copies.get(kernels);
    if (copy === undefined) {
      copy = { ptr: kernels.heap.allocBlock(4 * this.size), weights: null, version: undefined };
      this.copies.set(kernels, copy);
    }
    if (version === undefined || copy.weights !== weights || copy.version !== version) {
      kernels.heap.f32(copy.ptr, this.size).set(weights.subarray(0, this.size));
      copy.weights = weights;
      copy.version = version;
    }
    return copy.ptr;
  }

  /** Frees every copy (the tile is disposed). */
  dispose(): void {
    for (const [kernels, copy] of this.copies) kernels.heap.freeBlock(copy.ptr);
    this.copies.clear();
  }
}
