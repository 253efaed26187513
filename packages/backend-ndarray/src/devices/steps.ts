/**
 * The response of each pulsed device to a run of update pulses of one sign
 * (formulas in @crossbar/core physics/devices.ts), with the per-pulse
 * cycle-to-cycle noise.
 */
import {
  constantStepPulse,
  expStepPulse,
  linearStepPulse,
  piecewiseStepPulse,
  powStepPulse,
  powStepReferencePulse,
  softBoundsReferencePulse,
  type TableNormals,
} from '@crossbar/core';

/** How one device kind answers a run of pulses. */
export interface PulseSteps {
  /** Cycle-to-cycle noise std (dw_min_std): 0 means deterministic steps. */
  readonly std: number;
  /** The value after `n` pulses of `sign` (> 0: down) on element e from value w; h0: the call's count of e's earlier pulses. */
  apply(e: number, w: number, sign: number, n: number, h0: number): number;
}

/** Per-device arrays every pulsed device has (aihwkit's PulsedRPUDevice). */
export interface PulsedArrays {
  readonly maxBound: Float32Array;
  readonly minBound: Float32Array;
  readonly scaleUp: Float32Array;
  readonly scaleDown: Float32Array;
}

export class ConstantSteps implements PulseSteps {
  constructor(
    private readonly a: PulsedArrays,
    readonly std: number,
    private readonly noise: TableNormals,
  ) {}

  apply(e: number, w: number, sign: number, n: number, h0: number): number {
    const lo = this.a.minBound[e]!;
    const hi = this.a.maxBound[e]!;
    const su = this.a.scaleUp[e]!;
    const sd = this.a.scaleDown[e]!;
    let v = w;
    if (this.std === 0) {
      // aihwkit subtracts (adds) the step in float32 pulse by pulse and clips after each
      if (sign > 0) for (let k = 0; k < n; k++) v = Math.max(Math.min(Math.fround(v - sd), hi), lo);
      else for (let k = 0; k < n; k++) v = Math.max(Math.min(Math.fround(v + su), hi), lo);
      return v;
    }
    for (let k = 0; k < n; k++) v = constantStepPulse(v, sign, su, sd, this.std, this.noise.xi(e, h0 + k), lo, hi);
    return v;
  }
}

/** Devices whose step depends on the weight: pulse by pulse, with the noise of each. */
abstract class WeightDependentSteps implements PulseSteps {
  constructor(
    protected readonly a: PulsedArrays,
    readonly std: number,
    private readonly noise: TableNormals,
  ) {}

  /** The value after one pulse of `sign` with noise xi. */
  protected abstract pulse(e: number, w: number, sign: number, xi: number): number;

  apply(e: number, w: number, sign: number, n: number, h0: number): number {
    let v = w;
    for (let k = 0; k < n; k++) v = this.pulse(e, v, sign, this.std > 0 ? this.noise.xi(e, h0 + k) : 0);
    return v;
  }
}

export class LinearSteps extends WeightDependentSteps {
  constructor(
    a: PulsedArrays,
    private readonly slopeUp: Float32Array,
    private readonly slopeDown: Float32Array,
    std: number,
    private readonly multNoise: number,
    noise: TableNormals,
  ) {
    super(a, std, noise);
  }

  protected pulse(e: number, w: number, sign: number, xi: number): number {
    const a = this.a;
    return linearStepPulse(w, sign, a.scaleUp[e]!, a.scaleDown[e]!, this.slopeUp[e]!, this.slopeDown[e]!, this.std, xi, this.multNoise, a.minBound[e]!, a.maxBound[e]!);
  }
}

export interface ExpStepShape {
  aUp: number;
  aDown: number;
  gammaUp: number;
  gammaDown: number;
  a: number;
  b: number;
  stdAdd: number;
  stdSlope: number;
}

export class ExpSteps extends WeightDependentSteps {
  private readonly complexNoise: number;

  constructor(
    a: PulsedArrays,
    private readonly shape: ExpStepShape,
    std: number,
    noise: TableNormals,
  ) {
    super(a, std, noise);
    // aihwkit's hasComplexNoise: dw_min_std > 0 and an additive or slope part
    this.complexNoise = std > 0 && (shape.stdAdd !== 0 || shape.stdSlope !== 0) ? 1 : 0;
  }

  protected pulse(e: number, w: number, sign: number, xi: number): number {
    const a = this.a;
    const s = this.shape;
    return expStepPulse(
      w,
      sign,
      a.scaleUp[e]!,
      a.scaleDown[e]!,
      a.minBound[e]!,
      a.maxBound[e]!,
      s.aUp,
      s.aDown,
      s.gammaUp,
      s.gammaDown,
      s.a,
      s.b,
      this.std,
      s.stdAdd,
      s.stdSlope,
      this.complexNoise,
      xi,
    );
  }
}

export class PowSteps extends WeightDependentSteps {
  constructor(
    a: PulsedArrays,
    private readonly gammaUp: Float32Array,
    private readonly gammaDown: Float32Array,
    std: number,
    noise: TableNormals,
  ) {
    super(a, std, noise);
  }

  protected pulse(e: number, w: number, sign: number, xi: number): number {
    const a = this.a;
    return powStepPulse(w, sign, a.scaleUp[e]!, a.scaleDown[e]!, this.gammaUp[e]!, this.gammaDown[e]!, a.minBound[e]!, a.maxBound[e]!, this.std, xi);
  }
}

/** PiecewiseStep: the step interpolated between the nodes (float32), pulse by pulse. */
export class PiecewiseSteps extends WeightDependentSteps {
  constructor(
    a: PulsedArrays,
    private readonly up: Float32Array,
    private readonly down: Float32Array,
    std: number,
    noise: TableNormals,
  ) {
    super(a, std, noise);
  }

  protected pulse(e: number, w: number, sign: number, xi: number): number {
    const a = this.a;
    return piecewiseStepPulse(w, sign, a.scaleUp[e]!, a.scaleDown[e]!, a.minBound[e]!, a.maxBound[e]!, this.up, this.down, this.std, xi);
  }
}

/** SoftBoundsReference: soft bounds on the conductance w + reference. */
export class SoftBoundsReferenceSteps extends WeightDependentSteps {
  constructor(
    a: PulsedArrays,
    private readonly reference: Float32Array,
    std: number,
    private readonly multNoise: number,
    noise: TableNormals,
  ) {
    super(a, std, noise);
  }

  protected pulse(e: number, w: number, sign: number, xi: number): number {
    const a = this.a;
    return softBoundsReferencePulse(w, sign, a.scaleUp[e]!, a.scaleDown[e]!, this.reference[e]!, a.minBound[e]!, a.maxBound[e]!, this.std, xi, this.multNoise);
  }
}

/** PowStepReference: PowStep on the conductance w + reference. */
export class PowStepReferenceSteps extends WeightDependentSteps {
  constructor(
    a: PulsedArrays,
    private readonly gammaUp: Float32Array,
    private readonly gammaDown: Float32Array,
    private readonly reference: Float32Array,
    std: number,
    noise: TableNormals,
  ) {
    super(a, std, noise);
  }

  protected pulse(e: number, w: number, sign: number, xi: number): number {
    const a = this.a;
    return powStepReferencePulse(
      w,
      sign,
      a.scaleUp[e]!,
      a.scaleDown[e]!,
      this.gammaUp[e]!,
      this.gammaDown[e]!,
      this.reference[e]!,
      a.minBound[e]!,
      a.maxBound[e]!,
      this.std,
      xi,
    );
  }
}
