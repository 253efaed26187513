/**
 * The engine's one matrix-multiply kernel: C = A · Bᵀ over Float32Array with
 * both operands contiguous along the reduction (k) axis, accumulated in JS
 * doubles and written to a Float64Array. Forward (Y = X Wᵀ), backward
 * (Z = D W, with W transposed once into a scratch buffer by `transposeInto`),
 * the IR-drop and PCM-read currents (|X| |W|ᵀ, X² |W|ᵀ) and any other module of
 * this engine use it.
 *
 * Speed: a 4 × 4 register tile (16 double accumulators, 8 loads per 16
 * multiply-adds) inside cache blocks of KB × NB (the NB rows of B in the block,
 * 32 × 256 floats = 32 KiB, stay in L1 while all rows of A stream past),
 * with 1 × 4, 4 × 1 and 1 × 1 tiles for the edges. No allocation.
 */

/** Cache block along k (the reduction). */
const KB = 256;
/** Cache block along n (rows of B); a multiple of 4. */
const NB = 32;

/**
 * C[m × n] (row stride ldc, from cOff) = A[m × k] · B[n × k]ᵀ, A and B row-major with
 * row strides lda and ldb from aOff and bOff. C is overwritten. Sums run in doubles;
 * the caller rounds to float32 where it stores (one rounding per element).
 */
export function gemmNT(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOff: number,
  lda: number,
  b: Float32Array,
  bOff: number,
  ldb: number,
  c: Float64Array,
  cOff: number,
  ldc: number,
): void {
  for (let i = 0; i < m; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + n);
  if (k === 0) return;
  const m4 = m - (m % 4);
  for (let p0 = 0; p0 < k; p0 += KB) {
    const p1 = Math.min(k, p0 + KB);
    for (let j0 = 0; j0 < n; j0 += NB) {
      const j1 = Math.min(n, j0 + NB);
      const j4 = j0 + ((j1 - j0) & ~3);
      for (let i = 0; i < m4; i += 4) {
        const ai = aOff + i * lda;
        const ci = cOff + i * ldc;
        for (let j = j0; j < j4; j += 4) tile4x4(a, ai, lda, b, bOff + j * ldb, ldb, c, ci + j, ldc, p0, p1);
        for (let j = j4; j < j1; j++) tile4x1(a, ai, lda, b, bOff + j * ldb, c, ci + j, ldc, p0, p1);
      }
      for (let i = m4; i < m; i++) {
        const ai = aOff + i * lda;
        const ci = cOff + i * ldc;
        for (let j = j0; j < j4; j += 4) tile1x4(a, ai, b, bOff + j * ldb, ldb, c, ci + j, p0, p1);
        for (let j = j4; j < j1; j++) c[ci + j] += dot(a, ai, b, bOff + j * ldb, p0, p1);
      }
    }
  }
}

function tile4x4(
  a: Float32Array,
  ai: number,
  lda: number,
  b: Float32Array,
  bj: number,
  ldb: number,
  c: Float64Array,
  cij: number,
  ldc: number,
  p0: number,
  p1: number,
): void {
  const a0 = ai;
  const a1 = a0 + lda;
  const a2 = a1 + lda;
  const a3 = a2 + lda;
  const b0 = bj;
  const b1 = b0 + ldb;
  const b2 = b1 + ldb;
  const b3 = b2 + ldb;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0; // prettier-ignore
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0; // prettier-ignore
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0; // prettier-ignore
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0; // prettier-ignore
  for (let p = p0; p < p1; p++) {
    const x0 = a[a0 + p]!;
    const x1 = a[a1 + p]!;
    const x2 = a[a2 + p]!;
    const x3 = a[a3 + p]!;
    let w = b[b0 + p]!;
    c00 += x0 * w;
    c10 += x1 * w;
    c20 += x2 * w;
    c30 += x3 * w;
    w = b[b1 + p]!;
    c01 += x0 * w;
    c11 += x1 * w;
    c21 += x2 * w;
    c31 += x3 * w;
    w = b[b2 + p]!;
    c02 += x0 * w;
    c12 += x1 * w;
    c22 += x2 * w;
    c32 += x3 * w;
    w = b[b3 + p]!;
    c03 += x0 * w;
    c13 += x1 * w;
    c23 += x2 * w;
    c33 += x3 * w;
  }
  let o = cij;
  c[o] += c00;
  c[o + 1] += c01;
  c[o + 2] += c02;
  c[o + 3] += c03;
  o += ldc;
  c[o] += c10;
  c[o + 1] += c11;
  c[o + 2] += c12;
  c[o + 3] += c13;
  o += ldc;
  c[o] += c20;
  c[o + 1] += c21;
  c[o + 2] += c22;
  c[o + 3] += c23;
  o += ldc;
  c[o] += c30;
  c[o + 1] += c31;
  c[o + 2] += c32;
  c[o + 3] += c33;
}

function tile1x4(a: Float32Array, ai: number, b: Float32Array, bj: number, ldb: number, c: Float64Array, cij: number, p0: number, p1: number): void {
  const b0 = bj;
  const b1 = b0 + ldb;
  const b2 = b1 + ldb;
  const b3 = b2 + ldb;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  for (let p = p0; p < p1; p++) {
    const x = a[ai + p]!;
    c0 += x * b[b0 + p]!;
    c1 += x * b[b1 + p]!;
    c2 += x * b[b2 + p]!;
    c3 += x * b[b3 + p]!;
  }
  c[cij] += c0;
  c[cij + 1] += c1;
  c[cij + 2] += c2;
  c[cij + 3] += c3;
}

function tile4x1(a: Float32Array, ai: number, lda: number, b: Float32Array, bj: number, c: Float64Array, cij: number, ldc: number, p0: number, p1: number): void {
  const a0 = ai;
  const a1 = a0 + lda;
  const a2 = a1 + lda;
  const a3 = a2 + lda;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  for (let p = p0; p < p1; p++) {
    const w = b[bj + p]!;
    c0 += a[a0 + p]! * w;
    c1 += a[a1 + p]! * w;
    c2 += a[a2 + p]! * w;
    c3 += a[a3 + p]! * w;
  }
  c[cij] += c0;
  c[cij + ldc] += c1;
  c[cij + 2 * ldc] += c2;
  c[cij + 3 * ldc] += c3;
}

function dot(a: Float32Array, ai: number, b: Float32Array, bj: number, p0: number, p1: number): number {
  let s = 0;
  for (let p = p0; p < p1; p++) s += a[ai + p]! * b[bj + p]!;
  return s;
}

/** dst[cols × rows] = srcᵀ for a row-major src[rows × cols]. Blocked for the cache; no allocation. */
export function transposeInto(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  const BS = 32;
  for (let i0 = 0; i0 < rows; i0 += BS) {
    const i1 = Math.min(rows, i0 + BS);
    for (let j0 = 0; j0 < cols; j0 += BS) {
      const j1 = Math.min(cols, j0 + BS);
      for (let i = i0; i < i1; i++) {
        const si = i * cols;
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[si + j]!;
      }
    }
  }
}
