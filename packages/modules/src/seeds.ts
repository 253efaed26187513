/**
 * Layer seeds. Like `torch.manual_seed`, `manualSeed(s)` makes the layers
 * built afterwards reproducible: the n-th layer constructed without an
 * explicit `seed` gets a seed drawn from (s, n). A layer's seed fixes its
 * initial weights and the seeds of its tiles (stream layout in core's
 * `RandomStreamId`: LayerWeightInit, LayerTileSeeds, ModuleLayerSeeds).
 */
import { InputError, RandomStream, RandomStreamId } from '@crossbar/core';

let globalSeed = 0;
let layerCounter = 0;

/** Sets the seed the following layers draw their default seeds from, and restarts their count. */
export function manualSeed(seed: number): void {
  globalSeed = checkSeed('manualSeed', seed);
  layerCounter = 0;
}

export function checkSeed(where: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new InputError(`${where}: seed must be a non-negative safe integer, got ${String(seed)}`);
  }
  return seed;
}

/** A 53-bit seed from two words of a stream: element pair (2k, 2k + 1). */
export function deriveSeed(seed: number, streamId: number, k: number): number {
  const s = new RandomStream(seed, streamId, 0, 0);
  const lo = s.uint32(2 * k);
  const hi = s.uint32(2 * k + 1) & 0x1fffff;
  return hi * 4294967296 + lo;
}

/** The default seed of the next layer constructed without one. */
export function nextLayerSeed(): number {
  return deriveSeed(globalSeed, RandomStreamId.ModuleLayerSeeds, layerCounter++);
}

/** The seed of tile k of a layer. */
export function tileSeed(layerSeed: number, k: number): number {
  return deriveSeed(layerSeed, RandomStreamId.LayerTileSeeds, k);
}

/**
 * torch.nn.Linear's default initialisation (kaiming_uniform with a = sqrt(5)):
 * weights and bias uniform in ±1/sqrt(inFeatures).
 */
export function initialLinearWeights(layerSeed: number, inFeatures: number, outFeatures: number): { weight: Float32Array; bias: Float32Array } {
  const bound = 1 / Math.sqrt(inFeatures);
  const weight = new RandomStream(layerSeed, RandomStreamId.LayerWeightInit, 0, 0).fillUniform(new Float32Array(outFeatures * inFeatures)) as Float32Array;
  for (let i = 0; i < weight.length; i++) weight[i] = (2 * weight[i]! - 1) * bound;
  const bias = new RandomStream(layerSeed, RandomStreamId.LayerWeightInit, 0, 1).fillUniform(new Float32Array(outFeatures)) as Float32Array;
  for (let i = 0; i < bias.length; i++) bias[i] = (2 * bias[i]! - 1) * bound;
  return { weight, bias };
}
