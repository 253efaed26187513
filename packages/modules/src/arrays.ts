/** Row-major [rows × width] helpers shared by the layers. */

/** Columns [start, start + count) of x [rows × width] as a new [rows × count] array. */
export function sliceColumns(x: Float32Array, rows: number, width: number, start: number, count: number): Float32Array {
  if (start === 0 && count === width) return x.slice();
  const out = new Float32Array(rows * count);
  for (let r = 0; r < rows; r++) out.set(x.subarray(r * width + start, r * width + start + count), r * count);
  return out;
}

/** dst[:, start:start+count] += src [rows × count] (dst is [rows × width]). */
export function addColumns(dst: Float32Array, width: number, start: number, src: Float32Array, rows: number, count: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * width + start;
    const s = r * count;
    for (let c = 0; c < count; c++) dst[o + c] = dst[o + c]! + src[s + c]!;
  }
}

/** Concatenates arrays end to end. */
export function concat(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** JSON-safe copy of a float32 array (float32 values are exact doubles, so this round-trips). */
export function toNumbers(a: Float32Array): number[] {
  return Array.from(a);
}
