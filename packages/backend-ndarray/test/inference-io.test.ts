/**
 * Inference through the real MVM module (no stand-in): the oracle's
 * pcm_noisy_forward_io case, whose drift compensation is measured with aihwkit's
 * default (noisy, quantised) forward IO, and the modifier and remap outputs with
 * an is_perfect forward.
 */
import { describe, expect, it } from 'vitest';
import { rpuConfigFromDict } from '@crossbar/core';
import { NdarrayTile } from '../src/tile.js';
import { closeness, flat, loadOracle, meanStd, statZ, type OracleCase } from './training-helpers.js';

const noisy = loadOracle('drift').find(({ c }) => c.name === 'pcm_noisy_forward_io')!;

function run(c: OracleCase, seed: number): { alpha: number[]; outputs: number[]; drifted: number[] } {
  const cfg = c.config as { t_inference: number[]; io: Record<string, unknown> };
  const rpuConfig = rpuConfigFromDict({ type: 'InferenceRPUConfig', forward: cfg.io });
  const tile = new NdarrayTile({ outSize: 8, inSize: 6, rpuConfig, seed });
  tile.setWeights(flat(c.weights));
  tile.programWeights();
  const out = { alpha: [] as number[], outputs: [] as number[], drifted: [] as number[] };
  for (const t of cfg.t_inference) {
    tile.driftWeights(t);
    out.drifted.push(...tile.getWeights());
    out.alpha.push(tile.getDriftCompensationScale());
    out.outputs.push(...tile.forward(flat(c.inputs), 4, { isTest: true }));
  }
  return out;
}

describe('PCM drift with the noisy forward IO (real MVM)', () => {
  it("pcm_noisy_forward_io: alpha, drifted weights and test outputs have aihwkit's statistics", () => {
    const { c, e } = noisy;
    const reps = 400;
    const runs = Array.from({ length: reps }, (_, r) => run(c, 500 + r));
    for (const key of ['alpha', 'drifted_weights', 'outputs'] as const) {
      const ours = runs.map((r) => Float32Array.from(key === 'alpha' ? r.alpha : key === 'outputs' ? r.outputs : r.drifted));
      const z = statZ(meanStd(ours), reps, { mean: flat(e[`${key}_mean`]), std: flat(e[`${key}_std`]) }, c.reps!, 1e-5);
      expect(z.mean, `${key} mean`).toBeLessThan(4.5);
      expect(z.std, `${key} std`).toBeLessThan(4.5);
    }
  });
});

describe('modifier and remap through the real MVM (is_perfect forward)', () => {
  const cases = [...loadOracle('modifier'), ...loadOracle('clip_remap')].filter(({ c }) => (c.reps ?? 1) === 1 && (c.kind === 'modifier' || c.kind === 'remap'));
  for (const { c, e } of cases) {
    it(`${c.name}: training and test outputs match aihwkit's`, () => {
      const { modifier, remap, n, scales_init: scales } = c.config as Record<string, unknown> & { n?: number; scales_init?: number[] };
      const dict: Record<string, unknown> = { type: 'InferenceRPUConfig', forward: { is_perfect: true } };
      if (modifier) dict.modifier = modifier;
      if (remap) dict.remap = remap;
      const w = flat(c.weights);
      const x = flat(c.inputs);
      const outSize = (c.weights as unknown[]).length;
      const tile = new NdarrayTile({ outSize, inSize: w.length / outSize, rpuConfig: rpuConfigFromDict(dict) });
      tile.setWeights(w);
      if (scales) tile.setScales(Float32Array.from(scales));
      if (c.kind === 'modifier') tile.applyWeightModifier();
      for (let k = 0; k < (n ?? 0); k++) tile.remapWeights();
      const batch = x.length / tile.inSize;
      const train = tile.forward(x, batch);
      const test = tile.forward(x, batch, { isTest: true });
      if (c.kind === 'modifier') {
        expect(closeness(train, flat(e.outputs), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
        expect(closeness(test, flat(e.outputs_test), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
      } else {
        expect(closeness(test, flat(e.outputs), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
      }
    });
  }
});
