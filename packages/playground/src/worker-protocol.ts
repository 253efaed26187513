/** The messages between the page and its engine worker (engine-worker.ts, worker-engine.ts). */

/** Every method of core's AnalogTile; a tile's optional ones are offered only where the engine's tile has them. */
export const TILE_METHODS = [
  'setWeights',
  'getWeights',
  'forward',
  'backward',
  'update',
  'driftWeights',
  'decayWeights',
  'diffuseWeights',
  'resetColumns',
  'applyWeightModifier',
  'clipWeights',
  'remapWeights',
  'programWeights',
  'getScales',
  'setScales',
  'getDriftCompensationScale',
  'getForwardPassCounts',
  'getHiddenParameters',
  'setHiddenParameters',
  'setHiddenUpdateIndex',
  'getHiddenUpdateIndex',
  'getState',
  'setState',
  'dispose',
] as const;

export type TileMethod = (typeof TILE_METHODS)[number];

/** A request from the page (`id` pairs it with its reply). */
export type EngineRequest =
  | { id: number; op: 'init' }
  | { id: number; op: 'create'; tile: number; options: { outSize: number; inSize: number; seed?: number; maxBytes?: number; rpuConfig: Record<string, unknown> } }
  | { id: number; op: 'call'; tile: number; method: TileMethod; args: unknown[] };

/** The worker's reply: the result, or the error's name and message (`crossbar`: it was one of core's errors). */
export type EngineReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; name: string; message: string; crossbar: boolean };
