/**
 * The gpu.js engine's AnalogTile: validates at the boundary (core's
 * tile-calls.ts, the checks every engine makes), keeps the weights on the
 * device between calls, and hands each operation to its module:
 *   mvm.ts / pass.ts   forward / backward with IOParameters (kernels)
 *   devices/           the update and the device's weight operations
 *   training.ts        weight modifier, clip, remap and the digital output scales
 *   inference.ts       PCM programming, drift, read noise, drift compensation
 * The module boundaries and semantics are the ndarray engine's, so a tile's
 * state moves between the engines (getState/setState).
 */
import {
  checkBackwardArgs,
  checkCreateTileOptions,
  checkDecayWeightsArgs,
  checkDriftWeightsArgs,
  checkForwardArgs,
  checkResetColumnsArgs,
  checkSetHiddenParametersArgs,
  checkSetScalesArgs,
  checkSetWeightsArgs,
  checkTileAlive,
  checkTileState,
  checkUpdateArgs,
  ForwardPassRecord,
  tileStateOf,
  type AnalogTile,
  type CreateTileOptions,
  type ForwardOptions,
  type HiddenParameters,
  type RPUConfig,
  type TileState,
} from '@crossbar/core';
import type { GpujsBackend } from './backend.js';
import type { DeviceArray } from './device.js';
import type { TileContext } from './context.js';
import type { RandomSource } from './random.js';
import { KernelScope } from './scope.js';
import { DeviceMvm } from './mvm.js';
import { createDeviceModel, type DeviceModel } from './devices/model.js';
import { TrainingState } from './training.js';
import { InferenceState } from './inference.js';

/** An analog tile on gpu.js kernels; the same numbers as the ndarray engine's tile within the mode's float tolerance. */
export class GpujsTile implements AnalogTile, TileContext {
  readonly backendName = 'gpujs';
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  readonly rpuConfig: RPUConfig;
  readonly scope: KernelScope;
  readonly weights: DeviceArray;
  readonly rand: RandomSource;
  readonly threads: boolean;
  private rngCallValue = 1; // call 0 is reserved for construction draws
  private disposed = false;
  /** Passes per vector of the last public forward (getForwardPassCounts); internal readouts do not touch it. */
  private readonly forwardPasses = new ForwardPassRecord();
  private readonly mvm: DeviceMvm;
  private readonly device: DeviceModel;
  private readonly training: TrainingState;
  private readonly inference: InferenceState;

  constructor(
    private readonly backend: GpujsBackend,
    options: CreateTileOptions,
  ) {
    ({ outSize: this.outSize, inSize: this.inSize, seed: this.seed, rpuConfig: this.rpuConfig } = checkCreateTileOptions(options));
    this.rand = backend.randomSource;
    this.threads = backend.threads;
    this.scope = new KernelScope(backend.runtime);
    try {
      this.weights = this.scope.upload(new Float32Array(this.outSize * this.inSize), this.outSize, this.inSize, true);
      this.mvm = new DeviceMvm(this);
      this.device = createDeviceModel(this);
      this.training = new TrainingState(this);
      this.inference = new InferenceState(this, this.mvm, this.training);
    } catch (e) {
      this.scope.dispose();
      throw e;
    }
  }

  get rngCall(): number {
    return this.rngCallValue;
  }

  nextRandomCall(): number {
    return this.rngCallValue++;
  }

  private alive(where: string): void {
    checkTileAlive(where, this.disposed);
  }

  setWeights(w: Float32Array): void {
    this.alive('setWeights');
    checkSetWeightsArgs(this, w);
    this.scope.overwrite(this.weights, w);
    this.device.onWeightsSet();
    this.training.onWeightsSet();
    this.inference.onWeightsSet();
  }

  getWeights(): Float32Array {
    this.alive('getWeights');
    return this.weights.download();
  }

  async forward(x: Float32Array, batch: number, options: ForwardOptions = {}): Promise<Float32Array> {
    this.alive('forward');
    checkForwardArgs(this, x, batch);
    const isTest = options.isTest ?? false;
    const y = await this.mvm.forward(this.training.weightsForForward(isTest), x, batch);
    this.forwardPasses.record(this.mvm.fwd.passCounts(), batch);
    this.training.scaleOutput(y, batch);
    this.inference.compensateOutput(y, isTest);
    return y;
  }

  async backward(d: Float32Array, batch: number): Promise<Float32Array> {
    this.alive('backward');
    checkBackwardArgs(this, d, batch);
    const w = this.training.weightsForForward(false);
    return this.mvm.backward(w, this.training.scaleGradient(d, batch), batch);
  }

  async update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): Promise<void> {
    this.alive('update');
    checkUpdateArgs(this, x, d, batch, learningRate);
    await this.device.update(x, d, batch, learningRate);
    this.inference.onWeightsSet(); // a programming of the old weights is stale
  }

  async driftWeights(time: number): Promise<void> {
    this.alive('driftWeights');
    checkDriftWeightsArgs(time);
    if (this.inference.isInference) await this.inference.drift(time);
    else this.device.drift(time);
  }

  decayWeights(alpha?: number): void {
    this.alive('decayWeights');
    this.device.decay(checkDecayWeightsArgs(alpha));
    this.inference.onWeightsSet();
  }

  diffuseWeights(): void {
    this.alive('diffuseWeights');
    this.device.diffuse();
    this.inference.onWeightsSet();
  }

  resetColumns(start?: number, count?: number, resetProb?: number): void {
    this.alive('resetColumns');
    const cols = checkResetColumnsArgs(this.inSize, start, count, resetProb);
    this.device.resetColumns(cols.start, cols.count, cols.resetProb);
    this.inference.onWeightsSet();
  }

  applyWeightModifier(): void {
    this.alive('applyWeightModifier');
    this.training.applyWeightModifier();
  }

  clipWeights(): void {
    this.alive('clipWeights');
    if (this.training.clipWeights()) this.inference.onWeightsSet();
  }

  remapWeights(): void {
    this.alive('remapWeights');
    if (this.training.remapWeights()) this.inference.onWeightsSet();
  }

  async programWeights(): Promise<void> {
    this.alive('programWeights');
    await this.inference.program();
  }

  getScales(): Float32Array {
    this.alive('getScales');
    return this.training.getScales();
  }

  setScales(scales: Float32Array): void {
    this.alive('setScales');
    checkSetScalesArgs(this, scales);
    this.training.setScales(scales);
  }

  getDriftCompensationScale(): number {
    this.alive('getDriftCompensationScale');
    return this.inference.compensationScale;
  }

  getForwardPassCounts(): Int32Array | null {
    this.alive('getForwardPassCounts');
    return this.forwardPasses.counts();
  }

  getHiddenParameters(): HiddenParameters {
    this.alive('getHiddenParameters');
    return { ...this.device.getHiddenParameters(), ...this.inference.getHiddenParameters() };
  }

  setHiddenParameters(params: Partial<HiddenParameters>): void {
    this.alive('setHiddenParameters');
    checkSetHiddenParametersArgs(this, params, this.getHiddenParameters());
    this.device.setHiddenParameters(params);
    this.inference.setHiddenParameters(params);
  }

  getState(): TileState {
    this.alive('getState');
    const hiddenParameters = this.getHiddenParameters();
    const arrays: TileState['arrays'] = {};
    const scalars: TileState['scalars'] = {};
    this.mvm.saveState(arrays, scalars);
    this.device.saveState(arrays, scalars);
    this.training.saveState(arrays);
    this.inference.saveState(arrays, scalars);
    return tileStateOf(this, { rngCall: this.rngCallValue, weights: this.weights.download(), hiddenParameters, arrays, scalars });
  }

  setState(state: TileState): void {
    this.alive('setState');
    const { weights, hiddenParameters: hidden, rngCall } = checkTileState(this, state);
    // Validate everything before changing anything.
    this.training.checkState(state.arrays);
    this.inference.checkState(state.arrays, state.scalars);
    this.setHiddenParameters(hidden);
    this.scope.overwrite(this.weights, weights);
    this.rngCallValue = rngCall;
    this.mvm.loadState(state.arrays, state.scalars);
    this.device.loadState(state.arrays, state.scalars);
    this.training.loadState(state.arrays);
    this.inference.loadState(state.arrays, state.scalars);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.scope.dispose();
    this.backend.forget(this);
  }
}
