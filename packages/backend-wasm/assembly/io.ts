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
