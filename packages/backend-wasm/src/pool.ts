/**
 * A worker-pool prototype for the kernels' threads (Node worker_threads): every
 * worker instantiates the same compiled module over the same shared
 * WebAssembly.Memory, and a call is dispatched through a control block in that
 * memory with Atomics (generation counter → Atomics.notify; each worker adds
 * itself to a done counter, the last one notifies; the caller awaits
 * Atomics.waitAsync). Work is split by rows; since a row's outputs do not depend
 * on where it sits in the GEMM's blocks and every random number is addressed by
 * its element, the results are the same bits for every thread count.
 *
 * A worker that dies fails the pending call with a BackendError; the next call
 * replaces the workers and runs. Not here yet: Web Workers (browsers), the
 * caller's thread taking a share of the rows.
 */
import { BackendError, InputError } from '@crossbar/core';
import type { Worker } from 'node:worker_threads';
import type { Kernels } from './loader.js';

// control block, int32 words
const GEN = 0; // generation: bumped for each call
const OP = 1; // the operation of the call
const DONE = 2; // workers finished with the call
const FAILED = 3; // forwardPass: vectors that failed the bound test, summed
const CTRL_WORDS = 8;
const ARGS = 32; // float64 arguments
const OP_STOP = 0;
const OP_GEMM_NT = 1;
const OP_FORWARD = 2;

/**
 * The worker's program (run with `eval`, so the pool works from the TypeScript sources
 * and from dist/ alike). Rows [m · t / T, m · (t + 1) / T) are worker t's.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrlPtr, argsPtr, index, threads, generation } = workerData;
const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctrl = new Int32Array(memory.buffer, ctrlPtr, ${CTRL_WORDS});
const a = new Float64Array(memory.buffer, argsPtr, ${ARGS});
const range = (m) => [Math.floor((m * index) / threads), Math.floor((m * (index + 1)) / threads)];
let gen = generation; // a replacement worker starts at the pool's current call
for (;;) {
  Atomics.wait(ctrl, ${GEN}, gen);
  gen = Atomics.load(ctrl, ${GEN});
  const op = Atomics.load(ctrl, ${OP});
  if (op === ${OP_STOP}) break;
  if (op === ${OP_GEMM_NT}) {
    const [m, n, k, pa, lda, pb, ldb, pc, ldc] = a;
    const [i0, i1] = range(m);
    if (i1 > i0) e.gemmNT(i1 - i0, n, k, pa + 4 * i0 * lda, lda, pb, ldb, pc + 4 * i0 * ldc, ldc);
  } else if (op === ${OP_FORWARD}) {
    e.setForwardIO(a[18], a[19], a[20], a[21], a[22], a[23], a[24], a[25], a[26], a[27], a[28], a[29]);
    const [x, w, nOut, nIn, active, rowScale, a0, a1, inp, acc, y, passed, final, scratch, scratchStride, k0, k1, call] = a;
    const [r0, r1] = range(a1 - a0);
    if (r1 > r0) {
      const failed = e.forwardPass(x, w, nOut, nIn, active, rowScale, a0 + r0, a0 + r1, inp, acc, y, passed, final,
        scratch + index * scratchStride, k0, k1, call, a[30]);
      Atomics.add(ctrl, ${FAILED}, failed);
    }
  }
  if (Atomics.add(ctrl, ${DONE}, 1) === threads - 1) Atomics.notify(ctrl, ${DONE});
}
`;

/** Atomics.waitAsync (ES2024; in Node since 16, not in this repository's ES2022 lib). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

/** The resolved forward IO values the fused kernel takes (setForwardIO's arguments, in order). */
export type ForwardIOArgs = readonly [number, number, number, number, number, number, number, number, number, number, number, number];

/** The groundwork's asynchronous worker pool over the kernels' shared memory (the engine uses its synchronous ThreadPool). */
export class KernelPool {
  private workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly ctrlPtr: number;
  private readonly argsPtr: number;
  private busy = false;
  /** Why the workers cannot take calls (a worker died); cleared by replacing them. */
  private broken: Error | undefined;
  private disposed = false;
  private readonly scratch: number;
  private readonly scratchStride: number;

  /**
   * `threads` workers over the kernels' shared memory; `scratchDoubles` float64 of scratch
   * per worker (forwardPass needs 2 · max(nIn, nOut)).
   */
  constructor(
    readonly kernels: Kernels,
    readonly threads: number,
    scratchDoubles: number,
  ) {
    if (!kernels.shared) throw new InputError('KernelPool: the kernels must be loaded with shared: true');
    if (!(Number.isInteger(threads) && threads >= 1 && threads <= 64)) throw new InputError(`KernelPool: threads must be an integer in [1, 64], got ${threads}`);
    if (!(Number.isInteger(scratchDoubles) && scratchDoubles >= 0))
      throw new InputError(`KernelPool: scratchDoubles must be a non-negative integer, got ${scratchDoubles}`);
    const h = kernels.heap;
    this.ctrlPtr = h.allocI32(CTRL_WORDS);
    this.argsPtr = h.allocF64(ARGS);
    this.scratchStride = Math.ceil((8 * scratchDoubles) / 16) * 16;
    this.scratch = h.alloc(this.scratchStride * threads);
    this.ctrl = h.i32(this.ctrlPtr, CTRL_WORDS);
    this.args = h.f64(this.argsPtr, ARGS);
    this.spawn();
  }

  private spawn(): void {
    const { kernels, ctrlPtr, argsPtr, threads } = this;
    const generation = Atomics.load(this.ctrl, GEN);
    const workers: Worker[] = [];
    this.workers = workers;
    this.broken = undefined;
    for (let index = 0; index < threads; index++) {
      // worker_threads through process.getBuiltinModule: a browser bundle of the package imports no Node module
      const { Worker: NodeWorker } = (process as unknown as { getBuiltinModule(id: string): typeof import('node:worker_threads') }).getBuiltinModule(
        'node:worker_threads',
      );
      const worker = new NodeWorker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: kernels.module, memory: kernels.memory, ctrlPtr, argsPtr, index, threads, generation },
      });
      // events of replaced workers are ignored
      worker.on('error', (e) => this.workers === workers && this.fail(new BackendError(`@crossbar/backend-wasm: kernel worker ${index} failed: ${e.message}`)));
      worker.on('exit', (code) => this.workers === workers && this.fail(new BackendError(`@crossbar/backend-wasm: kernel worker ${index} exited (code ${code})`)));
      worker.unref(); // an idle pool does not keep the process alive (a call refs it: waitAsync alone does not)
      workers.push(worker);
    }
  }

  private fail(e: Error): void {
    this.broken ??= e;
    // wake a caller waiting for the done counter
    Atomics.store(this.ctrl, DONE, -1);
    Atomics.notify(this.ctrl, DONE);
  }

  /** Y[m × n] = A Bᵀ (kernel gemmNT), rows split over the workers. */
  async gemmNT(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number): Promise<void> {
    this.args.set([m, n, k, a, lda, b, ldb, c, ldc]);
    await this.dispatch(OP_GEMM_NT);
  }

  /** The fused forward pass (kernel forwardPass) of active vectors a0 … a1 − 1, split over the workers; returns the vectors that failed the bound test. */
  async forwardPass(
    io: ForwardIOArgs,
    x: number,
    w: number,
    nOut: number,
    nIn: number,
    active: number,
    rowScale: number,
    a0: number,
    a1: number,
    inp: number,
    acc: number,
    y: number,
    passed: number,
    final: boolean,
    k0: number,
    k1: number,
    call: number,
    round: number,
  ): Promise<number> {
    this.args.set([x, w, nOut, nIn, active, rowScale, a0, a1, inp, acc, y, passed, final ? 1 : 0, this.scratch, this.scratchStride, k0, k1, call]);
    this.args.set(io, 18);
    this.args[30] = round;
    await this.dispatch(OP_FORWARD);
    return Atomics.load(this.ctrl, FAILED);
  }

  private async dispatch(op: number): Promise<void> {
    if (this.disposed) throw new BackendError('KernelPool: disposed');
    if (this.busy) throw new BackendError('KernelPool: one call at a time (await the previous one)');
    if (this.broken) {
      // a worker died since the last call: replace them all (the survivors may be mid-way)
      const old = this.workers;
      this.workers = [];
      await Promise.all(old.map((w) => w.terminate()));
      this.spawn();
    }
    this.busy = true;
    const workers = this.workers;
    for (const w of workers) w.ref();
    try {
      const ctrl = this.ctrl;
      Atomics.store(ctrl, DONE, 0);
      Atomics.store(ctrl, FAILED, 0);
      Atomics.store(ctrl, OP, op);
      Atomics.add(ctrl, GEN, 1);
      Atomics.notify(ctrl, GEN);
      for (;;) {
        const done = Atomics.load(ctrl, DONE);
        if (this.broken) throw this.broken;
        if (done === this.threads) return;
        const wait = waitAsync(ctrl, DONE, done);
        if (wait.async) await wait.value;
      }
    } finally {
      this.busy = false;
      for (const w of workers) w.unref();
    }
  }

  /** Stops the workers; later calls fail. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const workers = this.workers;
    this.workers = [];
    Atomics.store(this.ctrl, OP, OP_STOP);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
