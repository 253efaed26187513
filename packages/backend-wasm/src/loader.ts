/**
 * Loads the AssemblyScript kernels (dist/kernels.wasm, or kernels-shared.wasm for
 * threads) into a WebAssembly.Memory this module makes, and hands out typed views
 * of it. By default the file beside this module: read from disk in Node, fetched
 * (compiled while streaming) in a browser, where a bundler ships it with the page
 * or inlines it as a data: URL (decoded without a fetch). `source` takes bytes, a
 * compiled module, a Response, a URL or a path instead.
 */
import { WasmLoadError } from './errors.js';
import { WasmHeap } from './heap.js';

/** The functions of the compiled kernels (assembly/index.ts); pointers are byte offsets. */
/** C [m × n] from A and B with row strides lda, ldb, ldc (byte offsets a, b, c). */
export type GemmKernel = (m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number) => void;
/** out[0 … n) = elements start … of the stream (seed words k0, k1; stream id, call, sub). */
export type FillKernel = (out: number, n: number, k0: number, k1: number, stream: number, call: number, sub: number, start: bigint) => void;

/** The functions of the compiled kernels (assembly/index.ts); pointers are byte offsets into the memory. */
export interface KernelExports {
  gemmNT: GemmKernel;
  gemmNN: GemmKernel;
  /** Philox4x32-10 of counter (c0 … c3) under key (k0, k1); the words land in word0 … word3. */
  philox(k0: number, k1: number, c0: number, c1: number, c2: number, c3: number): void;
  word0: WebAssembly.Global;
  word1: WebAssembly.Global;
  word2: WebAssembly.Global;
  word3: WebAssembly.Global;
  fillNormal64: FillKernel;
  fillUniform64: FillKernel;
  fillUint32: FillKernel;
  /** fdlibm's log, as V8's Math.log. */
  fdlibmLog(x: number): number;
  /** fdlibm's sin, as V8's Math.sin. */
  fdlibmSin(x: number): number;
  /** fdlibm's cos, as V8's Math.cos. */
  fdlibmCos(x: number): number;
  /** sin and cos at once (into sinOut, cosOut). */
  fdlibmSinCos(x: number): void;
  /** The two-lane log (a; b into logLane1), for tests. */
  fdlibmLogPair(a: number, b: number): number;
  logLane1: WebAssembly.Global;
  /** The two-lane sin/cos, for tests. */
  fdlibmSinCosPair(a: number, b: number): void;
  sinLane1: WebAssembly.Global;
  cosLane1: WebAssembly.Global;
  sinOut: WebAssembly.Global;
  cosOut: WebAssembly.Global;
  /** The engine's analog pass of active vectors a0 … a1 − 1 (assembly/engine.ts); returns how many failed the bound test. */
  analogRows(
    params: number,
    x: number,
    w: number,
    nOut: number,
    nIn: number,
    active: number,
    rowScale: number,
    a0: number,
    a1: number,
    inp: number,
    out: number,
    passed: number,
    nl: number,
    scratch: number,
    k0: number,
    k1: number,
    call: number,
    round: number,
  ): number;
  /** out[r] = max_j |x[r · n + j]| per row (assembly/rows.ts; core's TileKernels.rowAbsMax). */
  rowAbsMax(x: number, rows: number, n: number, out: number): void;
  /** y[a, ·] ·= factor[a] in place, float32 products (assembly/rows.ts; AnalogPassArgs.result). */
  scaleRows(y: number, factor: number, rows: number, n: number): void;
  /** The fused pass's derived weights (assembly/array.ts): wNeg = w ⊙ asym, |w|, |wNeg|; a zero pointer skips one. */
  deriveWeights(w: number, asym: number, wNeg: number, wAbs: number, wNegAbs: number, n: number): void;
  /** Tests of the noise bracket (assembly/noise-bracket.ts): r̃, cos̃, siñ of word w into testRadius, testCos, testSin. */
  bracketParts(w: number): void;
  testRadius: WebAssembly.Global;
  testCos: WebAssembly.Global;
  testSin: WebAssembly.Global;
  /** Outputs whose noise bracket did not decide them (the exact normal was drawn), counted since loading. */
  bracketMisses: WebAssembly.Global;
  /** E / r̃ of the noise bracket. */
  BRACKET: WebAssembly.Global;
  /** The first byte after the module's static data. */
  heapBase(): number;
}

/** Where the module's bytes come from: bytes, a compiled module, a fetch Response, a URL or a file path. */
export type KernelSource = BufferSource | WebAssembly.Module | Response | URL | string;

/** Options of loadKernels. */
export interface LoadKernelsOptions {
  /** The `.wasm` to load; default: the file in this package's dist/ (Node). */
  readonly source?: KernelSource;
  /** Shared memory (SharedArrayBuffer) for worker threads; default false. */
  readonly shared?: boolean;
  /** The most memory the heap may grow to, in bytes (default 1 GiB, at most 4 GiB). */
  readonly maximumBytes?: number;
}

/** The loaded kernels: their exports, the memory and a heap over it. */
export interface Kernels {
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly shared: boolean;
  readonly heap: WasmHeap;
}

const PAGE = 65536;
const MAX_PAGES = 65536;

/** A module with one function returning a v128 constant: valid only where SIMD is. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b,
]);

/** Whether this runtime has WebAssembly with fixed-width SIMD. */
export function hasWasmSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** Whether shared WebAssembly memory (threads) can be made here. */
export function hasSharedMemory(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

function fileName(shared: boolean): string {
  return shared ? 'kernels-shared.wasm' : 'kernels.wasm';
}

/**
 * The build output beside this module (src/ or dist/ → ../dist/). Two literal
 * `new URL(…, import.meta.url)` expressions, so that bundlers (Vite, webpack 5, …) see
 * the files and ship them with the page (or inline them as data: URLs).
 */
function defaultUrl(shared: boolean): URL {
  return shared ? new URL('../dist/kernels-shared.wasm', import.meta.url) : new URL('../dist/kernels.wasm', import.meta.url);
}

type FsPromises = typeof import('node:fs/promises');

/** Node's fs/promises (through process.getBuiltinModule, so a browser bundle imports no Node module), or undefined. */
function nodeFs(): FsPromises | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return p?.getBuiltinModule?.('node:fs/promises') as FsPromises | undefined;
}

/** The bytes of a base64 data: URL (a bundler's inlined asset): decoded here, no fetch. */
function dataUrlBytes(url: URL): Uint8Array {
  const href = url.href;
  const comma = href.indexOf(',');
  if (comma < 0 || !/;base64$/i.test(href.slice(0, comma)))
    throw new WasmLoadError('invalid-module', '@crossbar/backend-wasm: a data: URL of the kernels must be base64');
  const text = atob(decodeURIComponent(href.slice(comma + 1)));
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

async function fromResponse(response: Response, where: string): Promise<BufferSource | WebAssembly.Module> {
  if (!response.ok) throw new WasmLoadError('missing-file', `@crossbar/backend-wasm: fetching the kernels ${where} gave HTTP ${response.status}`);
  // compiled while it downloads where the server sends the WebAssembly type
  if (typeof WebAssembly.compileStreaming === 'function' && /^application\/wasm\b/.test(response.headers.get('content-type') ?? '')) {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch (e) {
      throw new WasmLoadError('invalid-module', `@crossbar/backend-wasm: the kernels ${where} do not compile here: ${(e as Error).message}`);
    }
  }
  return response.arrayBuffer();
}

async function readSource(source: KernelSource | undefined, shared: boolean): Promise<BufferSource | WebAssembly.Module> {
  if (source instanceof WebAssembly.Module || ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return source;
  if (typeof source === 'object' && !(source instanceof URL)) return fromResponse(source, source.url || 'Response');
  // a path or URL: the default is the build output beside this module
  const where: URL | string = source ?? defaultUrl(shared);
  const url = where instanceof URL ? where : /^[a-z][a-z0-9+.-]*:/i.test(where) ? new URL(where) : undefined;
  if (url?.protocol === 'data:') return dataUrlBytes(url);
  const fs = url === undefined || url.protocol === 'file:' ? nodeFs() : undefined;
  if (fs) {
    const path = url ?? (where as string);
    try {
      return await fs.readFile(path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new WasmLoadError(
        'missing-file',
        `@crossbar/backend-wasm: cannot read the kernels ${String(path)}` +
          (code === 'ENOENT' ? ' (not built: run `npx nx run backend-wasm:build`)' : `: ${(e as Error).message}`),
      );
    }
  }
  const href = url?.href ?? new URL(where as string, (globalThis as { location?: { href: string } }).location?.href).href;
  let response: Response;
  try {
    response = await fetch(href);
  } catch (e) {
    throw new WasmLoadError('missing-file', `@crossbar/backend-wasm: cannot fetch the kernels ${href}: ${(e as Error).message}`);
  }
  return fromResponse(response, href);
}

/**
 * Loads and instantiates the kernels. Throws WasmLoadError (with `reason`) when the
 * file is missing, the runtime lacks WebAssembly SIMD, shared memory is asked for but
 * unavailable, or the bytes are not the kernels.
 */
export async function loadKernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
  const shared = options.shared ?? false;
  if (typeof WebAssembly !== 'object') throw new WasmLoadError('no-webassembly', '@crossbar/backend-wasm: this runtime has no WebAssembly');
  if (!hasWasmSimd()) throw new WasmLoadError('no-simd', '@crossbar/backend-wasm: this runtime has no WebAssembly SIMD (fixed-width, 128-bit)');
  if (shared && !hasSharedMemory()) {
    throw new WasmLoadError(
      'no-shared-memory',
      '@crossbar/backend-wasm: shared WebAssembly memory is unavailable here (browsers need cross-origin isolation: COOP/COEP headers); load with shared: false',
    );
  }
  const maximumBytes = options.maximumBytes ?? 1 << 30;
  if (!(Number.isInteger(maximumBytes) && maximumBytes >= PAGE && maximumBytes <= MAX_PAGES * PAGE)) {
    throw new RangeError(`loadKernels: maximumBytes must be an integer in [64 KiB, 4 GiB], got ${maximumBytes}`);
  }
  const bytes = await readSource(options.source, shared);
  let module: WebAssembly.Module;
  try {
    module = bytes instanceof WebAssembly.Module ? bytes : await WebAssembly.compile(bytes);
  } catch (e) {
    throw new WasmLoadError('invalid-module', `@crossbar/backend-wasm: the kernels do not compile here: ${(e as Error).message}`);
  }
  const memory = new WebAssembly.Memory({ initial: 1, maximum: Math.floor(maximumBytes / PAGE), shared });
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, { env: { memory } });
  } catch (e) {
    throw new WasmLoadError(
      'invalid-module',
      `@crossbar/backend-wasm: the kernels do not instantiate (${shared ? 'shared' : 'unshared'} memory; is it the ${fileName(shared)} build?): ${(e as Error).message}`,
    );
  }
  const exports = instance.exports as unknown as KernelExports;
  return { exports, memory, module, shared, heap: new WasmHeap(memory, exports.heapBase()) };
}
