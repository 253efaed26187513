/**
 * The pool's workers in browsers (and any runtime with Web Workers): classic Workers
 * made from a Blob of WORKER_PROGRAM, so that no separate file has to be served or
 * bundled (a page's Content-Security-Policy must allow `worker-src blob:`). Each worker
 * gets its PoolWorkerData as its first message: the compiled module and the shared
 * memory are posted, not copied, which needs a cross-origin isolated page (COOP/COEP).
 */
import { WORKER_PROGRAM, type WorkerHost } from './thread-pool.js';

const SOURCE = `${WORKER_PROGRAM}
self.onmessage = (event) => {
  self.onmessage = null;
  startPoolWorker(event.data, () => self.close());
};
`;

let programUrl: string | undefined;

/** Web Workers as the pool's WorkerHost (undefined where there are none). */
export function webWorkerHost(): WorkerHost | undefined {
  if (typeof Worker !== 'function' || typeof Blob !== 'function' || typeof URL.createObjectURL !== 'function') return undefined;
  return {
    kind: 'Web Workers',
    // a browser starts a Worker when its maker's event loop runs, not while it blocks
    startsWhileBlocked: false,
    spawn(data, onFailure) {
      programUrl ??= URL.createObjectURL(new Blob([SOURCE], { type: 'text/javascript' }));
      const worker = new Worker(programUrl, { name: `crossbar-wasm-${data.index}` });
      worker.onerror = (e) => {
        e.preventDefault();
        onFailure(`failed: ${e.message || 'an error in the worker'}`);
      };
      worker.onmessageerror = () => onFailure('failed: its start message could not be read (is the page cross-origin isolated?)');
      worker.postMessage(data);
      return worker;
    },
  };
}
