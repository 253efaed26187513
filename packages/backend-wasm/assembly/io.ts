// The per-element helpers of the analog pass's IO stages (assembly/engine.ts), as
// core's physics/io.ts computes them (aihwkit v.0.7.1
// src/rpucuda/rpu_forward_backward_pass.cpp).

/** aihwkit's discretisation rint(v / step + shift) · step in float32 (core quantize); step <= 0: none. */
@inline export function quantize(v: f32, step: f32, shift: f32): f32 {
  if (step <= 0) return v;
  // f32.nearest rounds half to even like core's roundHalfEven; "+ 0" turns its −0 into
  // core's +0 (roundHalfEven(−0.3) is +0), so that the sign of a zero output agrees.
  return (nearest<f32>(v / step + shift) + 0.0) * step;
}

/** quantize on four lanes (the same float32 operations per lane). */
@inline export function quantizeX4(v: v128, step: f32, shift: v128): v128 {
  if (step <= 0) return v;
  const st = f32x4.splat(step);
  return f32x4.mul(f32x4.add(f32x4.nearest(f32x4.add(f32x4.div(v, st), shift)), f32x4.splat(0)), st);
}

/**
 * The DAC of one vector without input noise or stochastic rounding (core
 * prepareInputValue): out[j] = fround(x[j] · scale) quantised, clipped to ±bound, its
 * negative part times negScale; four lanes at a time.
 */
export function dacRow(x: usize, out: usize, n: i32, scale: f32, step: f32, bound: f32, negScale: f32): void {
  const sc = f32x4.splat(scale);
  const b = f32x4.splat(bound);
  const nb = f32x4.splat(-bound);
  const zero = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let v = f32x4.min(f32x4.max(quantizeX4(f32x4.mul(v128.load(x + (<usize>j << 2)), sc), step, zero), nb), b);
    if (negScale != 1) v = v128.bitselect(f32x4.mul(v, f32x4.splat(negScale)), v, f32x4.lt(v, zero));
    v128.store(out + (<usize>j << 2), v);
  }
  for (; j < n; j++) {
    let v = min<f32>(max<f32>(quantize(load<f32>(x + (<usize>j << 2)) * scale, step, 0), -bound), bound);
    if (negScale != 1 && v < 0) v = v * negScale;
    store<f32>(out + (<usize>j << 2), v);
  }
}
