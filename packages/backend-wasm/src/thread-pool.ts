/**
 * The engine's worker threads (Node worker_threads): every worker instantiates the
 * kernels' compiled module over the same shared WebAssembly.Memory; the calling
 * thread takes part 0 of the rows and workers 1 … threads − 1 the others. A call is
 * synchronous, as core's kernel contract is: the caller publishes the call in a
 * control block (generation counter → Atomics.notify), runs its part, then blocks in
 * Atomics.wait until every worker has added itself to the done counter (Node lets
 * the main thread wait; browsers do not, so there the engine runs on one thread).
 * Rows are split evenly; a row's outputs do not depend on where it sits in the
 * GEMM's blocks and every random number is addressed by its element, so the results
 * are the same bits for every thread count.
 *
 * Faults: a kernel that traps in a worker reports the error through the control block
 * and the call throws a BackendError naming it; a worker that dies (exits, is killed)
 * stops adding itself to the done counter: the caller gives up after `stallMs` with
 * a BackendError, and either way the next call replaces all workers and runs.
 */
import { BackendError, InputError } from '@crossbar/core';
import { Worker } from 'node:worker_threads';
import type { Kernels } from './loader.js';

// control block, int32 words
const GEN = 0; // bumped for each call
const OP = 1;
const DONE = 2; // workers finished with the call
const FAILED = 3; // analog pass: vectors that failed the bound test, summed
const ERROR = 4; // 1 + index of the first worker whose kernel threw, else 0
const CTRL_WORDS = 8;
const ARG_WORDS = 32; // float64 arguments
const MESSAGE_BYTES = 512; // the failing worker's message (UTF-8)

/** The operations a pool runs (worker program below). */
export const PoolOp = {
  Stop: 0,
  GemmNT: 1,
  GemmNN: 2,
  AnalogRows: 3,
  /** Tests only: the worker of index args[0] throws (a kernel trap) or, with args[1] = 1, exits. */
  Fault: 9,
} as const;

/**
 * Runs part `index` of a call, the same code in the caller and in the workers (a source
 * string, so that coverage or mutation instrumentation of this file never reaches the
 * workers). Rows [m · t / T, m · (t + 1) / T) are part t's (part 0: the calling thread).
 * Returns the vectors that failed the bound test (analog pass), else 0.
 */
const RUN_PART_BODY = `
  const part = (m) => [Math.floor((m * index) / threads), Math.floor((m * (index + 1)) / threads)];
  if (op === ${PoolOp.GemmNT} || op === ${PoolOp.GemmNN}) {
    const [m, n, k, pa, lda, pb, ldb, pc, ldc] = a;
    const [i0, i1] = part(m);
    if (i1 > i0) (op === ${PoolOp.GemmNT} ? e.gemmNT : e.gemmNN)(i1 - i0, n, k, pa + 4 * i0 * lda, lda, pb, ldb, pc + 4 * i0 * ldc, ldc);
    return 0;
  }
  if (op === ${PoolOp.AnalogRows}) {
    const [p, x, w, nOut, nIn, active, rowScale, nActive, inp, out, passed, nl, scratch, k0, k1, call, round, scratchStride] = a;
    const [r0, r1] = part(nActive);
    if (r1 <= r0) return 0;
    return e.analogRows(p, x, w, nOut, nIn, active, rowScale, r0, r1, inp, out, passed, nl, scratch + index * scratchStride, k0, k1, call, round);
  }
  if (op === ${PoolOp.Fault}) {
    if (a[0] === index) {
      if (a[1] === 1) process.exit(7);
      throw new Error('injected kernel fault');
    }
    return 0;
  }
  throw new Error('unknown pool operation ' + op);
`;

type RunPart = (e: unknown, op: number, a: Float64Array, index: number, threads: number) => number;
// the one source of the row split, shared with the workers
const runPart = new Function('e', 'op', 'a', 'index', 'threads', RUN_PART_BODY) as RunPart;

/** The worker's program (run with `eval`, so the pool works from the TypeScript sources and from dist/ alike). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrlPtr, argsPtr, messagePtr, index, threads, generation } = workerData;
const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctrl = new Int32Array(memory.buffer, ctrlPtr, ${CTRL_WORDS});
function runPart(e, op, a, index, threads) {${RUN_PART_BODY}}
let gen = generation; // a replacement worker starts at the pool's current call
for (;;) {
  Atomics.wait(ctrl, ${GEN}, gen);
  gen = Atomics.load(ctrl, ${GEN});
  const op = Atomics.load(ctrl, ${OP});
  if (op === ${PoolOp.Stop}) break;
  try {
    const failed = runPart(e, op, new Float64Array(memory.buffer, argsPtr, ${ARG_WORDS}), index, threads);
    if (failed) Atomics.add(ctrl, ${FAILED}, failed);
  } catch (err) {
    if (Atomics.compareExchange(ctrl, ${ERROR}, 0, index + 1) === 0) {
      const bytes = new TextEncoder().encode(String(err && err.message || err)).subarray(0, ${MESSAGE_BYTES - 1});
      const dst = new Uint8Array(memory.buffer, messagePtr, ${MESSAGE_BYTES});
      dst.fill(0);
      dst.set(bytes);
    }
  }
  if (Atomics.add(ctrl, ${DONE}, 1) === threads - 2) Atomics.notify(ctrl, ${DONE});
}
`;

/** Options of a ThreadPool. */
export interface ThreadPoolOptions {
  /** How long a call waits for a silent worker before failing (ms; default 120 000). */
  readonly stallMs?: number;
}

/** `threads` − 1 workers and the calling thread over the kernels' shared memory. */
export class ThreadPool {
  private workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly ctrlPtr: number;
  private readonly argsPtr: number;
  private readonly messagePtr: number;
  private broken: Error | undefined;
  private disposed = false;
  private readonly stallMs: number;

  constructor(
    readonly kernels: Kernels,
    readonly threads: number,
    options: ThreadPoolOptions = {},
  ) {
    if (!kernels.shared) throw new InputError('ThreadPool: the kernels must be loaded with shared: true');
    if (!(Number.isInteger(threads) && threads >= 2 && threads <= 64)) throw new InputError(`ThreadPool: threads must be an integer in [2, 64], got ${threads}`);
    this.stallMs = options.stallMs ?? 120_000;
    if (!(this.stallMs > 0)) throw new InputError(`ThreadPool: stallMs must be > 0, got ${this.stallMs}`);
    const h = kernels.heap;
    this.ctrlPtr = h.allocI32(CTRL_WORDS);
    this.argsPtr = h.allocF64(ARG_WORDS);
    this.messagePtr = h.alloc(MESSAGE_BYTES);
    this.ctrl = new Int32Array(kernels.memory.buffer, this.ctrlPtr, CTRL_WORDS);
    this.args = new Float64Array(kernels.memory.buffer, this.argsPtr, ARG_WORDS);
    this.spawn();
  }

  private spawn(): void {
    const { kernels, ctrlPtr, argsPtr, messagePtr, threads } = this;
    const generation = Atomics.load(this.ctrl, GEN);
    const workers: Worker[] = [];
    this.workers = workers;
    this.broken = undefined;
    for (let index = 1; index < threads; index++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: kernels.module, memory: kernels.memory, ctrlPtr, argsPtr, messagePtr, index, threads, generation },
      });
      // events of replaced workers are ignored; a death between calls is seen at the next one
      worker.on('error', (e) => this.workers === workers && (this.broken ??= new BackendError(`@crossbar/backend-wasm: kernel worker ${index} failed: ${e.message}`)));
      worker.on('exit', (code) => this.workers === workers && (this.broken ??= new BackendError(`@crossbar/backend-wasm: kernel worker ${index} exited (code ${code})`)));
      worker.unref(); // an idle pool does not keep the process alive
      workers.push(worker);
    }
  }

  /** Replaces every worker (the survivors of a failed call may still be running it). */
  private respawn(): void {
    const old = this.workers;
    this.workers = [];
    for (const w of old) void w.terminate();
    this.spawn();
  }

  /**
   * Runs `op` with `args` (float64 words) on every part; returns the analog pass's
   * failed-vector count. Throws BackendError when a worker's kernel threw or a worker
   * stopped answering; the pool is replaced at the next call.
   */
  run(op: number, args: ArrayLike<number>): number {
    if (this.disposed) throw new BackendError('@crossbar/backend-wasm: the thread pool is disposed');
    if (this.broken) this.respawn();
    const ctrl = this.ctrl;
    this.args.set(args);
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, FAILED, 0);
    Atomics.store(ctrl, ERROR, 0);
    Atomics.store(ctrl, OP, op);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    let failed = 0;
    let own: unknown;
    try {
      failed = runPart(this.kernels.exports, op, this.args, 0, this.threads);
    } catch (e) {
      own = e;
    }
    const workers = this.threads - 1;
    const start = Date.now();
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= workers) break;
      if (Date.now() - start > this.stallMs) {
        this.broken = new BackendError(
          `@crossbar/backend-wasm: ${workers - done} kernel worker(s) did not finish the call within ${this.stallMs} ms (a worker died?); the pool is replaced at the next call`,
        );
        throw this.broken;
      }
      Atomics.wait(ctrl, DONE, done, 50);
    }
    if (own !== undefined) throw own;
    const error = Atomics.load(ctrl, ERROR);
    if (error !== 0) {
      const bytes = new Uint8Array(this.kernels.memory.buffer, this.messagePtr, MESSAGE_BYTES).slice();
      const end = bytes.indexOf(0);
      const message = new TextDecoder().decode(bytes.subarray(0, end < 0 ? MESSAGE_BYTES : end));
      this.broken = new BackendError(`@crossbar/backend-wasm: kernel worker ${error - 1} failed: ${message}`);
      throw this.broken;
    }
    return failed + Atomics.load(ctrl, FAILED);
  }

  /** Stops the workers; later calls fail. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const workers = this.workers;
    this.workers = [];
    Atomics.store(this.ctrl, OP, PoolOp.Stop);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
