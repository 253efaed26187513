/**
 * Core's AnalogTile, one implementation for every engine: built from an engine's
 * kernels (kernels.ts), it owns the boundary checks (tile-calls.ts), the weights
 * and the random-call counter, which operation invalidates which state, and the
 * TileState with validate-then-commit; each operation goes to its part:
 *   mvm.ts        forward / backward with IOParameters, the managed-pass loop
 *   devices.ts    the update through the device, decay, diffusion, reset, drift
 *   training.ts   weight modifier, clip, remap and the digital output scales
 *   inference.ts  PCM programming, drift, read noise, drift compensation
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
  checkUpdateArgs,
  ForwardPassRecord,
  tileStateOf,
} from '../tile-calls.js';
import { checkTileState } from '../tile-state.js';
import { InputError, NotSupportedError } from '../errors.js';
import type { RPUConfig } from '../config/rpu-configs.js';
import type { AnalogTile, AnalogTileBackend, Awaitable, CreateTileOptions, ForwardOptions, HiddenParameters, TileState } from '../tile.js';
import type { TileContext } from './context.js';
import { createDeviceModel, type DeviceModel } from './devices.js';
import { createInferenceState, type InferenceState } from './inference.js';
import type { KernelSet, TileKernels } from './kernels.js';
import { TileMvm } from './mvm.js';
import { checkStateObjects } from './state-checks.js';
import { TrainingState } from './training.js';

/**
 * The public calls that never write the weights, their modified copy or anything else a kernel
 * reads (every other call may): between two of them the weights version stays (weightsVersion).
 */
const READ_ONLY_CALLS: ReadonlySet<string> = new Set([
  'forward',
  'backward',
  'getWeights',
  'getScales',
  'getDriftCompensationScale',
  'getHiddenParameters',
  'getState',
  'getForwardPassCounts',
]);

export class KernelTile implements AnalogTile, TileContext {
  readonly backendName: string;
  readonly engine: string;
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  readonly rpuConfig: RPUConfig;
  readonly size: number;
  readonly weights: Float32Array;
  private rngCallValue = 1; // call 0 is reserved for construction draws
  private disposed = false;
  private weightsVersionValue = 0;
  /** Inside a call that may write the weights (not in READ_ONLY_CALLS). */
  private writing = true;
  /** Passes per vector of the last public forward (getForwardPassCounts); internal readouts do not touch it. */
  private readonly forwardPasses = new ForwardPassRecord();
  private readonly mvm: TileMvm;
  private readonly device: DeviceModel;
  private readonly training: TrainingState;
  private readonly inference: InferenceState;
  /**
   * Optional in the contract: offered where the engine has the `analogPass` kernel, the only
   * one that can re-run a vector (with `perfectMvm` alone every count would be 1).
   */
  readonly getForwardPassCounts?: () => Int32Array | null;

  /**
   * @param engine the engine's registry name.
   * @param options checked here (checkCreateTileOptions); the tile keeps its own copy of the config.
   * @param kernels the engine's kernels for this tile.
   */
  constructor(
    engine: string,
    options: CreateTileOptions,
    readonly kernels: TileKernels,
  ) {
    this.backendName = engine;
    this.engine = engine;
    ({ outSize: this.outSize, inSize: this.inSize, seed: this.seed, rpuConfig: this.rpuConfig } = checkCreateTileOptions(options));
    this.size = this.outSize * this.inSize;
    this.weights = new Float32Array(this.size);
    this.mvm = new TileMvm(this);
    this.device = createDeviceModel(this);
    this.training = new TrainingState(this);
    this.inference = createInferenceState(this, this.mvm, this.training);
    if (this.mvm.countsPasses) {
      this.getForwardPassCounts = () => {
        this.alive('getForwardPassCounts');
        return this.forwardPasses.counts();
      };
    }
  }

  get rngCall(): number {
    return this.rngCallValue;
  }

  nextRandomCall(): number {
    return this.rngCallValue++;
  }

  /**
   * The weights version (kernels.ts AnalogPassArgs.weightsVersion). It changes on entering and
   * on leaving every call that may write the weights, and on each read inside such a call (it
   * may write between two kernel calls: an inference drift reads, drifts and reads again); so
   * only kernel calls within and between read-only calls (forward, backward, getters) share one.
   */
  weightsVersion(): number {
    return this.writing ? ++this.weightsVersionValue : this.weightsVersionValue;
  }

  private alive(where: string): void {
    checkTileAlive(where, this.disposed);
    const writes = !READ_ONLY_CALLS.has(where);
    if (writes || this.writing) this.weightsVersionValue++;
    this.writing = writes;
  }

  setWeights(w: Float32Array): void {
    this.alive('setWeights');
    checkSetWeightsArgs(this, w);
    this.weights.set(w);
    this.device.onWeightsSet();
    this.training.onWeightsSet();
    this.inference.onWeightsSet();
  }

  getWeights(): Float32Array {
    this.alive('getWeights');
    return this.weights.slice();
  }

  forward(x: Float32Array, batch: number, options: ForwardOptions = {}): Float32Array {
    this.alive('forward');
    checkForwardArgs(this, x, batch);
    const isTest = options.isTest ?? false;
    const w = this.training.weightsForForward(isTest);
    const y = this.mvm.forward(w, x, batch);
    if (this.getForwardPassCounts !== undefined) this.forwardPasses.record(this.mvm.forwardPassCounts(), batch);
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
    // the modified copy stays until the next applyWeightModifier (aihwkit)
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

  getHiddenParameters(): HiddenParameters {
    this.alive('getHiddenParameters');
    return { ...this.device.getHiddenParameters(), ...this.inference.getHiddenParameters() };
  }

  setHiddenParameters(params: Partial<HiddenParameters>): void {
    this.alive('setHiddenParameters');
    checkSetHiddenParametersArgs(this, params, this.getHiddenParameters());
    this.writeHiddenParameters(params);
  }

  /** aihwkit's set_hidden_update_index (compound devices; refused by the others). */
  setHiddenUpdateIndex(index: number): void {
    this.alive('setHiddenUpdateIndex');
    if (!Number.isInteger(index) || index < 0) throw new InputError(`setHiddenUpdateIndex: index must be a non-negative integer, got ${String(index)}`);
    this.compound('setHiddenUpdateIndex').setHiddenUpdateIndex(index);
  }

  /** aihwkit's get_hidden_update_index (compound devices; refused by the others). */
  getHiddenUpdateIndex(): number {
    this.alive('getHiddenUpdateIndex');
    return this.compound('getHiddenUpdateIndex').getHiddenUpdateIndex();
  }

  private compound(where: string): { setHiddenUpdateIndex(i: number): void; getHiddenUpdateIndex(): number } {
    const d = this.device as Partial<{ setHiddenUpdateIndex(i: number): void; getHiddenUpdateIndex(): number }>;
    if (d.setHiddenUpdateIndex === undefined || d.getHiddenUpdateIndex === undefined) {
      throw new NotSupportedError(`${this.engine} engine: ${where} needs a compound device (UnitCellRPUConfig or DigitalRankUpdateRPUConfig)`);
    }
    return d as { setHiddenUpdateIndex(i: number): void; getHiddenUpdateIndex(): number };
  }

  private writeHiddenParameters(params: Partial<HiddenParameters>): void {
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
    return tileStateOf(this, { rngCall: this.rngCallValue, weights: this.weights, hiddenParameters, arrays, scalars });
  }

  /** Validates every part of the state first; only then writes (a refused state changes nothing). */
  setState(state: TileState): void {
    this.alive('setState');
    const { weights, hiddenParameters: hidden, rngCall } = checkTileState(this, state);
    checkStateObjects(state);
    const { arrays, scalars } = state;
    checkSetHiddenParametersArgs(this, hidden, this.getHiddenParameters());
    this.training.checkState(arrays);
    this.inference.checkState(arrays, scalars);
    this.device.checkState(arrays, scalars);
    this.mvm.loadState(arrays, scalars); // checks all its entries before its first write
    this.writeHiddenParameters(hidden);
    this.weights.set(weights);
    this.rngCallValue = rngCall;
    this.device.loadState(arrays, scalars);
    this.training.loadState(arrays);
    this.inference.loadState(arrays, scalars);
  }

  dispose(): void {
    if (!this.disposed) this.kernels.dispose?.();
    this.disposed = true;
  }
}

/**
 * The registry object of an engine that supplies kernels: createTile checks the options,
 * asks the engine for the tile's kernels and builds core's tile on them.
 */
export function kernelBackend(kernelSet: KernelSet): AnalogTileBackend {
  return {
    name: kernelSet.name,
    description: kernelSet.description,
    createTile(options: CreateTileOptions): Awaitable<AnalogTile> {
      const checked = checkCreateTileOptions(options);
      const build = (kernels: TileKernels): KernelTile => {
        try {
          return new KernelTile(kernelSet.name, checked, kernels);
        } catch (e) {
          kernels.dispose?.();
          throw e;
        }
      };
      // a synchronous engine gives its tiles synchronously (callers may await either)
      const kernels = kernelSet.createKernels({ engine: kernelSet.name, ...checked });
      return kernels instanceof Promise ? kernels.then(build) : build(kernels);
    },
    dispose: kernelSet.dispose ? () => kernelSet.dispose!() : undefined,
  };
}
