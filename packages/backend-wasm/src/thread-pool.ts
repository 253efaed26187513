/**
 * The engine's worker pool: every worker instantiates the kernels' compiled module over
 * the same shared WebAssembly.Memory; the calling thread takes part 0 of the rows and
 * workers 1 … threads − 1 the others. The workers come from a WorkerHost: Node's
 * worker_threads (node-workers.ts) or a browser's Web Workers (web-workers.ts); the
 * protocol below is the same on both. A call is synchronous, as core's kernel contract
 * is: the caller publishes the call in a control block (generation counter →
 * Atomics.notify), runs its part, then blocks in Atomics.wait until every worker has
 * added itself to the done counter. So the calling thread must be one that may block:
 * Node's main thread or a Worker, never a browser page's main thread (threads.ts picks 1
 * thread there). Rows are split evenly; a row's outputs do not depend on where it sits in
 * the GEMM's blocks and every random number is addressed by its element, so the results
 * are the same bits for every thread count — and for the calling thread running every
 * part itself, which it does while a browser's workers have not started yet.
 *
 * Faults: a kernel that traps in a worker reports the error through the control block
 * and the call throws a BackendError naming it; a worker that dies (exits, is killed)
 * stops adding itself to the done counter: the caller gives up after `stallMs` with
 * a BackendError, and either way the next call replaces all workers and runs.
 */
import { BackendError, InputError } from '@crossbar/core';
import type { Kernels } from './loader.js';

// control block, int32 words
const GEN = 0; // bumped for each call
const OP = 1;
const DONE = 2; // workers finished with the call
const FAILED = 3; // analog pass: vectors that failed the bound test, summed
const ERROR = 4; // 1 + index of the first worker whose kernel threw, else 0
const READY = 5; // workers of the current set that have started
const EPOCH = 6; // the current set of workers (bumped when they are replaced)
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
      if (a[1] === 1) {
        exit();
        throw EXIT;
      }
      throw new Error('injected kernel fault');
    }
    return 0;
  }
  throw new Error('unknown pool operation ' + op);
`;

type RunPart = (e: unknown, op: number, a: Float64Array, index: number, threads: number, exit: () => never) => number;
// the one source of the row split, shared with the workers
const runPart = new Function('e', 'op', 'a', 'index', 'threads', 'exit', RUN_PART_BODY) as RunPart;
const callerMayNotExit = (): never => {
  throw new BackendError('@crossbar/backend-wasm: the calling thread does not exit');
};

/**
 * The worker's program: `startPoolWorker(data, exit)` with the data of PoolWorkerData.
 * A WorkerHost runs it after its own prelude (Node: workerData; browsers: the first
 * message), so Node and browsers share every line of the pool's protocol. `exit()` ends
 * the worker without answering (fault injection in the tests).
 */
export const WORKER_PROGRAM = `
const EXIT = Symbol('exit');
function runPart(e, op, a, index, threads, exit) {${RUN_PART_BODY}}
function startPoolWorker(data, exit) {
  const { module, memory, ctrlPtr, argsPtr, messagePtr, index, threads, generation, epoch } = data;
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctrl = new Int32Array(memory.buffer, ctrlPtr, ${CTRL_WORDS});
  if (Atomics.load(ctrl, ${EPOCH}) === epoch) {
    Atomics.add(ctrl, ${READY}, 1);
    Atomics.notify(ctrl, ${READY});
  }
  let gen = generation; // a replacement worker starts at the pool's current call
  for (;;) {
    Atomics.wait(ctrl, ${GEN}, gen);
    gen = Atomics.load(ctrl, ${GEN});
    // a replaced worker stops by itself (terminate() may take effect late: a browser's may
    // not interrupt Atomics.wait at once), so that it never counts in a newer set's calls
    if (Atomics.load(ctrl, ${EPOCH}) !== epoch) return;
    const op = Atomics.load(ctrl, ${OP});
    if (op === ${PoolOp.Stop}) break;
    try {
      const failed = runPart(e, op, new Float64Array(memory.buffer, argsPtr, ${ARG_WORDS}), index, threads, exit);
      if (failed) Atomics.add(ctrl, ${FAILED}, failed);
    } catch (err) {
      if (err === EXIT) return;
      if (Atomics.compareExchange(ctrl, ${ERROR}, 0, index + 1) === 0) {
        const bytes = new TextEncoder().encode(String(err && err.message || err)).subarray(0, ${MESSAGE_BYTES - 1});
        const dst = new Uint8Array(memory.buffer, messagePtr, ${MESSAGE_BYTES});
        dst.fill(0);
        dst.set(bytes);
      }
    }
    if (Atomics.load(ctrl, ${EPOCH}) !== epoch) return;
    if (Atomics.add(ctrl, ${DONE}, 1) === threads - 2) Atomics.notify(ctrl, ${DONE});
  }
}
`;

/** What a pool worker starts with (posted to it: the compiled module and the shared memory are cloned by reference). */
export interface PoolWorkerData {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Byte offsets of the control block, the arguments and the error message. */
  readonly ctrlPtr: number;
  readonly argsPtr: number;
  readonly messagePtr: number;
  /** The worker's part (1 … threads − 1; part 0 is the calling thread's). */
  readonly index: number;
  readonly threads: number;
  /** The pool's call counter when the worker was made (it waits for the next call). */
  readonly generation: number;
  /** Which set of workers it belongs to (a worker of a replaced set does not count as ready). */
  readonly epoch: number;
}

/** A started worker, as a pool holds it. */
export interface PoolWorker {
  /** Stops it (a pending kernel call is abandoned). */
  terminate(): unknown;
}

/**
 * How a platform makes the pool's workers: Node's worker_threads (node-workers.ts) or
 * Web Workers (web-workers.ts). The pool logic (thread-pool.ts) is the same on both.
 */
export interface WorkerHost {
  /** What the workers are, for messages ("worker_threads", "Web Workers"). */
  readonly kind: string;
  /**
   * Whether a new worker starts while the thread that made it blocks in Atomics.wait.
   * Node's do; a browser starts a Worker only when its maker's event loop runs, so there
   * a call never waits for workers that have not started (the calling thread runs every
   * part until they are ready).
   */
  readonly startsWhileBlocked: boolean;
  /**
   * Starts a worker that runs WORKER_PROGRAM's `startPoolWorker(data, exit)`; it calls
   * `onFailure` with "failed: …" (an uncaught error) or "exited (…)" when the worker ends.
   */
  spawn(data: PoolWorkerData, onFailure: (message: string) => void): PoolWorker;
}

/** Options of a ThreadPool. */
export interface ThreadPoolOptions {
  /** How long a call waits for a silent worker before failing (ms; default 120 000). */
  readonly stallMs?: number;
}

/** `threads` − 1 workers and the calling thread over the kernels' shared memory. */
export class ThreadPool {
  private workers: PoolWorker[] = [];
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
    readonly host: WorkerHost,
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
    const { kernels, ctrlPtr, argsPtr, messagePtr, threads, ctrl } = this;
    const generation = Atomics.load(ctrl, GEN);
    Atomics.store(ctrl, READY, 0);
    const epoch = Atomics.add(ctrl, EPOCH, 1) + 1;
    const workers: PoolWorker[] = [];
    this.workers = workers;
    this.broken = undefined;
    for (let index = 1; index < threads; index++) {
      const data: PoolWorkerData = { module: kernels.module, memory: kernels.memory, ctrlPtr, argsPtr, messagePtr, index, threads, generation, epoch };
      // events of replaced workers are ignored; a death between calls is seen at the next one
      const onFailure = (message: string) => {
        if (this.workers === workers) this.broken ??= new BackendError(`@crossbar/backend-wasm: kernel worker ${index} ${message}`);
      };
      workers.push(this.host.spawn(data, onFailure));
    }
  }

  /** Replaces every worker (the survivors of a failed call may still be running it). */
  private respawn(): void {
    const old = this.workers;
    this.workers = [];
    for (const w of old) void w.terminate();
    this.spawn();
  }

  /** Whether every worker of the current set has started. */
  get ready(): boolean {
    return Atomics.load(this.ctrl, READY) >= this.threads - 1;
  }

  /**
   * Resolves once every worker has started (without blocking the thread, so that a
   * browser can start them); rejects with a BackendError when one fails or they have not
   * started within `timeoutMs` (default: the pool's stallMs).
   */
  async whenReady(timeoutMs = this.stallMs): Promise<void> {
    const start = Date.now();
    for (;;) {
      if (this.disposed) throw new BackendError('@crossbar/backend-wasm: the thread pool is disposed');
      if (this.broken) throw this.broken;
      if (this.ready) return;
      if (Date.now() - start > timeoutMs) {
        throw new BackendError(
          `@crossbar/backend-wasm: ${this.threads - 1 - Atomics.load(this.ctrl, READY)} kernel worker(s) (${this.host.kind}) did not start within ${timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /**
   * Runs `op` with `args` (float64 words) on every part; returns the analog pass's
   * failed-vector count. Throws BackendError when a worker's kernel threw or a worker
   * stopped answering; the pool is replaced at the next call.
   */
  run(op: number, args: ArrayLike<number>): number {
    if (this.disposed) throw new BackendError('@crossbar/backend-wasm: the thread pool is disposed');
    if (this.broken) this.respawn();
    this.args.set(args);
    if (!this.ready && !this.host.startsWhileBlocked) {
      // the workers cannot start while this thread blocks: it runs every part (the same bits)
      // this time; the injected faults of the tests are the workers'
      let failed = 0;
      if (op !== PoolOp.Fault) for (let t = 0; t < this.threads; t++) failed += runPart(this.kernels.exports, op, this.args, t, this.threads, callerMayNotExit);
      return failed;
    }
    const ctrl = this.ctrl;
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, FAILED, 0);
    Atomics.store(ctrl, ERROR, 0);
    Atomics.store(ctrl, OP, op);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    let failed = 0;
    let own: unknown;
    try {
      failed = runPart(this.kernels.exports, op, this.args, 0, this.threads, callerMayNotExit);
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
