/**
 * The pool's workers in Node: worker_threads running WORKER_PROGRAM from source (`eval`),
 * so the pool works from the TypeScript sources and from dist/ alike, and coverage or
 * mutation instrumentation never reaches the workers. worker_threads is reached through
 * process.getBuiltinModule (Node ≥ 20.16), so that a browser bundle of the engine holds
 * no import of a Node module.
 */
import type { Worker as NodeWorker } from 'node:worker_threads';
import { WORKER_PROGRAM, type WorkerHost } from './thread-pool.js';

type WorkerThreads = typeof import('node:worker_threads');

/** Node's worker_threads, or undefined outside Node. */
function workerThreads(): WorkerThreads | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return p?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
}

const SOURCE = `${WORKER_PROGRAM}
startPoolWorker(process.getBuiltinModule('node:worker_threads').workerData, () => process.exit(7));
`;

/** Node's worker_threads as the pool's WorkerHost (undefined outside Node). */
export function nodeWorkerHost(): WorkerHost | undefined {
  const threads = workerThreads();
  if (!threads) return undefined;
  return {
    kind: 'worker_threads',
    // a Node worker boots on its own thread, whatever the thread that made it does
    startsWhileBlocked: true,
    spawn(data, onFailure) {
      const worker: NodeWorker = new threads.Worker(SOURCE, { eval: true, workerData: data });
      worker.on('error', (e) => onFailure(`failed: ${e.message}`));
      worker.on('exit', (code) => onFailure(`exited (code ${code})`));
      worker.unref(); // an idle pool does not keep the process alive
      return worker;
    },
  };
}
