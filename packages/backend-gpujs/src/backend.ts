/**
 * The gpu.js engine: one GPU runtime in the chosen mode, shared by the tiles
 * it creates. It is a kernel set (core's KernelSet: kernel-set.ts) whose tiles
 * are core's tile (GpujsTile, a KernelTile).
 */
import {
  BackendError,
  checkCreateTileOptions,
  KernelTile,
  type AnalogTileBackend,
  type CreateTileOptions,
  type KernelSet,
  type TileKernels,
  type TileSpec,
} from '@crossbar/core';
import { GPUJS_VERSION } from './gpujs.js';
import { chooseMode, describeChoice, type GpujsMode, type ModeChoice } from './modes.js';
import { defaultRandomSource, kernelRandomSupported, philoxLibrary, type RandomSource } from './random.js';
import { GpuRuntime } from './runtime.js';
import { physicsLibrary } from './kernels/library.js';
import { bitsLibrary } from './kernels/bits.js';
import { createGpujsKernels, GPUJS_NAME } from './kernel-set.js';

/** Options of `createGpujsBackend` and the GpujsBackend constructor. */
export interface GpujsBackendOptions {
  /** gpu.js mode, or 'auto' (default: CROSSBAR_GPUJS_MODE, else the first that works of headlessgl, webgl2, webgl, webasm, cpu). */
  mode?: GpujsMode | 'auto';
  /**
   * Where kernels' random numbers come from: drawn in the kernel ('kernel', cpu/webasm/webgl2
   * only) or generated on the CPU with core's RandomStream and uploaded ('upload').
   * Default: the faster here (random.ts).
   */
  random?: RandomSource | 'auto';
  /**
   * Compiled kernels kept when no tile uses them any more, so that new tiles of
   * the same shape and config start without compiling (default 64; 0: a
   * kernel is destroyed with the last tile that used it).
   */
  kernelCache?: number;
}

/**
 * The gpu.js engine: core's tile on gpu.js kernels in one mode (WebGL2/WebGL, headless-gl,
 * WebAssembly or JS) — the MVMs and the updates on the device, the rest in core.
 */
export class GpujsBackend implements AnalogTileBackend, KernelSet {
  readonly name = GPUJS_NAME;
  readonly description: string;
  readonly mode: GpujsMode;
  readonly choice: ModeChoice;
  readonly randomSource: RandomSource;
  readonly runtime: GpuRuntime;
  private readonly tiles = new Set<GpujsTile>();

  constructor(options: GpujsBackendOptions = {}) {
    this.choice = chooseMode(options.mode);
    this.mode = this.choice.mode;
    const random = options.random ?? 'auto';
    if (random !== 'auto' && random !== 'kernel' && random !== 'upload') {
      throw new BackendError(`gpujs engine option "random": expected "auto", "kernel" or "upload", got ${JSON.stringify(random)}`);
    }
    if (random === 'kernel' && !kernelRandomSupported(this.mode)) {
      throw new BackendError(
        `gpujs engine option "random" = "kernel" is not possible in mode ${this.mode}: WebGL1 shaders have no integer bit operations (use "upload")`,
      );
    }
    const philox = philoxLibrary(this.mode);
    const bits = bitsLibrary(this.mode);
    const kernelCache = options.kernelCache ?? 64;
    if (!Number.isInteger(kernelCache) || kernelCache < 0) {
      throw new BackendError(`gpujs engine option "kernelCache": expected a non-negative integer, got ${String(kernelCache)}`);
    }
    this.runtime = new GpuRuntime(
      this.mode,
      { functions: [...physicsLibrary(), ...philox.functions, ...bits.functions], natives: [...philox.natives, ...bits.natives], injectedNative: philox.injectedNative },
      kernelCache,
    );
    this.randomSource = random === 'auto' ? defaultRandomSource(this.mode, this.runtime.renderer) : random;
    const renderer = this.runtime.renderer;
    const extra = [`gpu.js ${GPUJS_VERSION}`, `random numbers: ${this.randomSource === 'kernel' ? 'in-kernel Philox' : 'CPU Philox, uploaded'}`];
    if (renderer) extra.push(`renderer ${renderer}`);
    this.description = describeChoice(this.choice, extra.join(', '));
  }

  /** The kernels of one tile (core's KernelSet). */
  createKernels(spec: TileSpec): TileKernels {
    return createGpujsKernels(this.runtime, this.randomSource, spec);
  }

  createTile(options: CreateTileOptions): GpujsTile {
    const tile = new GpujsTile(this, options);
    this.tiles.add(tile);
    return tile;
  }

  /** @internal the tile tells its engine it is gone. */
  forget(tile: GpujsTile): void {
    this.tiles.delete(tile);
  }

  /** GL textures alive (GL modes), else device-resident host buffers: what a soak test watches. */
  get liveTextures(): number {
    return this.runtime.liveTextures;
  }

  /** Compiled kernels held (in use and idle). */
  get liveKernels(): number {
    return this.runtime.liveKernels;
  }

  /** Destroys the kernels no tile uses (and the textures they recycle). */
  trimKernels(): void {
    this.runtime.trimIdle(0);
  }

  async dispose(): Promise<void> {
    for (const tile of [...this.tiles]) await tile.dispose();
    await this.runtime.dispose();
  }
}

/** A gpu.js engine with these options (the registry's factory uses the defaults). */
export function createGpujsBackend(options: GpujsBackendOptions = {}): GpujsBackend {
  return new GpujsBackend(options);
}

/** A tile of the gpu.js engine: core's KernelTile on the engine's kernels (what GpujsBackend.createTile returns). */
export class GpujsTile extends KernelTile {
  /** Always offered: the engine has the analogPass kernel. */
  declare readonly getForwardPassCounts: () => Int32Array | null;
  private readonly owner: GpujsBackend;

  constructor(backend: GpujsBackend, options: CreateTileOptions) {
    super(GPUJS_NAME, options, backend.createKernels({ engine: GPUJS_NAME, ...checkCreateTileOptions(options) }));
    this.owner = backend;
  }

  /** Frees the tile's kernels and device arrays; the engine forgets it. */
  override dispose(): void {
    super.dispose();
    this.owner.forget(this);
  }
}
