/**
 * The wasm engine in a Web Worker (engine-worker.ts), seen from the page as an
 * AnalogTileBackend: each tile method is a message to the worker, whose engine runs its
 * Web Worker pool (threads need a cross-origin isolated page). Every AnalogTile method is
 * asynchronous in core's contract, so the page's code runs unchanged; the numbers are the
 * same bits as the engine on the page's main thread.
 */
import {
  BackendError,
  CrossbarError,
  InputError,
  NotSupportedError,
  rpuConfigFromDict,
  rpuConfigToDict,
  type AnalogTile,
  type AnalogTileBackend,
  type CreateTileOptions,
} from '@crossbar/core';
import type { EngineReply, EngineRequest, TileMethod } from './worker-protocol.js';

const ERRORS: Record<string, new (message: string) => CrossbarError> = { InputError, NotSupportedError, BackendError, CrossbarError };

/** The error the worker reported, as the page's code expects it (a CrossbarError, of the same class where core exports one with a message-only constructor). */
function rebuild(reply: Extract<EngineReply, { ok: false }>): Error {
  const Cls = reply.crossbar ? (ERRORS[reply.name] ?? CrossbarError) : Error;
  return Object.assign(new Cls(reply.message), { name: reply.name });
}

/** Starts the worker and its engine; rejects with the reason where it cannot run. */
export async function createWorkerWasmBackend(): Promise<AnalogTileBackend> {
  const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'crossbar-engine' });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let nextTile = 1;
  let failed: Error | undefined;
  worker.onmessage = (event: MessageEvent<EngineReply>) => {
    const reply = event.data;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(rebuild(reply));
  };
  worker.onerror = (event) => {
    failed = new BackendError(`the engine worker failed: ${event.message || 'an error in the worker'}`);
    for (const p of pending.values()) p.reject(failed);
    pending.clear();
  };
  const request = <T>(req: EngineRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never): Promise<T> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id } as EngineRequest);
    });
  };
  let info: { name: string; description: string };
  try {
    info = await request<{ name: string; description: string }>({ op: 'init' });
  } catch (e) {
    worker.terminate();
    throw e;
  }
  return {
    name: info.name,
    description: `${info.description}, in a Web Worker`,
    async createTile(options: CreateTileOptions): Promise<AnalogTile> {
      const id = nextTile++;
      const rpuConfig = rpuConfigFromDict(rpuConfigToDict(options.rpuConfig)); // the tile's own copy, as an engine keeps
      const made = await request<{ backendName: string; methods: TileMethod[] }>({
        op: 'create',
        tile: id,
        options: { outSize: options.outSize, inSize: options.inSize, seed: options.seed, maxBytes: options.maxBytes, rpuConfig: rpuConfigToDict(options.rpuConfig) },
      });
      const tile: Record<string, unknown> = { backendName: made.backendName, outSize: options.outSize, inSize: options.inSize, seed: options.seed ?? 0, rpuConfig };
      for (const method of made.methods) tile[method] = (...args: unknown[]) => request({ op: 'call', tile: id, method, args });
      return tile as unknown as AnalogTile;
    },
    dispose() {
      worker.terminate();
    },
  };
}
