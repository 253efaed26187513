/**
 * How many threads the engine uses here, and which workers it makes (Node's
 * worker_threads or Web Workers). The kernel contract is synchronous, so a threaded call
 * blocks its thread in Atomics.wait: allowed in Node and inside a Worker, not on a
 * browser page's main thread (there the engine runs on one thread), and threads need
 * shared memory (SharedArrayBuffer: in browsers only on cross-origin isolated pages).
 */
import { BackendError, InputError } from '@crossbar/core';
import { hasSharedMemory, type Kernels } from './loader.js';
import { nodeWorkerHost } from './node-workers.js';
import { ThreadPool, type ThreadPoolOptions, type WorkerHost } from './thread-pool.js';
import { webWorkerHost } from './web-workers.js';

/** Whether this thread may block in Atomics.wait (Node, a Worker; not a page's main thread). */
export function canBlock(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // 'not-equal' where allowed
    return true;
  } catch {
    return false; // "Atomics.wait cannot be called in this context"
  }
}

/** Why this thread cannot run more than one thread, or null when it can. */
export function threadsRefusal(): string | null {
  if (!hasSharedMemory()) return 'shared WebAssembly memory is unavailable here (a browser page needs cross-origin isolation: the COOP/COEP headers)';
  if (!canBlock()) return 'this thread may not block in Atomics.wait (a browser page’s main thread): run the engine in a Web Worker for threads';
  return null;
}

function cores(): number {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = p?.getBuiltinModule?.('node:os') as typeof import('node:os') | undefined;
  if (os) return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? n : 1;
}

/**
 * The default thread count: CROSSBAR_WASM_THREADS (Node), else min(4, cores) where this
 * thread can run threads (threadsRefusal), else 1.
 */
export function defaultThreads(): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CROSSBAR_WASM_THREADS?.trim();
  if (env) {
    const n = Number(env);
    if (!(Number.isInteger(n) && n >= 1 && n <= 64)) throw new InputError(`CROSSBAR_WASM_THREADS must be an integer in [1, 64], got ${JSON.stringify(env)}`);
    return n;
  }
  if (threadsRefusal() !== null) return 1;
  return Math.max(1, Math.min(4, cores()));
}

/** The workers of this runtime: Node's worker_threads, else Web Workers. */
export function workerHost(): WorkerHost {
  const host = nodeWorkerHost() ?? webWorkerHost();
  if (!host) throw new BackendError('@crossbar/backend-wasm: this runtime has neither worker_threads nor Web Workers: use threads: 1');
  return host;
}

/**
 * Starts a pool of `threads` over the shared kernels and waits until its workers run
 * (a browser starts them only while this thread does not block). Throws InputError where
 * this thread cannot run threads (threadsRefusal).
 */
export async function startThreadPool(shared: Kernels, threads: number, options: ThreadPoolOptions = {}, host: WorkerHost = workerHost()): Promise<ThreadPool> {
  const refusal = threadsRefusal();
  if (refusal !== null) throw new InputError(`wasm engine: threads = ${threads} cannot run here: ${refusal}; use threads: 1`);
  const pool = new ThreadPool(shared, threads, host, options);
  try {
    await pool.whenReady();
  } catch (e) {
    await pool.dispose();
    throw e;
  }
  return pool;
}
