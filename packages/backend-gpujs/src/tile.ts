/**
 * The gpu.js engine's AnalogTile: validates at the boundary (the same checks
 * as every engine, core's validate.ts), keeps the weights on the device
 * between calls, and runs each operation as kernels.
 */
import {
  checkFloat32Array,
  checkPositiveInteger,
  ConfigError,
  InputError,
  NotSupportedError,
  resolveIOParameters,
  type AnalogTile,
  type CreateTileOptions,
  type ForwardOptions,
  type HiddenParameters,
  type IOParameters,
  type RPUConfig,
  type ResolvedIO,
  type TileState,
} from '@crossbar/core';
import type { GpujsBackend } from './backend.js';
import type { DeviceArray } from './device.js';
import { KernelScope } from './scope.js';
import { Gemm } from './gemm.js';

const ENGINE = 'gpujs';

function ioOf(config: object, key: 'forward' | 'backward'): IOParameters | undefined {
  return key in config ? ((config as Record<string, unknown>)[key] as IOParameters) : undefined;
}

export class GpujsTile implements AnalogTile {
  readonly backendName = 'gpujs';
  readonly outSize: number;
  readonly inSize: number;
  readonly seed: number;
  readonly rpuConfig: RPUConfig;
  private rngCallValue = 1; // call 0 is reserved for construction draws
  private disposed = false;
  private readonly scope: KernelScope;
  private readonly gemm: Gemm;
  private readonly weights: DeviceArray;
  private readonly fwdIO: ResolvedIO;
  private readonly bwdIO: ResolvedIO;

  constructor(
    private readonly backend: GpujsBackend,
    options: CreateTileOptions,
  ) {
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
    this.fwdIO = resolveIOParameters(ioOf(this.rpuConfig, 'forward'), 'forward', 'rpuConfig.forward', ENGINE);
    this.bwdIO = resolveIOParameters(ioOf(this.rpuConfig, 'backward'), 'backward', 'rpuConfig.backward', ENGINE);
    this.scope = new KernelScope(backend.runtime);
    this.gemm = new Gemm(this.scope, this.outSize, this.inSize, backend.threads);
    this.weights = this.scope.upload(new Float32Array(this.outSize * this.inSize), this.outSize, this.inSize, true);
  }

  get rngCall(): number {
    return this.rngCallValue;
  }

  private alive(where: string): void {
    if (this.disposed) throw new InputError(`${where}: the tile was disposed`);
  }

  private get weightCount(): number {
    return this.outSize * this.inSize;
  }

  private notYet(what: string): never {
    throw new NotSupportedError(`gpujs engine: ${what} is not implemented yet`);
  }

  setWeights(w: Float32Array): void {
    this.alive('setWeights');
    checkFloat32Array('setWeights', 'weights', w, this.weightCount, { shape: `outSize ${this.outSize} × inSize ${this.inSize}` });
    this.scope.overwrite(this.weights, w);
  }

  getWeights(): Float32Array {
    this.alive('getWeights');
    return this.weights.download();
  }

  async forward(x: Float32Array, batch: number, _options: ForwardOptions = {}): Promise<Float32Array> {
    this.alive('forward');
    checkPositiveInteger('forward', 'batch', batch);
    checkFloat32Array('forward', 'x', x, batch * this.inSize, { shape: `batch ${batch} × inSize ${this.inSize}` });
    if (!this.fwdIO.isPerfect) this.notYet('the IO-managed forward pass');
    return this.gemm.forward(this.weights, x, batch, this.fwdIO.outScale);
  }

  async backward(d: Float32Array, batch: number): Promise<Float32Array> {
    this.alive('backward');
    checkPositiveInteger('backward', 'batch', batch);
    checkFloat32Array('backward', 'd', d, batch * this.outSize, { shape: `batch ${batch} × outSize ${this.outSize}` });
    if (!this.bwdIO.isPerfect) this.notYet('the IO-managed backward pass');
    return this.gemm.backward(this.weights, d, batch, this.bwdIO.outScale);
  }

  update(): void {
    this.notYet('update');
  }
  driftWeights(): void {
    this.notYet('driftWeights');
  }
  decayWeights(): void {
    this.notYet('decayWeights');
  }
  diffuseWeights(): void {
    this.notYet('diffuseWeights');
  }
  resetColumns(): void {
    this.notYet('resetColumns');
  }
  applyWeightModifier(): void {
    this.notYet('applyWeightModifier');
  }
  clipWeights(): void {
    this.notYet('clipWeights');
  }
  remapWeights(): void {
    this.notYet('remapWeights');
  }
  programWeights(): void {
    this.notYet('programWeights');
  }
  getScales(): Float32Array {
    return this.notYet('getScales');
  }
  setScales(): void {
    this.notYet('setScales');
  }
  getDriftCompensationScale(): number {
    return 1;
  }
  getHiddenParameters(): HiddenParameters {
    return {};
  }
  setHiddenParameters(): void {
    this.notYet('setHiddenParameters');
  }
  getState(): TileState {
    return this.notYet('getState');
  }
  setState(): void {
    this.notYet('setState');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.scope.dispose();
    this.backend.forget(this);
  }
}
