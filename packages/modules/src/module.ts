/**
 * The module tree (after torch.nn.Module / tfjs-layers): a module maps a
 * row-major batch x [batch × inFeatures] to [batch × outFeatures] in
 * `forward`, caches what its `backward` needs, and owns digital Parameters
 * and analog tiles. Every method that touches a tile is async (engines may
 * be asynchronous).
 */
import { checkFiniteNumber, InferenceRPUConfig } from '@crossbar/core';
import { ModuleError } from './errors.js';
import type { Parameter } from './parameter.js';
import type { SavedTile, TileWithPeriphery } from './tile-periphery.js';

/** The architecture of a module as JSON: its class (`type`) and constructor arguments. */
export interface ModuleConfig {
  type: string;
  [key: string]: unknown;
}

/** The learned state of a module as JSON (weights live in `tiles`, digital parameters in `params`). */
export interface ModuleState {
  type: string;
  params?: Record<string, number[]>;
  tiles?: Record<string, SavedTile>;
  /** Other numbers a module keeps (none of the built-in modules need any beyond the above). */
  extra?: Record<string, number>;
  children?: ModuleState[];
}

/** Options of `loadStateDict` and `loadModel`. */
export interface LoadStateOptions {
  /**
   * Whether the saved RPU configs replace the model's (default true, as
   * aihwkit's load_rpu_config). With false the model's configs are kept and
   * only the learned state is loaded.
   */
  loadRpuConfig?: boolean;
  /** With loadRpuConfig false: whether the config classes must match (default true, aihwkit's strict_rpu_config_check). */
  strictRpuConfigCheck?: boolean;
}

/** The base of every layer and network (aihwkit's AnalogModuleBase / torch's nn.Module): forward, backward, parameters, tiles, train/eval mode, the inference workflow and state. */
export abstract class Module {
  /** Training mode (true) uses training forward passes (weight modifier, input-range init); eval mode is inference (is_test). */
  training = true;
  /** Set by dispose(): every later call that would use the tiles is refused (not silently rebuilt). */
  private disposedFlag = false;

  /** Whether dispose() was called. */
  get disposed(): boolean {
    return this.disposedFlag;
  }

  /** Refuses a call on a disposed module (`where`: the method). */
  protected checkAlive(where: string): void {
    if (this.disposedFlag) throw this.disposedError(where);
  }

  /** The error a call on a disposed module throws (`where`: the method). @internal */
  protected disposedError(where: string): ModuleError {
    return new ModuleError(`${this.type}.${where}: the module was disposed; build a new one (or loadModel) to use it again`);
  }

  /** The class name used in saved architectures. */
  abstract readonly type: string;

  /** The outputs [batch × outputs] of inputs [batch × inputs]; keeps what backward needs. */
  abstract forward(x: Float32Array, batch: number): Promise<Float32Array>;
  /** dL/dy of the last forward pass → dL/dx; accumulates parameter gradients and analog update records. */
  abstract backward(dy: Float32Array): Promise<Float32Array>;
  /** The module's architecture entry (type and constructor arguments) for a saved model. */
  abstract getConfig(): ModuleConfig;

  /** The modules inside this one (none for a layer). */
  children(): readonly Module[] {
    return [];
  }

  /** This module's own digital parameters (not its children's), by name. */
  protected ownParameters(): Array<[string, Parameter]> {
    return [];
  }

  /** This module's own analog tiles (not its children's), by name. */
  protected ownTiles(): Array<[string, TileWithPeriphery]> {
    return [];
  }

  /** Every digital parameter of the tree with its path ("0.bias", "2.tiles.0_1.inputRange", ...). Tiles exist after build(). */
  namedParameters(prefix = ''): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = this.ownParameters().map(([n, p]) => [prefix + n, p]);
    this.children().forEach((c, i) => out.push(...c.namedParameters(`${prefix}${i}.`)));
    return out;
  }

  /** Every digital parameter of this module and its children. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every analog tile of the tree with its path ("0.tiles.0", "2.tiles.1_0", ...). Tiles exist after build(). */
  namedAnalogTiles(prefix = ''): Array<[string, TileWithPeriphery]> {
    const out: Array<[string, TileWithPeriphery]> = this.ownTiles().map(([n, t]) => [`${prefix}tiles.${n}`, t]);
    this.children().forEach((c, i) => out.push(...c.namedAnalogTiles(`${prefix}${i}.`)));
    return out;
  }

  /** Every analog tile of this module and its children. */
  analogTiles(): TileWithPeriphery[] {
    return this.namedAnalogTiles().map(([, t]) => t);
  }

  /** Creates the engine tiles of the tree (done on first use; call it to surface engine errors early). */
  async build(): Promise<void> {
    this.checkAlive('build');
    for (const c of this.children()) await c.build();
  }

  /** Sets training mode (or eval mode with false) on this module and its children. */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }

  /** Sets eval (inference) mode: no weight modifier, drift compensation applied. */
  eval(): this {
    return this.train(false);
  }

  /** Clears digital gradients and the recorded (x, d) pairs of the analog tiles. */
  zeroGrad(): void {
    this.checkAlive('zeroGrad');
    for (const p of this.parameters()) p.zeroGrad();
    for (const t of this.analogTiles()) t.clearRecords();
  }

  private requireEval(where: string): void {
    if (this.training) {
      throw new ModuleError(`${where} can only be applied in evaluation mode: call model.eval() first (as aihwkit)`);
    }
  }

  /**
   * Programs the weights of every InferenceRPUConfig tile (programming noise;
   * the programmed state is the reference for drift). aihwkit's
   * program_analog_weights. Eval mode only.
   */
  async program(): Promise<void> {
    this.requireEval('program');
    await this.build();
    for (const t of this.analogTiles()) {
      if (t.rpuConfig instanceof InferenceRPUConfig) await t.tile.programWeights();
    }
  }

  /**
   * Drifts every InferenceRPUConfig tile to `tInference` seconds after
   * programming (programming first if needed) and measures the drift
   * compensation that eval-mode forward passes then apply. aihwkit's
   * drift_analog_weights. Eval mode only.
   */
  async drift(tInference: number): Promise<void> {
    checkFiniteNumber(`${this.type}.drift`, 'tInference', tInference, { min: 0 });
    this.requireEval('drift');
    await this.build();
    for (const t of this.analogTiles()) {
      if (t.rpuConfig instanceof InferenceRPUConfig) await t.tile.driftWeights(tInference);
    }
  }

  /** The learned state of the tree (JSON-safe). */
  async stateDict(): Promise<ModuleState> {
    this.checkAlive('stateDict');
    const state: ModuleState = { type: this.type };
    const kids = this.children();
    if (kids.length > 0) {
      state.children = [];
      for (const c of kids) state.children.push(await c.stateDict());
    }
    return state;
  }

  /**
   * Loads a state saved by stateDict() into this (same architecture). The whole
   * tree is checked first (checkStateDict), so a state with any bad layer or
   * tile is refused before a single layer changes.
   */
  async loadStateDict(state: ModuleState, options: LoadStateOptions = {}): Promise<void> {
    this.checkAlive('loadStateDict');
    await this.checkStateDict(state, options);
    await this.applyStateDict(state, options);
  }

  /** Checks that `state` fits this tree (every layer, tile and number) without changing anything. */
  async checkStateDict(state: ModuleState, options: LoadStateOptions = {}): Promise<void> {
    checkStateType(state, this.type);
    const kids = this.children();
    const saved = state.children ?? [];
    if (!Array.isArray(saved) || saved.length !== kids.length) {
      throw new ModuleError(`loadStateDict: ${this.type} has ${kids.length} children, the state has ${Array.isArray(saved) ? saved.length : 'none'}`);
    }
    for (let i = 0; i < kids.length; i++) checkStateType(saved[i]!, kids[i]!.type, `child ${i}`);
    for (let i = 0; i < kids.length; i++) await kids[i]!.checkStateDict(saved[i]!, options);
  }

  /** Writes a state that checkStateDict accepted (loadStateDict calls both). */
  protected async applyStateDict(state: ModuleState, options: LoadStateOptions): Promise<void> {
    const kids = this.children();
    const saved = state.children ?? [];
    for (let i = 0; i < kids.length; i++) await kids[i]!.applyStateDictOf(saved[i]!, options);
  }

  /** applyStateDict of another module of the tree (protected access goes through the instance). */
  private async applyStateDictOf(state: ModuleState, options: LoadStateOptions): Promise<void> {
    await this.applyStateDict(state, options);
  }

  /** Frees the engine tiles of the tree. */
  async dispose(): Promise<void> {
    this.disposedFlag = true;
    for (const c of this.children()) await c.dispose();
  }
}

export function checkStateType(state: unknown, type: string, what = 'the state'): void {
  if (state === null || typeof state !== 'object' || (state as ModuleState).type !== type) {
    const got = state !== null && typeof state === 'object' ? JSON.stringify((state as ModuleState).type) : String(state);
    throw new ModuleError(`loadStateDict: ${what} is for a module of type ${got}, expected "${type}"`);
  }
}
