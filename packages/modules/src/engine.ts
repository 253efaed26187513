import { BackendError, getBackend, type AnalogTileBackend } from '@crossbar/core';

/** Which engine a layer's tiles run on: a registered name, an engine object, or (undefined) the registry's default. */
export type EngineOption = string | AnalogTileBackend | undefined;

export function checkEngineOption(where: string, engine: unknown): EngineOption {
  if (engine === undefined || typeof engine === 'string') return engine;
  if (engine !== null && typeof engine === 'object' && typeof (engine as AnalogTileBackend).createTile === 'function') {
    return engine as AnalogTileBackend;
  }
  throw new BackendError(`${where}: engine must be a registered engine name or an AnalogTileBackend, got ${String(engine)}`);
}

export async function resolveEngine(engine: EngineOption): Promise<AnalogTileBackend> {
  return typeof engine === 'object' ? engine : getBackend(engine);
}
