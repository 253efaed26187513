// The two matrix products of an analog tile, f32x4 SIMD, float32 accumulation.
// gemmNT: C = A Bᵀ (forward y = W x per batch row: A = X [m × k], B = W [n × k]).
// gemmNN: C = A B  (backward z = Wᵀ d per batch row: A = D [m × k], B = W [k × n]),
//         reading W in place, no transposed copy.
// Matrices are row-major float32 with row strides in elements; C is overwritten.
// Sums are float32 and run in an order of their own (four lanes, then a
// pairwise reduction), so results differ from the float64-accumulating
// ndarray engine by float32 rounding: |Δ| <= k · 2^-23 · Σ|a||b| (README).

/** Rows of B (outputs) kept hot in a block of gemmNT: NB · k floats. */
const NB: i32 = 32;

/** [Σ c0, Σ c1, Σ c2, Σ c3]: the lane sums of four vectors, in one vector. */
@inline function laneSums(c0: v128, c1: v128, c2: v128, c3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(c0, c1, 0, 4, 1, 5), v128.shuffle<f32>(c0, c1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(c2, c3, 0, 4, 1, 5), v128.shuffle<f32>(c2, c3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}

@inline function hsum(c: v128): f32 {
  const s = f32x4.add(c, v128.shuffle<f32>(c, c, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/** Scalar tail of a dot product over p in [p0, k). */
@inline function dotTail(a: usize, b: usize, p0: i32, k: i32): f32 {
  let s: f32 = 0;
  for (let p = p0; p < k; p++) s += load<f32>(a + (<usize>p << 2)) * load<f32>(b + (<usize>p << 2));
  return s;
}

/** C[m × n] = A[m × k] · B[n × k]ᵀ. Register block: 2 rows of A × 4 rows of B (8 vector accumulators). */
export function gemmNT(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32): void {
  const k4 = k & ~3;
  const m2 = m & ~1;
  const sa = <usize>lda << 2;
  const sb = <usize>ldb << 2;
  const sc = <usize>ldc << 2;
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = min(n, j0 + NB);
    const j4 = j0 + ((j1 - j0) & ~3);
    for (let i = 0; i < m2; i += 2) {
      const a0 = a + <usize>i * sa;
      const a1 = a0 + sa;
      const c0 = c + <usize>i * sc;
      const c1 = c0 + sc;
      for (let j = j0; j < j4; j += 4) {
        const b0 = b + <usize>j * sb;
        const b1 = b0 + sb;
        const b2 = b1 + sb;
        const b3 = b2 + sb;
        let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
        let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
        for (let p = 0; p < k4; p += 4) {
          const o = <usize>p << 2;
          const x0 = v128.load(a0 + o);
          const x1 = v128.load(a1 + o);
          let w = v128.load(b0 + o);
          s00 = f32x4.add(s00, f32x4.mul(x0, w));
          s10 = f32x4.add(s10, f32x4.mul(x1, w));
          w = v128.load(b1 + o);
          s01 = f32x4.add(s01, f32x4.mul(x0, w));
          s11 = f32x4.add(s11, f32x4.mul(x1, w));
          w = v128.load(b2 + o);
          s02 = f32x4.add(s02, f32x4.mul(x0, w));
          s12 = f32x4.add(s12, f32x4.mul(x1, w));
          w = v128.load(b3 + o);
          s03 = f32x4.add(s03, f32x4.mul(x0, w));
          s13 = f32x4.add(s13, f32x4.mul(x1, w));
        }
        let r0 = laneSums(s00, s01, s02, s03);
        let r1 = laneSums(s10, s11, s12, s13);
        if (k4 < k) {
          r0 = f32x4.add(r0, f32x4(dotTail(a0, b0, k4, k), dotTail(a0, b1, k4, k), dotTail(a0, b2, k4, k), dotTail(a0, b3, k4, k)));
          r1 = f32x4.add(r1, f32x4(dotTail(a1, b0, k4, k), dotTail(a1, b1, k4, k), dotTail(a1, b2, k4, k), dotTail(a1, b3, k4, k)));
        }
        v128.store(c0 + (<usize>j << 2), r0);
        v128.store(c1 + (<usize>j << 2), r1);
      }
      for (let j = j4; j < j1; j++) {
        const bj = b + <usize>j * sb;
        store<f32>(c0 + (<usize>j << 2), dot(a0, bj, k));
        store<f32>(c1 + (<usize>j << 2), dot(a1, bj, k));
      }
    }
    if (m2 < m) {
      const ai = a + <usize>m2 * sa;
      const ci = c + <usize>m2 * sc;
      for (let j = j0; j < j1; j++) store<f32>(ci + (<usize>j << 2), dot(ai, b + <usize>j * sb, k));
    }
  }
}

/** Σ_p a[p] b[p], the same lane order as the blocked kernel. */
function dot(a: usize, b: usize, k: i32): f32 {
  const k4 = k & ~3;
  let s = f32x4.splat(0);
  for (let p = 0; p < k4; p += 4) {
    const o = <usize>p << 2;
    s = f32x4.add(s, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  // the blocked kernel's lane reduction ((l0 + l2) + (l1 + l3)), then the tail
  return hsum(s) + dotTail(a, b, k4, k);
}

/** Columns of C (and B) kept hot in a block of gemmNN; rows of B in a k block. */
const NBC: i32 = 64;
const KB: i32 = 128;

/**
 * C[m × n] = A[m × k] · B[k × n], B read row by row in place. Register block: 4 rows of
 * A × 8 columns (8 vector accumulators); k in blocks of KB rows of B (a block's partial
 * sums are added to C), columns in blocks of NBC.
 */
export function gemmNN(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32): void {
  const sa = <usize>lda << 2;
  const sb = <usize>ldb << 2;
  const sc = <usize>ldc << 2;
  for (let i = 0; i < m; i++) memory.fill(c + <usize>i * sc, 0, <usize>n << 2);
  const m4 = m & ~3;
  for (let p0 = 0; p0 < k; p0 += KB) {
    const p1 = min(k, p0 + KB);
    for (let j0 = 0; j0 < n; j0 += NBC) {
      const j1 = min(n, j0 + NBC);
      const j8 = j0 + ((j1 - j0) & ~7);
      for (let i = 0; i < m4; i += 4) {
        const a0 = a + <usize>i * sa;
        const c0 = c + <usize>i * sc;
        for (let j = j0; j < j8; j += 8) block4x8(a0, sa, b, sb, c0 + (<usize>j << 2), sc, j, p0, p1);
        for (let j = j8; j < j1; j++) {
          for (let r = 0; r < 4; r++) {
            const cr = c0 + <usize>r * sc + (<usize>j << 2);
            store<f32>(cr, load<f32>(cr) + column(a0 + <usize>r * sa, b, sb, j, p0, p1));
          }
        }
      }
      for (let i = m4; i < m; i++) {
        const ai = a + <usize>i * sa;
        const ci = c + <usize>i * sc;
        for (let j = j0; j < j8; j += 8) block1x8(ai, b, sb, ci + (<usize>j << 2), j, p0, p1);
        for (let j = j8; j < j1; j++) {
          const cr = ci + (<usize>j << 2);
          store<f32>(cr, load<f32>(cr) + column(ai, b, sb, j, p0, p1));
        }
      }
    }
  }
}

@inline function block4x8(a0: usize, sa: usize, b: usize, sb: usize, c0: usize, sc: usize, j: i32, p0: i32, p1: i32): void {
  const a1 = a0 + sa;
  const a2 = a1 + sa;
  const a3 = a2 + sa;
  const c1 = c0 + sc;
  const c2 = c1 + sc;
  const c3 = c2 + sc;
  let s00 = v128.load(c0), s01 = v128.load(c0, 16);
  let s10 = v128.load(c1), s11 = v128.load(c1, 16);
  let s20 = v128.load(c2), s21 = v128.load(c2, 16);
  let s30 = v128.load(c3), s31 = v128.load(c3, 16);
  let bp = b + <usize>p0 * sb + (<usize>j << 2);
  for (let p = p0; p < p1; p++, bp += sb) {
    const o = <usize>p << 2;
    const w0 = v128.load(bp);
    const w1 = v128.load(bp, 16);
    let x = f32x4.splat(load<f32>(a0 + o));
    s00 = f32x4.add(s00, f32x4.mul(x, w0));
    s01 = f32x4.add(s01, f32x4.mul(x, w1));
    x = f32x4.splat(load<f32>(a1 + o));
    s10 = f32x4.add(s10, f32x4.mul(x, w0));
    s11 = f32x4.add(s11, f32x4.mul(x, w1));
    x = f32x4.splat(load<f32>(a2 + o));
    s20 = f32x4.add(s20, f32x4.mul(x, w0));
    s21 = f32x4.add(s21, f32x4.mul(x, w1));
    x = f32x4.splat(load<f32>(a3 + o));
    s30 = f32x4.add(s30, f32x4.mul(x, w0));
    s31 = f32x4.add(s31, f32x4.mul(x, w1));
  }
  v128.store(c0, s00);
  v128.store(c0, s01, 16);
  v128.store(c1, s10);
  v128.store(c1, s11, 16);
  v128.store(c2, s20);
  v128.store(c2, s21, 16);
  v128.store(c3, s30);
  v128.store(c3, s31, 16);
}

@inline function block1x8(a0: usize, b: usize, sb: usize, c0: usize, j: i32, p0: i32, p1: i32): void {
  let s0 = v128.load(c0), s1 = v128.load(c0, 16);
  let bp = b + <usize>p0 * sb + (<usize>j << 2);
  for (let p = p0; p < p1; p++, bp += sb) {
    const x = f32x4.splat(load<f32>(a0 + (<usize>p << 2)));
    s0 = f32x4.add(s0, f32x4.mul(x, v128.load(bp)));
    s1 = f32x4.add(s1, f32x4.mul(x, v128.load(bp, 16)));
  }
  v128.store(c0, s0);
  v128.store(c0, s1, 16);
}

/** Σ_{p0 <= p < p1} a[p] b[p, j] (an edge column), in p order as the vector lanes. */
function column(a: usize, b: usize, sb: usize, j: i32, p0: i32, p1: i32): f32 {
  let s: f32 = 0;
  let bp = b + <usize>p0 * sb + (<usize>j << 2);
  for (let p = p0; p < p1; p++, bp += sb) s += load<f32>(a + (<usize>p << 2)) * load<f32>(bp);
  return s;
}
