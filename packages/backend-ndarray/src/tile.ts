/**
 * The ndarray engine's AnalogTile: validates at the boundary, owns the weights
 * and the random-call counter, and hands each operation to its module:
 *   mvm.ts       forward / backward with IOParameters
 *   update.ts    pulsed update through the device (devices.ts)
 *   training.ts  weight modifier, clip, remap and the digital output scales
 *   inference.ts PCM programming, drift, read noise, drift compensation
 */
import ndarray, { type NdArray } from 'ndarray';
import {
  checkFiniteNumber,
  checkFloat32Array,
  checkPositiveInteger,
  ConfigError,
  InputError,
  rpuConfigToDict,
  checkTileState,
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
  private forwardPasses: Int32Array | null = null;
  private forwardBatch = 0;

  private readonly mvm: Mvm;
  private readonly device: DeviceModel;
  private readonly training: TrainingState;
  private readonly inference: InferenceState;

  constructor(options: CreateTileOptions) {
    const where = 'createTile';
    if (options === null || typeof options !== 'object') throw new InputError(`${where}: options must be an object`);
    this.outSize = checkPositiveInteger(where, 'outSize', options.outSize);
    this.inSize = checkPositiveInteger(where, 'inSize', options.inSize);
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new InputError(`${where}: seed must be a non-negative safe integer, got ${String(seed)}`);
    }
    this.seed = seed;
    const cfg = options.rpuConfig as unknown;
    if (cfg === null || typeof cfg !== 'object' || typeof (cfg as RPUConfig).validate !== 'function') {
      throw new ConfigError(`${where}: rpuConfig must be a FloatingPointRPUConfig, SingleRPUConfig or InferenceRPUConfig`);
    }
    this.rpuConfig = (cfg as RPUConfig).clone().validate();
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
    if (this.disposed) throw new InputError(`${where}: the tile was disposed`);
  }

  private get weightCount(): number {
    return this.outSize * this.inSize;
  }

  setWeights(w: Float32Array): void {
    this.alive('setWeights');
    checkFloat32Array('setWeights', 'weights', w, this.weightCount, { shape: `outSize ${this.outSize} × inSize ${this.inSize}` });
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
    checkPositiveInteger('forward', 'batch', batch);
    checkFloat32Array('forward', 'x', x, batch * this.inSize, { shape: `batch ${batch} × inSize ${this.inSize}` });
    const isTest = options.isTest ?? false;
    const w = this.training.weightsForForward(isTest);
    const y = this.mvm.forward(w, x, batch);
    const passes = this.mvm.forwardPassCounts?.();
    if (passes !== undefined) {
      if (this.forwardPasses === null || this.forwardPasses.length < batch) this.forwardPasses = new Int32Array(batch);
      this.forwardPasses.set(passes);
      this.forwardBatch = batch;
    }
    this.training.scaleOutput(y, batch);
    this.inference.compensateOutput(y, isTest);
    return y;
  }

  backward(d: Float32Array, batch: number): Float32Array {
    this.alive('backward');
    checkPositiveInteger('backward', 'batch', batch);
    checkFloat32Array('backward', 'd', d, batch * this.outSize, { shape: `batch ${batch} × outSize ${this.outSize}` });
    const w = this.training.weightsForForward(false);
    const dScaled = this.training.scaleGradient(d, batch);
    return this.mvm.backward(w, dScaled, batch);
  }

  update(x: Float32Array, d: Float32Array, batch: number, learningRate: number): void {
    this.alive('update');
    checkPositiveInteger('update', 'batch', batch);
    checkFloat32Array('update', 'x', x, batch * this.inSize, { shape: `batch ${batch} × inSize ${this.inSize}` });
    checkFloat32Array('update', 'd', d, batch * this.outSize, { shape: `batch ${batch} × outSize ${this.outSize}` });
    checkFiniteNumber('update', 'learningRate', learningRate, { min: 0 });
    this.device.update(x, d, batch, learningRate);
    this.training.onWeightsChanged();
    this.inference.onWeightsSet(); // a programming of the old weights is stale
  }

  driftWeights(time: number): void {
    this.alive('driftWeights');
    checkFiniteNumber('driftWeights', 'time', time, { min: 0 });
    if (this.inference.isInference) this.inference.drift(time);
    else this.device.drift(time);
  }

  decayWeights(alpha = 1): void {
    this.alive('decayWeights');
    checkFiniteNumber('decayWeights', 'alpha', alpha);
    this.device.decay(alpha);
    this.inference.onWeightsSet();
  }

  diffuseWeights(): void {
    this.alive('diffuseWeights');
    this.device.diffuse();
    this.inference.onWeightsSet();
  }

  resetColumns(start = 0, count = this.inSize, resetProb = 1): void {
    this.alive('resetColumns');
    if (!Number.isInteger(start) || start < 0 || start >= this.inSize) {
      throw new InputError(`resetColumns: start must be an integer in [0, ${this.inSize - 1}], got ${start}`);
    }
    if (!Number.isInteger(count) || count < 1 || start + count > this.inSize) {
      throw new InputError(`resetColumns: count must be an integer in [1, ${this.inSize - start}], got ${count}`);
    }
    checkFiniteNumber('resetColumns', 'resetProb', resetProb, { min: 0 });
    if (resetProb > 1) throw new InputError(`resetColumns: resetProb must be <= 1, got ${resetProb}`);
    this.device.resetColumns(start, count, resetProb);
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
    checkFloat32Array('setScales', 'scales', scales, this.outSize, { shape: `outSize ${this.outSize}` });
    this.training.setScales(scales);
  }

  getDriftCompensationScale(): number {
    this.alive('getDriftCompensationScale');
    return this.inference.compensationScale;
  }

  getForwardPassCounts(): Int32Array | null {
    this.alive('getForwardPassCounts');
    return this.forwardPasses === null ? null : this.forwardPasses.slice(0, this.forwardBatch);
  }

  getHiddenParameters(): HiddenParameters {
    this.alive('getHiddenParameters');
    return { ...this.device.getHiddenParameters(), ...this.inference.getHiddenParameters() };
  }

  setHiddenParameters(params: Partial<HiddenParameters>): void {
    this.alive('setHiddenParameters');
    if (params === null || typeof params !== 'object') throw new InputError('setHiddenParameters: params must be an object');
    const known = new Set([...Object.keys(this.device.getHiddenParameters()), ...Object.keys(this.inference.getHiddenParameters())]);
    for (const [name, value] of Object.entries(params)) {
      if (!known.has(name)) {
        throw new InputError(`setHiddenParameters: unknown hidden parameter "${name}"; this tile has: ${[...known].join(', ')}`);
      }
      checkFloat32Array('setHiddenParameters', name, value, this.weightCount, { shape: `outSize ${this.outSize} × inSize ${this.inSize}` });
    }
    this.device.setHiddenParameters(params);
    this.inference.setHiddenParameters(params);
  }

  getState(): TileState {
    this.alive('getState');
    const hidden: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(this.getHiddenParameters())) hidden[k] = Array.from(v);
    const arrays: TileState['arrays'] = {};
    const scalars: TileState['scalars'] = {};
    this.mvm.saveState(arrays, scalars);
    this.device.saveState(arrays, scalars);
    this.training.saveState(arrays, scalars);
    this.inference.saveState(arrays, scalars);
    return {
      format: 'crossbar-tile-state@1',
      outSize: this.outSize,
      inSize: this.inSize,
      seed: this.seed,
      rpuConfig: rpuConfigToDict(this.rpuConfig),
      rngCall: this.rngCallValue,
      weights: Array.from(this.weights.data),
      hiddenParameters: hidden,
      arrays,
      scalars,
    };
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
