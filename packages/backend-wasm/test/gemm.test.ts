import { describe, expect, it } from 'vitest';
import { FloatingPointRPUConfig, getBackend } from '@crossbar/core';
import '@crossbar/backend-ndarray';
import { kernels, uniform } from './helpers.js';

/**
 * The engine tolerance of a float32-accumulated dot product of length k against the exact
 * (float64) sum: |Δ| <= k · 2^-24 · Σ|a_p b_p| bounds any summation order (Higham's γ_k),
 * plus the rounding of the reference to float32.
 */
function tolerance(k: number, absSum: number, ref: number): number {
  return k * 2 ** -24 * absSum * 1.0001 + Math.abs(ref) * 2 ** -24;
}

describe('gemmNT (forward: Y = X Wᵀ, W [out × in] row-major)', () => {
  it('matches the float64 product within the float32 summation bound, edges included', async () => {
    const { exports: e, heap } = await kernels();
    for (const [m, n, k] of [
      [1, 1, 1],
      [2, 4, 4],
      [3, 5, 7],
      [17, 33, 65],
      [8, 64, 256],
      [5, 37, 1029],
    ] as const) {
      const mark = heap.mark();
      const a = uniform(m + 1, m * k);
      const b = uniform(n + 2, n * k);
      const pa = heap.allocF32(m * k);
      const pb = heap.allocF32(n * k);
      const pc = heap.allocF32(m * n);
      heap.f32(pa, m * k).set(a);
      heap.f32(pb, n * k).set(b);
      heap.f32(pc, m * n).fill(NaN); // overwritten, not accumulated
      e.gemmNT(m, n, k, pa, k, pb, k, pc, n);
      const c = heap.f32(pc, m * n);
      let worst = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          let abs = 0;
          for (let p = 0; p < k; p++) {
            s += a[i * k + p]! * b[j * k + p]!;
            abs += Math.abs(a[i * k + p]! * b[j * k + p]!);
          }
          const d = Math.abs(c[i * n + j]! - s);
          expect(d).toBeLessThanOrEqual(tolerance(k, abs, s));
          worst = Math.max(worst, d / (k * 2 ** -24 * abs));
        }
      }
      expect(worst).toBeLessThan(1); // a real bound, not reached
      heap.release(mark);
    }
  });

  it('gives each output the same float32 bits wherever it sits in the block (batch-size independent)', async () => {
    const { exports: e, heap } = await kernels();
    const [m, n, k] = [7, 41, 131];
    const mark = heap.mark();
    const pa = heap.allocF32(m * k);
    const pb = heap.allocF32(n * k);
    const pc = heap.allocF32(m * n);
    const p1 = heap.allocF32(n);
    heap.f32(pa, m * k).set(uniform(5, m * k));
    heap.f32(pb, n * k).set(uniform(6, n * k));
    e.gemmNT(m, n, k, pa, k, pb, k, pc, n);
    for (let i = 0; i < m; i++) {
      e.gemmNT(1, n, k, pa + 4 * i * k, k, pb, k, p1, n); // one row alone
      expect(Array.from(heap.f32(p1, n))).toEqual(Array.from(heap.f32(pc + 4 * i * n, n)));
    }
    heap.release(mark);
  });
});

describe('gemmNN (backward: Z = D W, W read in place)', () => {
  it('matches the float64 Wᵀ d within the float32 summation bound, edges included', async () => {
    const { exports: e, heap } = await kernels();
    for (const [m, k, n] of [
      [1, 1, 1],
      [4, 3, 8],
      [5, 130, 9],
      [9, 257, 70],
      [3, 64, 513],
    ] as const) {
      const mark = heap.mark();
      const d = uniform(m + 3, m * k); // [m × k]: k = outSize
      const w = uniform(n + 4, k * n); // [k × n] = W [out × in]
      const pd = heap.allocF32(m * k);
      const pw = heap.allocF32(k * n);
      const pz = heap.allocF32(m * n);
      heap.f32(pd, m * k).set(d);
      heap.f32(pw, k * n).set(w);
      heap.f32(pz, m * n).fill(NaN);
      e.gemmNN(m, n, k, pd, k, pw, n, pz, n);
      const z = heap.f32(pz, m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          let abs = 0;
          for (let p = 0; p < k; p++) {
            s += d[i * k + p]! * w[p * n + j]!;
            abs += Math.abs(d[i * k + p]! * w[p * n + j]!);
          }
          expect(Math.abs(z[i * n + j]! - s)).toBeLessThanOrEqual(tolerance(k, abs, s));
        }
      }
      heap.release(mark);
    }
  });
});

describe('against the ndarray engine', () => {
  it('a perfect tile’s forward and backward agree within the documented tolerance', async () => {
    const { exports: e, heap } = await kernels();
    const [out, inp, batch] = [96, 200, 12];
    const w = uniform(1, out * inp, 1 / Math.sqrt(inp));
    const x = uniform(2, batch * inp);
    const d = uniform(3, batch * out);
    const tile = await (await getBackend('ndarray')).createTile({ outSize: out, inSize: inp, rpuConfig: new FloatingPointRPUConfig(), seed: 1 });
    await tile.setWeights(w);
    const yRef = await tile.forward(x, batch);
    const zRef = await tile.backward(d, batch);
    const mark = heap.mark();
    const [pw, px, pd, py, pz] = [out * inp, batch * inp, batch * out, batch * out, batch * inp].map((n) => heap.allocF32(n)) as [number, number, number, number, number];
    heap.f32(pw, out * inp).set(w);
    heap.f32(px, batch * inp).set(x);
    heap.f32(pd, batch * out).set(d);
    e.gemmNT(batch, out, inp, px, inp, pw, inp, py, out);
    e.gemmNN(batch, inp, out, pd, out, pw, inp, pz, inp);
    const y = heap.f32(py, batch * out);
    const z = heap.f32(pz, batch * inp);
    // Σ|w x| <= inp · max|w| · max|x| = √inp here
    for (let i = 0; i < y.length; i++) expect(Math.abs(y[i]! - yRef[i]!)).toBeLessThanOrEqual(tolerance(inp, Math.sqrt(inp), yRef[i]!) + Math.abs(yRef[i]!) * 2 ** -24);
    for (let i = 0; i < z.length; i++)
      expect(Math.abs(z[i]! - zRef[i]!)).toBeLessThanOrEqual(tolerance(out, out / Math.sqrt(inp), zRef[i]!) + Math.abs(zRef[i]!) * 2 ** -24);
    tile.dispose();
    heap.release(mark);
  });
});
