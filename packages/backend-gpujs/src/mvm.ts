/**
 * Forward and backward analog MVM of a tile with IOParameters (pass.ts runs
 * one direction): the per-tile draws of core's drawMvParameters (voltage
 * offsets, non-linearities, read asymmetry), the AverageAbsMax running value
 * shared by both directions, and W with the read asymmetry of negative inputs
 * (PosNegSeparate) made on the device per call.
 */
import {
  drawMvParameters,
  ioParametersOf,
  ioPassStreams,
  ioUsesRandomness,
  loadMvmState,
  resolveIOParameters,
  saveMvmState,
  type NoiseManagementState,
  type TileState,
} from '@crossbar/core';
import type { DeviceArray } from './device.js';
import { mapMatrix } from './elementwise.js';
import { Gemm } from './gemm.js';
import { DevicePass } from './pass.js';
import type { TileContext } from './context.js';

export const ENGINE = 'gpujs';

export class DeviceMvm {
  readonly fwd: DevicePass;
  readonly bwd: DevicePass;
  /** AverageAbsMax running value, shared by forward and backward (aihwkit's aux_nm_value_). */
  private readonly nm: NoiseManagementState = { averageAbsMax: -1 };
  /** Read asymmetry per device (forward, backward draws), resident when a PosNeg pass uses it. */
  private readonly asym: { fwd: DeviceArray | null; bwd: DeviceArray | null } = { fwd: null, bwd: null };

  constructor(private readonly ctx: TileContext) {
    const { outSize, inSize, seed, scope } = ctx;
    const config = ctx.rpuConfig;
    const fwdIO = resolveIOParameters(ioParametersOf(config, 'forward'), 'forward', 'rpuConfig.forward', ENGINE);
    const bwdIO = resolveIOParameters(ioParametersOf(config, 'backward'), 'backward', 'rpuConfig.backward', ENGINE);
    const count = outSize * inSize;
    const gemm = new Gemm(scope, outSize, inSize, ctx.threads);
    this.fwd = new DevicePass(
      scope,
      gemm,
      fwdIO,
      drawMvParameters(fwdIO, outSize, count, seed),
      outSize,
      inSize,
      inSize,
      ioPassStreams('forward'),
      seed,
      ctx.rand,
      ctx.threads,
    );
    this.bwd = new DevicePass(
      scope,
      gemm,
      bwdIO,
      drawMvParameters(bwdIO, inSize, count, seed),
      inSize,
      outSize,
      inSize,
      ioPassStreams('backward'),
      seed,
      ctx.rand,
      ctx.threads,
    );
    this.uploadAsymmetry();
  }

  private uploadAsymmetry(): void {
    const { scope, outSize, inSize } = this.ctx;
    scope.free(this.asym.fwd);
    scope.free(this.asym.bwd);
    this.asym.fwd = this.fwd.needsNegativeWeights ? scope.upload(this.fwd.draws.wAsymmetry!, outSize, inSize, true) : null;
    this.asym.bwd = this.bwd.needsNegativeWeights ? scope.upload(this.bwd.draws.wAsymmetry!, outSize, inSize, true) : null;
  }

  /** W · asymmetry on the device (a fresh array the caller frees), or null. */
  private negativeWeights(w: DeviceArray, asym: DeviceArray | null): DeviceArray | null {
    if (asym === null) return null;
    const { scope, outSize, inSize } = this.ctx;
    return mapMatrix(scope, outSize, inSize, { inputs: { w, f: asym }, expr: 'Math.fround(w * f)' });
  }

  async forward(w: DeviceArray, x: Float32Array, batch: number): Promise<Float32Array> {
    const call = ioUsesRandomness(this.fwd.io) ? this.ctx.nextRandomCall() : 0;
    const wNeg = this.negativeWeights(w, this.asym.fwd);
    try {
      return await this.fwd.run({ w, wNeg }, x, batch, call, this.nm);
    } finally {
      this.ctx.scope.free(wNeg);
    }
  }

  async backward(w: DeviceArray, d: Float32Array, batch: number): Promise<Float32Array> {
    const call = ioUsesRandomness(this.bwd.io) ? this.ctx.nextRandomCall() : 0;
    const wNeg = this.negativeWeights(w, this.asym.bwd);
    try {
      return await this.bwd.run({ w, wNeg }, d, batch, call, this.nm);
    } finally {
      this.ctx.scope.free(wNeg);
    }
  }

  saveState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    saveMvmState(this.nm, this.fwd.draws, this.bwd.draws, arrays, scalars);
  }

  loadState(arrays: TileState['arrays'], scalars: TileState['scalars']): void {
    loadMvmState(this.nm, this.fwd.draws, this.bwd.draws, arrays, scalars);
    this.fwd.refreshDraws();
    this.bwd.refreshDraws();
    this.uploadAsymmetry();
  }
}
