/**
 * Analog linear layers (aihwkit v.0.7.1 src/aihwkit/nn/modules/linear.py,
 * linear_mapped.py, base.py): y = W x + b with W on analog tiles.
 */
import {
  checkFloat32Array,
  checkNumberList,
  checkPositiveInteger,
  checkTileMemory,
  checkTileState,
  estimateTileBytes,
  ConfigError,
  InputError,
  RPU_CONFIG_CLASSES,
  rpuConfigFromDict,
  rpuConfigToDict,
  SingleRPUConfig,
  type AnalogTileBackend,
  type RPUConfig,
} from '@crossbar/core';
import { addColumns, sliceColumns, toNumbers } from './arrays.js';
import { checkEngineOption, resolveEngine, type EngineOption } from './engine.js';
import { ModuleError } from './errors.js';
import { checkStateType, Module, type LoadStateOptions, type ModuleConfig, type ModuleState } from './module.js';
import { Parameter } from './parameter.js';
import { checkSeed, initialLinearWeights, nextLayerSeed, tileSeed } from './seeds.js';
import { TileWithPeriphery, type SavedTile } from './tile-periphery.js';

/** Options of AnalogLinear and AnalogLinearMapped. */
export interface AnalogLinearOptions {
  /** Whether the layer has a bias (default true); digital or an analog column per rpuConfig.mapping.digitalBias. */
  bias?: boolean;
  /** The tiles' config (default `new SingleRPUConfig()`, as aihwkit). The layer keeps a validated copy. */
  rpuConfig?: RPUConfig;
  /** Engine name or object (default: the registry's default engine). */
  engine?: string | AnalogTileBackend;
  /** Seed of the initial weights and the tiles' random streams (default: drawn after `manualSeed`). */
  seed?: number;
  /**
   * Most bytes the layer's tiles may take together (an estimate checked in the constructor, before
   * anything is allocated; default: env CROSSBAR_MAX_TILE_BYTES, else 4 GiB).
   */
  maxBytes?: number;
}

/** Options of `setWeights`. */
export interface SetWeightsOptions {
  /** Overrides rpuConfig.mapping.weightScalingOmega for this call (aihwkit's weight_scaling_omega argument). */
  weightScalingOmega?: number;
}

/** Options of `getWeights`. */
export interface GetWeightsOptions {
  /** Whether to return the logical weights, i.e. times the digital output scales (default true, as aihwkit). */
  applyWeightScaling?: boolean;
}

/** aihwkit's get_split_sizes: `size` in as few as possible near-equal parts of at most `max` (0: one part). */
export function splitSizes(size: number, max: number): number[] {
  if (max <= 0) return [size];
  const parts = Math.ceil(size / max);
  const base = Math.floor(size / parts);
  const extra = size % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

interface GridCell {
  i: number;
  j: number;
  tile: TileWithPeriphery;
  inStart: number;
  n: number;
  outStart: number;
  m: number;
}

function offsets(sizes: readonly number[]): number[] {
  const out: number[] = [];
  let o = 0;
  for (const s of sizes) {
    out.push(o);
    o += s;
  }
  return out;
}

function checkRpuConfig(where: string, cfg: unknown): RPUConfig {
  if (!RPU_CONFIG_CLASSES.some((C) => cfg instanceof C)) {
    throw new ConfigError(`${where}: rpuConfig must be a FloatingPointRPUConfig, SingleRPUConfig or InferenceRPUConfig`);
  }
  return (cfg as RPUConfig).clone().validate();
}

/** The mapping fields that fix a layer's tile structure (aihwkit refuses to change them on load). */
function checkMappingCompatible(where: string, saved: RPUConfig, wanted: RPUConfig): void {
  for (const key of ['maxInputSize', 'maxOutputSize', 'digitalBias', 'outScalingColumnwise'] as const) {
    if (saved.mapping[key] !== wanted.mapping[key]) {
      throw new ModuleError(
        `${where}: MappingParameter mismatch: the state was saved with mapping.${key} = ${String(saved.mapping[key])}, ` + `the model has ${String(wanted.mapping[key])}`,
      );
    }
  }
}

/** The periphery fields of a saved tile must be what save() writes. */
function checkSavedPeriphery(where: string, saved: SavedTile): void {
  const ir = saved.inputRange;
  if (ir !== null && !(typeof ir === 'number' && Number.isFinite(ir))) {
    throw new ModuleError(`${where}: inputRange must be null or a finite number, got ${JSON.stringify(ir)}`);
  }
  const idx = saved.inputRangeUpdateIdx;
  if (!(typeof idx === 'number' && Number.isSafeInteger(idx) && idx >= 0)) {
    throw new ModuleError(`${where}: inputRangeUpdateIdx must be a non-negative integer, got ${JSON.stringify(idx)}`);
  }
  const out = saved.outScaling;
  if (out !== null && !(Array.isArray(out) && out.length > 0 && out.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
    throw new ModuleError(`${where}: outScaling must be null or a non-empty array of finite numbers`);
  }
}

/** A logical weight matrix on a grid of tiles (one tile for AnalogLinear; the convolutions unroll onto it). */
export abstract class AnalogLinearBase extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Whether the layer has a bias at all. */
  readonly useBias: boolean;
  /** Bias kept in digital (MappingParameter.digitalBias). */
  readonly digitalBias: boolean;
  /** Bias as an extra analog column of the tile. */
  readonly analogBias: boolean;
  readonly seed: number;
  /** Input sizes of the tile columns and output sizes of the tile rows of the grid. */
  readonly inSizes: readonly number[];
  readonly outSizes: readonly number[];
  /** The digital bias [outFeatures], or null. */
  readonly bias: Parameter | null;

  private config: RPUConfig;
  private readonly engine: EngineOption;
  private readonly maxBytes: number | undefined;
  /** tiles[i][j]: input part i, output part j. */
  private grid: TileWithPeriphery[][] | null = null;
  private building: Promise<void> | null = null;
  private lastBatch = 0;

  protected constructor(
    where: string,
    inFeatures: number,
    outFeatures: number,
    options: AnalogLinearOptions,
    split: (cfg: RPUConfig) => { inSizes: number[]; outSizes: number[] },
  ) {
    super();
    if (options === null || typeof options !== 'object') throw new InputError(`${where}: options must be an object`);
    this.inFeatures = checkPositiveInteger(where, 'inFeatures', inFeatures);
    this.outFeatures = checkPositiveInteger(where, 'outFeatures', outFeatures);
    const bias = options.bias ?? true;
    if (typeof bias !== 'boolean') throw new InputError(`${where}: bias must be a boolean, got ${String(bias)}`);
    this.config = checkRpuConfig(where, options.rpuConfig ?? new SingleRPUConfig());
    this.engine = checkEngineOption(where, options.engine);
    this.seed = options.seed === undefined ? nextLayerSeed() : checkSeed(where, options.seed);
    this.useBias = bias;
    this.digitalBias = bias && this.config.mapping.digitalBias;
    this.analogBias = bias && !this.config.mapping.digitalBias;
    const { inSizes, outSizes } = split(this.config);
    this.inSizes = inSizes;
    this.outSizes = outSizes;
    // Before anything is allocated (the initial weights below, the tiles on build): the whole
    // grid's estimated buffers against the limit, so a huge layer is an InputError, not an
    // out-of-memory crash after hundreds of tiles.
    this.maxBytes = options.maxBytes;
    let bytes = 2 * 4 * this.outFeatures * this.inFeatures; // the initial weights and a tile's slice of them
    for (const n of inSizes) for (const m of outSizes) bytes += estimateTileBytes(m, n + (this.analogBias ? 1 : 0), this.config);
    const tiles = inSizes.length * outSizes.length;
    checkTileMemory(where, `a ${outFeatures} × ${inFeatures} layer on ${tiles} tile${tiles > 1 ? 's' : ''}`, bytes, this.outFeatures * this.inFeatures, options.maxBytes);
    this.bias = this.digitalBias ? new Parameter(initialLinearWeights(this.seed, this.inFeatures, this.outFeatures).bias) : null;
  }

  /** The layer's RPU config (a copy: changing it has no effect on the tiles). */
  get rpuConfig(): RPUConfig {
    return this.config.clone();
  }

  protected override ownParameters(): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = this.bias ? [['bias', this.bias]] : [];
    for (const [name, t] of this.ownTiles()) {
      if (t.inputRange) out.push([`tiles.${name}.inputRange`, t.inputRange]);
      if (t.outScaling) out.push([`tiles.${name}.outScaling`, t.outScaling]);
    }
    return out;
  }

  /** The name of tile (i, j) of the layer's grid in saved states. */
  protected abstract tileName(i: number, j: number): string;

  protected override ownTiles(): Array<[string, TileWithPeriphery]> {
    const out: Array<[string, TileWithPeriphery]> = [];
    this.grid?.forEach((row, i) => row.forEach((t, j) => out.push([this.tileName(i, j), t])));
    return out;
  }

  override build(): Promise<void> {
    if (this.disposed) return Promise.reject(this.disposedError('build'));
    if (!this.building) {
      this.building = this.createTiles().catch((e: unknown) => {
        this.building = null;
        throw e;
      });
    }
    return this.building;
  }

  private async createTile(backend: AnalogTileBackend, i: number, j: number, cfg: RPUConfig, seed: number): Promise<TileWithPeriphery> {
    const tile = await backend.createTile({
      outSize: this.outSizes[j]!,
      inSize: this.inSizes[i]! + (this.analogBias ? 1 : 0),
      rpuConfig: cfg,
      seed,
      maxBytes: this.maxBytes,
    });
    return new TileWithPeriphery(tile, this.inSizes[i]!, this.outSizes[j]!, this.analogBias);
  }

  private async createTiles(): Promise<void> {
    const backend = await resolveEngine(this.engine);
    const grid: TileWithPeriphery[][] = [];
    try {
      for (let i = 0; i < this.inSizes.length; i++) {
        grid.push([]);
        for (let j = 0; j < this.outSizes.length; j++) {
          grid[i]!.push(await this.createTile(backend, i, j, this.config, tileSeed(this.seed, i * this.outSizes.length + j)));
        }
      }
    } catch (e) {
      for (const t of grid.flat()) await t.tile.dispose();
      throw e;
    }
    this.grid = grid;
    const init = initialLinearWeights(this.seed, this.inFeatures, this.outFeatures);
    await this.writeWeights(init.weight, init.bias, undefined);
  }

  private get tiles(): TileWithPeriphery[][] {
    this.checkAlive('tiles');
    if (!this.grid) throw new ModuleError(`${this.type}: the tiles are not built yet (await build())`);
    return this.grid;
  }

  /**
   * The grid's cells in order (input part i outer, output part j inner): the
   * tile and where its block sits in the logical matrix (columns inStart ..
   * inStart + n, rows outStart .. outStart + m).
   */
  private cells(): GridCell[] {
    const tiles = this.tiles;
    const inOff = offsets(this.inSizes);
    const outOff = offsets(this.outSizes);
    const out: GridCell[] = [];
    for (let i = 0; i < this.inSizes.length; i++) {
      for (let j = 0; j < this.outSizes.length; j++) {
        out.push({ i, j, tile: tiles[i]![j]!, inStart: inOff[i]!, n: this.inSizes[i]!, outStart: outOff[j]!, m: this.outSizes[j]! });
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ forward / backward

  override async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    const where = `${this.type}.forward`;
    this.checkAlive('forward');
    checkPositiveInteger(where, 'batch', batch);
    checkFloat32Array(where, 'x', x, batch * this.inFeatures, { shape: `batch ${batch} × inFeatures ${this.inFeatures}` });
    await this.build();
    const isTest = !this.training;
    const out = new Float32Array(batch * this.outFeatures);
    let xi: Float32Array | null = null;
    for (const c of this.cells()) {
      // One tile column takes all of x as it is (the tile's periphery copies what it keeps).
      if (c.j === 0) xi = c.n === this.inFeatures ? x : sliceColumns(x, batch, this.inFeatures, c.inStart, c.n);
      const y = await c.tile.forward(xi!, batch, isTest);
      addColumns(out, this.outFeatures, c.outStart, y, batch, c.m);
    }
    if (this.bias) {
      const b = this.bias.value;
      for (let i = 0; i < out.length; i++) out[i] = out[i]! + b[i % this.outFeatures]!;
    }
    this.lastBatch = batch;
    return out;
  }

  override async backward(dy: Float32Array): Promise<Float32Array> {
    const where = `${this.type}.backward`;
    this.checkAlive('backward');
    const batch = this.lastBatch;
    if (batch === 0) throw new ModuleError(`${where}: needs a forward pass first`);
    checkFloat32Array(where, 'dy', dy, batch * this.outFeatures, { shape: `batch ${batch} × outFeatures ${this.outFeatures}` });
    if (this.bias) {
      const g = new Float64Array(this.outFeatures);
      for (let i = 0; i < dy.length; i++) g[i % this.outFeatures] += dy[i]!;
      this.bias.addGrad(g);
    }
    const dx = new Float32Array(batch * this.inFeatures);
    for (const c of this.cells()) {
      const dyj = sliceColumns(dy, batch, this.outFeatures, c.outStart, c.m);
      addColumns(dx, this.inFeatures, c.inStart, await c.tile.backward(dyj, batch), batch, c.n);
    }
    return dx;
  }

  // ------------------------------------------------------------------ weights

  /**
   * Sets the logical weights [outFeatures × inFeatures] and bias [outFeatures]
   * (aihwkit's set_weights): through weight scaling if
   * mapping.weightScalingOmega > 0 (or given), so that the tiles hold
   * weights up to omega and the factor goes to digital output scales. Pulsed
   * devices clip to their bounds. A digital bias left out is kept.
   */
  async setWeights(weight: Float32Array, bias?: Float32Array | null, options: SetWeightsOptions = {}): Promise<void> {
    const where = `${this.type}.setWeights`;
    this.checkAlive('setWeights');
    checkFloat32Array(where, 'weight', weight, this.inFeatures * this.outFeatures, {
      shape: `outFeatures ${this.outFeatures} × inFeatures ${this.inFeatures}`,
    });
    if (bias !== undefined && bias !== null) {
      if (!this.useBias) throw new InputError(`${where}: the layer has no bias (bias: false), but a bias was given`);
      checkFloat32Array(where, 'bias', bias, this.outFeatures, { shape: `outFeatures ${this.outFeatures}` });
    } else if (this.analogBias) {
      throw new InputError(`${where}: the layer has an analog bias, so a bias [${this.outFeatures}] must be given`);
    }
    const omega = options.weightScalingOmega;
    if (omega !== undefined && !(typeof omega === 'number' && Number.isFinite(omega) && omega >= 0)) {
      throw new InputError(`${where}: weightScalingOmega must be a finite number >= 0, got ${String(omega)}`);
    }
    await this.build();
    await this.writeWeights(weight, bias ?? null, omega);
  }

  private async writeWeights(weight: Float32Array, bias: Float32Array | null, omega: number | undefined): Promise<void> {
    for (const { tile, inStart, n, outStart, m } of this.cells()) {
      const w = new Float32Array(m * n);
      for (let r = 0; r < m; r++) {
        const src = (outStart + r) * this.inFeatures + inStart;
        w.set(weight.subarray(src, src + n), r * n);
      }
      await tile.setWeights(w, this.analogBias && bias ? bias.slice(outStart, outStart + m) : null, omega);
    }
    if (this.bias && bias) this.bias.value.set(bias);
  }

  /** The logical weights [outFeatures × inFeatures] and bias (digital, or the analog column), aihwkit's get_weights. */
  async getWeights(options: GetWeightsOptions = {}): Promise<{ weight: Float32Array; bias: Float32Array | null }> {
    await this.build();
    const apply = options.applyWeightScaling ?? true;
    const weight = new Float32Array(this.outFeatures * this.inFeatures);
    let bias: Float32Array | null = this.bias ? this.bias.value.slice() : null;
    for (const { tile, inStart, n, outStart, m } of this.cells()) {
      const part = await tile.getWeights(apply);
      for (let r = 0; r < m; r++) weight.set(part.weight.subarray(r * n, r * n + n), (outStart + r) * this.inFeatures + inStart);
      if (part.bias) {
        bias ??= new Float32Array(this.outFeatures);
        bias.set(part.bias, outStart);
      }
    }
    return { weight, bias };
  }

  /**
   * Re-sets the logical weights through weight scaling with `omega` (default
   * 1): the tiles' abs max becomes omega and the factor moves to the digital
   * output scales (aihwkit's remap_weights).
   */
  async remapWeights(omega = 1): Promise<void> {
    const { weight, bias } = await this.getWeights();
    await this.setWeights(weight, bias, { weightScalingOmega: omega });
  }

  // ------------------------------------------------------------------ save / load

  override getConfig(): ModuleConfig {
    return {
      type: this.type,
      inFeatures: this.inFeatures,
      outFeatures: this.outFeatures,
      bias: this.useBias,
      seed: this.seed,
      rpuConfig: rpuConfigToDict(this.config),
    };
  }

  override async stateDict(): Promise<ModuleState> {
    await this.build();
    const tiles: Record<string, SavedTile> = {};
    for (const [name, t] of this.ownTiles()) tiles[name] = await t.save();
    const params: Record<string, number[]> = {};
    if (this.bias) params.bias = toNumbers(this.bias.value);
    return { type: this.type, params, tiles };
  }

  /** What a checked state writes: per tile its grid place, config and saved form, and the bias. */
  private async planLoad(
    state: ModuleState,
    options: LoadStateOptions,
  ): Promise<{ plans: Array<{ i: number; j: number; cfg: RPUConfig; saved: SavedTile }>; biasValue: Float32Array | null }> {
    const where = `${this.type}.loadStateDict`;
    checkStateType(state, this.type);
    await this.build();
    const loadRpuConfig = options.loadRpuConfig ?? true;
    const strict = options.strictRpuConfigCheck ?? true;
    const savedTiles = state.tiles ?? {};
    if (savedTiles === null || typeof savedTiles !== 'object') throw new ModuleError(`${where}: the state's tiles must be an object`);
    const own = this.ownTiles();
    const names = own.map(([n]) => n);
    const savedNames = Object.keys(savedTiles);
    if (savedNames.length !== names.length || names.some((n) => !(n in savedTiles))) {
      throw new ModuleError(`${where}: the state has tiles [${savedNames.join(', ')}], this layer has [${names.join(', ')}]`);
    }
    const plans: Array<{ i: number; j: number; cfg: RPUConfig; saved: SavedTile }> = [];
    own.forEach(([name, t], k) => {
      const saved = savedTiles[name]!;
      const ts = saved?.tile;
      if (ts === null || typeof ts !== 'object') throw new ModuleError(`${where}: tile ${name} of the state has no tile state`);
      const savedCfg = rpuConfigFromDict(ts.rpuConfig);
      let cfg = savedCfg;
      if (!loadRpuConfig) {
        if (strict && savedCfg.constructor !== this.config.constructor) {
          throw new ModuleError(
            `${where}: RPU config mismatch: tried to replace ${savedCfg.constructor.name} with ${this.config.constructor.name} ` +
              '(set strictRpuConfigCheck: false if they are compatible)',
          );
        }
        checkMappingCompatible(where, savedCfg, this.config);
        cfg = this.config;
      } else if (savedCfg.mapping.digitalBias !== this.config.mapping.digitalBias) {
        throw new ModuleError(
          `${where}: the state was saved with mapping.digitalBias = ${String(savedCfg.mapping.digitalBias)}, the layer has ${String(this.config.mapping.digitalBias)}`,
        );
      }
      checkSavedPeriphery(`${where}: tile ${name}`, saved);
      if (saved.outScaling && saved.outScaling.length !== 1 && saved.outScaling.length !== t.outSize) {
        throw new ModuleError(`${where}: tile ${name}: outScaling must have 1 or ${t.outSize} values, got ${saved.outScaling.length}`);
      }
      if (ts.outSize !== t.outSize || ts.inSize !== t.tile.inSize) {
        throw new ModuleError(`${where}: tile ${name} of the state is ${ts.outSize} × ${ts.inSize}, this layer's is ${t.outSize} × ${t.tile.inSize}`);
      }
      // Every number of the tile state (weights, hidden parameters, named arrays) is checked
      // here, for the tile it will be loaded into, before any tile of any layer changes.
      try {
        checkTileState({ outSize: t.outSize, inSize: t.tile.inSize, seed: ts.seed, rpuConfig: cfg }, { ...ts, rpuConfig: rpuConfigToDict(cfg) });
      } catch (e) {
        if (e instanceof InputError) throw new InputError(`${where}: tile ${name}: ${e.message}`);
        throw e;
      }
      plans.push({ i: Math.floor(k / this.outSizes.length), j: k % this.outSizes.length, cfg, saved });
    });
    const params = state.params ?? {};
    let biasValue: Float32Array | null = null;
    if (this.bias) {
      const b = params.bias;
      if (!Array.isArray(b) || b.length !== this.outFeatures) {
        throw new ModuleError(`${where}: the state needs params.bias with ${this.outFeatures} numbers`);
      }
      biasValue = checkNumberList(where, 'params.bias', b, this.outFeatures);
    }
    return { plans, biasValue };
  }

  override async checkStateDict(state: ModuleState, options: LoadStateOptions = {}): Promise<void> {
    this.checkAlive('loadStateDict');
    await this.planLoad(state, options);
  }

  protected override async applyStateDict(state: ModuleState, options: LoadStateOptions): Promise<void> {
    const loadRpuConfig = options.loadRpuConfig ?? true;
    const { plans, biasValue } = await this.planLoad(state, options);
    const backend = await resolveEngine(this.engine);
    const tiles = this.tiles;
    // The tiles that need another config or seed are created first (an engine may refuse one),
    // then every state is written.
    const fresh = new Map<string, TileWithPeriphery>();
    try {
      for (const { i, j, cfg, saved } of plans) {
        const t = tiles[i]![j]!;
        if (!cfg.equals(t.rpuConfig) || saved.tile.seed !== t.tile.seed) fresh.set(`${i}_${j}`, await this.createTile(backend, i, j, cfg, saved.tile.seed));
      }
    } catch (e) {
      for (const t of fresh.values()) await t.tile.dispose();
      throw e;
    }
    for (const { i, j, cfg, saved } of plans) {
      let t = tiles[i]![j]!;
      const replacement = fresh.get(`${i}_${j}`);
      if (replacement) {
        await t.tile.dispose();
        t = replacement;
        tiles[i]![j] = t;
      }
      await t.tile.setState({ ...saved.tile, rpuConfig: rpuConfigToDict(cfg) });
      await t.loadPeriphery(saved);
    }
    if (loadRpuConfig) this.config = plans[0]!.cfg.clone();
    if (this.bias && biasValue) this.bias.value.set(biasValue);
    this.lastBatch = 0;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    if (this.building) await this.building.catch(() => undefined);
    for (const t of this.grid?.flat() ?? []) await t.tile.dispose();
    this.grid = null;
    this.building = null;
  }
}

/**
 * Linear layer on one analog tile (aihwkit's AnalogLinear): forward, backward
 * and update through the tile; bias digital or an extra analog column
 * (mapping.digitalBias); the mapping's max sizes are not applied.
 */
export class AnalogLinear extends AnalogLinearBase {
  readonly type: string = 'AnalogLinear';

  constructor(inFeatures: number, outFeatures: number, options: AnalogLinearOptions = {}) {
    super('AnalogLinear', inFeatures, outFeatures, options, () => ({ inSizes: [inFeatures], outSizes: [outFeatures] }));
  }

  protected tileName(): string {
    return '0';
  }
}

/**
 * Linear layer whose weight matrix is split over a grid of tiles of at most
 * mapping.maxInputSize × mapping.maxOutputSize (aihwkit's AnalogLinearMapped);
 * the partial outputs are summed in digital. Digital bias only.
 */
export class AnalogLinearMapped extends AnalogLinearBase {
  readonly type: string = 'AnalogLinearMapped';

  constructor(inFeatures: number, outFeatures: number, options: AnalogLinearOptions = {}) {
    super('AnalogLinearMapped', inFeatures, outFeatures, options, (cfg) => {
      if ((options.bias ?? true) && !cfg.mapping.digitalBias) {
        throw new ConfigError('AnalogLinearMapped: only a digital bias is supported (rpuConfig.mapping.digitalBias must be true, or bias: false), as in aihwkit');
      }
      return {
        inSizes: splitSizes(inFeatures, cfg.mapping.maxInputSize),
        outSizes: splitSizes(outFeatures, cfg.mapping.maxOutputSize),
      };
    });
  }

  protected tileName(i: number, j: number): string {
    return `${i}_${j}`;
  }

  /** Number of tiles along the inputs and the outputs. */
  get gridShape(): [number, number] {
    return [this.inSizes.length, this.outSizes.length];
  }
}

/**
 * The linear layer class a config asks for, as aihwkit's
 * `rpu_config.get_linear()`: AnalogLinearMapped when the mapping limits the
 * tile size (maxInputSize or maxOutputSize > 0), else AnalogLinear.
 */
export function getLinear(rpuConfig: RPUConfig): typeof AnalogLinear | typeof AnalogLinearMapped {
  return rpuConfig.getLinear() === 'AnalogLinearMapped' ? AnalogLinearMapped : AnalogLinear;
}
