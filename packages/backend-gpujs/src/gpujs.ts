/**
 * The one place this package touches gpu.js's module and its host: the GPU
 * class, the typed subset of its API the engine uses, and the Node-only
 * pieces (headless-gl) reached without a static `node:` import, so the same
 * source bundles for a browser page.
 */
import { GPU, Input } from 'gpu.js';

export { GPU, Input };

/** A flat row-major array read in kernels as a 2D array a[y][x] of `width` × `height` (gpu.js's Input). */
export function input2d(data: Float32Array, width: number, height: number): Input {
  return new Input(data as unknown as number[], [width, height]);
}

/** The gpu.js version this engine is written and measured against (package.json pins it). */
export const GPUJS_VERSION = '2.24.1';

/** What a gpu.js kernel returns: a texture (pipeline mode on GL), or nested arrays of float32 rows. */
export type KernelResult = GpuTexture | Float32Array | Float32Array[] | Float32Array[][] | Float32Array[][][];

/** The part of gpu.js's Texture the engine uses (GL modes). */
export interface GpuTexture {
  readonly output: number[];
  readonly size: [number, number];
  readonly texture: object;
  /** Reads the whole texture back as RGBA float32 texels (size[0] · size[1] · 4 values). */
  renderRawOutput(): Float32Array;
  delete(): void;
}

/** The part of gpu.js's kernel run-shortcut the engine uses. */
export interface GpuKernel {
  (...args: unknown[]): KernelResult;
  /** The backend kernel that actually runs (gpu.js may swap it, e.g. to a CPU fallback). */
  readonly kernel?: { constructor: { name: string; mode?: string }; fallbackReason?: string | null; _lastRunPath?: string };
  destroy(removeCanvasReferences?: boolean): void;
}

export interface GpuInstance {
  readonly mode: string;
  addFunction(fn: ((...args: never[]) => number) | string, settings?: { argumentTypes?: Record<string, string>; returnType?: string }): unknown;
  addNativeFunction(name: string, source: string, settings?: { argumentTypes?: Record<string, string>; returnType?: string }): unknown;
  createKernel(source: string, settings?: Record<string, unknown>): GpuKernel;
  destroy(): Promise<void>;
}

/** Settings of `new GPU(...)`. */
export interface GpuSettings {
  mode: string;
  context?: unknown;
  canvas?: unknown;
}

export function createGpu(settings: GpuSettings): GpuInstance {
  return new GPU(settings as never) as unknown as GpuInstance;
}

/** gpu.js's static support checks (each creates a small test context the first time). */
export const gpuSupport = {
  get headlessgl(): boolean {
    return GPU.isHeadlessGLSupported;
  },
  get webgl2(): boolean {
    return GPU.isWebGL2Supported;
  },
  get webgl(): boolean {
    return GPU.isWebGLSupported;
  },
  get webasm(): boolean {
    return GPU.isWebAssemblySupported;
  },
};

// ------------------------------------------------------------------ host

interface NodeProcessLike {
  env?: Record<string, string | undefined>;
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeProcessLike | undefined {
  const p = (globalThis as { process?: NodeProcessLike }).process;
  return p?.versions?.node ? p : undefined;
}

/** True in Node (not in a browser page, even one with a `process` shim). */
export function isNode(): boolean {
  return nodeProcess() !== undefined && typeof (globalThis as { document?: unknown }).document === 'undefined';
}

/** An environment variable in Node; undefined in a browser. */
export function envVar(name: string): string | undefined {
  const v = nodeProcess()?.env?.[name]?.trim();
  return v ? v : undefined;
}

type RequireFn = ((id: string) => unknown) & { resolve(id: string): string };

/**
 * `require` as gpu.js sees it (so `gl`, gpu.js's optional dependency, resolves
 * from gpu.js's own folder), or undefined outside Node.
 */
function gpujsRequire(): RequireFn | undefined {
  const proc = nodeProcess();
  const mod = proc?.getBuiltinModule?.('module') as { createRequire(from: string): RequireFn } | undefined;
  if (!mod) return undefined;
  const own = mod.createRequire(import.meta.url);
  return mod.createRequire(own.resolve('gpu.js'));
}

/** headless-gl's context factory: `gl(width, height, attributes)`. */
export type HeadlessGlFactory = (width: number, height: number, attributes?: Record<string, unknown>) => WebGLRenderingContext | null;

/** Loads headless-gl the way gpu.js does; the error says why it cannot (not installed, failed to build). */
export function loadHeadlessGl(): HeadlessGlFactory {
  const req = gpujsRequire();
  if (!req) throw new Error('headless-gl needs Node');
  try {
    return req('gl') as HeadlessGlFactory;
  } catch (e) {
    // The install does not compile it (opt-in, minutes of C++): say how to build it.
    throw new Error(
      `the optional package "gl" (headless-gl) is not built here (in this repository: \`pnpm build-headless-gl\`, ` +
        `with the X/GL headers installed): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    );
  }
}
