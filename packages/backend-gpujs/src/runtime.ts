/**
 * One gpu.js GPU instance in one mode: its context (created here, so the
 * engine can count every texture gpu.js allocates), the shared kernel cache
 * with reference counts (tiles of the same shape and config share compiled
 * kernels; the last tile to let go destroys them), and the functions every
 * kernel may call (core's physics formulas, the Philox generator).
 */
import { BackendError } from '@crossbar/core';
import { createGpu, loadHeadlessGl, type GpuInstance, type GpuKernel } from './gpujs.js';
import { isGlMode, type GpujsMode } from './modes.js';

/** A scalar function added to every kernel: its source and gpu.js types. */
export interface KernelFunction {
  fn: ((...args: never[]) => number) | string;
  name: string;
  argumentTypes: Record<string, string>;
  returnType: string;
}

/** A function in the shader language itself (GL modes), under the name kernels call. */
export interface NativeFunction {
  name: string;
  source: string;
  argumentTypes: Record<string, string>;
  returnType: string;
}

/** What every kernel of a runtime may call. */
export interface KernelLibrary {
  functions: readonly KernelFunction[];
  natives?: readonly NativeFunction[];
  /** Shader code placed before every kernel's functions (helpers of the natives). */
  injectedNative?: string;
}

interface CountingContext {
  createTexture(): unknown;
  deleteTexture(t: unknown): void;
  getExtension(name: string): unknown;
}

interface CacheEntry {
  kernel: GpuKernel;
  refs: number;
  key: string;
}

/** Options of a kernel, passed to gpu.js's createKernel. */
export type KernelSettings = Record<string, unknown>;

export class GpuRuntime {
  readonly mode: GpujsMode;
  readonly gpu: GpuInstance;
  /** The GL context (GL modes). */
  readonly context: CountingContext | null;
  private liveGlTextures = 0;
  private liveHostBuffers = 0;
  private readonly kernels = new Map<string, CacheEntry>();
  private readonly keys = new Map<GpuKernel, string>();
  /** Kernels no tile holds, kept (least recently released first) so the next tile need not compile them. */
  private readonly idle = new Map<string, CacheEntry>();
  private disposed = false;

  private readonly injectedNative: string | undefined;

  constructor(
    mode: GpujsMode,
    library: KernelLibrary,
    /** How many kernels no tile holds to keep compiled (0: destroy a kernel with its last tile). */
    private readonly idleLimit = 64,
  ) {
    this.mode = mode;
    let context: CountingContext | null = null;
    let canvas: unknown;
    if (mode === 'headlessgl') {
      context = loadHeadlessGl()(2, 2, { preserveDrawingBuffer: true }) as unknown as CountingContext | null;
      if (!context) throw new BackendError('gpujs: headless-gl could not create a WebGL context');
      canvas = {};
    } else if (mode === 'webgl2' || mode === 'webgl') {
      const el = document.createElement('canvas');
      context = el.getContext(mode, { alpha: false, depth: false, antialias: false }) as unknown as CountingContext | null;
      if (!context) throw new BackendError(`gpujs: the browser gives no ${mode} context`);
      canvas = el;
    }
    if (context) this.countTextures(context);
    this.context = context;
    this.gpu = createGpu(context ? { mode, context, canvas } : { mode });
    for (const f of library.functions) {
      this.gpu.addFunction(f.fn, { argumentTypes: f.argumentTypes, returnType: f.returnType });
    }
    for (const f of library.natives ?? []) {
      this.gpu.addNativeFunction(f.name, f.source, { argumentTypes: f.argumentTypes, returnType: f.returnType });
    }
    this.injectedNative = library.injectedNative;
  }

  /** Wraps createTexture/deleteTexture so the engine knows how many GL textures are alive. */
  private countTextures(gl: CountingContext): void {
    const create = gl.createTexture.bind(gl);
    const remove = gl.deleteTexture.bind(gl);
    const live = new WeakSet<object>();
    gl.createTexture = () => {
      const t = create();
      if (t && typeof t === 'object') {
        live.add(t);
        this.liveGlTextures++;
      }
      return t;
    };
    gl.deleteTexture = (t: unknown) => {
      if (t && typeof t === 'object' && live.has(t)) {
        live.delete(t);
        this.liveGlTextures--;
      }
      remove(t);
    };
  }

  get isGl(): boolean {
    return isGlMode(this.mode);
  }

  /** GL textures alive in this context (GL modes), else host buffers the engine holds as device memory. */
  get liveTextures(): number {
    return this.isGl ? this.liveGlTextures : this.liveHostBuffers;
  }

  /** Number of compiled kernels held (in use and idle). */
  get liveKernels(): number {
    return this.kernels.size + this.idle.size;
  }

  /** Number of compiled kernels no tile holds. */
  get idleKernels(): number {
    return this.idle.size;
  }

  /** Destroys the idle kernels (and the textures they recycle). */
  trimIdle(keep = 0): void {
    for (const [key, entry] of this.idle) {
      if (this.idle.size <= keep) break;
      this.idle.delete(key);
      this.keys.delete(entry.kernel);
      entry.kernel.destroy(false);
    }
  }

  /** The GL renderer's name (WEBGL_debug_renderer_info where the context has it), '' elsewhere. */
  get renderer(): string {
    const gl = this.context as unknown as {
      getExtension(n: string): { UNMASKED_RENDERER_WEBGL: number } | null;
      getParameter(p: number): unknown;
      RENDERER: number;
    } | null;
    if (!gl) return '';
    try {
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    } catch {
      return '';
    }
  }

  /** cpu/webasm: the engine's own count of device-resident buffers (weights and state). */
  trackHostBuffer(delta: 1 | -1): void {
    this.liveHostBuffers += delta;
  }

  private alive(): void {
    if (this.disposed) throw new BackendError('gpujs: the engine was disposed');
  }

  /**
   * The kernel compiled from `source` with `settings` (output, constants, ...),
   * shared by every caller that asks for the same pair. Each call takes a
   * reference; give it back with release(kernel).
   */
  acquire(source: string, settings: KernelSettings): GpuKernel {
    this.alive();
    const key = `${source}\u0000${JSON.stringify(settings)}`;
    let entry = this.kernels.get(key);
    if (!entry && this.idle.has(key)) {
      entry = this.idle.get(key)!;
      this.idle.delete(key);
      this.kernels.set(key, entry);
    }
    if (!entry) {
      const kernel = this.gpu.createKernel(source, {
        precision: 'single',
        tactic: 'precision',
        ...(this.injectedNative ? { injectedNative: this.injectedNative } : {}),
        ...settings,
      });
      entry = { kernel, refs: 0, key };
      this.kernels.set(key, entry);
      this.keys.set(kernel, key);
    }
    entry.refs++;
    return entry.kernel;
  }

  /**
   * Gives back one reference. A kernel nobody holds is kept idle (up to the
   * runtime's idle limit, least recently released destroyed first); destroying
   * a kernel frees the textures it recycles.
   */
  release(kernel: GpuKernel): void {
    const key = this.keys.get(kernel);
    if (key === undefined) return;
    const entry = this.kernels.get(key);
    if (!entry) return;
    entry.refs--;
    if (entry.refs > 0) return;
    this.kernels.delete(key);
    this.idle.set(key, entry);
    this.trimIdle(this.idleLimit);
  }

  /**
   * Checks that a kernel ran in this runtime's mode: gpu.js silently falls back
   * to its CPU kernel when it cannot compile one, which would make every GL or
   * webasm measurement a CPU one.
   */
  assertMode(kernel: GpuKernel, what: string): void {
    const ran = kernel.kernel?.constructor.name ?? '';
    const expected: Record<GpujsMode, string> = {
      headlessgl: 'HeadlessGLKernel',
      webgl2: 'WebGL2Kernel',
      webgl: 'WebGLKernel',
      webasm: 'WebAssemblyKernel',
      cpu: 'CPUKernel',
    };
    if (ran && ran !== expected[this.mode]) {
      const why = kernel.kernel?.fallbackReason ? `: ${kernel.kernel.fallbackReason}` : '';
      throw new BackendError(`gpujs: kernel "${what}" fell back from ${this.mode} to ${ran}${why}`);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const entry of [...this.kernels.values(), ...this.idle.values()]) entry.kernel.destroy(false);
    this.kernels.clear();
    this.idle.clear();
    this.keys.clear();
    await this.gpu.destroy();
    (this.context?.getExtension('STACKGL_destroy_context') as { destroy(): void } | null | undefined)?.destroy();
  }
}
