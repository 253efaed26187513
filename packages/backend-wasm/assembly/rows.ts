// Per-vector helpers of the managed pass around analogRows (core's TileKernels.rowAbsMax
// and the final scaling of AnalogPassArgs.result, kernels.ts), SIMD over a row.

/** out[r] = max_j |x[r · n + j]| (0 for n = 0) for r < rows; x finite (core checks its inputs). */
export function rowAbsMax(x: usize, rows: i32, n: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>n) << 2);
    let m = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) m = f32x4.max(m, f32x4.abs(v128.load(row + (<usize>j << 2))));
    let s = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
    for (; j < n; j++) s = max(s, abs(load<f32>(row + (<usize>j << 2))));
    store<f32>(out + (<usize>r << 2), s);
  }
}

/**
 * y[a, ·] = y[a, ·] · factor[a] in place for a < rows (n values a row), the float32 product
 * (a product of two float32 is exact in float64, so this is core's scaleInto bit for bit).
 */
export function scaleRows(y: usize, factor: usize, rows: i32, n: i32): void {
  for (let a = 0; a < rows; a++) {
    const row = y + ((<usize>a * <usize>n) << 2);
    const f = load<f32>(factor + (<usize>a << 2));
    const fv = f32x4.splat(f);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p = row + (<usize>j << 2);
      v128.store(p, f32x4.mul(v128.load(p), fv));
    }
    for (; j < n; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, load<f32>(p) * f);
    }
  }
}
