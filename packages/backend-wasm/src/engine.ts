/**
 * The wasm engine on core's kernel contract (core tile/kernels.ts): a KernelSet whose
 * per-tile kernels run the matrix products and the analog pass in the AssemblyScript
 * kernels (assembly/), on one thread or split over a ThreadPool. Core's tile
 * (KernelTile) runs everything around them.
 *
 *   perfectMvm           gemmNT forward, gemmNN backward (Wᵀ without a copy), float32 sums
 *   analogPass           assembly/engine.ts analogRows: DAC (input noise, rounding, bound,
 *                        asymmetry) → GEMM → ADC (non-linearity, asymmetry, output noise,
 *                        rounding, bound test, clip), fused per block of vectors, both
 *                        directions, core's random streams; assembly/array.ts between GEMM
 *                        and ADC: IR drop, voltage offsets / series resistance, weight
 *                        noise, the PosNegSeparate(DigitalSum) passes (src/fused-io.ts);
 *                        writes the final outputs times core's factors into core's result
 *                        (analogPassWritesResult; assembly/rows.ts scaleRows)
 *   rowAbsMax            assembly/rows.ts: noise management's max |x| per row (SIMD)
 *   floatingPointUpdate,
 *   pulsedUpdate         src/update.ts on assembly/update.ts: every pulsed device kind of
 *                        core (a kind wasmUpdateRefusal names would be refused with a
 *                        NotSupportedError; today it names none)
 *   modifyWeights        core's modifyWeightsWith (the physics) with the draws in the
 *                        kernels (draws.ts: one or more normals per weight per call)
 *   streamFills          the same draws for core's host physics (PCM programming, drift
 *                        and read noise, device diffusion and write noise)
 *
 * Memory: each tile keeps its weights resident in the kernels' memory (resident.ts: a
 * long-lived heap block per instance, copied again only when core's weights version
 * changes, freed by `dispose`); per call the heap holds the inputs and the scratch (a
 * mark / release around the call), so the WebAssembly memory grows to the largest call
 * and stays there: a tile's memory is flat over calls and over creating and disposing
 * tiles. The results go to core's host buffers only at the end of a call, so a call
 * that throws has written nothing core keeps.
 */
import {
  BackendError,
  InputError,
  ioPassStreams,
  kernelBackend,
  modifyWeightsWith,
  seedToKey,
  type AnalogPassArgs,
  type AnalogTileBackend,
  type KernelSet,
  type MvDirection,
  type TileKernels,
  type TileSpec,
} from '@crossbar/core';
import { wasmStreamFills } from './draws.js';
import { FUSED_IO_WORDS, fusedScratchBytes, writeFusedIo } from './fused-io.js';
import { scoped } from './heap.js';
import { loadKernels, type Kernels, type KernelSource } from './loader.js';
import { ResidentWeights } from './resident.js';
import type { ThreadPool } from './thread-pool.js';
import { defaultThreads, startThreadPool } from './threads.js';
import { createWasmUpdate } from './update.js';

/** The engine's registry name. */
export const WASM_NAME = 'wasm';

/** Options of the wasm engine. */
export interface WasmEngineOptions {
  /**
   * Threads (the calling one included) the kernels split rows over: 1 runs on the
   * calling thread only. Default: CROSSBAR_WASM_THREADS, else min(4, available cores)
   * where shared memory works and this thread may block (Node, a Web Worker on a
   * cross-origin isolated page), else 1 (a page's main thread: the kernel contract is
   * synchronous and it may not block; more than 1 there is refused).
   */
  readonly threads?: number;
  /** The `.wasm` to load (default: this package's dist/ file for the thread mode). */
  readonly source?: KernelSource;
  /** The most memory the kernels may grow to, in bytes (default 1 GiB). */
  readonly maximumBytes?: number;
  /** How long a threaded call waits for a silent worker before failing (ms; default 120 000). */
  readonly stallMs?: number;
  /**
   * Multiply-adds below which a call runs on the calling thread alone, where waking the
   * workers costs more than it saves (default 2^17; 0 splits every call, as tests do).
   */
  readonly minThreadedWork?: number;
}

const THREADED_MIN_WORK = 1 << 17;

/** Words of the analog pass's parameter block (assembly/engine.ts P_*; src/fused-io.ts's FUSED_IO_WORDS follow). */
const PARAM_WORDS = 18;

/**
 * The loaded kernels of one engine instance: an instance over plain memory for the calls
 * that run on the calling thread, and with threads an instance over shared memory and
 * its pool for the large ones (copying into shared memory is slower in V8, so a small
 * call, e.g. one vector, stays on plain memory; the numbers are the same bits).
 */
export class WasmEngine {
  private constructor(
    /** The kernels over plain memory (calls on the calling thread). */
    readonly kernels: Kernels,
    /** The kernels over shared memory, with threads. */
    readonly sharedKernels: Kernels | null,
    readonly pool: ThreadPool | null,
    private readonly minThreadedWork: number,
  ) {}

  /** Threads the kernels split rows over (1: the calling thread alone). */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** Loads the kernels (WasmLoadError with the reason when they cannot load here) and starts the pool. */
  static async create(options: WasmEngineOptions = {}): Promise<WasmEngine> {
    const threads = options.threads ?? defaultThreads();
    if (!(Number.isInteger(threads) && threads >= 1 && threads <= 64)) throw new InputError(`wasm engine: threads must be an integer in [1, 64], got ${threads}`);
    const minWork = options.minThreadedWork ?? THREADED_MIN_WORK;
    if (!(minWork >= 0)) throw new InputError(`wasm engine: minThreadedWork must be >= 0, got ${minWork}`);
    const kernels = await loadKernels({ source: options.source, maximumBytes: options.maximumBytes });
    if (threads === 1) return new WasmEngine(kernels, null, null, minWork);
    const shared = await loadKernels({ shared: true, source: options.source, maximumBytes: options.maximumBytes });
    return new WasmEngine(kernels, shared, await startThreadPool(shared, threads, { stallMs: options.stallMs }), minWork);
  }

  /** Whether a call of `rows` rows and `work` multiply-adds is split over the pool. */
  threaded(rows: number, work: number): boolean {
    return this.pool !== null && rows > 1 && work >= this.minThreadedWork;
  }

  /** The kernels a call runs on (the shared ones when it is threaded). */
  kernelsFor(threaded: boolean): Kernels {
    return threaded ? this.sharedKernels! : this.kernels;
  }

  /** C = A Bᵀ (gemmNT) or A B (gemmNN) on the heap of kernelsFor(threaded). */
  gemm(threaded: boolean, nn: boolean, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number): void {
    if (threaded) {
      this.pool!.run(nn ? 2 : 1, [m, n, k, a, lda, b, ldb, c, ldc]);
      return;
    }
    const e = this.kernels.exports;
    (nn ? e.gemmNN : e.gemmNT)(m, n, k, a, lda, b, ldb, c, ldc);
  }

  /** The analog pass of `nActive` vectors (analogRows) on the heap of kernelsFor(threaded). */
  analogRows(threaded: boolean, args: readonly number[], nActive: number, scratch: number, scratchStride: number): void {
    const [p, x, w, nOut, nIn, active, rowScale, inp, out, passed, nl, k0, k1, call, round] = args as [number, ...number[]];
    if (threaded) {
      this.pool!.run(3, [p, x!, w!, nOut!, nIn!, active!, rowScale!, nActive, inp!, out!, passed!, nl!, scratch, k0!, k1!, call!, round!, scratchStride]);
      return;
    }
    this.kernels.exports.analogRows(p, x!, w!, nOut!, nIn!, active!, rowScale!, 0, nActive, inp!, out!, passed!, nl!, scratch, k0!, k1!, call!, round!);
  }

  /** Stops the pool's workers. */
  async dispose(): Promise<void> {
    await this.pool?.dispose();
  }
}

/** The kernels of one tile on `engine`. */
export function createWasmKernels(engine: WasmEngine, spec: TileSpec): TileKernels {
  const { outSize, inSize } = spec;
  const [k0, k1] = seedToKey(spec.seed);
  const fills = wasmStreamFills(engine.kernels);

  const resident = new ResidentWeights(outSize * inSize);

  const perfectMvm = (direction: MvDirection, weights: Float32Array, x: Float32Array, batch: number, outScale: number, weightsVersion?: number): Float32Array => {
    const forward = direction === 'forward';
    const nOut = forward ? outSize : inSize;
    const nIn = forward ? inSize : outSize;
    const threaded = engine.threaded(batch, batch * nIn * nOut);
    const kernels = engine.kernelsFor(threaded);
    const heap = kernels.heap;
    const w = resident.ptr(kernels, weights, weightsVersion);
    return scoped(heap, () => {
      // every buffer of a call is written whole before it is read: not zeroed
      const xp = heap.allocF32(batch * nIn, false);
      const yp = heap.allocF32(batch * nOut, false);
      heap.f32(xp, batch * nIn).set(x.subarray(0, batch * nIn));
      if (forward) engine.gemm(threaded, false, batch, nOut, nIn, xp, nIn, w, nIn, yp, nOut);
      else engine.gemm(threaded, true, batch, nOut, nIn, xp, nIn, w, nOut, yp, nOut);
      const y = heap.f32(yp, batch * nOut).slice();
      if (outScale !== 1) for (let k = 0; k < y.length; k++) y[k] = outScale * y[k]!;
      return y;
    });
  };

  const analogPass = (args: AnalogPassArgs): void => {
    if (args.nActive === 0) return;
    const threaded = engine.threaded(args.nActive, args.nActive * args.nIn * args.nOut);
    const kernels = engine.kernelsFor(threaded);
    const w = resident.ptr(kernels, args.weights, args.weightsVersion);
    scoped(kernels.heap, () => runFused(engine, threaded, args, w, k0, k1));
  };

  const rowAbsMax = (x: Float32Array, rows: number, n: number, out: Float32Array): void => {
    const kernels = engine.kernels;
    const heap = kernels.heap;
    scoped(heap, () => {
      const xp = heap.allocF32(rows * n, false);
      const op = heap.allocF32(rows, false);
      heap.f32(xp, rows * n).set(x.subarray(0, rows * n));
      kernels.exports.rowAbsMax(xp, rows, n, op);
      out.set(heap.f32(op, rows));
    });
  };

  return {
    perfectMvm,
    analogPass,
    analogPassWritesResult: true,
    rowAbsMax,
    ...createWasmUpdate(engine, spec),
    modifyWeights: (args) => modifyWeightsWith(args, fills),
    streamFills: fills,
    dispose: () => resident.dispose(),
  };
}

/** One round of the fused analog pass (inside a heap scope) on the weights at byte offset `w`. */
function runFused(engine: WasmEngine, threaded: boolean, args: AnalogPassArgs, w: number, k0: number, k1: number): void {
  const kernels = engine.kernelsFor(threaded);
  const heap = kernels.heap;
  const { io, nIn, nOut, nActive } = args;
  const streams = ioPassStreams(args.direction);
  const nl = args.draws.outNonlinearity;
  const withNl = io.hasNLCalibration && nl !== null;
  const params = [
    io.inpStep,
    io.inpBound,
    io.inpNoise,
    io.inpNegativeScale,
    io.inpStoRound ? 1 : 0,
    io.outStep,
    io.outBound,
    io.outNoise,
    io.outNegativeScale,
    io.outStoRound ? 1 : 0,
    io.bmTestNegativeBound ? 1 : 0,
    withNl ? 1 : 0,
    args.draws.nlFactor,
    streams.inputNoise,
    streams.inputRounding,
    streams.outputNoise,
    streams.outputRounding,
    args.direction === 'backward' ? 1 : 0,
  ];
  if (params.length !== PARAM_WORDS) throw new BackendError('wasm engine: parameter block out of step with assembly/engine.ts');
  const batch = args.x.length / nIn;
  const parts = threaded ? engine.threads : 1;
  const scratchStride = fusedScratchBytes(io, nIn, nOut); // per part
  // every buffer is written whole (here or by the kernel) before it is read: not zeroed
  const p = heap.allocF64(PARAM_WORDS + FUSED_IO_WORDS, false);
  const x = heap.allocF32(batch * nIn, false);
  const active = heap.allocI32(nActive, false);
  const rowScale = heap.allocF32(nActive, false);
  const inp = heap.allocF32(nActive * nIn, false);
  const out = heap.allocF32(nActive * nOut, false);
  const passed = heap.alloc(nActive, false);
  const nlp = heap.allocF32(withNl ? nOut : 0, false);
  const scratch = heap.alloc(scratchStride * parts, false);
  const factor = heap.allocF32(nActive, false);
  heap.f64(p, PARAM_WORDS).set(params);
  heap.f32(x, batch * nIn).set(args.x);
  writeFusedIo(kernels, p + 8 * PARAM_WORDS, args, w, args.weights.length);
  heap.i32(active, nActive).set(args.active.subarray(0, nActive));
  heap.f32(rowScale, nActive).set(args.rowScale.subarray(0, nActive));
  if (withNl) heap.f32(nlp, nOut).set(nl);
  heap.f32(factor, nActive).set(args.outputFactor.subarray(0, nActive));
  engine.analogRows(threaded, [p, x, w, nOut, nIn, active, rowScale, inp, out, passed, nlp, k0, k1, args.call, args.round], nActive, scratch, scratchStride);
  const passedRows = new Uint8Array(kernels.memory.buffer, passed, nActive);
  args.passed.set(passedRows);
  writeResult(kernels, args, out, factor, passedRows);
}

/**
 * The final vectors' outputs into core's result (analogPassWritesResult): every row of
 * `out` times its output factor (at `factor`, nActive float32) in place (scaleRows, the float32 products of core's
 * scaleInto), then the final rows copied out, a run of consecutive batch rows at a time.
 */
function writeResult(kernels: Kernels, args: AnalogPassArgs, out: number, factor: number, passed: Uint8Array): void {
  const heap = kernels.heap;
  const { nOut, nActive, active, lastRound, result } = args;
  kernels.exports.scaleRows(out, factor, nActive, nOut);
  const scaled = heap.f32(out, nActive * nOut);
  let a = 0;
  while (a < nActive) {
    if (!lastRound && passed[a] === 0) {
      a++; // clipped: core runs it again
      continue;
    }
    const a0 = a;
    const r0 = active[a0]!;
    a++;
    while (a < nActive && (lastRound || passed[a] !== 0) && active[a] === r0 + (a - a0)) a++;
    result.set(scaled.subarray(a0 * nOut, a * nOut), r0 * nOut);
  }
}

/** The wasm engine's kernel set on loaded kernels (for core's kernelBackend). */
export function wasmKernelSet(engine: WasmEngine): KernelSet {
  return {
    name: WASM_NAME,
    description: `WebAssembly SIMD engine (AssemblyScript kernels, ${engine.threads} thread${engine.threads === 1 ? '' : 's'})`,
    createKernels: (spec) => createWasmKernels(engine, spec),
    dispose: () => engine.dispose(),
  };
}

/**
 * The wasm engine (for the registry): loads the kernels and starts the threads; rejects
 * with WasmLoadError (its `reason`) where they cannot load, so the registry reports it
 * and takes the next engine.
 */
export async function createWasmBackend(options: WasmEngineOptions = {}): Promise<AnalogTileBackend> {
  return kernelBackend(wasmKernelSet(await WasmEngine.create(options)));
}
