// The engine's GEMM kernel (gemm.ts) against a plain triple loop, on shapes that
// exercise every edge tile (1×4, 4×1, 1×1), the k and n cache blocks, offsets and
// row strides; and the blocked transpose.
import { describe, expect, it } from 'vitest';
import { gemmNT, transposeInto } from '../src/gemm.js';

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

describe('gemmNT: C = A · Bᵀ', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 5],
    [3, 1, 9],
    [4, 4, 4],
    [5, 6, 7],
    [9, 33, 257], // n past one block of 32, k past one block of 256
    [16, 70, 600],
    [2, 3, 0],
  ];
  for (const [m, n, k] of shapes) {
    it(`matches the triple loop for m=${m}, n=${n}, k=${k}, with offsets and row strides`, () => {
      const [lda, ldb, ldc] = [k + 3, k + 1, n + 2];
      const [aOff, bOff, cOff] = [2, 5, 1];
      const a = values(aOff + m * lda, m * 7 + k);
      const b = values(bOff + n * ldb, n * 11 + k);
      const c = new Float64Array(cOff + m * ldc).fill(99); // gemmNT overwrites C[m × n] and nothing else
      gemmNT(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[aOff + i * lda + p]! * b[bOff + j * ldb + p]!;
          expect(c[cOff + i * ldc + j]).toBeCloseTo(s, 12);
        }
        for (let j = n; j < ldc && cOff + i * ldc + j < c.length; j++) expect(c[cOff + i * ldc + j]).toBe(99);
      }
      expect(c[0]).toBe(99);
    });
  }
});

describe('transposeInto', () => {
  it('transposes a row-major matrix larger than one block', () => {
    const [rows, cols] = [37, 70];
    const src = values(rows * cols, 3);
    const dst = new Float32Array(rows * cols);
    transposeInto(src, rows, cols, dst);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(dst[j * rows + i]).toBe(src[i * cols + j]);
  });
});
