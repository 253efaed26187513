/**
 * Floating-point weights on the device: FloatingPointRPUConfig
 * (FloatingPointDevice), IdealDevice and InferenceRPUConfig's training update
 * (aihwkit v.0.7.1 rpu.cpp RPUSimple: GEMM update, decay, diffusion, drift).
 *
 * The update W += (−lr)·Σ_r d_r x_rᵀ is one kernel over the weights: a batch
 * of one row as BLAS ger (w + fl(−lr·d_i)·x_j), a larger batch as gemm (the
 * products accumulated over the rows in float32, then w + fl(−lr·sum)), the
 * roundings the ndarray engine checks against aihwkit's weights.
 */
import { RandomStreamId, simpleDecayFactor, SimpleDeviceModel, type SimpleDevicePlan } from '@crossbar/core';
import type { TileContext } from '../context.js';
import type { DeviceDrifter } from '../drift.js';
import { mapMatrix } from '../elementwise.js';
import { rankUpdate } from './rank-update.js';
import type { DeviceModel } from './model.js';

/** Hidden parameters, column reset and state: core's SimpleDeviceModel. */
export class FloatingPointDeviceModel extends SimpleDeviceModel implements DeviceModel {
  /** @param drifter null: driftWeights changes nothing. */
  constructor(
    private readonly ctx: TileContext,
    private readonly plan: SimpleDevicePlan,
    private readonly drifter: DeviceDrifter | null,
  ) {
    super('gpujs', plan.name, drifter);
  }

  async update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): Promise<void> {
    if (!(learningRate > 0)) return;
    await rankUpdate(this.ctx, this.ctx.weights, x, d, batch, Math.fround(-learningRate));
  }

  onWeightsSet(): void {}

  drift(timeSinceLastCall: number): void {
    this.drifter?.apply(this.ctx.weights, timeSinceLastCall);
  }

  decay(alpha: number): void {
    const f = simpleDecayFactor(Math.fround(this.plan.lifetime), Math.fround(alpha));
    if (!(f > 0 && f < 1)) return; // aihwkit decays only with a factor in (0, 1)
    const { scope, outSize, inSize, weights } = this.ctx;
    mapMatrix(scope, outSize, inSize, { inputs: { w: weights }, scalars: { f }, expr: 'Math.fround(w * f)' }, weights);
  }

  diffuse(): void {
    const diffusion = Math.fround(this.plan.diffusion);
    if (!(diffusion > 0)) return;
    const { scope, outSize, inSize, weights, seed, rand } = this.ctx;
    const call = this.ctx.nextRandomCall();
    mapMatrix(
      scope,
      outSize,
      inSize,
      {
        inputs: { w: weights },
        scalars: { diffusion },
        expr: 'Math.fround(w + Math.fround(diffusion * xi))',
        random: { items: [{ name: 'xi', normal: true, streamId: RandomStreamId.DeviceDiffusion, sub: 0 }], call, seed, source: rand },
      },
      weights,
    );
  }
}
