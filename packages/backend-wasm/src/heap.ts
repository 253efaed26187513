/**
 * The kernels' working memory: a stack (bump) allocator over the WebAssembly
 * memory, from the module's heap base. Buffers are 16-byte aligned (v128 loads);
 * the memory grows as needed. Views are made afresh on each call because growing
 * replaces `memory.buffer`. Release is by `mark()` / `release(mark)` (all buffers
 * allocated after the mark); the engine's tile will own its buffers for its life.
 */
const ALIGN = 16;
const PAGE = 65536;

/** A stack (bump) allocator over the kernels' WebAssembly memory (16-byte aligned buffers). */
export class WasmHeap {
  private top: number;

  /** A heap over `memory` from byte `base` (the module's heap base). */
  constructor(
    readonly memory: WebAssembly.Memory,
    readonly base: number,
  ) {
    this.top = align(base);
  }

  /** Bytes in use above the heap base. */
  get used(): number {
    return this.top - align(this.base);
  }

  /** A new buffer of `bytes` bytes (16-byte aligned, zeroed unless `zero` is false: a buffer the caller fills whole); returns its byte offset. */
  alloc(bytes: number, zero = true): number {
    if (!(Number.isInteger(bytes) && bytes >= 0)) throw new RangeError(`WasmHeap.alloc: bytes must be a non-negative integer, got ${bytes}`);
    const ptr = this.top;
    const end = align(ptr + bytes);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch (e) {
        throw new RangeError(`WasmHeap.alloc: cannot grow the WebAssembly memory to ${end} bytes: ${(e as Error).message}`);
      }
    }
    if (zero) new Uint8Array(this.memory.buffer, ptr, end - ptr).fill(0);
    this.top = end;
    return ptr;
  }

  /** A buffer of n float32 (see alloc). */
  allocF32(n: number, zero = true): number {
    return this.alloc(4 * n, zero);
  }
  /** A buffer of n float64 (see alloc). */
  allocF64(n: number, zero = true): number {
    return this.alloc(8 * n, zero);
  }
  /** A buffer of n int32 (see alloc). */
  allocI32(n: number, zero = true): number {
    return this.alloc(4 * n, zero);
  }

  /** The current top: `release(mark)` frees everything allocated after it. */
  mark(): number {
    return this.top;
  }

  /** Frees every buffer allocated after `mark` (a value of mark()). */
  release(mark: number): void {
    if (!(Number.isInteger(mark) && mark >= align(this.base) && mark <= this.top)) {
      throw new RangeError(`WasmHeap.release: ${mark} is not a mark of this heap`);
    }
    this.top = mark;
  }

  /** A float32 view of n elements at byte offset ptr (made afresh: growing replaces the buffer). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }
  /** A float64 view of n elements at byte offset ptr. */
  f64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, n);
  }
  /** An int32 view of n elements at byte offset ptr. */
  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, n);
  }
  /** A uint32 view of n elements at byte offset ptr. */
  u32(ptr: number, n: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, ptr, n);
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
