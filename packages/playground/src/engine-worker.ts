/**
 * The Web Worker that runs the page's wasm engine with threads (worker-engine.ts is the
 * page's side): here a synchronous kernel call may block in Atomics.wait, so the engine's
 * Web Worker pool splits the rows over min(4, cores) threads when the page is
 * cross-origin isolated. Tiles live here; the page calls their methods by message.
 */
import { createWasmBackend } from '@crossbar/backend-wasm';
import { CrossbarError, rpuConfigFromDict, type AnalogTile, type AnalogTileBackend } from '@crossbar/core';
import { TILE_METHODS, type EngineReply, type EngineRequest } from './worker-protocol.js';

let backend: Promise<AnalogTileBackend> | undefined;
const tiles = new Map<number, AnalogTile>();

async function handle(req: EngineRequest): Promise<unknown> {
  if (req.op === 'init') {
    backend ??= createWasmBackend();
    const b = await backend;
    return { name: b.name, description: b.description ?? '' };
  }
  if (req.op === 'create') {
    const { rpuConfig, ...rest } = req.options;
    const tile = await (await backend!).createTile({ ...rest, rpuConfig: rpuConfigFromDict(rpuConfig) });
    tiles.set(req.tile, tile);
    const methods = TILE_METHODS.filter((m) => typeof (tile as unknown as Record<string, unknown>)[m] === 'function');
    return { backendName: tile.backendName, methods };
  }
  const tile = tiles.get(req.tile);
  if (!tile) throw new CrossbarError(`the engine worker has no tile ${req.tile} (disposed?)`);
  const result = await (tile as unknown as Record<string, (...a: unknown[]) => unknown>)[req.method]!(...req.args);
  if (req.method === 'dispose') tiles.delete(req.tile);
  return result;
}

self.onmessage = async (event: MessageEvent<EngineRequest>) => {
  const req = event.data;
  let reply: EngineReply;
  try {
    reply = { id: req.id, ok: true, result: await handle(req) };
  } catch (e) {
    const err = e as Error;
    const crossbar = e instanceof CrossbarError;
    reply = { id: req.id, ok: false, name: err?.name ?? 'Error', message: err?.message ?? String(e), crossbar };
  }
  self.postMessage(reply);
};
