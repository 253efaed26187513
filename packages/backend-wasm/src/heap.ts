/**
 * The kernels' working memory over the WebAssembly memory, from the module's heap
 * base. Buffers are 16-byte aligned (v128 loads); the memory grows as needed. Views
 * are made afresh on each call because growing replaces `memory.buffer`.
 *
 * Two kinds of buffers share it:
 *   - a call's buffers: a stack (bump) allocator, released by `mark()` / `release(mark)`
 *     (all buffers allocated after the mark);
 *   - long-lived blocks (a tile's resident weights): `allocBlock` / `freeBlock`, taken
 *     outside every mark (between calls) from a first-fit free list of freed blocks or
 *     from the top of the stack; a freed block is merged with its free neighbours and,
 *     when it ends at the top, given back to the stack. So creating and disposing tiles
 *     reuses the same bytes and the memory stays flat.
 */
const ALIGN = 16;
const PAGE = 65536;

/** A stack (bump) allocator over the kernels' WebAssembly memory (16-byte aligned buffers). */
export class WasmHeap {
  private top: number;
  /** Marks taken and not yet released (long-lived blocks are taken only at depth 0). */
  private depth = 0;
  /** Long-lived blocks in use: byte offset → bytes. */
  private readonly blocks = new Map<number, number>();
  /** Freed long-lived blocks below the top, sorted by offset, never adjacent. */
  private readonly free: { ptr: number; bytes: number }[] = [];

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
    this.depth++;
    return this.top;
  }

  /** Frees every buffer allocated after `mark` (a value of mark()). */
  release(mark: number): void {
    if (!(Number.isInteger(mark) && mark >= align(this.base) && mark <= this.top)) {
      throw new RangeError(`WasmHeap.release: ${mark} is not a mark of this heap`);
    }
    this.top = mark;
    if (this.depth > 0) this.depth--;
  }

  /**
   * A long-lived buffer of `bytes` bytes (16-byte aligned, not zeroed) that stays until
   * `freeBlock`: a freed block that fits (first fit, split), else the top of the stack.
   * Only between calls: throws while a mark is held (release would free it).
   */
  allocBlock(bytes: number): number {
    if (!(Number.isInteger(bytes) && bytes > 0)) throw new RangeError(`WasmHeap.allocBlock: bytes must be a positive integer, got ${bytes}`);
    if (this.depth > 0) throw new RangeError('WasmHeap.allocBlock: a long-lived block cannot be taken while a mark is held');
    const size = align(bytes);
    for (let k = 0; k < this.free.length; k++) {
      const f = this.free[k]!;
      if (f.bytes < size) continue;
      if (f.bytes === size) this.free.splice(k, 1);
      else this.free[k] = { ptr: f.ptr + size, bytes: f.bytes - size };
      this.blocks.set(f.ptr, size);
      return f.ptr;
    }
    const ptr = this.alloc(size, false);
    this.blocks.set(ptr, size);
    return ptr;
  }

  /** Frees a block of allocBlock (merged with its free neighbours; given back to the stack when it ends at the top). */
  freeBlock(ptr: number): void {
    const size = this.blocks.get(ptr);
    if (size === undefined) throw new RangeError(`WasmHeap.freeBlock: ${ptr} is not a block of this heap`);
    this.blocks.delete(ptr);
    let k = 0;
    while (k < this.free.length && this.free[k]!.ptr < ptr) k++;
    let start = ptr;
    let end = ptr + size;
    const prev = this.free[k - 1];
    if (prev !== undefined && prev.ptr + prev.bytes === start) {
      start = prev.ptr;
      this.free.splice(--k, 1);
    }
    const next = this.free[k];
    if (next !== undefined && next.ptr === end) {
      end = next.ptr + next.bytes;
      this.free.splice(k, 1);
    }
    if (end === this.top && this.depth === 0) this.top = start;
    else this.free.splice(k, 0, { ptr: start, bytes: end - start });
  }

  /** Bytes held by long-lived blocks (in use, not freed). */
  get blockBytes(): number {
    let n = 0;
    for (const b of this.blocks.values()) n += b;
    return n;
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

/** Runs `body` with the heap's top restored after it (the call's buffers are freed). */
export function scoped<T>(heap: WasmHeap, body: () => T): T {
  const mark = heap.mark();
  try {
    return body();
  } finally {
    heap.release(mark);
  }
}
