/**
 * Floating-point weights: FloatingPointRPUConfig (FloatingPointDevice),
 * IdealDevice, InferenceRPUConfig's training update, and any pulsed device
 * with update.pulse_type "None" (aihwkit then builds the device as its simple
 * floating-point part: no bounds, no hidden parameters; only diffusion,
 * lifetime and drift remain).
 *
 * aihwkit v.0.7.1: src/rpucuda/rpu.cpp (RPUSimple: GEMM update, decay,
 * diffusion, drift), rpu_simple_device.cpp (SimpleRPUDevice), rpu_pulsed.cpp
 * (populateParameter for pulse_type None).
 *
 * The update W += (−lr)·dᵀx rounds as aihwkit's float32 BLAS does (checked
 * bit for bit against the oracle's weights_fp): a batch of one row goes
 * through ger, w + fl(−lr·d_i)·x_j with one rounding (fused multiply-add);
 * a larger batch through gemm, a fused multiply-add chain over the rows,
 * then w + fl(−lr·sum). Storing into the Float32Array is the rounding.
 */
import { RandomStream, RandomStreamId, simpleDecayFactor, SimpleDeviceModel, type SimpleDevicePlan } from '@crossbar/core';
import type { TileContext } from '../tile.js';
import type { DeviceModel } from '../update.js';
import type { WeightDrifter } from '../drift.js';

/** Hidden parameters, column reset and state: core's SimpleDeviceModel. */
export class FloatingPointDeviceModel extends SimpleDeviceModel implements DeviceModel {
  private readonly size: number;
  private acc = new Float32Array(0);
  private readonly row: Float64Array;

  /** @param drifter null: driftWeights changes nothing. */
  constructor(
    private readonly ctx: TileContext,
    private readonly plan: SimpleDevicePlan,
    private readonly drifter: WeightDrifter | null,
  ) {
    super('ndarray', plan.name, drifter);
    this.size = ctx.outSize * ctx.inSize;
    this.row = new Float64Array(ctx.inSize);
  }

  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
    if (!(learningRate > 0)) return;
    const { inSize, outSize } = this.ctx;
    const w = this.ctx.weights.data;
    const alpha = Math.fround(-learningRate);
    if (batch === 1) {
      // aihwkit's vector short-cut, BLAS ger: w += fl(alpha·d_i)·x_j, fused
      for (let i = 0; i < outSize; i++) {
        const a = Math.fround(alpha * d[i]!);
        if (a === 0) continue;
        for (let j = 0; j < inSize; j++) w[i * inSize + j] = w[i * inSize + j]! + a * x[j]!;
      }
      return;
    }
    // BLAS gemm: acc = Σ_r d_ri·x_rj as a fused multiply-add chain, then w += fl(alpha·acc)
    if (this.acc.length < this.size) this.acc = new Float32Array(this.size);
    const acc = this.acc;
    acc.fill(0, 0, this.size);
    for (let r = 0; r < batch; r++) {
      const xo = r * inSize;
      for (let i = 0; i < outSize; i++) {
        const dv = d[r * outSize + i]!;
        if (dv === 0) continue;
        const base = i * inSize;
        for (let j = 0; j < inSize; j++) acc[base + j] = acc[base + j]! + dv * x[xo + j]!;
      }
    }
    for (let e = 0; e < this.size; e++) w[e] = w[e]! + Math.fround(alpha * acc[e]!);
  }

  onWeightsSet(): void {}

  drift(timeSinceLastCall: number): void {
    this.drifter?.apply(this.ctx.weights.data, timeSinceLastCall);
  }

  decay(alpha: number): void {
    const f = simpleDecayFactor(Math.fround(this.plan.lifetime), Math.fround(alpha));
    if (!(f > 0 && f < 1)) return; // aihwkit decays only with a factor in (0, 1)
    const w = this.ctx.weights.data;
    for (let e = 0; e < this.size; e++) w[e] = Math.fround(w[e]! * f);
  }

  diffuse(): void {
    const diffusion = Math.fround(this.plan.diffusion);
    if (!(diffusion > 0)) return;
    const { inSize, outSize } = this.ctx;
    const w = this.ctx.weights.data;
    const xi = new RandomStream(this.ctx.seed, RandomStreamId.DeviceDiffusion, this.ctx.nextRandomCall(), 0);
    for (let i = 0; i < outSize; i++) {
      xi.fillNormal(this.row, i * inSize);
      for (let j = 0; j < inSize; j++) w[i * inSize + j] = Math.fround(w[i * inSize + j]! + Math.fround(diffusion * this.row[j]!));
    }
  }
}
