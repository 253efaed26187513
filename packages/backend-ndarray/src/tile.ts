/**
 * The ndarray engine's AnalogTile: validates at the boundary (core's
 * tile-calls.ts, the checks every engine makes), owns the weights
 * and the random-call counter, and hands each operation to its module:
 *   mvm.ts       forward / backward with IOParameters
 *   update.ts    pulsed update through the device (devices.ts)
 *   training.ts  weight modifier, clip, remap and the digital output scales
 *   inference.ts PCM programming, drift, read noise, drift compensation
 */
import ndarray, { type NdArray } from 'ndarray';
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
import { createMvm, type Mvm } from './mvm.js';
import { createDeviceModel, type DeviceModel } from './update.js';
import { createTrainingState, type TrainingState } from './training.js';
import { createInferenceState, type InferenceState } from './inference.js';

/** What the modules of a tile share: sizes, config, weights and the random-call counter. */
export interface TileContext {
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  readonly rpuConfig: RPUConfig;
  /** The current (visible) weights, row-major [outSize × inSize]. Modules change them in place. */
  readonly weights: NdArray<Float32Array>;
  /** Returns the call index for the next random-consuming operation and advances it. */
  nextRandomCall(): number;
  /** The current value of the counter (no advance). */
  readonly rngCall: number;
}

/** An analog tile on ndarray views over Float32Array: the reference implementation of every tile operation. */
export class NdarrayTile implements AnalogTile, TileContext {
  readonly backendName = 'ndarray';
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  readonly rpuConfig: RPUConfig;
  readonly weights: NdArray<Float32Array>;
  private rngCallValue = 1; // call 0 is reserved for construction draws
  private disposed = false;
  /** Passes per vector of the last public forward (getForwardPassCounts); internal readouts do not touch it. */
  private readonly forwardPasses = new ForwardPassRecord();

  private readonly mvm: Mvm;
  private readonly device: DeviceModel;
  private readonly training: TrainingState;
  private readonly inference: InferenceState;

  constructor(options: CreateTileOptions) {
    ({ outSize: this.outSize, inSize: this.inSize, seed: this.seed, rpuConfig: this.rpuConfig } = checkCreateTileOptions(options));
    this.weights = ndarray(new Float32Array(this.outSize * this.inSize), [this.outSize, this.inSize]);
    this.mvm = createMvm(this);
    this.device = createDeviceModel(this);
    this.training = createTrainingState(this);
    this.inference = createInferenceState(this, this.mvm, this.training);
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
    this.weights.data.set(w);
    this.device.onWeightsSet();
    this.training.onWeightsSet();
    this.inference.onWeightsSet();
  }

  getWeights(): Float32Array {
    this.alive('getWeights');
    return this.weights.data.slice();
  }

  forward(x: Float32Array, batch: number, options: ForwardOptions = {}): Float32Array {
    this.alive('forward');
    checkForwardArgs(this, x, batch);
    const isTest = options.isTest ?? false;
    const w = this.training.weightsForForward(isTest);
    const y = this.mvm.forward(w, x, batch);
    const passes = this.mvm.forwardPassCounts?.();
    if (passes !== undefined) this.forwardPasses.record(passes, batch);
    this.training.scaleOutput(y, batch);
    this.inference.compensateOutput(y, isTest);
    return y;
  }

  backward(d: Float32Array, batch: number): Float32Array {
    this.alive('backward');
    checkBackwardArgs(this, d, batch);
    const w = this.training.weightsForForward(false);
    const dScaled = this.training.scaleGradient(d, batch);
    return this.mvm.backward(w, dScaled, batch);
  }

  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
    this.alive('update');
    checkUpdateArgs(this, x, d, batch, learningRate);
    this.device.update(x, d, batch, learningRate);
    this.training.onWeightsChanged();
    this.inference.onWeightsSet(); // a programming of the old weights is stale
  }

  driftWeights(time: number): void {
    this.alive('driftWeights');
    checkDriftWeightsArgs(time);
    if (this.inference.isInference) this.inference.drift(time);
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

  programWeights(): void {
    this.alive('programWeights');
    this.inference.program();
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
    this.training.saveState(arrays, scalars);
    this.inference.saveState(arrays, scalars);
    return tileStateOf(this, { rngCall: this.rngCallValue, weights: this.weights.data, hiddenParameters, arrays, scalars });
  }

  setState(state: TileState): void {
    this.alive('setState');
    const { weights, hiddenParameters: hidden, rngCall } = checkTileState(this, state);
    // Validate everything before changing anything.
    this.training.checkState(state.arrays, state.scalars);
    this.inference.checkState(state.arrays, state.scalars);
    this.setHiddenParameters(hidden);
    this.weights.data.set(weights);
    this.rngCallValue = rngCall;
    this.mvm.loadState(state.arrays, state.scalars);
    this.device.loadState(state.arrays, state.scalars);
    this.training.loadState(state.arrays, state.scalars);
    this.inference.loadState(state.arrays, state.scalars);
  }

  dispose(): void {
    this.disposed = true;
  }
}
