/**
 * The matrix products of a tile as gpu.js kernel sources, one per layout.
 *
 * packed4 (GL): every thread computes four outputs at once from float32 RGBA
 * texels: per step k it fetches one texel of the input row (4 values) and one
 * texel from each of four weight rows, 5 fetches for 16 multiply-adds (the
 * naive one-output kernel needs 2 fetches per multiply-add, and on GL the
 * fetch, not the arithmetic, is what costs).
 *
 * flat (cpu, webasm): gpu.js's WebAssembly backend runs four neighbouring
 * threads (x) as one f32x4 SIMD lane group; a read that differs between lanes
 * is a 4-load gather, a read they share is one load and a splat. So a thread
 * is one batch row (x, the lanes) × four outputs (y): per input element it
 * reads four weights shared by the lanes and one gathered input, again 5
 * reads for 16 multiply-adds.
 *
 * Summation order: per thread, groups of four products are added, then
 * accumulated over the input — a float32 result that differs from a
 * left-to-right sum by rounding only.
 */

/** Per-output code appended to the products (fused epilogue); `v` is the sum, `o` its output index, `b` the batch row. */
export type Epilogue = (v: string, o: string, b: string) => string;

const identity: Epilogue = (v) => v;

/**
 * packed4 upload: a flat row-major Float32Array (rows × cols) → texture
 * ⌈cols/4⌉ × rowsAlloc, zero-padded. Constants: rows, cols.
 */
export const uploadPacked4 = `function(a) {
  const r = this.thread.y;
  const c = this.thread.x * 4;
  let v0 = 0.0; let v1 = 0.0; let v2 = 0.0; let v3 = 0.0;
  if (r < this.constants.rows) {
    const base = r * this.constants.cols + c;
    if (c < this.constants.cols) { v0 = a[base]; }
    if (c + 1 < this.constants.cols) { v1 = a[base + 1]; }
    if (c + 2 < this.constants.cols) { v2 = a[base + 2]; }
    if (c + 3 < this.constants.cols) { v3 = a[base + 3]; }
  }
  return [v0, v1, v2, v3];
}`;

/**
 * packed4 forward: y[b][o] = Σ_i w[o][i] x[b][i]. Output ⌈out/4⌉ × batch texels.
 * Arguments: w (texture ⌈in/4⌉ × outAlloc), x (texture ⌈in/4⌉ × batch). Constants: k4 = ⌈in/4⌉.
 */
export function forwardPacked4(epilogue: Epilogue = identity): string {
  return `function(w, x) {
  const o = this.thread.x * 4;
  const b = this.thread.y;
  let s0 = 0.0; let s1 = 0.0; let s2 = 0.0; let s3 = 0.0;
  for (let k = 0; k < this.constants.k4; k++) {
    const xv = x[b][k];
    const a0 = w[o][k];
    const a1 = w[o + 1][k];
    const a2 = w[o + 2][k];
    const a3 = w[o + 3][k];
    s0 += a0[0] * xv[0] + a0[1] * xv[1] + a0[2] * xv[2] + a0[3] * xv[3];
    s1 += a1[0] * xv[0] + a1[1] * xv[1] + a1[2] * xv[2] + a1[3] * xv[3];
    s2 += a2[0] * xv[0] + a2[1] * xv[1] + a2[2] * xv[2] + a2[3] * xv[3];
    s3 += a3[0] * xv[0] + a3[1] * xv[1] + a3[2] * xv[2] + a3[3] * xv[3];
  }
  return [${epilogue('s0', 'o', 'b')}, ${epilogue('s1', 'o + 1', 'b')}, ${epilogue('s2', 'o + 2', 'b')}, ${epilogue('s3', 'o + 3', 'b')}];
}`;
}

/**
 * packed4 backward: z[b][i] = Σ_o w[o][i] d[b][o]. Output ⌈in/4⌉ × batch texels.
 * Arguments: w (texture ⌈in/4⌉ × outAlloc), d (texture ⌈out/4⌉ × batch). Constants: o4 = ⌈out/4⌉.
 */
export function backwardPacked4(epilogue: Epilogue = identity): string {
  return `function(w, d) {
  const k = this.thread.x;
  const b = this.thread.y;
  let z0 = 0.0; let z1 = 0.0; let z2 = 0.0; let z3 = 0.0;
  for (let q = 0; q < this.constants.o4; q++) {
    const dv = d[b][q];
    const a0 = w[q * 4][k];
    const a1 = w[q * 4 + 1][k];
    const a2 = w[q * 4 + 2][k];
    const a3 = w[q * 4 + 3][k];
    z0 += dv[0] * a0[0] + dv[1] * a1[0] + dv[2] * a2[0] + dv[3] * a3[0];
    z1 += dv[0] * a0[1] + dv[1] * a1[1] + dv[2] * a2[1] + dv[3] * a3[1];
    z2 += dv[0] * a0[2] + dv[1] * a1[2] + dv[2] * a2[2] + dv[3] * a3[2];
    z3 += dv[0] * a0[3] + dv[1] * a1[3] + dv[2] * a2[3] + dv[3] * a3[3];
  }
  const i = k * 4;
  return [${epilogue('z0', 'i', 'b')}, ${epilogue('z1', 'i + 1', 'b')}, ${epilogue('z2', 'i + 2', 'b')}, ${epilogue('z3', 'i + 3', 'b')}];
}`;
}

/**
 * flat forward: thread (x = b, y = o/4) returns y[b][o..o+3]; the input loop is
 * unrolled by four (rows are zero-padded to a multiple of 4 columns).
 * Arguments: w (Float32Array outAlloc × s), x (Float32Array batch × s), s = in rounded up to 4.
 * Constants: s.
 */
export function forwardFlat(epilogue: Epilogue = identity): string {
  return `function(w, x) {
  const b = this.thread.x;
  const o = this.thread.y * 4;
  const s = this.constants.s;
  let s0 = 0.0; let s1 = 0.0; let s2 = 0.0; let s3 = 0.0;
  for (let i = 0; i < s; i += 4) {
    const x0 = x[b * s + i]; const x1 = x[b * s + i + 1]; const x2 = x[b * s + i + 2]; const x3 = x[b * s + i + 3];
    const r0 = o * s + i; const r1 = r0 + s; const r2 = r1 + s; const r3 = r2 + s;
    s0 += w[r0] * x0 + w[r0 + 1] * x1 + w[r0 + 2] * x2 + w[r0 + 3] * x3;
    s1 += w[r1] * x0 + w[r1 + 1] * x1 + w[r1 + 2] * x2 + w[r1 + 3] * x3;
    s2 += w[r2] * x0 + w[r2 + 1] * x1 + w[r2 + 2] * x2 + w[r2 + 3] * x3;
    s3 += w[r3] * x0 + w[r3 + 1] * x1 + w[r3 + 2] * x2 + w[r3 + 3] * x3;
  }
  return [${epilogue('s0', 'o', 'b')}, ${epilogue('s1', 'o + 1', 'b')}, ${epilogue('s2', 'o + 2', 'b')}, ${epilogue('s3', 'o + 3', 'b')}];
}`;
}

/**
 * flat backward: thread (x = b, y = i/4) returns z[b][i..i+3]; the output loop
 * is unrolled by four (weight rows and d rows zero-padded to multiples of 4).
 * Arguments: w (Float32Array outAlloc × s), d (Float32Array batch × t), s = in and
 * t = out rounded up to 4. Constants: s, t.
 */
export function backwardFlat(epilogue: Epilogue = identity): string {
  return `function(w, d) {
  const b = this.thread.x;
  const i = this.thread.y * 4;
  const s = this.constants.s;
  const t = this.constants.t;
  let z0 = 0.0; let z1 = 0.0; let z2 = 0.0; let z3 = 0.0;
  for (let o = 0; o < t; o += 4) {
    const d0 = d[b * t + o]; const d1 = d[b * t + o + 1]; const d2 = d[b * t + o + 2]; const d3 = d[b * t + o + 3];
    const r0 = o * s + i; const r1 = r0 + s; const r2 = r1 + s; const r3 = r2 + s;
    z0 += w[r0] * d0 + w[r1] * d1 + w[r2] * d2 + w[r3] * d3;
    z1 += w[r0 + 1] * d0 + w[r1 + 1] * d1 + w[r2 + 1] * d2 + w[r3 + 1] * d3;
    z2 += w[r0 + 2] * d0 + w[r1 + 2] * d1 + w[r2 + 2] * d2 + w[r3 + 2] * d3;
    z3 += w[r0 + 3] * d0 + w[r1 + 3] * d1 + w[r2 + 3] * d2 + w[r3 + 3] * d3;
  }
  return [${epilogue('z0', 'i', 'b')}, ${epilogue('z1', 'i + 1', 'b')}, ${epilogue('z2', 'i + 2', 'b')}, ${epilogue('z3', 'i + 3', 'b')}];
}`;
}

/** Copies rows × cols (row-major) into a zero-padded rows × stride buffer. */
export function padRows(src: Float32Array, rows: number, cols: number, stride: number, out: Float32Array): Float32Array {
  if (stride === cols) {
    out.set(src.subarray(0, rows * cols));
    return out;
  }
  for (let r = 0; r < rows; r++) out.set(src.subarray(r * cols, r * cols + cols), r * stride);
  return out;
}

/**
 * Scatters a flat kernel's Array(4) result — rows[y][x] = values of thread
 * (x = b, y = group) — into out[b · width + 4·group + j], dropping the padding
 * beyond `width`.
 */
export function scatterGroups(result: Float32Array[][], batch: number, width: number, out: Float32Array): Float32Array {
  const groups = Math.ceil(width / 4);
  for (let g = 0; g < groups; g++) {
    const row = result[g]!;
    const base = g * 4;
    const take = Math.min(4, width - base);
    for (let b = 0; b < batch; b++) {
      const v = row[b]!;
      const o = b * width + base;
      for (let j = 0; j < take; j++) out[o + j] = v[j]!;
    }
  }
  return out;
}
